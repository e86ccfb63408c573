"""reference.linreg_optim against torch.optim (step by step, float64) and numpy's lstsq."""

import numpy as np
import pytest
import torch

from reference import linreg_optim as ref

STEPS = 25


def _problem(seed, N=40, D=5, noise=0.1):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(N, D, generator=g, dtype=torch.float64)
    y = X @ torch.randn(D, generator=g, dtype=torch.float64)
    return X, y + noise * torch.randn(N, generator=g, dtype=torch.float64), \
        torch.randn(D, generator=g, dtype=torch.float64)


def _torch_trajectory(make_optimizer, X, y, w0, batches):
    """Iterates of a torch.optim optimizer on the mean squared error, one batch of rows a step."""
    w = w0.clone().requires_grad_(True)
    opt, out = make_optimizer([w]), []
    for rows in batches:
        opt.zero_grad()
        ((X[rows] @ w - y[rows]) ** 2).mean().backward()
        opt.step()
        out.append(w.detach().clone())
    return torch.stack(out)


@pytest.mark.parametrize("name", ["gd", "adagrad", "adam"])
def test_full_batch_methods_match_torch_optim(name):
    X, y, w0 = _problem(1)
    everything = [slice(None)] * STEPS
    ours, theirs = {
        "gd": (ref.run_gd(X, y, w0, 0.05, STEPS), lambda p: torch.optim.SGD(p, lr=0.05)),
        "adagrad": (ref.run_adagrad(X, y, w0, 0.3, STEPS, eps=1e-3),
                    lambda p: torch.optim.Adagrad(p, lr=0.3, eps=1e-3)),
        "adam": (ref.run_adam(X, y, w0, 0.1, STEPS, 0.8, 0.95, 1e-4),
                 lambda p: torch.optim.Adam(p, lr=0.1, betas=(0.8, 0.95), eps=1e-4)),
    }[name]
    torch.testing.assert_close(ours, _torch_trajectory(theirs, X, y, w0, everything),
                               rtol=1e-12, atol=1e-12)


def test_sgd_takes_one_example_per_step_in_the_given_order():
    X, y, w0 = _problem(2)
    order = np.random.default_rng(0).permutation(len(y)).tolist()
    ours = ref.run_sgd(X, y, w0, 0.02, order)
    theirs = _torch_trajectory(lambda p: torch.optim.SGD(p, lr=0.02), X, y, w0,
                               [[i] for i in order])
    assert ours.shape == (len(order), X.shape[1])
    torch.testing.assert_close(ours, theirs, rtol=1e-12, atol=1e-12)


def test_each_method_reaches_the_least_squares_solution():
    X, y, w0 = _problem(3, N=60, D=4)
    exact = np.linalg.lstsq(X.numpy(), y.numpy(), rcond=None)[0]
    lr = 0.5 / np.linalg.norm(X.numpy(), 2) ** 2 * len(y)  # below 1 / lambda_max of the Hessian
    finals = {"gd": ref.run_gd(X, y, w0, lr, 400)[-1],
              "adagrad": ref.run_adagrad(X, y, w0, 0.5, 2000)[-1],
              "adam": ref.run_adam(X, y, w0, 0.01, 3000)[-1]}
    for name, w in finals.items():
        np.testing.assert_allclose(w.numpy(), exact, atol=1e-3, err_msg=name)
    consistent = X @ torch.as_tensor(exact)  # SGD with a fixed step converges when y = X w*
    order = np.random.default_rng(1).permutation(np.tile(np.arange(len(y)), 30)).tolist()
    np.testing.assert_allclose(ref.run_sgd(X, consistent, w0, 0.05, order)[-1].numpy(), exact,
                               atol=1e-6)
