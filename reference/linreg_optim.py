"""Gradient descent, SGD, AdaGrad and Adam on linear regression, written out (10-605 HW5, Part B).

    f(w) = 1/N ||X w - y||^2,   grad f(w) = 2/N X^T (X w - y),   X: (N, D), y: (N,), w: (D,)

GD, AdaGrad and Adam use the full-batch gradient; SGD takes one example per step, in the order
it is given: w <- w - lr * 2 (x_i . w - y_i) x_i. AdaGrad and Adam are the update rules of
reference/optim_functional.py (eps after the square root, Adam with bias correction), which agree
with torch.optim.Adagrad and torch.optim.Adam. Each function returns the iterate after every step.
"""

import torch

from reference.optim_functional import adagrad, adam


def linreg_gradient(X, y, w):
    """grad of 1/N ||X w - y||^2. X: (N, D), y: (N,), w: (D,) -> (D,)."""
    return 2.0 / X.shape[0] * X.T @ (X @ w - y)


def run_gd(X, y, w0, lr, num_steps):
    """Full-batch gradient descent from w0 -> iterates (num_steps, D)."""
    w, iterates = w0.clone(), []
    for _ in range(num_steps):
        w = w - lr * linreg_gradient(X, y, w)
        iterates.append(w)
    return torch.stack(iterates)


def run_sgd(X, y, w0, lr, order):
    """One step per example X[i], i in `order` (a sequence of row indices) -> (len(order), D)."""
    w, iterates = w0.clone(), []
    for i in order:
        w = w - lr * linreg_gradient(X[i:i + 1], y[i:i + 1], w)  # the gradient of one example
        iterates.append(w)
    return torch.stack(iterates)


def run_adagrad(X, y, w0, lr, num_steps, eps=1e-8):
    """AdaGrad on the full-batch gradient: s <- s + g^2, w <- w - lr g / (sqrt(s) + eps)."""
    w, state_sum, iterates = w0.clone(), torch.zeros_like(w0), []
    for _ in range(num_steps):
        adagrad([w], [linreg_gradient(X, y, w)], [state_sum], lr=lr, eps=eps, weight_decay=0.0)
        iterates.append(w.clone())
    return torch.stack(iterates)


def run_adam(X, y, w0, lr, num_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam on the full-batch gradient, with bias correction (Kingma & Ba, Algorithm 1)."""
    w, m, v, iterates = w0.clone(), torch.zeros_like(w0), torch.zeros_like(w0), []
    for t in range(1, num_steps + 1):
        adam([w], [linreg_gradient(X, y, w)], [m], [v], [t], lr=lr, beta1=beta1, beta2=beta2,
             eps=eps, weight_decay=0.0)
        iterates.append(w.clone())
    return torch.stack(iterates)

