"""reference.jacobian against torch.func.jacrev / jacfwd and torch.autograd.functional (float64)."""

import pytest
import torch

from reference.jacobian import (
    benchmark_jacobians,
    jacobian_forward,
    jacobian_reverse,
    make_weights,
    mlp_forward,
)

# torch 2.14 warns (FutureWarning about torch.jit.script) the first time forward-mode AD runs
FORWARD_AD_WARNING = "ignore:`torch.jit.script` is deprecated:FutureWarning"

CASES = [(2, 30, 10, 3), (2, 30, 10, 1), (2, 30, 10, 5), (2, 30, 10, 10), (4, 7, 3, 2),
         (1, 5, 1, 4)]


def problem(D, K, P, L):
    g = torch.Generator().manual_seed(D + 10 * K + 100 * P + 1000 * L)
    return make_weights(D, K, P, L, generator=g), torch.randn(D, generator=g, dtype=torch.float64)


def test_weights_and_forward_follow_the_handout():
    weights, x = problem(2, 30, 10, 3)
    assert {k: tuple(v.shape) for k, v in weights.items()} == {
        "W1": (30, 2), "W2": (30, 30), "W3": (30, 30), "WF": (10, 30)}
    W = weights
    expected = W["WF"] @ torch.tanh(W["W3"] @ torch.tanh(W["W2"] @ torch.tanh(W["W1"] @ x)))
    torch.testing.assert_close(mlp_forward(weights, x), expected)


@pytest.mark.parametrize("D, K, P, L", CASES)
def test_reverse_mode_matches_jacrev(D, K, P, L):
    weights, x = problem(D, K, P, L)
    expected = torch.func.jacrev(lambda v: mlp_forward(weights, v))(x)
    got = jacobian_reverse(weights, x)
    assert got.shape == (P, D)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-14)
    torch.testing.assert_close(
        got, torch.autograd.functional.jacobian(lambda v: mlp_forward(weights, v), x))
    assert not x.requires_grad


@pytest.mark.filterwarnings(FORWARD_AD_WARNING)
@pytest.mark.parametrize("D, K, P, L", CASES)
def test_forward_mode_matches_jacfwd(D, K, P, L):
    weights, x = problem(D, K, P, L)
    expected = torch.func.jacfwd(lambda v: mlp_forward(weights, v))(x)
    got = jacobian_forward(weights, x)
    assert got.shape == (P, D)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-14)


@pytest.mark.filterwarnings(FORWARD_AD_WARNING)
def test_forward_mode_needs_no_backward_pass():
    weights, x = problem(2, 30, 10, 3)
    with torch.no_grad():  # a backward pass would fail here: nothing records a graph
        got = jacobian_forward(weights, x)
    torch.testing.assert_close(got, jacobian_reverse(weights, x), rtol=1e-12, atol=1e-14)


@pytest.mark.filterwarnings(FORWARD_AD_WARNING)
def test_benchmark_reports_both_modes_per_depth():
    rows = benchmark_jacobians(depths=(1, 3), repeats=2, devices=["cpu"])
    assert [(r["device"], r["L"]) for r in rows] == [("cpu", 1), ("cpu", 3)]
    assert all(0 < r[k] < 1 for r in rows for k in ("reverse_s", "forward_s"))
