"""reference.grad_accum: accumulation against one full-batch backward pass (layer norm agrees,
batch norm does not), and the corrected loop against SGD written out in numpy, where the
handout's loop (zero_grad once) diverges."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from reference.grad_accum import accumulated_gradient, train_loop


def net(norm):
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), norm(16), nn.ReLU(), nn.Linear(16, 3)).double()


@pytest.fixture(scope="module")
def batch():
    g = torch.Generator().manual_seed(1)
    return torch.randn(32, 8, generator=g, dtype=torch.float64), torch.randint(0, 3, (32,),
                                                                                generator=g)


def full_batch_gradient(model, x, y):
    model.zero_grad()
    F.cross_entropy(model(x), y).backward()
    return torch.cat([p.grad.reshape(-1) for p in model.parameters()])


@pytest.mark.parametrize("batch_size", [1, 2, 4, 8, 16, 32])
def test_layer_norm_accumulation_equals_the_full_batch(batch, batch_size):
    x, y = batch
    got = accumulated_gradient(net(nn.LayerNorm), x, y, batch_size, 32 // batch_size,
                               F.cross_entropy)
    torch.testing.assert_close(got, full_batch_gradient(net(nn.LayerNorm), x, y))


@pytest.mark.parametrize("batch_size", [2, 4, 8, 16])
def test_batch_norm_accumulation_differs(batch, batch_size):
    x, y = batch
    got = accumulated_gradient(net(nn.BatchNorm1d), x, y, batch_size, 32 // batch_size,
                               F.cross_entropy)
    full = full_batch_gradient(net(nn.BatchNorm1d), x, y)
    assert (got - full).norm() > 0.05 * full.norm()


def regression(seed=0):
    rng = np.random.default_rng(seed)
    w = rng.standard_normal((10, 1))
    xs = rng.standard_normal((40, 25, 10))
    return [(x, x @ w + 0.1 * rng.standard_normal((25, 1))) for x in xs]


def test_train_loop_is_sgd_and_the_handouts_loop_diverges():
    batches = regression()
    model = nn.Linear(10, 1).double()
    W, b = model.weight.detach().numpy().T.copy(), model.bias.detach().numpy().copy()
    expected = []
    for _ in range(2):  # SGD on the mean squared error, by hand
        for x, y in batches:
            r = x @ W + b - y
            expected.append(float((r**2).mean()))
            W, b = W - 0.05 * 2 * x.T @ r / len(r), b - 0.05 * 2 * r.mean(0)
    tensors = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in batches]
    np.testing.assert_allclose(train_loop(model, tensors, F.mse_loss, 0.05, epochs=2), expected,
                               rtol=1e-10)
    assert expected[-1] < 0.01 * expected[0]
    buggy = nn.Linear(10, 1).double()
    optimizer = torch.optim.SGD(buggy.parameters(), lr=0.05)
    optimizer.zero_grad()  # the handout's loop: never again
    losses = []
    for _ in range(2):
        for x, y in tensors:
            loss = F.mse_loss(buggy(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    assert not losses[-1] < losses[0]
