"""eecs182_hw7 Problem 3: the statistics of the dot product q^T k and the 1/sqrt(d) scale.

For independent q, k ~ N(mu, sigma^2 I) in R^d, E[q^T k] = ||mu||^2 and
Var(q^T k) = d sigma^4 + 2 sigma^2 ||mu||^2; with mu = 0, sigma = 1 the variance is d and the scale
s = 1/sqrt(d) makes s q^T k zero-mean with unit variance.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step, gaussian_expectation
from theory.claims import Claim, Outcome, register

d_sym = sp.Symbol("d", positive=True, integer=True)
SCALE = 1 / sp.sqrt(d_sym)


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

register(DOT_PRODUCT)
