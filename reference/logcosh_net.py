"""A one-hidden-layer tanh network, the log-cosh cost and its gradients by hand (COMP 499/691 A1,
Question 1(a)-(b)).

    y_hat_n = w2 . tanh(W1 x_n + b1) + b2,      J = (1/N) sum_n log cosh(y_hat_n - y_n)

Parameters travel as a dict of tensors, W1: (H, D), b1: (H,), w2: (H,), b2: () and a batch as
x: (N, D), y: (N,). With a_n = W1 x_n + b1, h_n = tanh(a_n), r_n = y_hat_n - y_n, the chain rule
gives (d log cosh(r) / dr = tanh(r), tanh'(a) = 1 - tanh(a)^2):

    g_n     = tanh(r_n) / N                      dJ/dy_hat_n
    delta_n = g_n * w2 * (1 - h_n^2)             dJ/da_n, (H,)
    dJ/db2  = sum_n g_n            dJ/dw2 = sum_n g_n h_n
    dJ/db1  = sum_n delta_n        dJ/dW1 = sum_n delta_n x_n^T        dJ/dx_n = W1^T delta_n

theory/comp499_gradients.py proves the same expressions symbolically. The public functions are
pasted into the solution notebook (which imports math and torch) with their helper `logcosh`.
"""

import math

import torch


def net_forward(params, x):
    """y_hat = tanh(x W1^T + b1) w2 + b2. x: (N, D) -> (N,)."""
    h = torch.tanh(x @ params["W1"].T + params["b1"])  # (N, H)
    return h @ params["w2"] + params["b2"]


def logcosh(z):
    """log(cosh(z)) elementwise, written |z| + log(1 + exp(-2|z|)) - log 2 so it never overflows."""
    a = z.abs()
    return a + torch.log1p(torch.exp(-2.0 * a)) - math.log(2.0)


def logcosh_cost(y_hat, y):
    """J = mean over n of log cosh(y_hat_n - y_n). y_hat, y: (N,) -> ()."""
    return logcosh(y_hat - y).mean()


def net_gradients(params, x, y):
    """dJ/dW1 (H, D), dJ/db1 (H,), dJ/dw2 (H,), dJ/db2 (), dJ/dx (N, D), derived by hand.

    x: (N, D), y: (N,); returns a dict with the keys "W1", "b1", "w2", "b2" and "x".
    """
    W1, b1, w2, b2 = params["W1"], params["b1"], params["w2"], params["b2"]
    h = torch.tanh(x @ W1.T + b1)  # (N, H)
    r = h @ w2 + b2 - y  # (N,) residuals
    g = torch.tanh(r) / x.shape[0]  # (N,) dJ/dy_hat
    delta = g[:, None] * w2 * (1.0 - h * h)  # (N, H) dJ/da
    return {
        "W1": delta.T @ x,  # (H, D)
        "b1": delta.sum(0),
        "w2": h.T @ g,  # (H,)
        "b2": g.sum(),
        "x": delta @ W1,  # (N, D)
    }
