"""reference.gradcheck against known derivatives, autograd and the O(eps^2) error of central
differences."""

import pytest
import torch

from reference.gradcheck import numerical_gradient, relative_error
from reference.logcosh_net import logcosh_cost, net_forward, net_gradients

g = torch.Generator().manual_seed(499)
X = torch.randn(4, 3, generator=g, dtype=torch.float64)
A = torch.randn(5, 4, generator=g, dtype=torch.float64)

KNOWN = {  # f, its gradient
    "sum x^3": (lambda x: (x**3).sum(), lambda x: 3 * x**2),
    "sum sin(x) x": (lambda x: (torch.sin(x) * x).sum(), lambda x: torch.cos(x) * x + torch.sin(x)),
    "||A x||^2 / 2": (lambda x: ((A @ x) ** 2).sum() / 2, lambda x: A.T @ A @ x),
    "logsumexp": (lambda x: torch.logsumexp(x.flatten(), 0),
                  lambda x: torch.softmax(x.flatten(), 0).view(x.shape)),
}


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_known_gradients(name):
    f, df = KNOWN[name]
    before = X.clone()
    got = numerical_gradient(f, X, eps=1e-6)
    assert got.shape == X.shape and got.dtype == X.dtype
    torch.testing.assert_close(got, df(X), rtol=1e-7, atol=1e-8)
    assert torch.equal(X, before), "x was modified"


def test_error_shrinks_like_eps_squared():
    f, df = KNOWN["sum x^3"]  # the central difference of x^3 is 3 x^2 + eps^2 exactly
    for eps in (1e-2, 1e-3):
        err = (numerical_gradient(f, X, eps) - df(X)).abs()
        torch.testing.assert_close(err, torch.full_like(err, eps**2), rtol=1e-4, atol=0)


def test_non_contiguous_input():
    f, df = KNOWN["sum sin(x) x"]
    x = X.T  # (3, 4), a transposed view
    torch.testing.assert_close(numerical_gradient(f, x), df(x), rtol=1e-7, atol=1e-8)


def test_agrees_with_hand_gradients_of_the_network():
    params = {"W1": torch.randn(6, 3, generator=g, dtype=torch.float64),
              "b1": torch.randn(6, generator=g, dtype=torch.float64),
              "w2": torch.randn(6, generator=g, dtype=torch.float64),
              "b2": torch.randn((), generator=g, dtype=torch.float64)}
    x, y = torch.randn(5, 3, generator=g, dtype=torch.float64), torch.randn(5, generator=g,
                                                                          dtype=torch.float64)
    hand = net_gradients(params, x, y)
    for name, value in params.items():
        numeric = numerical_gradient(
            lambda v, name=name: logcosh_cost(net_forward({**params, name: v}, x), y), value)
        assert relative_error(numeric, hand[name]) < 1e-8, name
    numeric_x = numerical_gradient(lambda v: logcosh_cost(net_forward(params, v), y), x)
    assert relative_error(numeric_x, hand["x"]) < 1e-8


def test_relative_error():
    a = torch.tensor([3.0, 4.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(torch.zeros(2), torch.zeros(2)) == 0.0
    assert relative_error(a, torch.zeros(2)) == 1.0
