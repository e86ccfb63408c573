"""cmu10605_hw5 Section 1.2(b), (d): the operation counts of the forward pass and of
backpropagation through an L-hidden-layer ReLU network when every layer has width 1.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register

Lsym = sp.Symbol("L", positive=True, integer=True)
FORWARD_OPS = 3 * Lsym + 4
BACKWARD_OPS = 3 * Lsym + 3


def derive_op_counts(
    forward: sp.Expr = FORWARD_OPS, backward: sp.Expr = BACKWARD_OPS
) -> list[Step]:
    """Scalar operation counts with every width 1, summed layer by layer."""
    li = sp.Symbol("l", integer=True, positive=True)
    fwd_mm = sp.summation(2, (li, 1, Lsym + 1))  # one multiply + one bias add per layer
    fwd_relu = sp.summation(1, (li, 1, Lsym))
    fwd = fwd_mm + fwd_relu + 2  # loss: one subtraction, one square
    # backward: 2 for g = 2(p - y); layers L+1..2: dW, W^T g, mask; layer 1: dW only
    bwd_mm = sp.summation(2, (li, 2, Lsym + 1)) + 1
    bwd_mask = sp.summation(1, (li, 2, Lsym + 1))
    bwd = 2 + bwd_mm + bwd_mask
    return [
        Step(r"forward: $L+1$ affine layers at 2 operations, $L$ ReLUs, 2 for the loss",
             fwd, forward,
            tex=r"\sum_{l=1}^{L+1}2+\sum_{l=1}^{L}1+2=3L+4",
        ),
        Step(r"backward: 2 for $\partial L/\partial p$, then per layer $l=L+1,\dots,2$ one "
             r"product for $\partial L/\partial W^{(l)}$, one for $W^{(l)\top}g$ and one ReLU "
             r"mask, and one product for $\partial L/\partial W^{(1)}$", bwd, backward,
             tex=r"2+\Big(\sum_{l=2}^{L+1}2+1\Big)+\sum_{l=2}^{L+1}1=3L+3"),
        Step(r"forward: multiply-adds against nonlinearities, a fixed ratio (both grow "
             r"linearly in $L$, neither dominates)", sp.limit(fwd_mm / fwd_relu, Lsym, sp.oo),
             sp.Integer(2),
            tex=r"\lim_{L\to\infty}\frac{2(L+1)}{L}=2",
        ),
        Step(r"backward: products against ReLU masks, again a fixed ratio",
             sp.limit(bwd_mm / bwd_mask, Lsym, sp.oo), sp.Integer(2),
            tex=r"\lim_{L\to\infty}\frac{2L+1}{L}=2",
        ),
        *[Step(rf"equally right, {why}: forward ${sp.latex(f)}$, backward ${sp.latex(b)}$ "
               r"(per-layer sums against the closed forms), also linear in $L$",
               sp.Matrix([fwd_parts, bwd_parts]), sp.Matrix([f, b]),
               tex=rf"{sp.latex(f)},\ {sp.latex(b)}=\Theta(L)")
          for why, (fwd_parts, bwd_parts, f, b) in _other_conventions(li).items()],
    ]


def _other_conventions(li: sp.Symbol) -> dict[str, tuple]:
    """Other counts the handout allows (width 1): (forward sum, backward sum, closed forms)."""
    layers, relus = sp.summation(1, (li, 1, Lsym + 1)), sp.summation(1, (li, 1, Lsym))
    back_products = sp.summation(2, (li, 2, Lsym + 1)) + 1
    back_masks = sp.summation(1, (li, 2, Lsym + 1))
    return {
        "a multiply-add (affine layer) counted as one operation":
            (layers + relus + 2, 2 + back_products + back_masks, 2 * Lsym + 3, 3 * Lsym + 3),
        "only the products and the nonlinearities (no additions, no loss)":
            (layers + relus, back_products + back_masks, 2 * Lsym + 1, 3 * Lsym + 1),
        r"a backward pass that also returns the input gradient $W^{(1)\top}g$":
            (2 * layers + relus + 2, 2 + back_products + back_masks + 1, 3 * Lsym + 4,
             3 * Lsym + 4),
    }


class _Ops:
    """Counts scalar operations by kind."""

    def __init__(self) -> None:
        self.n = {"mul": 0, "add": 0, "relu": 0, "mask": 0}

    def mul(self, a, b):
        self.n["mul"] += 1
        return a * b

    def add(self, a, b):
        self.n["add"] += 1
        return a + b

    def relu(self, a):
        self.n["relu"] += 1
        return max(a, 0.0)

    def mask(self, g, q):
        self.n["mask"] += 1
        return g if q > 0 else 0.0

    def total(self) -> int:
        return sum(self.n.values())


def _scalar_net(ws: list[float], bs: list[float], x: float, y: float):
    """Width-1 forward and backward with every scalar operation counted. Returns
    (forward ops, backward ops, dL/dw list)."""
    ops = _Ops()
    hs, qs = [x], []
    for li, (w, b) in enumerate(zip(ws, bs)):
        q = ops.add(ops.mul(w, hs[-1]), b)
        qs.append(q)
        hs.append(ops.relu(q) if li < len(ws) - 1 else q)
    r = ops.add(hs[-1], -y)
    ops.mul(r, r)
    fwd = ops.total()
    ops = _Ops()
    g = ops.mul(2.0, ops.add(hs[-1], -y))
    dws = [0.0] * len(ws)
    for li in range(len(ws) - 1, -1, -1):
        dws[li] = ops.mul(g, hs[li])
        if li:
            g = ops.mask(ops.mul(ws[li], g), qs[li - 1])
    return fwd, ops.total(), dws


def check_op_counts(forward: sp.Expr = FORWARD_OPS, backward: sp.Expr = BACKWARD_OPS) -> Outcome:
    """Run the instrumented width-1 network for L = 1..8: counts match the formulas, and its
    gradients match torch autograd (so the counted algorithm really is backprop)."""
    import torch

    rng = np.random.default_rng(0)
    bad, grad_err = [], 0.0
    for L in range(1, 9):
        ws = list(rng.uniform(0.5, 1.5, size=L + 1))
        bs = list(rng.uniform(0.1, 0.5, size=L + 1))  # positive: every ReLU active
        fwd, bwd, dws = _scalar_net(ws, bs, 0.7, -0.3)
        if fwd != int(forward.subs(Lsym, L)) or bwd != int(backward.subs(Lsym, L)):
            bad.append((L, fwd, bwd))
        tw = torch.tensor(ws, requires_grad=True)
        h = torch.tensor(0.7, dtype=torch.float64)
        for li in range(L + 1):
            h = tw[li] * h + bs[li]
            h = torch.relu(h) if li < L else h
        ((h + 0.3) ** 2).backward()
        grad_err = max(grad_err, float(np.abs(np.array(dws) - tw.grad.numpy()).max()))
    return Outcome(not bad and grad_err < 1e-12,
                   f"count mismatches (L, forward, backward): {bad or 'none'}; "
                   f"gradient vs autograd {grad_err:.1e}")


OPS = Claim(
    id="cmu10605_hw5.s1_2_op_counts",
    assignment="cmu10605_hw5",
    question="1.2(b), (d)",
    title="Operation counts with all widths equal to 1",
    statement=(
        r"With $H^{(0)}=\dots=H^{(L)}=1$ (and a scalar output), the forward pass takes $3L+4$ "
        r"scalar operations ($L+1$ multiplies, $L+1$ bias additions, $L$ ReLUs, 2 for the loss) "
        r"and backpropagation $3L+3$ ($2L+1$ products in the chain, $L$ ReLU masks, 2 for "
        r"$\partial L/\partial p$). Matrix products and nonlinearities both grow linearly in $L$: "
        r"neither dominates asymptotically (the products outnumber the nonlinearities two to one)."
    ),
    answer=r"Forward $3L+4=O(L)$; backward $3L+3=O(L)$; products and nonlinearities are of the "
    r"same order.",
    derivation=derive_op_counts,
    check=check_op_counts,
    check_text=(
        r"An instrumented width-1 network counts its own scalar operations for $L=1..8$ and "
        r"matches both formulas; its gradients match torch autograd."
    ),
    note=(
        r"Convention: every scalar multiplication, addition, ReLU (or ReLU mask) and the two "
        r"operations of the loss count one each, for one example, with a scalar output. Equally "
        r"right: a multiply-add counted as one operation ($2L+3$ forward), only products and "
        r"nonlinearities ($2L+1$, $3L+1$), or a backward pass that also returns the input "
        r"gradient ($3L+4$); any count of the form $aL+b$ with the ratio argument earns full "
        r"credit, and so does ``the products dominate by a constant factor''. For width $H$ "
        r"each layer costs $H^2$ multiply-adds against $H$ ReLUs, so the products dominate; "
        r"width 1 is the degenerate case where they tie in order."
    ),
)

register(OPS)
