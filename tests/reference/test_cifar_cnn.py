"""reference.cifar_cnn against its contract and a hand-made SGD step (torch as the oracle)."""

import pytest
import torch
from torch import nn

from reference import cifar_cnn


def test_cifar_net_contract():
    net = cifar_cnn.CifarNet(width=8)
    assert net(torch.randn(3, 3, 32, 32)).shape == (3, 10)
    kinds = [type(m) for m in net.modules()]
    assert kinds.count(nn.Conv2d) + kinds.count(nn.Linear) == 5
    assert kinds.count(nn.BatchNorm2d) == kinds.count(nn.Conv2d)


def test_train_step_is_one_sgd_step_on_the_cross_entropy():
    torch.manual_seed(0)
    net = cifar_cnn.CifarNet(width=4)
    x, y = torch.randn(8, 3, 32, 32), torch.randint(0, 10, (8,))
    clone = cifar_cnn.CifarNet(width=4)
    clone.load_state_dict(net.state_dict())
    loss = nn.functional.cross_entropy(clone.train()(x), y)
    grads = torch.autograd.grad(loss, list(clone.parameters()))
    got = cifar_cnn.train_step(net, torch.optim.SGD(net.parameters(), lr=0.1), x, y)
    assert got == pytest.approx(loss.item(), rel=1e-6)
    for p, q, g in zip(net.parameters(), clone.parameters(), grads):
        torch.testing.assert_close(p, q - 0.1 * g)


def test_train_cifar_lowers_the_loss():
    torch.manual_seed(1)
    x, y = torch.randn(32, 3, 32, 32), torch.randint(0, 10, (32,))
    loader = [(x[:16], y[:16]), (x[16:], y[16:])]
    net = cifar_cnn.CifarNet(width=4)
    losses = cifar_cnn.train_cifar(net, loader, epochs=4, lr=0.05)
    assert len(losses) == 4 and losses[-1] < losses[0]
    assert 0 <= cifar_cnn.accuracy(net, loader) <= 1


def test_cifar10_is_not_downloaded_unless_asked(tmp_path):
    with pytest.raises(RuntimeError, match="not found"):
        cifar_cnn.cifar10_loaders(tmp_path)
