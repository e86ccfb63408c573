"""reference.init_study against explicit matrix products, torch.nn.init, autograd.grad and a
hand-written SGD loop."""

import copy

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference.init_study import (
    MyModel,
    accuracy,
    init_weights,
    layer_statistics,
    my_model,
    plot_accuracy,
    plot_layer_statistics,
    train_model,
    xavier_bound,
)
from reference.mnist import load_mnist_subset

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def digits():
    images, labels = load_mnist_subset()
    order = np.random.default_rng(0).permutation(len(labels))[:512]
    x = torch.as_tensor(images[order].reshape(-1, 784), dtype=torch.float32) / 255.0
    return x, torch.as_tensor(labels[order])


def linears(net):
    return [m for m in net.modules() if isinstance(m, nn.Linear)]


def functional_forward(net, x):
    """The same network written with its weights: hidden post-activations and logits."""
    layers, hs, h = linears(net), [], x
    for layer in layers[:-1]:
        h = torch.tanh(h @ layer.weight.T + layer.bias)
        hs.append(h)
    return hs, h @ layers[-1].weight.T + layers[-1].bias


@pytest.mark.parametrize("depth", [1, 2, 8])
def test_architecture(depth):
    net = my_model(depth)
    assert isinstance(net, MyModel) and isinstance(net, nn.Module)
    shapes = [tuple(m.weight.shape) for m in linears(net)]
    assert shapes == [(50, 784)] + [(50, 50)] * (depth - 1) + [(10, 50)]
    x = torch.randn(7, 784)
    torch.testing.assert_close(net(x), functional_forward(net, x)[1])


@pytest.mark.parametrize("d", [0.01, 0.1, 2.0])
def test_uniform_init(d):
    net = init_weights(my_model(8), d)
    for layer in linears(net):
        w = layer.weight.detach()
        assert w.abs().max() <= d and w.abs().max() > 0.95 * d
        assert w.std().item() == pytest.approx(d / 3**0.5, rel=0.1)
        assert torch.count_nonzero(layer.bias) == 0


def test_xavier_init_uses_torchs_glorot_bound():
    torch.manual_seed(0)
    net = init_weights(my_model(3), "xavier")
    for layer in linears(net):
        reference = torch.empty_like(layer.weight)
        gen = torch.Generator().manual_seed(1)
        nn.init.xavier_uniform_(reference, generator=gen)  # U(-bound, bound), gain 1
        bound = xavier_bound(layer)
        fan_out, fan_in = layer.weight.shape
        assert bound == pytest.approx((6 / (fan_in + fan_out)) ** 0.5)
        assert reference.abs().max() <= bound < 1.01 * reference.abs().max()
        assert layer.weight.abs().max() <= bound and torch.count_nonzero(layer.bias) == 0


@pytest.mark.parametrize("d", [0.1, "xavier", 2.0])
def test_layer_statistics_match_autograd_grad(d, digits):
    torch.manual_seed(3)
    net = init_weights(my_model(8), d)
    x, y = digits[0][:256], digits[1][:256]
    stats = layer_statistics(net, x, y)
    hs, logits = functional_forward(net, x)
    grads = torch.autograd.grad(F.cross_entropy(logits, y), hs)
    torch.testing.assert_close(stats["mean_activation"],
                               torch.stack([h.mean() for h in hs]).double().detach())
    torch.testing.assert_close(stats["grad_norm"], torch.stack([g.norm() for g in grads]).double())
    assert all(p.grad is None for p in net.parameters()), "parameter gradients were left behind"


def test_train_model_is_plain_sgd_on_fixed_batches(digits):
    x, y = digits
    torch.manual_seed(5)
    net = init_weights(my_model(3), "xavier")
    params = [p.detach().clone() for p in net.parameters()]  # weight, bias per layer, in order
    with_torch_optim = copy.deepcopy(net)
    history = train_model(net, x[:384], y[:384], x[384:], y[384:], epochs=2, lr=0.05,
                          batch_size=100, shuffle=False)
    optimizer = torch.optim.SGD(with_torch_optim.parameters(), lr=0.05)  # what students write
    for _ in range(2):
        for start in range(0, 384, 100):
            optimizer.zero_grad()
            batch = slice(start, min(start + 100, 384))
            F.cross_entropy(with_torch_optim(x[batch]), y[batch]).backward()
            optimizer.step()
    for got, expected in zip(net.parameters(), with_torch_optim.parameters()):
        assert torch.equal(got, expected)
    for _ in range(2):
        for start in range(0, 384, 100):
            leaves = [p.clone().requires_grad_() for p in params]
            h = x[start:min(start + 100, 384)]
            for W, b in zip(leaves[:-2:2], leaves[1:-2:2]):
                h = torch.tanh(h @ W.T + b)
            loss = F.cross_entropy(h @ leaves[-2].T + leaves[-1], y[start:min(start + 100, 384)])
            params = [p - 0.05 * g for p, g in zip(params, torch.autograd.grad(loss, leaves))]
    for got, expected in zip(net.parameters(), params):
        torch.testing.assert_close(got.detach(), expected, rtol=1e-5, atol=1e-6)
    assert history["train_acc"][-1] == accuracy(net, x[:384], y[:384])
    assert history["test_acc"][-1] == accuracy(net, x[384:], y[384:])
    assert len(history["train_acc"]) == len(history["test_acc"]) == 2


def test_training_learns_the_digits(digits):
    x, y = digits
    torch.manual_seed(0)
    net = init_weights(my_model(2), "xavier")
    history = train_model(net, x[:400], y[:400], x[400:], y[400:], epochs=5, lr=0.1,
                          batch_size=32)
    assert history["train_acc"][-1] > 0.6 and history["test_acc"][-1] > 0.4


def test_plots_have_a_line_per_setting():
    stats = {d: {"mean_activation": torch.zeros(3), "grad_norm": torch.ones(3)}
             for d in (0.1, "xavier")}
    fig = plot_layer_statistics(stats, "init")
    assert [len(ax.get_lines()) for ax in fig.axes] == [2, 2]
    fig = plot_accuracy({d: {"train_acc": [0.1, 0.2], "test_acc": [0.1, 0.3]} for d in (1, 2)})
    assert len(fig.axes[0].get_lines()) == 4
    import matplotlib.pyplot as plt

    plt.close("all")
