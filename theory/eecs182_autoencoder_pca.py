"""eecs182_hw7 Problem 1(b): the linear autoencoder's first-order conditions, satisfied by PCA.

Objective (the handout's equation was lost in extraction; this is the standard form it refers to):
L(W1, W2) = ||X - W2 W1 X||_F^2 with X: (m, n) centred data, W1: (k, m), W2: (m, k), and
Sigma = X X^T. Its regularised version (Problem 2(b), eecs182_autoencoder_weight_decay) adds
lambda (||W1||_F^2 + ||W2||_F^2); the gradient and the numeric helpers here serve both.
The symbolic proofs use m = 3, k = 2, n = 2 for the gradient formulas and the rotation, and
(m, k) = (3, 2), (4, 2), (4, 3), (5, 3) for the stationarity of the principal components. The loss
is unchanged by an orthogonal change of coordinates (checked for the Cayley map
Q = (I - A)(I + A)^{-1} of a skew matrix A), so the conditions are verified with Sigma diagonal.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step, symbols_matrix
from theory.claims import Claim, Outcome, register

GradFn = Callable[..., tuple]


def ae_gradients(W1, W2, Sigma):
    """(dL/dW1, dL/dW2) = (-2 W2^T (I - W2 W1) Sigma, -2 (I - W2 W1) Sigma W1^T).

    W1: (k, m), W2: (m, k), Sigma: (m, m); sympy matrices or torch tensors.
    """
    R = _eye_like(Sigma) - W2 @ W1  # (m, m)
    return -2 * W2.T @ R @ Sigma, -2 * R @ Sigma @ W1.T


def _eye_like(a):
    if isinstance(a, sp.MatrixBase):
        return sp.eye(a.shape[0])
    import torch

    return torch.eye(a.shape[0], dtype=a.dtype)


def _cayley() -> tuple[sp.Matrix, tuple[sp.Symbol, ...]]:
    a, b, c = sp.symbols("a b c", real=True)
    A = sp.Matrix([[0, -a, -b], [a, 0, -c], [b, c, 0]])
    Q = (sp.eye(3) - A) @ (sp.eye(3) + A).inv()
    return Q.applyfunc(sp.cancel), (a, b, c)


def _loss(W1: sp.Matrix, W2: sp.Matrix, X: sp.Matrix) -> sp.Expr:
    E = X - W2 @ W1 @ X
    return sum(e**2 for e in E)


def derive_pca_optimality(grads: GradFn = ae_gradients) -> list[Step]:
    """First-order conditions of the linear AE; the top-k eigenvectors satisfy them (m=3, k=2).

    Route: gradients against sympy's derivative; the loss is unchanged by an orthogonal change of
    coordinates (checked for a Cayley-parametrised Q), so it suffices to take Sigma diagonal.
    """
    m, k, n = 3, 2, 2
    W1, W2, X = symbols_matrix("e", k, m), symbols_matrix("d", m, k), symbols_matrix("x", m, n)
    L = _loss(W1, W2, X)
    G1, G2 = grads(W1, W2, X @ X.T)
    Q, _ = _cayley()
    M, E = symbols_matrix("M", m, m), symbols_matrix("r", m, n)
    s = sp.symbols("sigma_1:4", positive=True)
    Sigma = sp.diag(*s)
    Ik = sp.eye(m)[:, :k]  # U_k in the eigenbasis
    P1, P2 = grads(Ik.T, Ik, Sigma)
    C = symbols_matrix("c", k, k)
    R1, R2 = grads(C @ Ik.T, Ik @ C.inv(), Sigma)
    res = sp.eye(m) - Ik @ Ik.T
    return [
        Step(
            r"gradient in the encoder (sympy's derivative of $\|X-W_2W_1X\|_F^2$ entry by entry)",
            sp.Matrix(k, m, lambda i, j: sp.diff(L, W1[i, j])),
            G1,
            tex=r"\frac{\partial\mathcal L}{\partial W_1}=-2W_2^\top(I-W_2W_1)XX^\top",
        ),
        Step(
            r"gradient in the decoder",
            sp.Matrix(m, k, lambda i, j: sp.diff(L, W2[i, j])),
            G2,
            tex=r"\frac{\partial\mathcal L}{\partial W_2}=-2(I-W_2W_1)XX^\top W_1^\top",
        ),
        Step(
            r"an orthogonal change of coordinates $Q$ (Cayley map of a skew matrix, symbolic in "
            r"its three parameters) satisfies $Q^\top Q=I$",
            Q.T @ Q,
            sp.eye(m),
            tex=r"Q^\top Q=I\quad\text{for}\quad Q=(I-A)(I+A)^{-1},\ A^\top=-A",
        ),
        Step(
            r"for any $M$, the residual of $(W_1M^\top,MW_2)$ on data $MX$ is "
            r"$M(X-W_2W_1(M^\top M)X)$; with $M=Q$ it is $Q$ times the residual on $X$",
            M @ X - (M @ W2) @ (W1 @ M.T) @ (M @ X),
            M @ (X - W2 @ W1 @ (M.T @ M) @ X),
            tex=r"MX-(MW_2)(W_1M^\top)(MX)=M\big(X-W_2W_1(M^\top M)X\big)",
        ),
        Step(
            r"and $Q$ keeps the Frobenius norm of any residual $E$: the loss is unchanged by "
            r"the rotation, $\mathcal L(W_1Q^\top,QW_2;QX)=\mathcal L(W_1,W_2;X)$, and "
            r"gradients rotate along; so we may take $U=I$, $\Sigma=\mathrm{diag}(\sigma)$",
            ((Q @ E).T @ (Q @ E)).trace(),
            (E.T @ E).trace(),
            tex=r"\|QE\|_F^2=\mathrm{tr}(E^\top Q^\top QE)=\|E\|_F^2",
        ),
        Step(
            r"the residual projector $I-U_kU_k^\top$ annihilates $\Sigma U_k$",
            res @ Sigma @ Ik,
            sp.zeros(m, k),
            tex=r"(I-U_kU_k^\top)\,\Sigma\,U_k=0",
        ),
        Step(
            r"so $W_1=U_k^\top$, $W_2=U_k$ zeroes the encoder gradient",
            P1,
            sp.zeros(k, m),
            tex=r"W_2^\top(I-W_2W_1)\Sigma\big|_{W_1=U_k^\top,W_2=U_k}=0",
        ),
        Step(
            r"and the decoder gradient",
            P2,
            sp.zeros(m, k),
            tex=r"(I-W_2W_1)\Sigma W_1^\top\big|_{W_1=U_k^\top,W_2=U_k}=0",
        ),
        Step(
            r"so does $W_1=CU_k^\top$, $W_2=U_kC^{-1}$ for any invertible $C$ "
            r"(encoder gradient)",
            R1,
            sp.zeros(k, m),
            tex=r"\nabla_{W_1}\mathcal L\big|_{W_1=CU_k^\top,W_2=U_kC^{-1}}=0",
        ),
        Step(
            r"(decoder gradient)",
            R2,
            sp.zeros(m, k),
            tex=r"\nabla_{W_2}\mathcal L\big|_{W_1=CU_k^\top,W_2=U_kC^{-1}}=0",
        ),
        Step(
            r"the loss there is the sum of the discarded eigenvalues, "
            r"$\mathrm{tr}\big((I-P)\Sigma(I-P)^\top\big)$ with $P=U_kU_k^\top$",
            (res @ Sigma @ res.T).trace(),
            s[2],
            tex=r"\mathrm{tr}\big((I-U_kU_k^\top)\Sigma(I-U_kU_k^\top)\big)=\sigma_3",
        ),
        *[step for size in ((4, 2), (4, 3), (5, 3)) for step in _pca_steps(grads, *size)],
    ]


def _pca_steps(grads: GradFn, m: int, k: int) -> list[Step]:
    """Both gradients vanish at W_1 = U_k^T, W_2 = U_k, with loss the discarded eigenvalues."""
    s = sp.symbols(f"sigma_1:{m + 1}", positive=True)
    Sigma, Ik = sp.diag(*s), sp.eye(m)[:, :k]
    P1, P2 = grads(Ik.T, Ik, Sigma)
    res = sp.eye(m) - Ik @ Ik.T
    return [
        Step(rf"$m={m}$, $k={k}$: both gradients vanish at $W_1=U_k^\top$, $W_2=U_k$",
             P1.row_join(P2.T), sp.zeros(k, 2 * m)),
        Step(rf"and the loss is $\sigma_{{{k + 1}}}+\dots+\sigma_{{{m}}}$",
             (res @ Sigma @ res.T).trace(), sum(s[k:])),
    ]


def _spectrum_data(m: int, n: int, scale: float, seed: int) -> np.ndarray:
    """Centred data X: (m, n) with a spread of distinct covariance eigenvalues."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, n)) * np.linspace(2.0, 0.4, m)[:, None]
    X -= X.mean(1, keepdims=True)
    return X / np.linalg.norm(X) * scale


def _autograd_gap(grads: GradFn, X: np.ndarray, k: int, lam: float, seed: int) -> float:
    """max |autograd - formula| of the (regularised) loss gradient at a random point."""
    import torch

    m = X.shape[0]
    g = torch.Generator().manual_seed(seed)
    Xt = torch.from_numpy(X)
    W1 = torch.randn(k, m, generator=g, dtype=torch.float64, requires_grad=True)
    W2 = torch.randn(m, k, generator=g, dtype=torch.float64, requires_grad=True)
    loss = ((Xt - W2 @ W1 @ Xt) ** 2).sum() + lam * ((W1**2).sum() + (W2**2).sum())
    auto = torch.autograd.grad(loss, (W1, W2))
    G1, G2 = grads(W1.detach(), W2.detach(), Xt @ Xt.T)
    formula = (G1 + 2 * lam * W1.detach(), G2 + 2 * lam * W2.detach())
    return max((a - f).abs().max().item() for a, f in zip(auto, formula))


def _gd(Sigma: np.ndarray, W1: np.ndarray, W2: np.ndarray, lam: float, steps: int, lr: float):
    """Plain gradient descent on tr((I-W2W1) Sigma (I-W2W1)^T) + lam (|W1|^2 + |W2|^2)."""
    eye = np.eye(Sigma.shape[0])
    for _ in range(steps):
        R = eye - W2 @ W1  # (m, m)
        G1 = -2 * W2.T @ R @ Sigma + 2 * lam * W1
        G2 = -2 * R @ Sigma @ W1.T + 2 * lam * W2
        W1, W2 = W1 - lr * G1, W2 - lr * G2
    return W1, W2


def check_pca_optimality(grads: GradFn = ae_gradients, *, seed: int = 0) -> Outcome:
    """Formula vs torch autograd; autograd gradient zero at the top-k eigenvectors and not at a
    rotated basis; gradient descent from a random start reaches the sum of discarded eigenvalues."""
    import torch

    m, k = 6, 2
    X = _spectrum_data(m, 200, 3.0, seed)
    formula_err = _autograd_gap(grads, X, k, 0.0, seed)
    Sigma = X @ X.T
    evals, evecs = np.linalg.eigh(Sigma)  # ascending
    Xt = torch.from_numpy(X)

    def grad_norm(U: np.ndarray) -> float:
        W1 = torch.tensor(U.T, requires_grad=True)
        W2 = torch.tensor(U, requires_grad=True)
        loss = ((Xt - W2 @ W1 @ Xt) ** 2).sum()
        return max(t.abs().max().item() for t in torch.autograd.grad(loss, (W1, W2)))

    at_pca = grad_norm(evecs[:, -k:])
    off = grad_norm(np.linalg.qr(evecs[:, -k:] + evecs[:, :k])[0])
    rng = np.random.default_rng(seed)
    W1, W2 = _gd(Sigma, 0.3 * rng.normal(size=(k, m)), 0.3 * rng.normal(size=(m, k)), 0.0,
                 3000, 0.05)
    R = np.eye(m) - W2 @ W1
    reached = float(np.trace(R @ Sigma @ R.T))
    floor = float(evals[:-k].sum())
    ok = formula_err < 1e-10 and at_pca < 1e-10 and off > 1e-3 and abs(reached - floor) < 1e-8
    return Outcome(
        ok,
        f"formula vs autograd {formula_err:.1e}; |grad| at top-k {at_pca:.1e}, at a rotated "
        f"basis {off:.2e}; GD loss {reached:.10f} vs discarded eigenvalues {floor:.10f}",
    )


PCA_OPTIMALITY = Claim(
    id="eecs182_hw7.p1b_pca_optimality",
    assignment="eecs182_hw7",
    question="1(b)",
    title="First-order conditions of the linear autoencoder; PCA satisfies them",
    statement=(
        r"For $\mathcal L(W_1,W_2)=\|X-W_2W_1X\|_F^2$ with $\Sigma=XX^\top$, a minimiser "
        r"satisfies $W_2^\top(I-W_2W_1)\Sigma=0$ and $(I-W_2W_1)\Sigma W_1^\top=0$. If "
        r"$\Sigma=U\Lambda U^\top$ and $U_k$ holds the eigenvectors of the $k$ largest "
        r"eigenvalues, $W_1=U_k^\top$, $W_2=U_k$ (and any $W_1=CU_k^\top$, $W_2=U_kC^{-1}$ with "
        r"$C$ invertible) satisfies both, with loss equal to the sum of the discarded "
        r"eigenvalues."
    ),
    answer=(
        r"$\nabla_{W_1}\mathcal L=-2W_2^\top(I-W_2W_1)XX^\top=0$, "
        r"$\nabla_{W_2}\mathcal L=-2(I-W_2W_1)XX^\top W_1^\top=0$; at the top-$k$ principal "
        r"components $I-U_kU_k^\top$ removes exactly the directions $\Sigma U_k$ spans."
    ),
    derivation=derive_pca_optimality,
    check=check_pca_optimality,
    check_text=(
        r"$m=6$, $k=2$, 200 centred points: the formula matches torch autograd at a random "
        r"point, the autograd gradient vanishes at the top-$k$ eigenvectors but not at a rotated "
        r"orthonormal basis, and gradient descent from a random start reaches the sum of the "
        r"discarded eigenvalues."
    ),
    note=(
        r"Any $k$ eigenvectors satisfy the first-order conditions (they are saddle points "
        r"unless they are the top $k$); only the top-$k$ choice reaches the smallest loss. "
        r"Symbolic sizes: the gradients and the rotation at $m=3$, $k=2$, $n=2$; the "
        r"principal components at $(m,k)=(3,2),(4,2),(4,3),(5,3)$."
    ),
)

register(PCA_OPTIMALITY)
