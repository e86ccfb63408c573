"""cs229br_hw0 Question 1.2: SGD on the linear model f_w(x) = <w, x> moves towards w* in
expectation.

The expected single-sample gradient of the handout's loss (f(x) - y)^2 (no factor 1/2) is
c (w - w*) with c = 2, so the mean iterate contracts towards w* exactly when 0 < eta < 1.
Question 1.3 is in cs229br_sgd_min_norm.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.algebra import Step, gaussian_expectation
from theory.claims import Claim, Outcome, register

D = 3  # symbolic size for the proofs


def _vec(name: str, d: int = D) -> sp.Matrix:
    return sp.Matrix(sp.symbols(f"{name}_1:{d + 1}", real=True))


def derive_expected_gradient(c: sp.Expr = 2, sizes: tuple[int, ...] = (2, 3, 4),
                             ) -> list[Step]:
    """E over (x, y) of grad_w (<w, x> - y)^2 equals c (w - w*), at d = 2, 3, 4; then the mean
    iterate contracts towards w* by the factor 1 - c eta, which is below 1 in size iff
    0 < eta < 1 (for c = 2)."""
    steps: list[Step] = []
    for d in sizes:
        steps += _expected_gradient_steps(c, d)
    eta, s = sp.symbols("eta s", positive=True)
    w, w_star = _vec("w", 2), _vec("w^*", 2)
    factor = 1 - c * eta
    return steps + [
        Step(r"one SGD step in expectation given $w_t$: $\mathbb E[w_{t+1}\mid w_t]-w_*="
             r"w_t-\eta c(w_t-w_*)-w_*=(1-c\eta)(w_t-w_*)$; by the tower rule "
             r"$\mathbb E[w_{t+1}]-w_*=(1-2\eta)(\mathbb E[w_t]-w_*)$",
             w - eta * c * (w - w_star) - w_star, (1 - 2 * eta) * (w - w_star)),
        Step(r"the distance to $w_*$ shrinks by $|1-2\eta|$, and $1-(1-2\eta)^2=4\eta(1-\eta)$",
             1 - factor**2, 4 * eta * (1 - eta)),
        Step(r"which is positive for every $0<\eta<1$ (write $\eta=1/(1+s)$, $s>0$): progress "
             r"in every iteration",
             (4 * eta * (1 - eta)).subs(eta, 1 / (1 + s)), sp.Integer(0), ">="),
        Step(r"and not positive for $\eta\ge1$ ($\eta=1+s$): no progress, the mean oscillates "
             r"or diverges; so the condition is exactly $0<\eta<1$",
             (4 * eta * (1 - eta)).subs(eta, 1 + s), sp.Integer(0), "<="),
    ]


def _expected_gradient_steps(c: sp.Expr, d: int) -> list[Step]:
    x, w, w_star = _vec("x", d), _vec("w", d), _vec("w^*", d)
    xi = sp.Symbol("xi", real=True)
    y = (x.T * w_star)[0] + xi
    loss = ((x.T * w)[0] - y) ** 2
    grad = sp.Matrix([sp.diff(loss, wi) for wi in w])
    residual = (x.T * (w - w_star))[0] - xi
    normals = list(x) + [xi]

    def expect(m: sp.Matrix) -> sp.Matrix:
        return m.applyfunc(lambda e: gaussian_expectation(e, normals))

    return [
        Step(
            rf"$d={d}$: gradient of one sample's loss (sympy's derivative against the chain "
            r"rule)",
            grad,
            2 * residual * x,
            tex=r"\nabla_w(\langle w,x\rangle-y)^2=2(\langle w,x\rangle-y)\,x"
                r"=2\big(\langle x,w-w_*\rangle-\xi\big)\,x",
        ),
        Step(rf"second moments of $x\sim N(0,I_{d})$", expect(x * x.T), sp.eye(d),
            tex=rf"\mathbb E[xx^\top]=I_{d}",
        ),
        Step(r"the label noise is independent of $x$", expect(xi * x), sp.zeros(d, 1),
            tex=r"\mathbb E[\xi x]=0",
        ),
        Step(
            r"so the expectation is linear in $w-w_*$",
            expect(grad),
            2 * (expect(x * x.T) * (w - w_star) - expect(xi * x)),
            tex=r"\mathbb E[\nabla_w\mathcal L]"
                r"=2\big(\mathbb E[xx^\top](w-w_*)-\mathbb E[\xi x]\big)",
        ),
        Step(r"the claimed constant", expect(grad), c * (w - w_star),
            tex=r"\mathbb E[\nabla_w\mathcal L]=c\,(w-w_*),\quad c=2",
        ),
    ]


def check_expected_gradient(
    c: float = 2.0, *, samples: int = 40_000, d: int = 5, seed: int = 0
) -> Outcome:
    """Monte Carlo mean of autograd per-sample gradients vs c (w - w*), within 5 s.e. per entry."""
    import torch

    g = torch.Generator().manual_seed(seed)
    w_star = torch.randn(d, generator=g, dtype=torch.float64)
    w_star *= np.sqrt(d) / w_star.norm()  # ||w*||^2 = d
    w = torch.randn(d, generator=g, dtype=torch.float64)
    x = torch.randn(samples, d, generator=g, dtype=torch.float64)  # (N, d)
    y = x @ w_star + torch.randn(samples, generator=g, dtype=torch.float64)  # (N,)
    rows = w.expand(samples, d).clone().requires_grad_(True)  # one copy of w per sample
    loss = (((rows * x).sum(1) - y) ** 2).sum()
    (per_sample,) = torch.autograd.grad(loss, rows)  # (N, d)
    mean = per_sample.mean(0)
    se = per_sample.std(0) / np.sqrt(samples)
    z = ((mean - c * (w - w_star)) / se).abs().max().item()
    return Outcome(z < 5, f"Monte Carlo mean vs {c} (w - w*): max deviation {z:.2f} s.e.")


EXPECTED_GRADIENT = Claim(
    id="cs229br_hw0.q1_2_expected_gradient",
    assignment="cs229br_hw0",
    question="Q1.2",
    title="SGD moves towards $w_*$ in expectation",
    statement=(
        r"For $x\sim N(0,I_d)$, $y=\langle x,w_*\rangle+\xi$ with $\xi\sim N(0,1)$ independent "
        r"of $x$, and the loss $\mathcal L_{x,y}(f_w)=(\langle w,x\rangle-y)^2$, for every fixed "
        r"$w$: $\mathbb E_{x,y}[\nabla_w\mathcal L_{x,y}(f_w)]=c\,(w-w_*)$ with $c=2$. Hence "
        r"$\mathbb E[w_{t+1}]-w_*=(1-2\eta)(\mathbb E[w_t]-w_*)$: the mean iterate gets "
        r"strictly closer to $w_*$ in every iteration exactly when $0<\eta<1$."
    ),
    answer=(r"$c=2$ (it would be $1$ for the loss $\tfrac12(f(x)-y)^2$); progress in every "
            r"iteration needs the step size $0<\eta<1$."),
    derivation=derive_expected_gradient,
    check=check_expected_gradient,
    check_text=(
        r"$d=5$, $\|w_*\|^2=d$, $4\cdot10^4$ samples: the mean of per-sample gradients from torch "
        r"autograd is within five standard errors of $2(w-w_*)$ in every entry; $c=1$ fails."
    ),
    note=(
        r"Since $w_t$ depends only on earlier samples, the statement is about the conditional "
        r"expectation given $w_t$; averaging over $w_t$ gives "
        r"$\mathbb E[\nabla]=c(\mathbb E w_t-w_*)$. The handout writes $w\in\mathbb R^{d+1}$ "
        r"but $x\in\mathbb R^d$; we take $w\in\mathbb R^d$. Its update line is missing the "
        r"minus sign: $w_{t+1}=w_t-\eta\nabla\mathcal L$. Proved symbolically at "
        r"$d=2,3,4$ (the moments are per coordinate, so every $d$ behaves alike); the "
        r"contraction step is symbolic in $\eta$."
    ),
)

register(EXPECTED_GRADIENT)
