"""cmu10605_hw5 Section 1.1 and 1.2: backpropagation through ReLU networks with squared loss.

1.1: the twelve partial derivatives of q = W1 x + b1, h = ReLU(q), p = W2 h + b2,
L = (p - y)^T (p - y), each written with the Kronecker delta and the ReLU indicator 1[q > 0]
(sympy writes it Heaviside(q); at q = 0 the derivative does not exist and any value in [0, 1] is a
valid subgradient). 1.2: the forward and backward recurrences of an L-hidden-layer network and
their operation counts when every layer has width 1.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register


def kdelta(i: int, j: int) -> int:
    """Kronecker delta."""
    return 1 if i == j else 0


@dataclass
class Env:
    """Values of one network evaluation: sympy expressions or numpy arrays.

    x: (D,), W1: (H1, D), b1, q, h: (H1,), W2: (H2, H1), b2, p, y: (H2,); step(q) is 1[q > 0].
    """

    x: object
    W1: object
    b1: object
    q: object
    h: object
    W2: object
    b2: object
    p: object
    y: object
    step: Callable
    terms: dict

    def g(self, name: str, *idx: int):
        """Evaluate another term of the same table (so a wrong term propagates, as in backprop)."""
        return self.terms[name](self, *idx)

    @property
    def sizes(self) -> tuple[int, int, int]:
        return len(self.x), len(self.q), len(self.p)


def _dl_dh(e: Env, i: int):
    return sum(e.g("dL/dp_j", j) * e.g("dp_i/dh_j", j, i) for j in range(e.sizes[2]))


TERMS: dict[str, Callable] = {
    "dL/dp_j": lambda e, j: 2 * (e.p[j] - e.y[j]),
    "dp_i/dW2_jk": lambda e, i, j, k: kdelta(i, j) * e.h[k],
    "dL/dW2_ik": lambda e, i, k: e.g("dL/dp_j", i) * e.h[k],
    "dL/db2_i": lambda e, i: e.g("dL/dp_j", i),
    "dp_i/dh_j": lambda e, i, j: e.W2[i, j],
    "dh_j/dq_i": lambda e, j, i: kdelta(i, j) * e.step(e.q[i]),
    "dL/dh_i": _dl_dh,
    "dL/dq_i": lambda e, i: e.g("dL/dh_i", i) * e.step(e.q[i]),
    "dq_i/dW1_jk": lambda e, i, j, k: kdelta(i, j) * e.x[k],
    "dq_i/db1_j": lambda e, i, j: kdelta(i, j),
    "dL/dW1_jk": lambda e, j, k: e.g("dL/dq_i", j) * e.x[k],
    "dL/db1_i": lambda e, i: e.g("dL/dq_i", i),
}

TERM_TEX = {
    "dL/dp_j": r"\frac{\partial L}{\partial p_j}=2(p_j-y_j)",
    "dp_i/dW2_jk": r"\frac{\partial p_i}{\partial W^{(2)}_{j,k}}=\delta_{ij}h_k"
    r"\quad(\text{so }\partial p_i/\partial W^{(2)}_{i,k}=h_k)",
    "dL/dW2_ik": r"\frac{\partial L}{\partial W^{(2)}_{i,k}}=2(p_i-y_i)\,h_k",
    "dL/db2_i": r"\frac{\partial L}{\partial b^{(2)}_i}=2(p_i-y_i)",
    "dp_i/dh_j": r"\frac{\partial p_i}{\partial h_j}=W^{(2)}_{i,j}",
    "dh_j/dq_i": r"\frac{\partial h_j}{\partial q_i}=\delta_{ij}\,\mathbb 1[q_i>0]",
    "dL/dh_i": r"\frac{\partial L}{\partial h_i}=\sum_j 2(p_j-y_j)\,W^{(2)}_{j,i}",
    "dL/dq_i": r"\frac{\partial L}{\partial q_i}=\mathbb 1[q_i>0]\sum_j 2(p_j-y_j)\,W^{(2)}_{j,i}",
    "dq_i/dW1_jk": r"\frac{\partial q_i}{\partial W^{(1)}_{j,k}}=\delta_{ij}x_k",
    "dq_i/db1_j": r"\frac{\partial q_i}{\partial b^{(1)}_j}=\delta_{ij}",
    "dL/dW1_jk": r"\frac{\partial L}{\partial W^{(1)}_{j,k}}=\frac{\partial L}{\partial q_j}\,x_k",
    "dL/db1_i": r"\frac{\partial L}{\partial b^{(1)}_i}=\frac{\partial L}{\partial q_i}",
}


def _index_ranges(name: str, D: int, H1: int, H2: int) -> list[range]:
    return {
        "dL/dp_j": [range(H2)],
        "dp_i/dW2_jk": [range(H2), range(H2), range(H1)],
        "dL/dW2_ik": [range(H2), range(H1)],
        "dL/db2_i": [range(H2)],
        "dp_i/dh_j": [range(H2), range(H1)],
        "dh_j/dq_i": [range(H1), range(H1)],
        "dL/dh_i": [range(H1)],
        "dL/dq_i": [range(H1)],
        "dq_i/dW1_jk": [range(H1), range(H1), range(D)],
        "dq_i/db1_j": [range(H1), range(H1)],
        "dL/dW1_jk": [range(H1), range(D)],
        "dL/db1_i": [range(H1)],
    }[name]


def _all(name: str, env: Env) -> list:
    return [env.g(name, *idx) for idx in itertools.product(*_index_ranges(name, *env.sizes))]


def _relu(v):
    return sp.Max(v, 0)


def derive_twelve_terms(terms: dict[str, Callable] | None = None) -> list[Step]:
    """Each of the twelve terms against sympy's own derivative, at (D, H1, H2) = (2, 3, 2) and
    (3, 2, 1)."""
    terms = {**TERMS, **(terms or {})}
    return _twelve_term_steps(terms, 2, 3, 2) + _twelve_term_steps(terms, 3, 2, 1)


def _twelve_term_steps(terms: dict[str, Callable], D: int, H1: int, H2: int) -> list[Step]:
    def vec(name: str, size: int) -> sp.Matrix:
        return sp.Matrix(sp.symbols(f"{name}_1:{size + 1}", real=True))

    x, b1, b2, y = vec("x", D), vec("b1", H1), vec("b2", H2), vec("y", H2)
    W1 = sp.Matrix(H1, D, lambda i, j: sp.Symbol(f"W1_{i + 1}{j + 1}", real=True))
    W2 = sp.Matrix(H2, H1, lambda i, j: sp.Symbol(f"W2_{i + 1}{j + 1}", real=True))
    qf, hf, pf = vec("q", H1), vec("h", H1), vec("p", H2)  # q, h, p as free variables

    def loss(p):
        return ((p - y).T * (p - y))[0]

    def env(q, h, p) -> Env:
        return Env(x, W1, b1, q, h, W2, b2, p, y, sp.Heaviside, terms)

    q_full = W1 * x + b1
    h_full = q_full.applyfunc(_relu)
    p_full = W2 * h_full + b2
    full = env(q_full, h_full, p_full)
    h_of_q = qf.applyfunc(_relu)
    routes = {  # term -> (function of the differentiated variables, variables, environment)
        "dL/dp_j": (lambda j: loss(pf).diff(pf[j]), env(qf, hf, pf)),
        "dp_i/dW2_jk": (lambda i, j, k: (W2 * hf + b2)[i].diff(W2[j, k]), env(qf, hf, pf)),
        "dL/dW2_ik": (lambda i, k: loss(p_full).diff(W2[i, k]), full),
        "dL/db2_i": (lambda i: loss(p_full).diff(b2[i]), full),
        "dp_i/dh_j": (lambda i, j: (W2 * hf + b2)[i].diff(hf[j]), env(qf, hf, pf)),
        "dh_j/dq_i": (lambda j, i: _relu(qf[j]).diff(qf[i]), env(qf, hf, pf)),
        "dL/dh_i": (lambda i: loss(W2 * hf + b2).diff(hf[i]), env(qf, hf, W2 * hf + b2)),
        "dL/dq_i": (
            lambda i: loss(W2 * h_of_q + b2).diff(qf[i]),
            env(qf, h_of_q, W2 * h_of_q + b2),
        ),
        "dq_i/dW1_jk": (lambda i, j, k: q_full[i].diff(W1[j, k]), full),
        "dq_i/db1_j": (lambda i, j: q_full[i].diff(b1[j]), full),
        "dL/dW1_jk": (lambda j, k: loss(p_full).diff(W1[j, k]), full),
        "dL/db1_i": (lambda i: loss(p_full).diff(b1[i]), full),
    }
    steps = []
    for name, (autodiff, e) in routes.items():
        idx = list(itertools.product(*_index_ranges(name, D, H1, H2)))
        label = name.replace("_", r"\_")
        steps.append(
            Step(
                f"$D={D}$, $H^{{(1)}}={H1}$, $H^{{(2)}}={H2}$: term ${label}$ for all indices, "
                "against sympy's derivative",
                sp.Matrix([autodiff(*i) for i in idx]),
                sp.Matrix([e.g(name, *i) for i in idx]),
                tex=TERM_TEX[name],
            )
        )
    return steps


def check_twelve_terms(terms: dict[str, Callable] | None = None, *, seed: int = 0) -> Outcome:
    """All twelve terms against torch autograd (D = 5, H1 = 4, H2 = 3): gradients of L via
    retain_grad and local Jacobians via torch.autograd.functional.jacobian."""
    import torch
    from torch.autograd.functional import jacobian

    terms = {**TERMS, **(terms or {})}
    D, H1, H2 = 5, 4, 3
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    x, y = rnd(D), rnd(H2)
    W1, b1, W2, b2 = (t.requires_grad_(True) for t in (rnd(H1, D), rnd(H1), rnd(H2, H1), rnd(H2)))
    q = W1 @ x + b1
    h = torch.relu(q)
    p = W2 @ h + b2
    for t in (q, h, p):
        t.retain_grad()
    ((p - y) @ (p - y)).backward()
    named = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "q": q, "h": h, "p": p}
    det = {k: v.detach() for k, v in named.items()}
    torch_side = {
        "dL/dp_j": p.grad,
        "dp_i/dW2_jk": jacobian(lambda w: w @ det["h"] + det["b2"], det["W2"]),
        "dL/dW2_ik": W2.grad,
        "dL/db2_i": b2.grad,
        "dp_i/dh_j": jacobian(lambda v: det["W2"] @ v + det["b2"], det["h"]),
        "dh_j/dq_i": jacobian(torch.relu, det["q"]),
        "dL/dh_i": h.grad,
        "dL/dq_i": q.grad,
        "dq_i/dW1_jk": jacobian(lambda w: w @ x + det["b1"], det["W1"]),
        "dq_i/db1_j": jacobian(lambda b: det["W1"] @ x + b, det["b1"]),
        "dL/dW1_jk": W1.grad,
        "dL/db1_i": b1.grad,
    }
    n = {k: v.numpy() for k, v in det.items()}
    env = Env(x.numpy(), n["W1"], n["b1"], n["q"], n["h"], n["W2"], n["b2"], n["p"], y.numpy(),
              lambda v: float(v > 0), terms)
    worst, where = 0.0, ""
    for name, ref in torch_side.items():
        mine = np.array(_all(name, env), dtype=float)
        err = float(np.abs(mine - ref.numpy().ravel()).max())
        if err > worst:
            worst, where = err, name
    return Outcome(worst < 1e-12, f"largest |formula - autograd| {worst:.1e}"
                   + (f" in {where}" if where else ""))


# --------------------------------------------------------------------------- 1.2: L layers


def backprop(Ws: list, bs: list, x, y, relu, step):
    """Gradients of ||p - y||^2 by the backward recurrence; column vectors throughout.

    Ws[l]: (H_{l+1}, H_l) for l = 0..L (the last is the output layer), bs[l]: (H_{l+1}, 1).
    Forward: h0 = x, q_l = W_l h_{l-1} + b_l, h_l = relu(q_l), p = W_{L+1} h_L + b_{L+1}.
    Backward: g = 2 (p - y); dW_l = g h_{l-1}^T, db_l = g, g <- (W_l^T g) * step(q_{l-1}).
    Works on sympy matrices and numpy arrays (relu and step act elementwise).
    """
    hs, qs = [x], []
    for li, (W, b) in enumerate(zip(Ws, bs)):
        q = W @ hs[-1] + b
        qs.append(q)
        hs.append(relu(q) if li < len(Ws) - 1 else q)
    g = 2 * (hs[-1] - y)
    grads_W, grads_b = [None] * len(Ws), [None] * len(Ws)
    for li in range(len(Ws) - 1, -1, -1):
        grads_W[li] = g @ hs[li].T
        grads_b[li] = g
        if li:
            g = _hadamard(Ws[li].T @ g, step(qs[li - 1]))
    return grads_W, grads_b


def _hadamard(a, b):
    if isinstance(a, sp.MatrixBase):
        return a.multiply_elementwise(b)
    return a * b


def derive_deep_recurrence(mask: bool = True) -> list[Step]:
    """Backward recurrence vs sympy's derivative of the whole loss, at layer widths
    (input, hidden..., output) = (2, 2, 2, 1) (L = 2), (1, 2, 1, 2, 1) (L = 3) and (2, 1, 2)
    (L = 1)."""
    return [_recurrence_step(mask, sizes)
            for sizes in ((2, 2, 2, 1), (1, 2, 1, 2, 1), (2, 1, 2))]


def _recurrence_step(mask: bool, sizes: tuple[int, ...]) -> Step:
    depth = len(sizes) - 1  # affine layers: L hidden + the output layer
    Ws = [sp.Matrix(sizes[li + 1], sizes[li],
                    lambda i, j, li=li: sp.Symbol(f"W{li + 1}_{i + 1}{j + 1}", real=True))
          for li in range(depth)]
    bs = [sp.Matrix(sp.symbols(f"b{li + 1}_1:{sizes[li + 1] + 1}", real=True))
          for li in range(depth)]
    x = sp.Matrix(sp.symbols(f"x_1:{sizes[0] + 1}", real=True))
    y = sp.Matrix(sp.symbols(f"y_1:{sizes[-1] + 1}", real=True))

    def relu(m):
        return m.applyfunc(_relu)

    def step(m):
        return m.applyfunc(sp.Heaviside if mask else (lambda e: 1))

    gW, gb = backprop(Ws, bs, x, y, relu, step)
    h = x
    for li in range(depth):
        q = Ws[li] * h + bs[li]
        h = relu(q) if li < depth - 1 else q
    loss = ((h - y).T * (h - y))[0]
    params = [e for W, b in zip(Ws, bs) for e in list(W) + list(b)]
    ours = [e for W, b in zip(gW, gb) for e in list(W) + list(b)]
    return Step(
        r"forward $h^{(0)}=x$, $q^{(l)}=W^{(l)}h^{(l-1)}+b^{(l)}$, $h^{(l)}=\mathrm{ReLU}"
        r"(q^{(l)})$, $p=W^{(L+1)}h^{(L)}+b^{(L+1)}$; backward $g^{(L+1)}=2(p-y)$, "
        r"$\partial L/\partial W^{(l)}=g^{(l)}h^{(l-1)\top}$, $\partial L/\partial b^{(l)}="
        r"g^{(l)}$, $g^{(l-1)}=(W^{(l)\top}g^{(l)})\odot\mathbb 1[q^{(l-1)}>0]$: at widths "
        rf"${sizes}$ ($L={depth - 1}$) every one of the {len(params)} parameter derivatives "
        r"agrees with sympy's",
        sp.Matrix([loss.diff(v) for v in params]),
        sp.Matrix(ours),
        tex=r"\nabla_\theta L\big|_{\text{recurrence}}=\nabla_\theta L\big|_{\text{sympy}}",
    )


def check_deep_recurrence(mask: bool = True, *, seed: int = 0) -> Outcome:
    """numpy recurrence vs torch autograd on a random 4-hidden-layer net of mixed widths."""
    import torch

    sizes = [3, 5, 4, 6, 2, 2]
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(sizes[li + 1], sizes[li])) for li in range(len(sizes) - 1)]
    bs = [rng.normal(size=(sizes[li + 1], 1)) for li in range(len(sizes) - 1)]
    x, y = rng.normal(size=(sizes[0], 1)), rng.normal(size=(sizes[-1], 1))
    gW, gb = backprop(Ws, bs, x, y, lambda a: np.maximum(a, 0),
                      lambda a: (a > 0).astype(float) if mask else np.ones_like(a))
    tW = [torch.tensor(W, requires_grad=True) for W in Ws]
    tb = [torch.tensor(b, requires_grad=True) for b in bs]
    h = torch.tensor(x)
    for li, (W, b) in enumerate(zip(tW, tb)):
        h = W @ h + b
        h = torch.relu(h) if li < len(tW) - 1 else h
    ((h - torch.tensor(y)) ** 2).sum().backward()
    err = max(float(np.abs(a - t.grad.numpy()).max()) for a, t in zip(gW + gb, tW + tb))
    return Outcome(err < 1e-12, f"largest |recurrence - autograd| over all layers: {err:.1e}")


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


# --------------------------------------------------------------------------- claims

TWELVE = Claim(
    id="cmu10605_hw5.s1_1_twelve_terms",
    assignment="cmu10605_hw5",
    question="1.1(a)-(c)",
    title="The twelve backpropagation terms of the two-layer ReLU network",
    statement=(
        r"For $q=W^{(1)}x+b^{(1)}$, $h=\max(q,0)$, $p=W^{(2)}h+b^{(2)}$, "
        r"$L=(p-y)^\top(p-y)$: "
        + "; ".join(f"${TERM_TEX[k]}$" for k in TERMS)
        + "."
    ),
    answer=r"As stated; $\mathbb 1[q_i>0]$ is the ReLU derivative (a subgradient at $q_i=0$).",
    derivation=derive_twelve_terms,
    check=check_twelve_terms,
    check_text=(
        r"$D=5$, $H^{(1)}=4$, $H^{(2)}=3$: every entry of every term against torch autograd "
        r"(\texttt{retain\_grad} for $\partial L/\partial p,h,q$; "
        r"\texttt{autograd.functional.jacobian} for the local derivatives), to $10^{-12}$."
    ),
    note=(r"Symbolic check at $(D,H^{(1)},H^{(2)})=(2,3,2)$ and $(3,2,1)$ over all index "
          r"combinations; the numeric check uses $D=5$, $H^{(1)}=4$, $H^{(2)}=3$."),
)

DEEP = Claim(
    id="cmu10605_hw5.s1_2_recurrences",
    assignment="cmu10605_hw5",
    question="1.2(a), (c)",
    title="Forward and backward recurrences for $L$ hidden layers",
    statement=(
        r"Forward: $h^{(0)}=x$; $q^{(l)}=W^{(l)}h^{(l-1)}+b^{(l)}$, $h^{(l)}=\max(q^{(l)},0)$ for "
        r"$l=1..L$; $p=W^{(L+1)}h^{(L)}+b^{(L+1)}$; $L=\|p-y\|^2$. Backward: "
        r"$g^{(L+1)}=2(p-y)$ and for $l=L+1,\dots,1$: "
        r"$\partial L/\partial W^{(l)}=g^{(l)}h^{(l-1)\top}$, $\partial L/\partial b^{(l)}="
        r"g^{(l)}$, $g^{(l-1)}=(W^{(l)\top}g^{(l)})\odot\mathbb 1[q^{(l-1)}>0]$."
    ),
    answer=r"The two recurrences above.",
    derivation=derive_deep_recurrence,
    check=check_deep_recurrence,
    check_text=(
        r"A random network with hidden widths $5,4,6,2$: the numpy recurrence matches torch "
        r"autograd in every weight and bias to $10^{-12}$."
    ),
    note=r"Proved symbolically at $L=1,2,3$ with layer widths $(2,1,2)$, $(2,2,2,1)$, "
         r"$(1,2,1,2,1)$.",
)

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

register(TWELVE, DEEP, OPS)
