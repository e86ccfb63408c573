"""eecs182_hw7 Problem 2(b): l2 weight decay biases the linear autoencoder's decoder towards
orthonormal columns.

L_lambda(W1, W2) = ||X - W2 W1 X||_F^2 + lambda (||W1||_F^2 + ||W2||_F^2), with the objective, its
gradient and the numeric helpers of eecs182_autoencoder_pca. The balancing identity, the
eigen-aligned critical point and the condition lambda < sigma_k are proved at m = 3, k = 2; the
global minimiser is shown by gradient descent.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.algebra import Step, symbols_matrix
from theory.claims import Claim, Outcome, register
from theory.eecs182_autoencoder_pca import _autograd_gap, _gd, _loss, _spectrum_data, ae_gradients


def decoder_singular_values(lam, sigma):
    """Claimed singular value of the optimal decoder along an eigenvalue sigma of X X^T."""
    if isinstance(lam, sp.Basic):
        return sp.sqrt(1 - lam / sigma)
    return np.sqrt(1 - lam / sigma)


def derive_regularized_balance(singular_values=decoder_singular_values) -> list[Step]:
    """Critical points of the l2-regularised AE are balanced; eigen-aligned solution (m=3, k=2)."""
    m, k = 3, 2
    lam = sp.Symbol("lambda", positive=True)
    W1, W2 = symbols_matrix("e", k, m), symbols_matrix("d", m, k)
    S = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"S_{{{min(i, j) + 1}{max(i, j) + 1}}}"))
    X = symbols_matrix("x", m, 2)
    L = _loss(W1, W2, X) + lam * (sum(e**2 for e in W1) + sum(e**2 for e in W2))
    G1, G2 = ae_gradients(W1, W2, X @ X.T)
    H1, H2 = ae_gradients(W1, W2, S)
    s = sp.symbols("sigma_1:4", positive=True)
    Dk = sp.diag(*[singular_values(lam, s[i]) for i in range(k)])
    V1 = Dk.row_join(sp.zeros(k, 1))
    V2 = V1.T
    F1, F2 = ae_gradients(V1, V2, sp.diag(*s))
    a, b = sp.symbols("a b", real=True)
    tt = sp.Symbol("t", positive=True)
    return [
        Step(
            r"weight decay adds $2\lambda W_1$ and $2\lambda W_2$ to the gradients",
            sp.Matrix(k, m, lambda i, j: sp.diff(L, W1[i, j])).row_join(
                sp.Matrix(m, k, lambda i, j: sp.diff(L, W2[i, j])).T
            ),
            (G1 + 2 * lam * W1).row_join((G2 + 2 * lam * W2).T),
            tex=r"\begin{aligned}\nabla_{W_1}\mathcal L_\lambda&=-2W_2^\top(I-W_2W_1)\Sigma"
            r"+2\lambda W_1\\\nabla_{W_2}\mathcal L_\lambda&=-2(I-W_2W_1)\Sigma W_1^\top"
            r"+2\lambda W_2\end{aligned}",
        ),
        Step(
            r"the data terms cancel in this combination, for every symmetric $\Sigma$",
            (H1 + 2 * lam * W1) @ W1.T - W2.T @ (H2 + 2 * lam * W2),
            2 * lam * (W1 @ W1.T - W2.T @ W2),
            tex=r"\nabla_{W_1}\mathcal L_\lambda W_1^\top-W_2^\top\nabla_{W_2}\mathcal L_\lambda"
            r"=2\lambda\,(W_1W_1^\top-W_2^\top W_2)",
        ),
        Step(
            r"hence every critical point with $\lambda>0$ is balanced, "
            r"$W_2^\top W_2=W_1W_1^\top$; for a fixed product the penalty is smallest when the two "
            r"factors share their singular values, as in the scalar case",
            a**2 + b**2 - 2 * a * b,
            sp.Integer(0),
            relation=">=",
            tex=r"a^2+b^2-2ab=(a-b)^2\ge0",
        ),
        Step(
            r"in the eigenbasis, $W_2=\begin{bmatrix}D\\0\end{bmatrix}$, $W_1=W_2^\top$ with "
            r"$D=\mathrm{diag}(\sqrt{1-\lambda/\sigma_i})$ is a critical point",
            (F1 + 2 * lam * V1).row_join((F2 + 2 * lam * V2).T),
            sp.zeros(k, m + m),
            tex=r"\nabla\mathcal L_\lambda(W_1,W_2)=0",
        ),
        Step(
            r"$D$ is real (the critical point exists) exactly when $\lambda<\sigma_i$ for "
            r"$i\le k$: with $\lambda=\sigma/(1+t)$, $t>0$, $D^2=1-\lambda/\sigma\ge0$",
            (1 - lam / s[0]).subs(lam, s[0] / (1 + tt)), sp.Integer(0), ">=",
        ),
        Step(
            r"while for $\lambda=\sigma(1+t)\ge\sigma$, $1-\lambda/\sigma\le0$: the penalty "
            r"wins and that direction's decoder column is $0$; so the statement needs "
            r"$\lambda<\sigma_k$",
            (1 - lam / s[0]).subs(lam, s[0] * (1 + tt)), sp.Integer(0), "<=",
        ),
        Step(
            r"its decoder has $W_2^\top W_2=I-\lambda\,\mathrm{diag}(1/\sigma_i)$",
            V2.T @ V2,
            sp.eye(k) - lam * sp.diag(*[1 / s[i] for i in range(k)]),
            tex=r"W_2^\top W_2=D^2=I-\lambda\,\mathrm{diag}(1/\sigma_1,1/\sigma_2)",
        ),
        Step(
            r"which tends to orthonormal columns as $\lambda\to0$",
            (V2.T @ V2).applyfunc(lambda e: sp.limit(e, lam, 0)),
            sp.eye(k),
            tex=r"\lim_{\lambda\to0}W_2^\top W_2=I",
        ),
    ]


def check_regularized_bias(
    singular_values=decoder_singular_values, lam: float = 0.2, *, seed: int = 1
) -> Outcome:
    """Gradient descent from an unbalanced start: with weight decay the decoder's singular values
    approach sqrt(1 - lambda/sigma_i) (so W2^T W2 is close to I); without it they stay spread.

    The training gradient is the formula, itself compared with torch autograd first."""
    m, k = 6, 3
    X = _spectrum_data(m, 200, 6.0, seed)
    formula_err = _autograd_gap(ae_gradients, X, k, lam, seed)
    Sigma = X @ X.T
    evals = np.linalg.eigvalsh(Sigma)[::-1]  # descending
    rng = np.random.default_rng(seed)
    W1 = 2.0 * rng.normal(size=(k, m)) / np.sqrt(m)
    W2 = 0.25 * rng.normal(size=(m, k)) / np.sqrt(k)
    lr = 0.2 / evals[0]
    _, D_reg = _gd(Sigma, W1, W2, lam, 3000, lr)
    _, D_free = _gd(Sigma, W1, W2, 0.0, 3000, lr)
    sv_err = float(np.abs(np.linalg.svd(D_reg, compute_uv=False) - singular_values(lam, evals[:k]))
                   .max())
    orth_reg = float(np.abs(D_reg.T @ D_reg - np.eye(k)).max())
    orth_free = float(np.abs(D_free.T @ D_free - np.eye(k)).max())
    ok = (formula_err < 1e-10 and sv_err < 1e-6 and orth_reg <= 1.5 * lam / evals[k - 1]
          and orth_free > 0.1)
    return Outcome(
        bool(ok),
        f"formula vs autograd {formula_err:.1e}; decoder singular values vs "
        f"sqrt(1 - lambda/sigma_i): {sv_err:.1e}; max|W2^T W2 - I| with weight decay "
        f"{orth_reg:.3f}, without {orth_free:.3f}",
    )


REGULARIZED_BIAS = Claim(
    id="eecs182_hw7.p2b_orthonormal_bias",
    assignment="eecs182_hw7",
    question="2(b)",
    title="Weight decay biases the decoder towards orthonormal columns",
    statement=(
        r"For $\mathcal L_\lambda=\|X-W_2W_1X\|_F^2+\lambda(\|W_1\|_F^2+\|W_2\|_F^2)$ with "
        r"$\lambda>0$, every critical point has $W_2^\top W_2=W_1W_1^\top$, and the minimiser has "
        r"decoder singular values $\sqrt{1-\lambda/\sigma_i}$ ($\sigma_i$ the top-$k$ "
        r"eigenvalues of $XX^\top$). This needs $0<\lambda<\sigma_k$: for $\lambda\ge\sigma_i$ "
        r"the $i$-th decoder direction collapses to $0$. For small $\lambda$ the columns of "
        r"$W_2$ are approximately orthonormal."
    ),
    answer=(
        r"Yes. Without the penalty $W_2$ is determined only up to $W_2\mapsto W_2C^{-1}$; the "
        r"penalty picks the balanced factorisation, whose singular values "
        r"$\sqrt{1-\lambda/\sigma_i}$ tend to $1$."
    ),
    derivation=derive_regularized_balance,
    check=check_regularized_bias,
    check_text=(
        r"$m=6$, $k=3$, plain gradient descent from a deliberately unbalanced start: with "
        r"$\lambda=0.2$ the decoder's singular values match $\sqrt{1-\lambda/\sigma_i}$ to "
        r"$10^{-6}$ and $W_2^\top W_2$ is within $1.5\lambda/\sigma_k$ of $I$; with $\lambda=0$ "
        r"the same run keeps $W_2^\top W_2$ far from $I$."
    ),
    note=(
        r"The global minimiser is shown numerically (gradient descent from an unbalanced "
        r"start); the balancing identity, the eigen-aligned critical point and the condition "
        r"$\lambda<\sigma_k$ are checked symbolically at $m=3$, $k=2$."
    ),
)

register(REGULARIZED_BIAS)
