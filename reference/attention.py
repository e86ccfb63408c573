"""Argmax, softmax and kernelized attention (EECS 182 HW7, Questions 4 and 5; Katharopoulos et
al., "Transformers are RNNs", 2020).

Queries Q: (N, D), keys K: (L, D), values V: (L, M); every function returns V': (N, M), row i a
weighted average of the rows of V. With `causal=True` (N = L) row i averages rows j <= i only.
Eq. 6 weighs V_j by sim(Q_i, K_j); when sim(q, k) = phi(q)^T phi(k), eq. 8 regroups the sums as
phi(Q_i)^T (sum_j phi(K_j) V_j^T) / phi(Q_i)^T (sum_j phi(K_j)), linear in the sequence length.
"""

import math

import torch
import torch.nn.functional as F


def argmax_attention(Q, K, V):
    """Each query takes the value of its highest-scoring key (the first one on ties)."""
    scores = Q @ K.T  # (N, L)
    weights = F.one_hot(scores.argmax(1), K.shape[0]).to(V.dtype)  # (N, L), one-hot rows
    return weights @ V


def softmax_attention(Q, K, V):
    """softmax(Q K^T / sqrt(D)) V, the softmax taken over each row."""
    weights = torch.softmax(Q @ K.T / math.sqrt(Q.shape[1]), dim=1)  # (N, L)
    return weights @ V


def query_key_gradient_norms(attention, Q, K, V):
    """(||d s / d Q||, ||d s / d K||) for s = attention(Q, K, V).sum(), as floats (0.0 when no
    gradient reaches them)."""
    Q, K, V = (t.detach().clone().requires_grad_(True) for t in (Q, K, V))
    grads = torch.autograd.grad(attention(Q, K, V).sum(), (Q, K), allow_unused=True)
    return tuple(0.0 if g is None else g.norm().item() for g in grads)


def quadratic_kernel(Q, K):
    """The degree-2 polynomial kernel with its constants 1: (Q K^T + 1)^2, (N, L)."""
    return (Q @ K.T + 1) ** 2


def quadratic_feature_map(X):
    """phi(x) = [1, sqrt2 x_i, x_i^2, sqrt2 x_i x_j (i < j)] row-wise, so that
    phi(q)^T phi(k) = (q^T k + 1)^2. X: (N, D) -> (N, (D + 1)(D + 2) / 2)."""
    rows, cols = torch.triu_indices(X.shape[1], X.shape[1], offset=1)
    cross = X[:, rows] * X[:, cols]  # (N, D (D - 1) / 2)
    ones = torch.ones_like(X[:, :1])  # (N, 1)
    return torch.cat([ones, math.sqrt(2) * X, X**2, math.sqrt(2) * cross], dim=1)


def kernel_attention(Q, K, V, sim, causal=False):
    """Eq. 6: V'_i = sum_j sim(Q_i, K_j) V_j / sum_j sim(Q_i, K_j); sim(Q, K) gives the (N, L)
    matrix of similarities."""
    S = sim(Q, K)  # (N, L)
    if causal:
        S = torch.tril(S)
    return (S @ V) / S.sum(1, keepdim=True)


def linear_attention(Q, K, V, feature_map, causal=False):
    """Eq. 8 with sim(q, k) = phi(q)^T phi(k), phi = feature_map applied row-wise; O(N) work.

    Causal: the sums over j <= i are running sums (cumsum over the sequence)."""
    fq, fk = feature_map(Q), feature_map(K)  # (N, C), (L, C)
    if causal:
        S = torch.cumsum(fk[:, :, None] * V[:, None, :], dim=0)  # (N, C, M), sum over j <= i
        z = torch.cumsum(fk, dim=0)  # (N, C)
        return torch.einsum("nc,ncm->nm", fq, S) / (fq * z).sum(1, keepdim=True)
    S = fk.T @ V  # (C, M)
    z = fk.sum(0)  # (C,)
    return (fq @ S) / (fq @ z)[:, None]
