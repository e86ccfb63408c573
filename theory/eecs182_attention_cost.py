"""eecs182_hw7 Problem 5(c), (d): the cost of softmax attention and of linearised kernel attention.

Exact operation and storage counts of both, and their orders in N (sequence length), D
(query/key width) and M (value width), checked against torch's FlopCounterMode and the tensors
saved for backward.
"""

from __future__ import annotations

import functools

import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register
from theory.eecs182_kernel_attention import linear_attention, softmax_attention

N, D, M = sp.symbols("N D M", positive=True, integer=True)
C_FEAT = (D + 1) * (D + 2) / 2

SOFTMAX_TIME = {"Q K^T": N * D * N, "softmax": 3 * N**2, "A V": N * N * M}
SOFTMAX_MEMORY = {"Q, K": 2 * N * D, "V": N * M, "A": N**2, "output": N * M}
LINEAR_TIME = {
    "phi(Q), phi(K)": 2 * N * C_FEAT,
    "phi(K)^T V": C_FEAT * N * M,
    "phi(K)^T 1": C_FEAT * N,
    "phi(Q) S": N * C_FEAT * M,
    "phi(Q) z": N * C_FEAT,
    "divide": N * M,
}
LINEAR_MEMORY = {
    "Q, K": 2 * N * D,
    "V": N * M,
    "phi(Q), phi(K)": 2 * N * C_FEAT,
    "S, z": C_FEAT * (M + 1),
    "output": N * M,
}
MATMULS = {"Q K^T", "A V", "phi(K)^T V", "phi(K)^T 1", "phi(Q) S", "phi(Q) z"}

ORDERS = {
    "softmax_time": N**2 * (D + M),
    "softmax_memory": N**2 + N * (D + M),
    "linear_time": N * D**2 * M,
    "linear_memory": N * D**2 + N * M + D**2 * M,
}
_TABLES = {
    "softmax_time": SOFTMAX_TIME,
    "softmax_memory": SOFTMAX_MEMORY,
    "linear_time": LINEAR_TIME,
    "linear_memory": LINEAR_MEMORY,
}


def _theta_steps(name: str, exact: sp.Expr, order: sp.Expr) -> list[Step]:
    """exact / order lies between two positive constants for all N, D, M >= 1."""
    n_, d_, m_ = sp.symbols("n' d' m'", nonnegative=True)
    shift = {N: 1 + n_, D: 1 + d_, M: 1 + m_}
    ratio = sp.cancel(sp.together(exact / order))
    at_one = ratio.subs({N: 1, D: 1, M: 1})
    lo = sp.Rational(1, 4)
    hi = sp.ceiling(4 * at_one)
    r = ratio.subs(shift)
    label = name.replace("_", " ")
    return [
        Step(rf"{label}: the count over the claimed order is at least ${sp.latex(lo)}$ "
             r"for $N,D,M\ge1$ (checked with $N=1+n'$, $D=1+d'$, $M=1+m'$, $n',d',m'\ge0$)",
             r, lo, relation=">=",
             tex=rf"\frac{{\text{{{label}}}}}{{{sp.latex(order)}}}\ge{sp.latex(lo)}"),
        Step(rf"{label}: and at most ${sp.latex(hi)}$", r, hi, relation="<=",
             tex=rf"\frac{{\text{{{label}}}}}{{{sp.latex(order)}}}\le{sp.latex(hi)}"),
    ]


def derive_attention_cost(orders: dict[str, sp.Expr] | None = None) -> list[Step]:
    """Exact counts summed per stage; each is Theta of its claimed order; M = D specialisation."""
    orders = {**ORDERS, **(orders or {})}
    steps: list[Step] = []
    for name, table in _TABLES.items():
        steps += _theta_steps(name, sum(table.values()), orders[name])
    lin_t = sum(LINEAR_TIME.values()).subs(M, D)
    soft_t = sum(SOFTMAX_TIME.values()).subs(M, D)
    a = sp.Symbol("a", nonnegative=True)
    for big, small, case in ((D, M, "D\\ge M"), (M, D, "M\\ge D")):
        at = {big: small + a}  # big = small + a
        steps += [
            Step(rf"the $\max(D,M)$ form: when ${case}$, $D+M\ge\max(D,M)$",
                 (D + M).subs(at), sp.Max(D, M).subs(at), ">="),
            Step(r"and $D+M\le2\max(D,M)$, so $N^2(D+M)=\Theta(N^2\max(D,M))$ and "
                 r"$N^2+N(D+M)=\Theta(N^2+N\max(D,M))$",
                 (D + M).subs(at), 2 * sp.Max(D, M).subs(at), "<="),
        ]
    steps += [
        Step(r"with $M\approx D$ the linearised time grows like $ND^3$",
             sp.limit(lin_t / (N * D**3), D, sp.oo), sp.Integer(1),
            tex=r"\lim_{D\to\infty}\frac{T_{\mathrm{lin}}}{ND^3}\Big|_{M=D}=1",
        ),
        Step(r"and it beats softmax attention for long sequences: the ratio of the two times "
             r"vanishes as $N\to\infty$", sp.limit(lin_t / soft_t, N, sp.oo), sp.Integer(0),
            tex=r"\lim_{N\to\infty}\frac{T_{\mathrm{lin}}}{T_{\mathrm{soft}}}\Big|_{M=D}=0",
        ),
    ]
    return steps


@functools.cache
def _measure(kind: str, n: int, d: int, m: int) -> tuple[int, int]:
    """(matmul flops / 2, elements saved for backward) of one attention call (deterministic,
    so cached: checking a different claimed order reuses the measurements)."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    g = torch.Generator().manual_seed(n * 1000 + d * 10 + m)
    Q = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    K = torch.randn(n, d, generator=g, dtype=torch.float64, requires_grad=True)
    V = torch.randn(n, m, generator=g, dtype=torch.float64, requires_grad=True)
    saved: list[int] = []

    def pack(t):
        saved.append(t.numel())
        return t

    fn = softmax_attention if kind == "softmax" else linear_attention
    hooks = torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t)
    with hooks, FlopCounterMode(display=False) as counter:
        fn(Q, K, V)
    return counter.get_total_flops() // 2, sum(saved)


def check_attention_cost(orders: dict[str, sp.Expr] | None = None) -> Outcome:
    """torch's FlopCounterMode gives exactly the matmul part of each time formula; doubling N, D
    or M changes the measured flops and saved-for-backward elements by the claimed order's ratio
    (within 15%)."""
    orders = {**ORDERS, **(orders or {})}
    base = {N: 128, D: 32, M: 32}
    worst, exact_ok = 0.0, True
    for kind in ("softmax", "linear"):
        time_table = SOFTMAX_TIME if kind == "softmax" else LINEAR_TIME
        matmul = sum(v for k, v in time_table.items() if k in MATMULS)
        flops0, saved0 = _measure(kind, *base.values())
        exact_ok &= flops0 == int(matmul.subs(base))
        for var in (N, D, M):
            big = {**base, var: 2 * base[var]}
            flops1, saved1 = _measure(kind, *big.values())
            for measured, key in ((flops1 / flops0, "time"), (saved1 / saved0, "memory")):
                order = orders[f"{kind}_{key}"]
                claimed = float(order.subs(big) / order.subs(base))
                worst = max(worst, abs(measured / claimed - 1))
    return Outcome(
        bool(exact_ok and worst < 0.15),
        f"matmul counts exact: {exact_ok}; largest relative gap between measured and claimed "
        f"growth when doubling N, D or M: {worst:.3f}",
    )


ATTENTION_COST = Claim(
    id="eecs182_hw7.p5cd_attention_cost",
    assignment="eecs182_hw7",
    question="5(c), 5(d)",
    title="Time and memory of softmax versus linearised attention",
    statement=(
        r"Counting multiply-adds and stored floats, softmax attention costs "
        r"$N^2D+N^2M+3N^2=\Theta(N^2(D+M))$ time and $2ND+2NM+N^2=\Theta(N^2+N(D+M))$ memory. "
        r"With the degree-2 feature map ($C=(D+1)(D+2)/2$ features) the linearised form costs "
        r"$2NCM+4NC+NM=\Theta(ND^2M)$ time and $2ND+2NM+2NC+C(M+1)=\Theta(N(D^2+M)+D^2M)$ "
        r"memory; for $M\approx D$ that is $\Theta(ND^3)$ time and $\Theta(ND^2+D^3)$ memory, "
        r"linear in $N$."
    ),
    answer=(
        r"Softmax: time $O(N^2\max(D,M))=O(N^2(D+M))$, memory $O(N^2+N\max(D,M))$. "
        r"Linearised quadratic "
        r"kernel: time $O(ND^2M)=O(ND^3)$, memory $O(N(D^2+M)+D^2M)=O(ND^2+D^3)$."
    ),
    derivation=derive_attention_cost,
    check=check_attention_cost,
    check_text=(
        r"torch's \texttt{FlopCounterMode} on both implementations counts exactly the "
        r"matrix-product part of the time formulas ($N=128$, $D=M=32$); doubling $N$, $D$ or "
        r"$M$ changes the counted flops and the elements saved for backward by the ratio the "
        r"claimed order predicts, within 15\%."
    ),
    note=(
        r"Elementwise work (exponentials, features, divisions) is counted once per element; "
        r"it does not change the orders. Memory counts what backpropagation keeps, including "
        r"$Q$, $K$, $V$."
    ),
)

register(ATTENTION_COST)
