"""reference.logcosh_net against torch autograd (float64) and a direct log(cosh(.))."""

import math

import pytest
import torch

from reference.logcosh_net import logcosh, logcosh_cost, net_forward, net_gradients

# (H, D, N): the handout's 20 x 10 network, a single sample, a single hidden unit, Boston's 13
SHAPES = [(20, 10, 8), (20, 10, 1), (1, 3, 5), (7, 13, 64)]


def random_problem(H, D, N, seed=0, scale=1.0):
    g = torch.Generator().manual_seed(seed)

    def randn(*shape):
        return scale * torch.randn(*shape, generator=g, dtype=torch.float64)

    params = {"W1": randn(H, D), "b1": randn(H), "w2": randn(H), "b2": randn(())}
    return params, randn(N, D), randn(N)


def autograd_gradients(params, x, y):
    leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
    x = x.clone().requires_grad_()
    h = torch.tanh(x @ leaves["W1"].T + leaves["b1"])
    J = torch.log(torch.cosh(h @ leaves["w2"] + leaves["b2"] - y)).mean()  # the plain formula
    J.backward()
    return {**{k: v.grad for k, v in leaves.items()}, "x": x.grad}


def test_forward_matches_an_explicit_sum_over_units():
    params, x, _ = random_problem(4, 3, 5)
    expected = torch.stack([
        sum(params["w2"][j] * math.tanh(params["W1"][j] @ xn + params["b1"][j]) for j in range(4))
        + params["b2"] for xn in x])
    torch.testing.assert_close(net_forward(params, x), expected)


@pytest.mark.parametrize("H, D, N", SHAPES)
@pytest.mark.parametrize("scale", [0.3, 1.0, 3.0])
def test_gradients_match_autograd(H, D, N, scale):
    params, x, y = random_problem(H, D, N, seed=H * D + N, scale=scale)
    got, expected = net_gradients(params, x, y), autograd_gradients(params, x, y)
    assert set(got) == {"W1", "b1", "w2", "b2", "x"}
    for name, value in expected.items():
        torch.testing.assert_close(got[name], value, rtol=1e-10, atol=1e-12, msg=name)


def test_cost_is_the_mean_log_cosh():
    y_hat, y = torch.randn(9, dtype=torch.float64), torch.randn(9, dtype=torch.float64)
    torch.testing.assert_close(logcosh_cost(y_hat, y), torch.log(torch.cosh(y_hat - y)).mean())


def test_logcosh_is_finite_where_cosh_overflows():
    z = torch.tensor([-1000.0, -30.0, 0.0, 1e-8, 30.0, 1000.0], dtype=torch.float64)
    expected = torch.tensor([1000.0 - math.log(2), 30.0 - math.log(2), 0.0, 5e-17,
                             30.0 - math.log(2), 1000.0 - math.log(2)], dtype=torch.float64)
    torch.testing.assert_close(logcosh(z), expected, rtol=1e-12, atol=1e-15)  # absolute near 0
    assert torch.isinf(torch.log(torch.cosh(z[-1])))  # what the stable form avoids
