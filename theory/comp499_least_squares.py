"""comp499_a1 Question 5: least squares, its minimiser, and the gradient-descent iterates.

L(w) = 1/2 ||X w - y||^2, X: (N, D). grad L = X^T (X w - y) = A w - c with A = X^T X, c = X^T y;
minimiser w* = A^{-1} c when X has full column rank. Gradient descent with step alpha is
w_{k+1} = B w_k + alpha c with B = I - alpha A, so
w_k = B^k w_0 + alpha sum_{j<k} B^j c, and, when A is invertible, w_k = w* + B^k (w_0 - w*).

The induction for general k is an identity between polynomials in the single matrix B applied to
vectors: such identities hold for matrices exactly when they hold for a scalar b (evaluation at B
is a ring homomorphism from polynomials in one variable), so sympy proves it with symbolic k for a
scalar b. Small k are also checked with symbolic 2 x 2 matrices.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step, symbols_matrix
from theory.claims import Claim, Outcome, register

alpha = sp.Symbol("alpha", positive=True)


def iterate_closed_form(k: int, A, c, w0, alpha_=alpha):
    """w_k = (I - alpha A)^k w0 + alpha sum_{j<k} (I - alpha A)^j c, integer k; sympy or numpy.

    A: (D, D), c, w0: (D, 1) for sympy or (D,) for numpy."""
    if isinstance(A, sp.MatrixBase):
        B = sp.eye(A.shape[0]) - alpha_ * A
        return B**k * w0 + alpha_ * sum((B**j * c for j in range(k)), sp.zeros(*c.shape))
    B = np.eye(A.shape[0]) - alpha_ * A
    Bk = np.linalg.matrix_power
    return Bk(B, k) @ w0 + alpha_ * sum((Bk(B, j) @ c for j in range(k)), np.zeros_like(c))


ClosedForm = Callable[..., object]


def derive_least_squares(closed_form: ClosedForm = iterate_closed_form) -> list[Step]:
    """Gradient and minimiser (N = 3, D = 2), first iterates, and the induction on k."""
    X = symbols_matrix("X", 3, 2, real=True)
    y = sp.Matrix(sp.symbols("y_1:4", real=True))
    w = sp.Matrix(sp.symbols("w_1:3", real=True))
    loss = ((X * w - y).T * (X * w - y))[0] / 2
    A = X.T * X
    c = X.T * y
    w_star = A.inv() * c
    # iterates in terms of a generic symmetric A and vector c
    As = sp.Matrix([[sp.Symbol("a_11"), sp.Symbol("a_12")], [sp.Symbol("a_12"), sp.Symbol("a_22")]])
    cs = sp.Matrix(sp.symbols("c_1:3"))
    w0 = sp.Matrix(sp.symbols("w0_1:3"))

    def gd(v):
        return v - alpha * (As * v - cs)

    # scalar induction with symbolic k
    k = sp.Symbol("k", integer=True, nonnegative=True)
    j = sp.Symbol("j", integer=True, nonnegative=True)
    b, c1, u0, lam = sp.symbols("b c u_0 lambda", positive=True)

    def F(kk):
        return b**kk * u0 + alpha * c1 * sp.Sum(b**j, (j, 0, kk - 1))

    return [
        Step(r"gradient (sympy's derivative of $\frac12\|Xw-y\|^2$)",
             sp.Matrix([loss.diff(v) for v in w]), X.T * (X * w - y),
             tex=r"\nabla_w\mathcal L=X^\top(Xw-y)"),
        Step(r"it vanishes at $w_*=(X^\top X)^{-1}X^\top y$ (full column rank); $\mathcal L$ is "
             r"convex, so this is the minimiser", X.T * (X * w_star - y), sp.zeros(2, 1),
             tex=r"X^\top(Xw_*-y)=0"),
        Step(r"first iterate $w_1=w_0-\alpha(X^\top Xw_0-X^\top y)$",
             gd(w0), closed_form(1, As, cs, w0),
             tex=r"w_1=(I-\alpha X^\top X)w_0+\alpha X^\top y"),
        Step(r"second iterate", gd(gd(w0)), closed_form(2, As, cs, w0),
             tex=r"w_2=(I-\alpha X^\top X)^2w_0+\alpha\big(I+(I-\alpha X^\top X)\big)X^\top y"),
        Step(r"third iterate (symbolic $2\times2$ matrices)", gd(gd(gd(w0))),
             closed_form(3, As, cs, w0),
            tex=r"w_3=(I-\alpha A)^3w_0+\alpha\sum_{j=0}^{2}(I-\alpha A)^jX^\top y",
        ),
        Step(r"induction base: the formula gives $w_0$ at $k=0$", closed_form(0, As, cs, w0), w0,
            tex=r"(I-\alpha A)^0w_0+\alpha\sum_{j=0}^{-1}(I-\alpha A)^jX^\top y=w_0",
        ),
        Step(r"induction step for symbolic $k$ (polynomials in $B=I-\alpha A$; scalar $b$ "
             r"stands for $B$): $F(k+1)=bF(k)+\alpha c$",
             F(k + 1).doit(), (b * F(k) + alpha * c1).doit(),
             tex=r"B^{k+1}w_0+\alpha\sum_{j\le k}B^jc=B\Big(B^kw_0+\alpha\sum_{j<k}B^jc\Big)"
                 r"+\alpha c"),
        Step(r"with $A$ invertible the sum telescopes: in an eigendirection ($b=1-\alpha\lambda$, "
             r"$c=\lambda u_*$) $w_k=w_*+B^k(w_0-w_*)$",
             F(k).subs({b: 1 - alpha * lam, c1: lam * sp.Symbol("u_*")}).doit(),
             sp.Symbol("u_*") + (1 - alpha * lam) ** k * (u0 - sp.Symbol("u_*"))),
    ]


def check_least_squares(closed_form: ClosedForm = iterate_closed_form, *, seed: int = 0) -> Outcome:
    """Run gradient descent (torch autograd for the gradient) for 60 steps: every iterate matches
    the closed form, and the iterates approach numpy's least-squares solution."""
    import torch

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(20, 4))
    y = rng.normal(size=20)
    A, c = X.T @ X, X.T @ y
    a = 1.0 / np.linalg.eigvalsh(A).max()
    w0 = rng.normal(size=4)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    w = torch.tensor(w0, requires_grad=True)
    worst = 0.0
    for k in range(61):
        closed = closed_form(k, A, c, w0, a)
        worst = max(worst, float(np.abs(w.detach().numpy() - closed).max()))
        loss = 0.5 * ((Xt @ w - yt) ** 2).sum()
        (grad,) = torch.autograd.grad(loss, w)
        w = (w - a * grad).detach().requires_grad_(True)
    gap = float(np.abs(w.detach().numpy() - np.linalg.lstsq(X, y, rcond=None)[0]).max())
    return Outcome(worst < 1e-10 and gap < 1e-3,
                   f"largest |GD iterate - closed form| over k <= 60: {worst:.1e}; "
                   f"distance to lstsq after 61 steps: {gap:.1e}")


CLAIM = Claim(
    id="comp499_a1.q5_least_squares",
    assignment="comp499_a1",
    question="5(a)-(c)",
    title="Least squares: gradient, minimiser and the gradient-descent iterates",
    statement=(
        r"For $\mathcal L(w)=\frac12\|Xw-y\|^2$: $\nabla_w\mathcal L=X^\top(Xw-y)$ and, if $X$ "
        r"has full column rank, $\arg\min_w\mathcal L=(X^\top X)^{-1}X^\top y$. Gradient descent "
        r"with step $\alpha$ from $w_0$ gives $w_1=(I-\alpha X^\top X)w_0+\alpha X^\top y$, "
        r"$w_2=(I-\alpha X^\top X)^2w_0+\alpha\big(I+(I-\alpha X^\top X)\big)X^\top y$ and "
        r"$w_k=(I-\alpha X^\top X)^kw_0+\alpha\sum_{j=0}^{k-1}(I-\alpha X^\top X)^jX^\top y$, "
        r"which equals $w_*+(I-\alpha X^\top X)^k(w_0-w_*)$ when $X^\top X$ is invertible."
    ),
    answer=(
        r"$w_k=(I-\alpha X^\top X)^kw_0+\alpha\sum_{j=0}^{k-1}(I-\alpha X^\top X)^jX^\top y$."
    ),
    derivation=derive_least_squares,
    check=check_least_squares,
    check_text=(
        r"$N=20$, $D=4$, $\alpha=1/\lambda_{\max}(X^\top X)$: 60 steps of gradient descent with "
        r"torch autograd gradients match the closed form at every $k$ to $10^{-10}$ and approach "
        r"\texttt{numpy.linalg.lstsq}; an off-by-one power fails."
    ),
    note=(
        r"Without full column rank the minimisers form an affine set; gradient descent from "
        r"$w_0$ converges (for $\alpha<2/\lambda_{\max}$) to the one closest to $w_0$."
    ),
)

register(CLAIM)
