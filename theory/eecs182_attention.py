"""eecs182_hw7 Problems 3 and 5: dot-product statistics, quadratic-kernel attention and its cost.

3: for independent q, k ~ N(mu, sigma^2 I) in R^d, E[q^T k] = ||mu||^2 and
Var(q^T k) = d sigma^4 + 2 sigma^2 ||mu||^2; with mu = 0, sigma = 1 the variance is d and the scale
s = 1/sqrt(d) makes s q^T k zero-mean with unit variance.
5(b): the degree-2 polynomial kernel with its constant set to 1 is (q^T k + 1)^2 = phi(q)^T phi(k).
5(c), (d): exact operation and storage counts of softmax attention and of the linearised kernel
attention, and their orders in N (sequence length), D (query/key width) and M (value width).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step, gaussian_expectation
from theory.claims import Claim, Outcome, register

d_sym = sp.Symbol("d", positive=True, integer=True)


# --------------------------------------------------------------------------- 3: q^T k statistics


SCALE = 1 / sp.sqrt(d_sym)
SQRT2 = sp.sqrt(2)


def derive_dot_product(variance: sp.Expr = d_sym, scale: sp.Expr = SCALE) -> list[Step]:
    """Mean and variance of q^T k at d = 3 (general mu, sigma) and per coordinate for general d."""
    d = 3
    mu = sp.Matrix(sp.symbols("mu_1:4", real=True))
    sig = sp.Symbol("sigma", positive=True)
    zq, zk = sp.symbols("z_1:4", real=True), sp.symbols("u_1:4", real=True)
    q = mu + sig * sp.Matrix(zq)
    k = mu + sig * sp.Matrix(zk)
    normals = list(zq) + list(zk)
    dot = (q.T * k)[0]
    mean = gaussian_expectation(dot, normals)
    var = gaussian_expectation(dot**2, normals) - mean**2
    mu2 = (mu.T * mu)[0]
    # one coordinate, general d: the d products q_i k_i are independent
    m1, a, b = sp.symbols("m a b", real=True)
    qi, ki = m1 + sig * a, m1 + sig * b
    mean_i = gaussian_expectation(qi * ki, [a, b])
    var_i = gaussian_expectation((qi * ki) ** 2, [a, b]) - mean_i**2
    i = sp.Symbol("i", integer=True, positive=True)
    var_d = sp.summation(var_i.subs({m1: 0, sig: 1}), (i, 1, d_sym))
    s = sp.Symbol("s", positive=True)
    return [
        Step(r"mean at $d=3$ (moments of the independent normals)", mean, mu2,
             tex=r"\mathbb E[q^\top k]=\mu^\top\mu"),
        Step(r"variance at $d=3$", var, d * sig**4 + 2 * sig**2 * mu2,
             tex=r"\mathrm{Var}(q^\top k)=d\sigma^4+2\sigma^2\,\mu^\top\mu"),
        Step(r"one coordinate: mean of $q_ik_i$", mean_i, m1**2,
            tex=r"\mathbb E[q_ik_i]=\mu_i^2",
        ),
        Step(r"one coordinate: variance of $q_ik_i$", var_i, sig**4 + 2 * sig**2 * m1**2,
            tex=r"\mathrm{Var}(q_ik_i)=\sigma^4+2\sigma^2\mu_i^2",
        ),
        Step(r"$\mu=0$, $\sigma=1$: the $d$ independent products add their variances",
             var_d, variance,
            tex=r"\mathrm{Var}(q^\top k)=\sum_{i=1}^d\mathrm{Var}(q_ik_i)=d",
        ),
        Step(r"the scaled product $s\,q^\top k$ has variance $s^2d$; the claimed $s$ makes it 1",
             (s**2 * var_d).subs(s, scale), sp.Integer(1),
            tex=r"\mathrm{Var}(s\,q^\top k)=s^2d=1\quad\text{for}\quad s=1/\sqrt d",
        ),
        Step(r"and its mean stays $0$", scale * mean.subs({m: 0 for m in mu}), sp.Integer(0),
            tex=r"\mathbb E[s\,q^\top k]=s\cdot0=0",
        ),
    ]


def check_dot_product(
    variance: Callable[[int], float] = lambda d: d,
    scale: Callable[[int], float] = lambda d: 1 / np.sqrt(d),
    *,
    samples: int = 50_000,
    seed: int = 0,
) -> Outcome:
    """Monte Carlo in torch (d = 32): mean 0 and the claimed variance; s q^T k has variance 1;
    with a mean vector mu and sigma = 0.7 the general formulas hold too."""
    import torch

    d = 32
    g = torch.Generator().manual_seed(seed)

    def stats(mu: torch.Tensor, sig: float, s: float) -> tuple[float, float, float, float]:
        q = mu + sig * torch.randn(samples, d, generator=g, dtype=torch.float64)
        k = mu + sig * torch.randn(samples, d, generator=g, dtype=torch.float64)
        t = s * (q * k).sum(1)  # (samples,)
        m, v = t.mean().item(), t.var().item()
        m4 = ((t - m) ** 4).mean().item()
        return m, v, np.sqrt(v / samples), np.sqrt((m4 - v**2) / samples)

    zero = torch.zeros(d, dtype=torch.float64)
    m0, v0, se_m0, se_v0 = stats(zero, 1.0, 1.0)
    m1, v1, se_m1, se_v1 = stats(zero, 1.0, scale(d))
    mu = 0.3 * torch.randn(d, generator=g, dtype=torch.float64)
    mu2 = (mu @ mu).item()
    m2, v2, se_m2, se_v2 = stats(mu, 0.7, 1.0)
    z = [
        abs(m0) / se_m0,
        abs(v0 - variance(d)) / se_v0,
        abs(m1) / se_m1,
        abs(v1 - 1) / se_v1,
        abs(m2 - mu2) / se_m2,
        abs(v2 - (d * 0.7**4 + 2 * 0.7**2 * mu2)) / se_v2,
    ]
    return Outcome(
        bool(max(z) < 5),
        f"d={d}: Var(q^T k)={v0:.2f}, Var(s q^T k)={v1:.4f}; general mu, sigma: "
        f"mean {m2:.3f} vs {mu2:.3f}; largest deviation {max(z):.1f} s.e.",
    )


# --------------------------------------------------------------------------- 5(b): kernel


def quadratic_features(x: list, sqrt2=SQRT2) -> list:
    """phi(x) for (x^T y + 1)^2: [1, sqrt2 x_i, x_i^2, sqrt2 x_i x_j (i<j)]; length (D+1)(D+2)/2."""
    D = len(x)
    return (
        [x[0] * 0 + 1]
        + [sqrt2 * xi for xi in x]
        + [xi * xi for xi in x]
        + [sqrt2 * x[i] * x[j] for i, j in itertools.combinations(range(D), 2)]
    )


FeatureFn = Callable[[list], list]


def derive_quadratic_kernel(features: FeatureFn = quadratic_features) -> list[Step]:
    """(q^T k + 1)^2 = phi(q)^T phi(k) and the reading without constant at D = 2, 3, 4; the
    feature count (symbolic D); the associativity rewrite."""
    D = 3
    fq = features(list(sp.symbols("q_1:4", real=True)))
    Dg = sp.Symbol("D", positive=True, integer=True)
    # attention rewrite with N = 2 keys, feature width 3, value width 2
    pq = sp.Matrix(sp.symbols("p_1:4", real=True))
    pk = [sp.Matrix(sp.symbols(f"r{j}_1:4", real=True)) for j in (1, 2)]
    v = [sp.Matrix(sp.symbols(f"v{j}_1:3", real=True)) for j in (1, 2)]
    num6 = sum(((pq.T * pk[j])[0] * v[j] for j in range(2)), sp.zeros(2, 1))
    den6 = sum((pq.T * pk[j])[0] for j in range(2))
    S = sum((pk[j] * v[j].T for j in range(2)), sp.zeros(3, 2))  # (C, M)
    z = sum(pk, sp.zeros(3, 1))  # (C, 1)
    return [
        *[step for d in (2, 3, 4) for step in _kernel_steps(features, d)],
        Step(
            r"number of features: $1+D+D+\binom D2$; at $D=3$ that is",
            sp.Integer(len(fq)),
            ((Dg + 1) * (Dg + 2) / 2).subs(Dg, D),
            tex=r"\dim\phi=10=\tfrac{(D+1)(D+2)}{2}\big|_{D=3}",
        ),
        Step(
            r"in general",
            1 + Dg + Dg + Dg * (Dg - 1) / 2,
            (Dg + 1) * (Dg + 2) / 2,
            tex=r"1+D+D+\tfrac{D(D-1)}{2}=\tfrac{(D+1)(D+2)}{2}",
        ),
        Step(
            r"kernel attention regrouped by associativity (checked with $N=2$ keys, 3 features, "
            r"$M=2$): numerator "
            r"$\sum_j\phi(Q_i)^\top\phi(K_j)V_j=\phi(Q_i)^\top\sum_j\phi(K_j)V_j^\top$",
            num6,
            (pq.T * S).T,
            tex=r"\sum_j\phi(Q_i)^\top\phi(K_j)\,V_j=\Big(\phi(Q_i)^\top\sum_j\phi(K_j)"
                r"V_j^\top\Big)^\top",
        ),
        Step(
            r"and denominator $\sum_j\phi(Q_i)^\top\phi(K_j)=\phi(Q_i)^\top\sum_j\phi(K_j)$",
            den6,
            (pq.T * z)[0],
            tex=r"\sum_j\phi(Q_i)^\top\phi(K_j)=\phi(Q_i)^\top\sum_j\phi(K_j)",
        ),
    ]


def homogeneous_features(x: list) -> list:
    """phi_0(x) for (x^T y)^2, the reading without the constant term: [x_i^2, sqrt2 x_i x_j]."""
    pairs = itertools.combinations(range(len(x)), 2)
    return [xi * xi for xi in x] + [SQRT2 * x[i] * x[j] for i, j in pairs]


def _kernel_steps(features: FeatureFn, d: int) -> list[Step]:
    """(q^T k + 1)^2 = phi(q)^T phi(k), and the reading without constant, at dimension d."""
    q = sp.Matrix(sp.symbols(f"q_1:{d + 1}", real=True))
    k = sp.Matrix(sp.symbols(f"k_1:{d + 1}", real=True))
    dot = (q.T * k)[0]

    def inner(phi: FeatureFn) -> sp.Expr:
        return (sp.Matrix(phi(list(q))).T * sp.Matrix(phi(list(k))))[0]

    return [
        Step(rf"$D={d}$: the polynomial kernel of degree 2 with constant 1 is the inner product "
             r"of the feature vectors", (dot + 1) ** 2, inner(features),
             tex=r"(q^\top k+1)^2=\phi(q)^\top\phi(k)"),
        Step(r"the reading without the constant term, $(q^\top k)^2$, is the inner product of "
             r"$\phi_0(x)=(x_i^2,\sqrt2x_ix_j)_{i<j}$, $D(D+1)/2$ features (also accepted)",
             dot**2, inner(homogeneous_features),
             tex=r"(q^\top k)^2=\phi_0(q)^\top\phi_0(k)"),
    ]


def _features_torch(x, sqrt2: float = float(np.sqrt(2))):
    """Row-wise quadratic features. x: (N, D) -> (N, (D+1)(D+2)/2)."""
    import torch

    n, d = x.shape
    iu, ju = torch.triu_indices(d, d, offset=1)
    outer = x[:, :, None] * x[:, None, :]  # (N, D, D)
    ones = torch.ones(n, 1, dtype=x.dtype)
    return torch.cat([ones, sqrt2 * x, x * x, sqrt2 * outer[:, iu, ju]], dim=1)


def linear_attention(Q, K, V, feature_fn=_features_torch):
    """Kernelised attention with associativity. Q, K: (N, D), V: (N, M) -> (N, M)."""
    import torch

    fq, fk = feature_fn(Q), feature_fn(K)  # (N, C)
    S = fk.T @ V  # (C, M)
    z = fk.T @ torch.ones(K.shape[0], 1, dtype=K.dtype)  # (C, 1)
    return (fq @ S) / (fq @ z)  # (N, M)


def softmax_attention(Q, K, V):
    """softmax(Q K^T) V, row-wise. Q, K: (N, D), V: (N, M) -> (N, M)."""
    import torch

    return torch.softmax(Q @ K.T, dim=1) @ V


def check_quadratic_kernel(features: FeatureFn = quadratic_features, *, seed: int = 0) -> Outcome:
    """(q.k + 1)^2 vs phi(q).phi(k) in torch (D = 16), and the associative form of kernel
    attention vs the direct N x N similarity form."""
    import torch

    g = torch.Generator().manual_seed(seed)

    def numeric(dim: int):  # the claimed map, evaluated with floats
        z = sp.symbols(f"z_1:{dim + 1}", real=True)
        f = sp.lambdify([z], features(list(z)), "numpy")
        return lambda v: np.array(f(list(v)), dtype=float)

    phi16, phi4 = numeric(16), numeric(4)
    q = torch.randn(16, generator=g, dtype=torch.float64)
    k = torch.randn(16, generator=g, dtype=torch.float64)
    kern = ((q @ k + 1) ** 2).item()
    feat = float(phi16(q.numpy()) @ phi16(k.numpy()))
    Q, K = torch.randn(2, 50, 4, generator=g, dtype=torch.float64)
    V = torch.randn(50, 5, generator=g, dtype=torch.float64)
    sim = (Q @ K.T + 1) ** 2  # (N, N)
    direct = (sim @ V) / sim.sum(1, keepdim=True)

    def rows(x):
        return torch.tensor(np.stack([phi4(r) for r in x.numpy()]), dtype=torch.float64)

    fast = linear_attention(Q, K, V, rows)
    err = (fast - direct).abs().max().item()
    ok = abs(kern - feat) <= 1e-9 * abs(kern) and err < 1e-10
    return Outcome(ok, f"kernel {kern:.6f} vs features {feat:.6f}; attention forms differ by "
                       f"{err:.1e}")


# --------------------------------------------------------------------------- 5(c), (d): cost

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


# --------------------------------------------------------------------------- claims

DOT_PRODUCT = Claim(
    id="eecs182_hw7.p3_scaled_dot_product",
    assignment="eecs182_hw7",
    question="3(a)-(c)",
    title="Mean and variance of $q^\\top k$ and the $1/\\sqrt d$ scale",
    statement=(
        r"For independent $q,k\sim N(\mu,\sigma^2I_d)$: $\mathbb E[q^\top k]=\|\mu\|^2$ "
        r"($=d\mu^2$ when every coordinate has mean $\mu$) and "
        r"$\mathrm{Var}(q^\top k)=d\sigma^4+2\sigma^2\|\mu\|^2$. With $\mu=0$, $\sigma=1$ the "
        r"variance is $d$, and $s=1/\sqrt d$ gives $\mathbb E[s\,q^\top k]=0$, "
        r"$\mathrm{Var}(s\,q^\top k)=1$."
    ),
    answer=r"(a) $\|\mu\|^2$; (b) $d$; (c) $s=1/\sqrt d$.",
    derivation=derive_dot_product,
    check=check_dot_product,
    check_text=(
        r"$d=32$, $5\cdot10^4$ torch samples per case: mean, variance $d$, unit variance after "
        r"scaling, and the general $(\mu,\sigma)$ formulas, each within five standard errors; "
        r"$s=1/d$ fails."
    ),
    note=(
        r"The handout writes $\mu\in\mathbb R^d$ and then speaks of a scalar mean per "
        r"coordinate; both readings are covered."
    ),
)

QUADRATIC_KERNEL = Claim(
    id="eecs182_hw7.p5b_quadratic_kernel",
    assignment="eecs182_hw7",
    question="5(b)",
    title="Quadratic kernel attention and its feature map",
    statement=(
        r"With constants set to 1, $\mathrm{sim}(q,k)=(q^\top k+1)^2=\phi(q)^\top\phi(k)$ for "
        r"$\phi(x)=\big(1,\sqrt2x_1,\dots,\sqrt2x_D,x_1^2,\dots,x_D^2,\sqrt2x_ix_j\,(i<j)\big)$, "
        r"a vector of length $(D+1)(D+2)/2$; kernel attention becomes "
        r"$V'_i=\phi(Q_i)^\top\sum_j\phi(K_j)V_j^\top\big/\phi(Q_i)^\top\sum_j\phi(K_j)$."
    ),
    answer=r"$\mathrm{sim}(q,k)=(q^\top k+1)^2$ with the feature map $\phi$ above.",
    note=(
        r"``Any constant factor is set to 1'' is read as $c=1$ in $(q^\top k+c)^2$. The reading "
        r"without the constant term, $\mathrm{sim}=(q^\top k)^2$ with "
        r"$\phi_0(x)=(x_i^2,\sqrt2x_ix_j)_{i<j}$ ($D(D+1)/2$ features), is proved too and earns "
        r"the same credit; both similarities are non-negative, as 5(a) asks. A feature map is "
        r"right up to the order and signs of its entries (and splitting $\sqrt2x_ix_j$ into "
        r"$x_ix_j,x_jx_i$): the answer checker compares $\phi(q)^\top\phi(k)$. Proved at "
        r"$D=2,3,4$."
    ),
    derivation=derive_quadratic_kernel,
    check=check_quadratic_kernel,
    check_text=(
        r"Random $q,k\in\mathbb R^{16}$: kernel and feature inner product agree to "
        r"$10^{-9}$ relative; the associative form of kernel attention matches the form with "
        r"the full $N\times N$ similarity matrix ($N=50$) to $10^{-10}$. Dropping the "
        r"$\sqrt2$ factors fails."
    ),
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

register(DOT_PRODUCT, QUADRATIC_KERNEL, ATTENTION_COST)
