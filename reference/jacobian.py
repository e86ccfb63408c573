"""The input Jacobian of a deep tanh network in reverse and in forward mode (COMP 499/691 A1,
Question 2(b)-(d)).

    f(x) = W_F tanh(W_L ... tanh(W_2 tanh(W_1 x)))      W_1: (K, D), W_i: (K, K), W_F: (P, K)

There are no biases. The weights travel as a dict {"W1": ..., "W2": ..., "WL": ..., "WF": ...};
L is the number of W_i, so the dict has L + 1 entries. The Jacobian df/dx is (P, D).

Reverse mode runs the network once and then one backward pass per output (P of them, each pulling
a row e_p^T J back to x); forward mode pushes one tangent per input direction (D of them, each
giving a column J e_d) through the network alongside the values. With D = 2 and P = 10 forward
mode does less work; theory/comp499_jacobian_cost.py counts the multiplications.

The public functions are pasted into the solution notebook (which imports time and torch) with the
helpers they use.
"""

import time

import torch


def make_weights(D=2, K=30, P=10, L=3, *, generator=None, dtype=torch.float64, device="cpu"):
    """Random weights N(0, 1 / fan_in): {"W1": (K, D), "W2".."WL": (K, K), "WF": (P, K)}."""
    shapes = [(K, D)] + [(K, K)] * (L - 1)
    weights = {f"W{i}": shape for i, shape in enumerate(shapes, start=1)}
    weights["WF"] = (P, K)
    return {name: torch.randn(shape, generator=generator, dtype=dtype).div(shape[1] ** 0.5)
            .to(device) for name, shape in weights.items()}


def mlp_forward(weights, x):
    """f(x) = W_F tanh(W_L ... tanh(W_1 x)). x: (D,) -> (P,)."""
    h = x
    for i in range(1, len(weights)):  # W1 .. WL
        h = torch.tanh(weights[f"W{i}"] @ h)  # (K,)
    return weights["WF"] @ h


def jacobian_reverse(weights, x):
    """df/dx by reverse mode: a forward pass, then a backward pass per output. x: (D,) -> (P, D)."""
    x = x.detach().requires_grad_(True)
    y = mlp_forward(weights, x)  # (P,)
    seeds = torch.eye(y.shape[0], dtype=y.dtype, device=y.device)
    rows = [torch.autograd.grad(y, x, grad_outputs=seed, retain_graph=True)[0] for seed in seeds]
    return torch.stack(rows)  # row p is e_p^T J


def jacobian_forward(weights, x):
    """df/dx by forward mode: one pass of dual numbers per input direction. x: (D,) -> (P, D).

    torch.autograd.forward_ad carries a tangent with every tensor made from a dual one; seeding x
    with the tangent e_d gives J e_d at the output.
    """
    x = x.detach()
    seeds = torch.eye(x.shape[0], dtype=x.dtype, device=x.device)
    columns = []
    with torch.autograd.forward_ad.dual_level():
        for seed in seeds:
            y = mlp_forward(weights, torch.autograd.forward_ad.make_dual(x, seed))
            columns.append(torch.autograd.forward_ad.unpack_dual(y).tangent)  # J e_d, (P,)
    return torch.stack(columns, dim=1)


def benchmark_jacobians(depths=(3, 5, 10), D=2, K=30, P=10, repeats=20, devices=None):
    """Seconds per Jacobian, reverse and forward mode, for each depth L and device.

    devices defaults to ["cpu"], plus "cuda" when a GPU is available. Each time is the best of 3
    rounds of `repeats` calls, after one warm-up call. Returns one dict per (device, L):
    {"device": str, "L": int, "reverse_s": float, "forward_s": float}.
    """
    if devices is None:
        devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    rows = []
    for device in devices:
        for L in depths:
            g = torch.Generator().manual_seed(L)
            weights = make_weights(D, K, P, L, generator=g, device=device)
            x = torch.randn(D, generator=g, dtype=torch.float64).to(device)
            times = {name: _seconds_per_call(fn, weights, x, repeats)
                     for name, fn in (("reverse_s", jacobian_reverse),
                                      ("forward_s", jacobian_forward))}
            rows.append({"device": str(device), "L": L, **times})
    return rows


def _seconds_per_call(fn, weights, x, repeats):
    """Best of 3 rounds of `repeats` calls of fn(weights, x), in seconds per call."""
    sync = torch.cuda.synchronize if x.is_cuda else (lambda: None)
    fn(weights, x)  # warm-up: lazy initialization, kernel caches
    sync()
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            fn(weights, x)
        sync()
        best = min(best, (time.perf_counter() - start) / repeats)
    return best
