"""reference.handbuilt: each network equals its target exactly (numpy and torch oracles)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference.handbuilt import (
    network_forward,
    soft_threshold_network,
    tent_network,
    xnor_network,
)

# a dense grid with every kink (0, 1/2, 1, +-s) on it, reaching well outside [0, 1]
GRID = np.linspace(-3.0, 4.0, 7 * 64 + 1)[:, None]  # step 1/64


def test_xnor_on_the_four_boolean_inputs():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    expected = np.logical_not(np.logical_xor(x[:, 0], x[:, 1])).astype(float)
    np.testing.assert_array_equal(network_forward(xnor_network(), x), expected)


def test_tent_everywhere_on_the_grid():
    expected = np.interp(GRID[:, 0], [0.0, 0.5, 1.0], [0.0, 1.0, 0.0], left=0.0, right=0.0)
    np.testing.assert_array_equal(network_forward(tent_network(), GRID), expected)
    for x, y in [(0.0, 0.0), (0.25, 0.5), (0.5, 1.0), (0.75, 0.5), (1.0, 0.0), (-1.0, 0.0),
                 (2.0, 0.0)]:
        assert network_forward(tent_network(), np.array([[x]]))[0] == y


@pytest.mark.parametrize("s", [0.0, 0.25, 1.0, 1.5])
def test_soft_threshold_matches_torch_softshrink(s):
    got = network_forward(soft_threshold_network(s), GRID)
    np.testing.assert_array_equal(got, np.maximum(np.abs(GRID[:, 0]) - s, 0) * np.sign(GRID[:, 0]))
    expected = F.softshrink(torch.from_numpy(GRID[:, 0]), s).numpy() if s > 0 else GRID[:, 0]
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-15)


def test_soft_threshold_rejects_a_negative_threshold():
    with pytest.raises(ValueError, match="s=-1"):
        soft_threshold_network(-1)


def test_forward_handles_two_hidden_layers_and_sigmoid():
    net = {"activation": "sigmoid", "W1": np.array([[2.0]]), "b1": np.array([0.0]),
           "W2": np.array([[1.0], [-1.0]]), "b2": np.array([0.0, 1.0]),
           "W3": np.array([[1.0, 1.0]]), "b3": np.array([0.5])}
    x = np.array([[-1.0], [0.0], [3.0]])
    h1 = 1 / (1 + np.exp(-2 * x))
    h2 = 1 / (1 + np.exp(-np.hstack([h1, 1 - h1])))
    np.testing.assert_allclose(network_forward(net, x), h2.sum(1) + 0.5)
