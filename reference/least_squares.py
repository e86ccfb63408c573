"""Least squares and gradient descent on it in closed form (COMP 499/691 A1, Question 5).

    L(w) = 1/2 ||X w - y||^2,  X: (N, D), y: (N,), w: (D,)
    grad L(w) = X^T (X w - y) = A w - c,   A = X^T X, c = X^T y
    argmin L = A^{-1} c                      (X of full column rank)

Gradient descent with step alpha is the affine map w_{k+1} = B w_k + alpha c with B = I - alpha A,
so by induction

    w_k = B^k w_0 + alpha (I + B + ... + B^{k-1}) c.

In the eigenbasis A = V diag(lam) V^T every factor is a scalar: B^k has (1 - alpha lam)^k, and
alpha sum_{j<k} (1 - alpha lam)^j is (1 - (1 - alpha lam)^k) / lam, or alpha k when lam = 0. That
form holds for every X, also when A is singular (N < D). theory/comp499_least_squares.py proves the
induction. The public functions are pasted into the solution notebook (which imports numpy as np).
"""

import numpy as np


def ls_gradient(X, w, y):
    """grad of 1/2 ||X w - y||^2 with respect to w. X: (N, D), w: (D,), y: (N,) -> (D,)."""
    return X.T @ (X @ w - y)


def ls_minimizer(X, y):
    """argmin_w 1/2 ||X w - y||^2 = (X^T X)^{-1} X^T y. X: (N, D) of rank D, y: (N,) -> (D,)."""
    return np.linalg.solve(X.T @ X, X.T @ y)


def gd_first_iterates(X, y, w0, alpha):
    """(w1, w2) of gradient descent from w0, written out in X, y, w0 and alpha. Each (D,).

    w1 = (I - alpha A) w0 + alpha c and w2 = (I - alpha A)^2 w0 + alpha (2 I - alpha A) c.
    """
    A, c = X.T @ X, X.T @ y
    B = np.eye(A.shape[0]) - alpha * A
    w1 = B @ w0 + alpha * c
    w2 = B @ (B @ w0) + alpha * (2.0 * c - alpha * (A @ c))
    return w1, w2


def gd_iterate(X, y, w0, alpha, k):
    """w_k of gradient descent with step alpha from w0, in closed form. X: (N, D) -> (D,).

    w_k = B^k w0 + alpha sum_{j<k} B^j c, evaluated in the eigenbasis of A = X^T X (any rank).
    """
    A, c = X.T @ X, X.T @ y
    lam, V = np.linalg.eigh(A)  # A = V diag(lam) V^T
    a = alpha * lam
    bk = (1.0 - a) ** k  # eigenvalues of B^k
    # alpha sum_{j<k} (1 - a)^j = (1 - (1 - a)^k) / lam; for small a through expm1/log1p, which
    # keeps the digits that 1 - (1 - a)^k cancels, and alpha k in the limit lam = 0
    near = np.abs(a) < 0.5
    small = -np.expm1(k * np.log1p(-np.where(near, a, 0.0)))
    safe_lam = np.where(lam == 0.0, 1.0, lam)
    geometric = np.where(near, small, 1.0 - bk) / safe_lam
    geometric = np.where(lam == 0.0, alpha * k, geometric)
    return V @ (bk * (V.T @ w0) + geometric * (V.T @ c))


def gradient_descent(X, y, w0, alpha, k):
    """k steps of w <- w - alpha grad L(w) from w0, one at a time. X: (N, D) -> (D,)."""
    w = np.array(w0, dtype=np.float64)
    for _ in range(k):
        w = w - alpha * ls_gradient(X, w, y)
    return w
