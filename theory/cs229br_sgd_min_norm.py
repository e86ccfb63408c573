"""cs229br_hw0 Question 1.3: SGD on the linear model f_w(x) = <w, x> and the minimum-norm
interpolant.

Every SGD update adds a multiple of the sampled x, so the iterates stay in
span(w_0, x_1, ..., x_t); started at w_0 = 0 an interpolating limit is the minimum-norm
interpolant X^T (X X^T)^{-1} y.

Indexing: the handout's loop body computes w_{t+1} from w_t with the t-th sample. Here w_t is the
iterate after t updates, made with x_1, ..., x_t, so the invariant reads w_t in
span(w_0, x_1, ..., x_t); the handout's "x_{t-1}" is the same statement shifted by one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register
from theory.cs229br_sgd_expected_gradient import _vec


def derive_span_invariant(include_w0: bool = True, sizes: tuple[int, ...] = (2, 3, 4),
                          ) -> list[Step]:
    """One SGD step adds alpha * x_t to w; unrolled twice from w_0 at d = 2, 3, 4.

    include_w0: whether the claimed spanning set contains w_0 (it must)."""
    return [step for d in sizes for step in _span_steps(include_w0, d)]


def _span_steps(include_w0: bool, d: int) -> list[Step]:
    eta, y1, y2 = sp.symbols("eta y_1 y_2", real=True)
    w0, x1, x2 = _vec("w0", d), _vec("x1", d), _vec("x2", d)

    v = _vec("v", d)

    def sgd(w: sp.Matrix, x: sp.Matrix, y: sp.Expr) -> sp.Matrix:
        loss = ((x.T * v)[0] - y) ** 2  # differentiate at a free point v, then put v = w
        grad = sp.Matrix([sp.diff(loss, vi) for vi in v]).subs(dict(zip(v, w)))
        return w - eta * grad

    def alpha(w: sp.Matrix, x: sp.Matrix, y: sp.Expr) -> sp.Expr:
        return -2 * eta * ((x.T * w)[0] - y)

    w1 = sgd(w0, x1, y1)
    a1 = alpha(w0, x1, y1)
    a2 = alpha(w0 + a1 * x1, x2, y2)
    return [
        Step(
            rf"$d={d}$: one update moves $w$ along the sampled input only: "
            r"$w_{t}=w_{t-1}+\alpha_t x_t$ with the scalar $\alpha_t=-2\eta(\langle w_{t-1},"
            r"x_t\rangle-y_t)$",
            w1 - w0,
            a1 * x1,
            tex=r"w_t-w_{t-1}=-2\eta(\langle w_{t-1},x_t\rangle-y_t)\,x_t=\alpha_tx_t",
        ),
        Step(
            r"unrolled twice: $w_2=w_0+\alpha_1x_1+\alpha_2x_2$, a member of "
            r"$\mathrm{span}(w_0,x_1,x_2)$; induction on $t$ gives the invariant",
            sgd(w1, x2, y2),
            (w0 if include_w0 else sp.zeros(d, 1)) + a1 * x1 + a2 * x2,
            tex=r"w_2=w_0+\alpha_1x_1+\alpha_2x_2",
        ),
    ]


def min_norm_solution(X: sp.Matrix, y: sp.Matrix) -> sp.Matrix:
    """X^T (X X^T)^{-1} y for X: (n, d) with independent rows, y: (n, 1)."""
    return X.T * (X * X.T).inv() * y


SolutionFn = Callable[[sp.Matrix, sp.Matrix], sp.Matrix]


def derive_min_norm(solution: SolutionFn = min_norm_solution,
                    sizes: tuple[tuple[int, int], ...] = ((1, 2), (1, 3), (2, 3)),
                    ) -> list[Step]:
    """n samples in d > n dimensions, at (n, d) = (1, 2), (1, 3), (2, 3): the span-constrained
    interpolant is unique and every other interpolant w_hat + v (X v = 0) is longer."""
    steps: list[Step] = []
    for n_, d_ in sizes:
        X = sp.Matrix(n_, d_, lambda i, j: sp.Symbol(f"x_{i + 1}{j + 1}", real=True))
        y = sp.Matrix(sp.symbols(f"y_1:{n_ + 1}", real=True))
        a = sp.Matrix(sp.symbols(f"a_1:{n_ + 1}", real=True))
        v = sp.Matrix(sp.symbols(f"v_1:{d_ + 1}", real=True))
        w_hat = solution(X, y)
        (sol,) = sp.solve(list(X * X.T * a - y), list(a), dict=True)
        gram_inv = (X * X.T).inv()
        steps += [
            Step(rf"$n={n_}$, $d={d_}$: from $w_0=0$ the iterate lies in the row space, "
                 r"$w=X^\top a$; interpolation $XX^\top a=y$ has a unique solution (Gram matrix "
                 r"invertible)", X.T * a.subs(sol), w_hat,
                 tex=r"X^\top a\big|_{XX^\top a=y}=X^\top(XX^\top)^{-1}y=\hat w"),
            Step(r"it interpolates", X * w_hat, y, tex=r"X\hat w=XX^\top(XX^\top)^{-1}y=y"),
            Step(r"for any $v$, $\hat w^\top v=y^\top(XX^\top)^{-1}(Xv)$, which is $0$ when "
                 r"$Xv=0$; every other interpolant is $\hat w+v$ with $Xv=0$, so "
                 r"$\|\hat w+v\|^2=\|\hat w\|^2+\|v\|^2>\|\hat w\|^2$ for $v\ne0$",
                 (w_hat.T * v)[0], (y.T * gram_inv * (X * v))[0],
                 tex=r"\hat w^\top v=y^\top(XX^\top)^{-1}Xv"),
        ]
    return steps


def check_min_norm(
    solution: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    *,
    n: int = 5,
    d: int = 60,
    seed: int = 0,
) -> Outcome:
    """Run the handout's SGD on S (w_0 = 0, cycling through the samples) until it interpolates.

    Checks every iterate stays in span(x_1..x_n), the limit matches ``solution`` (default: the
    pseudo-inverse), and a shifted interpolant has a larger norm.
    """
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))  # (n, d): rows in general position
    y = rng.normal(size=n)
    eta = 0.5 / (X**2).sum(1).max()
    q, _ = np.linalg.qr(X.T)  # (d, n) orthonormal basis of the row space
    w = np.zeros(d)
    span_err = 0.0
    for _ in range(500):
        for i in range(n):
            w = w - eta * 2 * (X[i] @ w - y[i]) * X[i]
            span_err = max(span_err, float(np.linalg.norm(w - q @ (q.T @ w))))
        if np.abs(X @ w - y).max() < 1e-12:
            break
    target = np.linalg.pinv(X) @ y if solution is None else solution(X, y)
    gap = float(np.linalg.norm(w - target) / np.linalg.norm(target))
    v = rng.normal(size=d)
    v -= q @ (q.T @ v)  # null-space direction
    other = w + v
    ok = span_err < 1e-10 and gap < 1e-8 and np.linalg.norm(other) > np.linalg.norm(w)
    return Outcome(
        bool(ok),
        f"SGD limit vs claimed solution: relative gap {gap:.2e}; "
        f"largest distance of an iterate from span(x_i): {span_err:.1e}",
    )


def check_span_invariant(
    include_w0: bool = True, *, d: int = 8, steps: int = 6, seed: int = 1
) -> Outcome:
    """Fresh samples each step, random w_0: each w_t is in span(w_0, x_1..x_t) to rounding."""
    import torch

    g = torch.Generator().manual_seed(seed)
    w_star = torch.randn(d, generator=g, dtype=torch.float64)
    w = torch.randn(d, generator=g, dtype=torch.float64)
    basis = [w.clone()] if include_w0 else []
    worst = 0.0
    for _ in range(steps):
        x = torch.randn(d, generator=g, dtype=torch.float64)
        y = x @ w_star + torch.randn((), generator=g, dtype=torch.float64)
        wt = w.clone().requires_grad_(True)
        ((wt @ x - y) ** 2).backward()
        w = (wt - 0.05 * wt.grad).detach()
        basis.append(x)
        A = torch.stack(basis, 1)  # (d, t + 1)
        coef = torch.linalg.lstsq(A, w.unsqueeze(1)).solution
        worst = max(worst, (A @ coef - w.unsqueeze(1)).norm().item())
    return Outcome(worst < 1e-10, f"largest distance of w_t from span(w_0, x_1..x_t): {worst:.1e}")


SPAN_INVARIANT = Claim(
    id="cs229br_hw0.q1_3_span_invariant",
    assignment="cs229br_hw0",
    question="Q1.3 (1)",
    title="SGD iterates stay in the span of the start and the samples",
    statement=(
        r"Every iterate of SGD on $(\langle w,x\rangle-y)^2$ satisfies "
        r"$w_t\in\mathrm{span}(w_0,x_1,\dots,x_t)$, where $x_s$ is the input used by update $s$."
    ),
    answer=(
        r"$w_t=w_{t-1}-2\eta(\langle w_{t-1},x_t\rangle-y_t)\,x_t$ adds a multiple of $x_t$; "
        r"induction on $t$."
    ),
    derivation=derive_span_invariant,
    check=check_span_invariant,
    check_text=(
        r"Six torch-autograd SGD steps on fresh samples in $d=8$ from a random $w_0$: each "
        r"$w_t$ is reproduced by least squares on $(w_0,x_1,\dots,x_t)$ to $10^{-10}$."
    ),
    note=(
        r"The handout's index is shifted by one (its loop makes $w_{t+1}$ from $w_t$ with the "
        r"$t$-th sample); the span is the same. Proved symbolically at $d=2,3,4$."
    ),
)

MIN_NORM = Claim(
    id="cs229br_hw0.q1_3_min_norm",
    assignment="cs229br_hw0",
    question="Q1.3 (2)",
    title="From $w_0=0$ an interpolating SGD limit is the minimum-norm interpolant",
    statement=(
        r"Let $X\in\mathbb R^{n\times d}$ ($n<d$) have linearly independent rows. If SGD started "
        r"at $w_0=0$ ends at $w_n$ with $Xw_n=y$, then $w_n=X^\top(XX^\top)^{-1}y=X^+y$, the "
        r"unique minimiser of $\|w\|^2$ subject to $Xw=y$."
    ),
    answer=r"$w_n=X^\top(XX^\top)^{-1}y$.",
    derivation=derive_min_norm,
    check=check_min_norm,
    check_text=(
        r"$n=5$, $d=60$, Gaussian rows: SGD with $w_0=0$ cycling over $S$ until it interpolates "
        r"matches \texttt{numpy.linalg.pinv(X) @ y} to relative $10^{-8}$, every iterate stays "
        r"in the row space, and adding a null-space vector increases the norm."
    ),
    note=(
        r"The general-position conditions in the handout are only used to make the rows "
        r"independent, so that $XX^\top$ is invertible. Proved symbolically at "
        r"$(n,d)=(1,2),(1,3),(2,3)$; the argument (row space, Gram matrix, orthogonality of "
        r"$\hat w$ to the null space) is the same at every size."
    ),
)

register(SPAN_INVARIANT, MIN_NORM)
