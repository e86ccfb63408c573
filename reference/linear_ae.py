"""Linear autoencoders and PCA (EECS 182 HW7, Questions 1(b) and 2; Baldi & Hornik, 1989).

Data X: (m, n) holds n centred points as columns; the encoder is W1: (k, m), the decoder W2:
(m, k). Objective (3) is L(W1, W2) = ||X - W2 W1 X||_F^2 + lam (||W1||_F^2 + ||W2||_F^2)
(lam = 0 gives objective (1)). The top-k principal components (eigenvectors of X X^T) make its
gradient vanish at lam = 0; with lam > 0 the minimiser's decoder has singular values
sqrt(1 - lam / sigma_i) (theory.eecs182_autoencoder_pca and
theory.eecs182_autoencoder_weight_decay).
"""

import torch


def linear_ae_gradients(X, W1, W2, lam=0.0):
    """(dL/dW1: (k, m), dL/dW2: (m, k)) of objective (3) at (W1, W2)."""
    R = X - W2 @ W1 @ X  # (m, n) residual
    return -2 * W2.T @ R @ X.T + 2 * lam * W1, -2 * R @ X.T @ W1.T + 2 * lam * W2


def top_principal_components(X, k):
    """U_k: (m, k), orthonormal eigenvectors of X X^T for its k largest eigenvalues (largest
    first)."""
    _, vectors = torch.linalg.eigh(X @ X.T)  # ascending eigenvalues
    return vectors[:, -k:].flip(1)


def train_linear_ae(X, W1, W2, lam, lr=0.01, epochs=100, batch_size=None):
    """Minimise objective (3) with torch.optim.SGD and weight decay, from copies of W1 and W2.

    Each step takes a mini-batch B of columns of X (all of them when batch_size is None) and
    backpropagates the mean over B of ||x - W2 W1 x||^2; weight_decay = 2 lam / n adds the
    gradient of (lam / n) (||W1||^2 + ||W2||^2), so the steps descend objective (3) / n.
    Returns the trained (W1, W2)."""
    n = X.shape[1]
    W1 = W1.detach().clone().requires_grad_(True)
    W2 = W2.detach().clone().requires_grad_(True)
    optimizer = torch.optim.SGD([W1, W2], lr=lr, weight_decay=2 * lam / n)
    for _ in range(epochs):
        for cols in torch.randperm(n).split(batch_size or n):
            xb = X[:, cols]  # (m, |B|)
            optimizer.zero_grad()
            ((xb - W2 @ W1 @ xb) ** 2).sum(0).mean().backward()
            optimizer.step()
    return W1.detach(), W2.detach()
