"""reference.backprop against torch autograd (float64): the twelve terms of 1.1 and the L-layer
network's forward and backward pass for several depths and widths."""

import pytest
import torch
from torch.autograd.functional import jacobian

from reference import backprop


def _net(seed, D=4, H1=5, H2=3):
    g = torch.Generator().manual_seed(seed)
    return [torch.randn(*s, generator=g, dtype=torch.float64)
            for s in ((H1, D), (H1,), (H2, H1), (H2,), (D,), (H2,))]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_twelve_terms_against_autograd(seed):
    W1, b1, W2, b2, x, y = _net(seed)
    b1[0] = -(W1[0] @ x) - 0.5  # a negative pre-activation, whatever the draw
    got = backprop.twelve_terms(W1, b1, W2, b2, x, y)
    leaves = [t.clone().requires_grad_(True) for t in (W1, b1, W2, b2)]
    q = leaves[0] @ x + leaves[1]
    h = torch.relu(q)
    p = leaves[2] @ h + leaves[3]
    for t in (q, h, p):
        t.retain_grad()
    ((p - y) @ (p - y)).backward()
    d = {k: v.detach() for k, v in zip(("q", "h"), (q, h))}
    expected = {
        "dL_dp": p.grad, "dL_dW2": leaves[2].grad, "dL_db2": leaves[3].grad,
        "dL_dh": h.grad, "dL_dq": q.grad, "dL_dW1": leaves[0].grad, "dL_db1": leaves[1].grad,
        "dp_dW2": jacobian(lambda w: w @ d["h"] + b2, W2),
        "dp_dh": jacobian(lambda v: W2 @ v + b2, d["h"]),
        "dh_dq": jacobian(torch.relu, d["q"]),
        "dq_dW1": jacobian(lambda w: w @ x + b1, W1),
        "dq_db1": jacobian(lambda b: W1 @ x + b, b1),
    }
    assert set(got) == set(expected)
    for name, value in expected.items():
        torch.testing.assert_close(got[name], value, rtol=1e-12, atol=1e-12, msg=name)


def test_relu_derivative_at_zero_is_torchs():
    W1, b1, W2, b2, x, y = (torch.tensor(v, dtype=torch.float64) for v in (
        [[1.0, 2.0], [-1.0, 1.0]], [-3.0, 0.5], [[2.0, -1.0]], [0.0], [1.0, 1.0], [1.0]))
    terms = backprop.twelve_terms(W1, b1, W2, b2, x, y)  # q = (0, 0.5)
    assert terms["dh_dq"].diagonal().tolist() == [0.0, 1.0]
    assert terms["dL_db1"][0] == 0


def _layers(seed, sizes):
    g = torch.Generator().manual_seed(seed)
    Ws = [torch.randn(m, n, generator=g, dtype=torch.float64) for n, m in zip(sizes, sizes[1:])]
    bs = [torch.randn(m, generator=g, dtype=torch.float64) for m in sizes[1:]]
    return Ws, bs, g


@pytest.mark.parametrize("sizes", [[3, 1], [2, 4, 3], [5, 7, 6, 4, 2], [1, 1, 1, 1, 1, 1]])
def test_forward_and_backward_against_autograd(sizes):
    Ws, bs, g = _layers(len(sizes), sizes)
    X = torch.randn(6, sizes[0], generator=g, dtype=torch.float64)
    Y = torch.randn(6, sizes[-1], generator=g, dtype=torch.float64)
    leaves = [t.clone().requires_grad_(True) for t in Ws + bs]
    h = X
    for i in range(len(Ws)):
        h = torch.nn.functional.linear(h, leaves[i], leaves[len(Ws) + i])
        h = torch.relu(h) if i < len(Ws) - 1 else h
    ((h - Y) ** 2).sum().backward()
    torch.testing.assert_close(backprop.mlp_forward(Ws, bs, X), h.detach(), rtol=1e-12, atol=0)
    dWs, dbs = backprop.mlp_backward(Ws, bs, X, Y)
    for got, leaf in zip(dWs + dbs, leaves):
        torch.testing.assert_close(got, leaf.grad, rtol=1e-12, atol=1e-12)


def test_relu_derivative_at_zero_can_be_one():
    W1, b1, W2, b2, x, y = (torch.tensor(v, dtype=torch.float64) for v in (
        [[1.0, 2.0], [-1.0, 1.0]], [-3.0, 0.5], [[2.0, -1.0]], [0.0], [1.0, 1.0], [1.0]))
    terms = backprop.twelve_terms(W1, b1, W2, b2, x, y, relu_grad_at_zero=1.0)
    assert terms["dh_dq"].diagonal().tolist() == [1.0, 1.0]
    torch.testing.assert_close(terms["dL_db1"], W2[0] * terms["dL_dp"][0])


def test_typed_answers_are_theorys_counts():
    from theory.answers import check_answer
    from theory.cmu10605_backprop_op_counts import BACKWARD_OPS, FORWARD_OPS

    symbols = {"L": {"positive": True, "integer": True}}
    assert check_answer(backprop.ANSWER_S12B_COUNT, FORWARD_OPS, symbols=symbols).ok
    assert check_answer(backprop.ANSWER_S12D_COUNT, BACKWARD_OPS, symbols=symbols).ok
