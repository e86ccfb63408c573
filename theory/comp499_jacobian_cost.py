"""comp499_a1 Question 2(e): cost of the Jacobian of a tanh MLP in forward and reverse mode.

f(x) = W_F rho(W_L ... rho(W_2 rho(W_1 x))) with W_1: (K, D), W_i: (K, K) for i = 2..L, W_F: (P, K).
Rule from the handout: an (M1 x M2) by (M2 x M3) product costs M1 M2 M3. Elementwise work (rho and
rho') is lower order and not counted.

Forward mode pushes the D columns of the identity seed along with x: every layer multiplies its
weight by a (width x (1 + D)) block. Reverse mode does the primal pass, then pulls the P rows of
the identity seed back through every weight. With c = K D + (L - 1) K^2 + P K the cost of the
primal pass, forward mode costs (1 + D) c and reverse mode (1 + P) c: forward wins exactly when
D < P, as in the handout's D = 2, P = 10.
"""

from __future__ import annotations

import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register

D, K, P, L = sp.symbols("D K P L", positive=True, integer=True)
PRIMAL = K * D + (L - 1) * K**2 + P * K
FORWARD = (1 + D) * PRIMAL
REVERSE = (1 + P) * PRIMAL


def _layer_shapes(d, k, p, n_layers):
    """(rows, cols) of W_1, W_2..W_L, W_F."""
    return [(k, d)] + [(k, k)] * (n_layers - 1) + [(p, k)]


def derive_jacobian_cost(forward: sp.Expr = FORWARD, reverse: sp.Expr = REVERSE) -> list[Step]:
    """Sum the per-product costs layer by layer (symbolic L) and compare the two modes."""
    i = sp.Symbol("i", integer=True, positive=True)
    hidden = sp.summation(K * K, (i, 2, L))  # W_i h, i = 2..L
    primal = K * D * 1 + hidden + P * K * 1
    fwd_tangent = K * D * D + sp.summation(K * K * D, (i, 2, L)) + P * K * D
    rev_cotangent = P * P * K + sp.summation(P * K * K, (i, 2, L)) + P * K * D
    return [
        Step(r"primal pass: one matrix-vector product per layer", primal, PRIMAL,
            tex=r"KD+\sum_{i=2}^{L}K^2+PK=KD+(L-1)K^2+PK=c",
        ),
        Step(r"forward mode: the primal pass plus the seed $I_D$ carried through "
             r"$W_1,\dots,W_L,W_F$ ($K\cdot D\cdot D$, then $K\cdot K\cdot D$ per hidden layer, "
             r"then $P\cdot K\cdot D$)", primal + fwd_tangent, forward,
            tex=r"c+KD^2+\sum_{i=2}^{L}K^2D+PKD=(1+D)\,c",
        ),
        Step(r"reverse mode: the primal pass plus the seed $I_P$ pulled back through "
             r"$W_F,W_L,\dots,W_1$ ($P\cdot P\cdot K$, then $P\cdot K\cdot K$, then "
             r"$P\cdot K\cdot D$)", primal + rev_cotangent, reverse,
            tex=r"c+P^2K+\sum_{i=2}^{L}PK^2+PKD=(1+P)\,c",
        ),
        Step(r"their ratio depends only on the input and output sizes",
             forward / reverse, (1 + D) / (1 + P),
            tex=r"\frac{(1+D)\,c}{(1+P)\,c}=\frac{1+D}{1+P}",
        ),
        Step(r"for the handout's $D=2$, $K=30$, $P=10$ forward mode needs $3/11$ of the "
             r"operations of reverse mode, for every depth $L$",
             (forward / reverse).subs({D: 2, K: 30, P: 10}), sp.Rational(3, 11),
            tex=r"\frac{1+2}{1+10}=\frac{3}{11}",
        ),
    ]


def jacobian_forward(Ws: list, x):
    """Forward mode: carry [h | dh/dx] through every layer. Ws: [W_1 .. W_L, W_F],
    x: (D, 1) -> (P, D)."""
    import torch

    block = torch.cat([x, torch.eye(x.shape[0], dtype=x.dtype)], dim=1)  # (D, 1 + D)
    for li, W in enumerate(Ws):
        block = W @ block
        if li < len(Ws) - 1:
            a, tangent = block[:, :1], block[:, 1:]
            block = torch.cat([torch.tanh(a), (1 - torch.tanh(a) ** 2) * tangent], dim=1)
    return block[:, 1:]


def jacobian_reverse(Ws: list, x):
    """Reverse mode: primal pass, then the seed I_P pulled back. x: (D, 1) -> (P, D)."""
    import torch

    h, pre = x, []
    for li, W in enumerate(Ws):
        a = W @ h
        pre.append(a)
        h = torch.tanh(a) if li < len(Ws) - 1 else a
    bar = torch.eye(Ws[-1].shape[0], dtype=x.dtype)  # (P, P)
    for li in range(len(Ws) - 1, -1, -1):
        bar = bar @ Ws[li]  # (P, width of layer input)
        if li:
            bar = bar * (1 - torch.tanh(pre[li - 1]) ** 2).T
    return bar


def check_jacobian_cost(forward: sp.Expr = FORWARD, reverse: sp.Expr = REVERSE) -> Outcome:
    """For L = 3, 5, 10 (D = 2, K = 30, P = 10): torch's FlopCounterMode on each mode equals
    2 x the formula (it counts a multiply-add as 2), and both Jacobians match autograd's."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    g = torch.Generator().manual_seed(0)
    d, k, p = 2, 30, 10
    rows, worst = [], 0.0
    for n_layers in (3, 5, 10):
        Ws = [torch.randn(r, c, generator=g, dtype=torch.float64) / c**0.5
              for r, c in _layer_shapes(d, k, p, n_layers)]
        x = torch.randn(d, 1, generator=g, dtype=torch.float64)
        counts = []
        for mode in (jacobian_forward, jacobian_reverse):
            with FlopCounterMode(display=False) as counter:
                jac = mode(Ws, x)
            counts.append(counter.get_total_flops() // 2)

            def f(v, Ws=Ws):
                h = v
                for i, W in enumerate(Ws):
                    h = W @ h
                    h = torch.tanh(h) if i < len(Ws) - 1 else h
                return h

            auto = torch.autograd.functional.jacobian(f, x).view(p, d)
            worst = max(worst, (jac - auto).abs().max().item())
        values = {D: d, K: k, P: p, L: n_layers}
        rows.append((n_layers, counts, [int(forward.subs(values)), int(reverse.subs(values))]))
    exact = all(c == e for _, c, e in rows)
    return Outcome(exact and worst < 1e-12,
                   "L: counted [forward, reverse] vs formula: "
                   + "; ".join(f"{n}: {c} vs {e}" for n, c, e in rows)
                   + f"; Jacobian vs autograd {worst:.1e}")


CLAIM = Claim(
    id="comp499_a1.q2e_jacobian_cost",
    assignment="comp499_a1",
    question="2(e)",
    title="Forward versus reverse mode for the Jacobian",
    statement=(
        r"Counting an $(M_1\times M_2)(M_2\times M_3)$ product as $M_1M_2M_3$ and "
        r"$c=KD+(L-1)K^2+PK$ (one forward evaluation), forward mode costs $(1+D)\,c$ and "
        r"reverse mode $(1+P)\,c$. The ratio $(1+D)/(1+P)$ does not depend on $K$ or $L$; for "
        r"$D=2$, $P=10$ forward mode is about $3.7$ times cheaper."
    ),
    answer=(
        r"Forward: $(1+D)(KD+(L-1)K^2+PK)$; reverse: $(1+P)(KD+(L-1)K^2+PK)$; forward mode "
        r"wins when the input is narrower than the output ($D<P$)."
    ),
    derivation=derive_jacobian_cost,
    check=check_jacobian_cost,
    check_text=(
        r"Both modes written as explicit products in torch for $L=3,5,10$, $D=2$, $K=30$, "
        r"$P=10$: \texttt{FlopCounterMode} counts exactly twice the formulas, and both Jacobians "
        r"match \texttt{torch.autograd.functional.jacobian}."
    ),
    note=(
        r"Counting the identity seeds keeps the formulas exact; without them forward mode saves "
        r"$KD^2$ and reverse mode $P^2K$, which does not change the comparison. The handout's "
        r"benchmark measures wall-clock time, where kernel launches and memory traffic also count."
    ),
)

register(CLAIM)
