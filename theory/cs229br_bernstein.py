"""cs229br_hw0 Question 1.1 at the handout's rate, with its Gaussian labels: Bernstein's inequality.

The squared loss l_f = (f(x) - y)^2 with |f| <= B and y ~ N(0, sigma^2) is unbounded but
sub-exponential: 0 <= l_f <= 2B^2 + 2y^2. Its centred moments satisfy Bernstein's condition
E|l - El|^k <= k!/2 v c^(k-2) with c = 8B^2 + 12 sigma^2, v = c^2, so the mean of n samples
deviates by more than eps = sqrt(2 v t / n) + 2 c t / n with probability at most 2 e^(-t). A union
bound with t = ln(2|F|/delta) gives, for every n and |F| >= 2, with probability >= 1 - delta,

    max_f |L(f) - L_S(f)| <= K(B, sigma, delta) sqrt(ln(2|F|/delta) / n) = O(sqrt(log|F| / n)),

K = max((2 + sqrt 2) c, 2B^2 + 2 sigma^2 / delta): Bernstein when ln(2|F|/delta) <= n, Markov's
inequality on the mean of y^2 otherwise. Unlike the clipping argument of cs229br_gaussian_labels,
no log(n/delta) factor appears.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.algebra import Step, gaussian_expectation
from theory.claims import Claim, Outcome, register

B, sigma, n, t, delta, F = sp.symbols("B sigma n t delta F", positive=True)
lam, eps, s, u = sp.symbols("lambda epsilon s u", positive=True)
k = sp.Symbol("k", integer=True, nonnegative=True)
A = 4 * B**2 + 2 * sigma**2  # bound on 2B^2 + E[l]: |l - El| <= A + 2 y^2
C = 8 * B**2 + 12 * sigma**2  # Bernstein's scale c; the variance proxy is v = c^2
MOMENT_ORDERS = range(2, 11)  # Bernstein's condition checked in B and sigma at these k


def level(c: sp.Expr = C, t_: sp.Expr = t, n_: sp.Expr = n) -> sp.Expr:
    """Bernstein's deviation level for scale c and v = c^2."""
    return sp.sqrt(2 * c**2 * t_ / n_) + 2 * c * t_ / n_


def _moment(j):
    """E[y^(2j)] for y ~ N(0, sigma^2), in closed form (valid for every j >= 0)."""
    return sigma ** (2 * j) * 2**j * sp.gamma(j + sp.Rational(1, 2)) / sp.sqrt(sp.pi)


def derive_bernstein(c: sp.Expr = C, bound=level) -> list[Step]:
    """Moments (symbolic in k, and in B, sigma for k = 2..10), the MGF series, Chernoff, the
    choice of eps, the union bound, and the two regimes t <= n and t > n."""
    z = sp.Symbol("z", real=True)
    rho = _moment(k) / (sigma ** (2 * k) * 2**k * sp.factorial(k))  # E y^2k / (2^k k! s^2k)
    steps = [
        Step(r"Gaussian even moments: $\mathbb E[y^{2k}]=\sigma^{2k}2^k\Gamma(k+\frac12)/"
             r"\sqrt\pi$ starts at $\mathbb E[y^2]=\sigma^2$ ",
             _moment(1), gaussian_expectation((sigma * z) ** 2, [z])),
        Step(r"and grows by the factor $(2k+1)\sigma^2$ from $k$ to $k+1$ (symbolic $k$, by "
             r"$\Gamma(z+1)=z\Gamma(z)$), which is $\mathbb E[y^{2k+2}]/\mathbb E[y^{2k}]$ "
             r"by parts",
             sp.expand_func(_moment(k + 1) / _moment(k)), (2 * k + 1) * sigma**2),
        Step(r"its ratio to $2^kk!\sigma^{2k}$ shrinks by $(2k+1)/(2k+2)\le1$ at each $k$ and "
             r"is $1$ at $k=0$, so $\mathbb E[y^{2k}]\le2^kk!\sigma^{2k}$ for all $k$",
             sp.expand_func(rho.subs(k, k + 1) / rho), (2 * k + 1) / (2 * k + 2)),
        Step(r"the factor is at most one", (2 * k + 1) / (2 * k + 2), sp.Integer(1), "<="),
    ]
    for order in MOMENT_ORDERS:  # |l - El| <= A + 2 y^2 with y = sigma z
        moment = gaussian_expectation((A + 2 * sigma**2 * z**2) ** order, [z])
        steps.append(Step(
            rf"Bernstein's condition at $k={order}$ (symbolic in $B,\sigma$): "
            r"$\mathbb E|\ell-\mathbb E\ell|^k\le\mathbb E(A+2y^2)^k\le\frac{k!}{2}v\,c^{k-2}$, "
            r"$A=4B^2+2\sigma^2$, $c=8B^2+12\sigma^2$, $v=c^2$ (for general $k$ the binomial "
            r"coefficients compare term by term, by the moment bound above)",
            moment, sp.factorial(order) / 2 * c**2 * c ** (order - 2), "<="))
    big_k = sp.Symbol("N", integer=True, positive=True)
    partial = lam**2 * (1 - (lam * c) ** (big_k - 1)) / (1 - lam * c)  # sum_{j=2}^N l^j c^(j-2)
    lam_star = eps / (c**2 + c * eps)
    mgf = lam**2 * c**2 / (2 * (1 - lam * c))
    chosen = bound(c, t, n)
    steps += [
        Step(r"moment generating function: $\mathbb E e^{\lambda Z}\le1+\frac v2\sum_{k\ge2}"
             r"\lambda^kc^{k-2}$ ($\mathbb EZ=0$). The partial sums $S_N=\lambda^2(1-(\lambda c)"
             r"^{N-1})/(1-\lambda c)$ start at $S_2=\lambda^2$",
             partial.subs(big_k, 2), lam**2),
        Step(r"and grow by the next term (symbolic $N$), so for $\lambda c<1$ the series is "
             r"$\lambda^2/(1-\lambda c)$ and $\mathbb E e^{\lambda Z}\le\exp(\lambda^2v/"
             r"(2(1-\lambda c)))$", partial.subs(big_k, big_k + 1) - partial,
             lam ** (big_k + 1) * c ** (big_k - 1)),
        Step(r"Chernoff at $\lambda=\epsilon/(v+c\epsilon)$, where $1-\lambda c=v/(v+c\epsilon)"
             r">0$: the exponent per sample is $-\epsilon^2/(2(v+c\epsilon))$",
             lam_star * eps - mgf.subs(lam, lam_star), eps**2 / (2 * (c**2 + c * eps))),
        Step(r"at $\epsilon=\sqrt{2vt/n}+2ct/n$ the exponent of $n$ samples reaches $t$: "
             r"$n\epsilon^2-2t(v+c\epsilon)=2ct\sqrt{2vt/n}\ge0$",
             n * chosen**2 - 2 * t * (c**2 + c * chosen), 2 * c * t * sp.sqrt(2 * c**2 * t / n)),
        Step(r"both tails, union over $|\mathcal F|$ functions, $t=\ln(2|\mathcal F|/\delta)$: "
             r"failure probability $2|\mathcal F|e^{-t}=\delta$",
             2 * F * sp.exp(-sp.log(2 * F / delta)), delta),
        Step(r"regime $t\le n$ ($\sqrt{t/n}=u\le1$, $u=1/(1+s)$): $\epsilon\le(2+\sqrt2)\,c"
             r"\sqrt{t/n}$", chosen.subs(t, u**2 * n).subs(u, 1 / (1 + s)),
             (2 + sp.sqrt(2)) * c / (1 + s), "<="),
        Step(r"regime $t>n$: Markov on $\frac1n\sum y_i^2$ (mean $\sigma^2$) gives, with "
             r"probability $\ge1-\delta$, $|\mathcal L(f)-\hat{\mathcal L}_S(f)|\le2B^2+2\sigma^2/"
             r"\delta$, at most that times $\sqrt{t/n}=1+s>1$",
             2 * B**2 + 2 * sigma**2 / delta, (2 * B**2 + 2 * sigma**2 / delta) * (1 + s), "<="),
        Step(r"for fixed $\delta$, $\ln(2|\mathcal F|/\delta)/\ln|\mathcal F|\to1$: the bound is "
             r"$O(\sqrt{\log|\mathcal F|/n})$, with no factor growing in $n$",
             sp.limit(sp.log(2 * F / delta) / sp.log(F), F, sp.oo), sp.Integer(1)),
    ]
    return steps


def check_bernstein(c: sp.Expr = C, *, reps: int = 400, seed: int = 3) -> Outcome:
    """Handout setting (d=2, ||w*||^2 = d, B = 1, ten clipped linear f): Bernstein's moment
    condition holds by Monte Carlo for k = 2..6, the level holds in at least 1 - delta of the
    draws, and its ratio to sqrt(ln|F|/n) does not grow with n."""
    d, k_f, n_val, b_val, d_val = 2, 10, 200, 1.0, 0.1
    rng = np.random.default_rng(seed)
    sig2 = d + 1.0
    c_val = float(c.subs({B: b_val, sigma: np.sqrt(sig2)}))
    t_of = lambda n_: np.log(2 * k_f / d_val)  # noqa: E731 - the same t for every n
    lvl = float(level(sp.Float(c_val), sp.Float(t_of(n_val)), n_val))
    a = rng.normal(size=(k_f, d))  # (|F|, d)

    def losses(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return (np.clip(x @ a.T, -b_val, b_val) - y[:, None]) ** 2  # (N, |F|)

    big_x = rng.normal(size=(200_000, d))
    risk = losses(big_x, big_x.sum(1) + rng.normal(size=200_000)).mean(0)
    x = rng.normal(size=(reps, n_val, d))
    y = x.sum(2) + rng.normal(size=(reps, n_val))
    worst = np.array([np.abs(losses(x[r], y[r]).mean(0) - risk).max() for r in range(reps)])
    rate = float((worst > lvl).mean())
    ratios = [float(level(sp.Float(c_val), sp.Float(t_of(m)), m)) / np.sqrt(np.log(k_f) / m)
              for m in (10**2, 10**4, 10**6)]
    flat = max(ratios) <= min(ratios) * 1.6  # bounded by (2 + sqrt 2) c sqrt(t / ln|F|)
    centred = np.abs(losses(big_x[:50_000], big_x[:50_000].sum(1) + rng.normal(size=50_000))
                     - risk)  # (N, |F|)
    moments_ok = all((centred**j).mean(0).max() <= float(sp.factorial(j)) / 2 * c_val**j
                     for j in range(2, 7))
    return Outcome(rate <= d_val and flat and moments_ok,
                   f"Bernstein's condition for k = 2..6 by Monte Carlo: {moments_ok}; "
                   f"level {lvl:.2f} exceeded in {rate:.3f} of {reps} draws (allowed {d_val}); "
                   "level / sqrt(ln|F|/n) at n = 1e2, 1e4, 1e6: "
                   + ", ".join(f"{r:.0f}" for r in ratios))


BERNSTEIN = Claim(
    id="cs229br_hw0.q1_1_bernstein",
    assignment="cs229br_hw0",
    question="Q1.1",
    title="The handout's rate with Gaussian labels (Bernstein)",
    statement=(
        r"Let $f:\mathbb R^d\to[-B,B]$ for all $f\in\mathcal F$, $|\mathcal F|\ge2$, and "
        r"$y=\langle x,w_*\rangle+\xi\sim N(0,\sigma^2)$, $\sigma^2=\|w_*\|^2+1$. For every $n$ "
        r"and $\delta\in(0,1)$, with probability at least $1-\delta$, "
        r"\[\max_{f\in\mathcal F}\big|\mathcal L(f)-\hat{\mathcal L}_S(f)\big|\le K\sqrt{\frac{"
        r"\ln(2|\mathcal F|/\delta)}{n}},\quad K=\max\big((2+\sqrt2)(8B^2+12\sigma^2),\ "
        r"2B^2+2\sigma^2/\delta\big),\]"
        r"which is $O(\sqrt{\log|\mathcal F|/n})$ for the handout's $\delta=0.01$, the constant "
        r"depending on $B$ and $\|w_*\|$ only."
    ),
    answer=(
        r"Bernstein's inequality for the sub-exponential squared loss ($0\le\ell\le2B^2+2y^2$) "
        r"and a union bound; Markov's inequality covers $\ln(2|\mathcal F|/\delta)>n$."
    ),
    derivation=derive_bernstein,
    check=check_bernstein,
    check_text=(
        r"Handout setting ($d=2$, $\|w_*\|^2=d$, ten clipped linear functions, $B=1$, "
        r"$n=200$, $\delta=0.1$): Bernstein's condition for $k=2..6$ by Monte Carlo; the "
        r"level holds in at least $1-\delta$ of 400 draws of $S$; "
        r"its ratio to $\sqrt{\ln|\mathcal F|/n}$ is the same at $n=10^2,10^4,10^6$ (the "
        r"clipping variant's grows)."
    ),
    note=(
        r"Proved symbolically in $k$ (Gaussian moments, the $k!$ bound), in the series length, "
        r"in $\lambda,\epsilon,t,n,\delta,|\mathcal F|$; Bernstein's moment condition is checked "
        r"symbolically in $B,\sigma$ for $k=2,\dots,10$ and holds for every $k$ because each "
        r"binomial term of $\mathbb E(A+2y^2)^k$ is at most the matching term of "
        r"$\frac{k!}2(2A+8\sigma^2)^k$ (ratio $\ge2^{k-1}$ by "
        r"$\mathbb E y^{2j}\le2^jj!\sigma^{2j}$)."
    ),
)

register(BERNSTEIN)
