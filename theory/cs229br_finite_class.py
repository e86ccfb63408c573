"""cs229br_hw0 Question 1.1: uniform convergence over a finite class (Hoeffding + union bound).

The textbook bound for a loss with values in ``[0, M]``. The handout's Gaussian labels make the
squared loss unbounded; cs229br_gaussian_labels (clipping) and cs229br_bernstein (the rate itself)
reach that setting.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register

M, K, n, delta = sp.symbols("M K n delta", positive=True)

BoundFn = Callable[..., sp.Expr]


def hoeffding_union_bound(M_: sp.Expr, K_: sp.Expr, n_: sp.Expr, delta_: sp.Expr) -> sp.Expr:
    """Deviation level that all of ``K_`` losses in ``[0, M_]`` stay within w.p. ``1 - delta_``."""
    return M_ * sp.sqrt(sp.log(2 * K_ / delta_) / (2 * n_))


def derive_finite_class(bound: BoundFn = hoeffding_union_bound) -> list[Step]:
    """Steps: per-function failure probability, union over the class, the 0.99 reading."""
    eps_star = bound(M, K, n, delta)
    per_function = 2 * sp.exp(-2 * n * eps_star**2 / M**2)
    return [
        Step(
            r"Hoeffding's inequality for one fixed $f$ (losses i.i.d.\\ in $[0,M]$) bounds "
            r"$\Pr[|\mathcal L(f)-\hat{\mathcal L}_S(f)|>\epsilon]$ by "
            r"$2e^{-2n\epsilon^2/M^2}$; at the claimed level this equals $\delta/|\mathcal F|$",
            per_function,
            delta / K,
            tex=r"2\exp\!\big(-2n\epsilon^2/M^2\big)"
                r"\Big|_{\epsilon=M\sqrt{\ln(2|\mathcal F|/\delta)/(2n)}}"
                r"=\frac{\delta}{|\mathcal F|}",
        ),
        Step(
            r"union bound over the $|\mathcal F|$ functions: the total failure probability is "
            r"$\delta$",
            K * per_function,
            delta,
            tex=r"\Pr\Big[\max_{f\in\mathcal F}|\mathcal L(f)-\hat{\mathcal L}_S(f)|>\epsilon\Big]"
                r"\le|\mathcal F|\cdot\frac{\delta}{|\mathcal F|}=\delta",
        ),
        Step(
            r"the handout's constant: $\delta=1/100$ leaves confidence $99/100$",
            1 - delta.subs(delta, sp.Rational(1, 100)),
            sp.Rational(99, 100),
            tex=r"1-\delta\big|_{\delta=1/100}=\frac{99}{100}",
        ),
        Step(
            r"for fixed $M$ and $\delta$ the level is $O(\sqrt{\log|\mathcal F|/n})$: the ratio "
            r"to $\sqrt{\log|\mathcal F|/n}$ tends to a constant as $|\mathcal F|\to\infty$",
            sp.limit(eps_star / sp.sqrt(sp.log(K) / n), K, sp.oo),
            M / sp.sqrt(2),
            tex=r"\lim_{|\mathcal F|\to\infty}\frac{M\sqrt{\ln(2|\mathcal F|/\delta)/(2n)}}"
                r"{\sqrt{\ln|\mathcal F|/n}}=\frac{M}{\sqrt2}",
        ),
    ]


def check_finite_class(
    bound: BoundFn = hoeffding_union_bound, *, reps: int = 20000, seed: int = 0
) -> Outcome:
    """Near-worst case for Hoeffding: |F|=50 functions with independent M*Bernoulli(1/2) losses.

    Over ``reps`` draws of S (n=200), the maximum deviation must exceed the bound in at most a
    delta fraction of the draws. A bound that is too small (no union bound, range dropped) fails.
    """
    m_val, k_val, n_val, d_val = 4.0, 50, 200, 0.05
    level = float(bound(sp.Float(m_val), k_val, n_val, sp.Float(d_val)))
    rng = np.random.default_rng(seed)
    means = rng.binomial(n_val, 0.5, size=(reps, k_val)) / n_val * m_val  # (reps, |F|)
    worst = np.abs(means - m_val / 2).max(axis=1)
    rate = float((worst > level).mean())
    return Outcome(
        rate <= d_val,
        f"sup deviation exceeded the level {level:.4f} in {rate:.4f} of {reps} draws "
        f"(allowed {d_val})",
    )


FINITE_CLASS = Claim(
    id="cs229br_hw0.q1_1_finite_class",
    assignment="cs229br_hw0",
    question="Q1.1",
    title="Uniform deviation over a finite class (bounded loss)",
    statement=(
        r"Let every loss value $(f(x)-y)^2$ lie in $[0,M]$ and let $S$ hold $n$ i.i.d.\ "
        r"samples. For any $\delta\in(0,1)$, with probability at least $1-\delta$ over $S$, "
        r"\[\max_{f\in\mathcal F}\big|\mathcal L(f)-\hat{\mathcal L}_S(f)\big|"
        r"\le M\sqrt{\frac{\ln(2|\mathcal F|/\delta)}{2n}},\]"
        r"which is $O(\sqrt{\log|\mathcal F|/n})$ once $M$ and $\delta$ are fixed."
    ),
    answer=(
        r"$\epsilon(\delta)=M\sqrt{\ln(2|\mathcal F|/\delta)/(2n)}$; with $\delta=0.01$ the "
        r"bound holds with probability at least $0.99$."
    ),
    derivation=derive_finite_class,
    check=check_finite_class,
    check_text=(
        r"50 functions whose losses are independent $M\cdot\mathrm{Bernoulli}(1/2)$ variables "
        r"(close to the worst case for Hoeffding), $n=200$, $\delta=0.05$: over 20\,000 draws "
        r"of $S$ the largest deviation exceeds the level in at most a $\delta$ fraction. "
        r"Dropping the union bound or the range $M$ makes the level too small and the check "
        r"fails."
    ),
    note=(
        r"The handout asks for probability ``at least 0.01''. A statement that holds with "
        r"probability $0.01$ says almost nothing, and the standard argument gives $1-\delta$ "
        r"for any $\delta$; we read $0.01$ as a typo for $0.99$ ($\delta=0.01$). The proof "
        r"gives both, since $0.99\ge0.01$."
    ),
)

register(FINITE_CLASS)
