"""Hidden tests of EECS 182 HW7 Question 6: the accumulated gradient on networks with the
grader's weights (layer norm: every (batch size, steps) pair agrees with (32, 1); batch norm: the
reference's different gradients), and the corrected training loop on a regression where the
handout's loop diverges, step by step against reference.grad_accum.
"""

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from graders.compare import assert_close
from graders.eecs182_hw7 import probes
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import grad_accum

PAIRS = {"layer": ((1, 32), (4, 8), (32, 1)), "batch": ((2, 16), (8, 4), (32, 1))}


NET: dict = {}
exec(probes.NET_SOURCE, NET)  # the network the kernel builds, built here the same way


def _net(norm: str, weights) -> nn.Module:
    return NET["net"](norm, [torch.from_numpy(w) for w in weights])


@graded("q6b", 6.0, "accumulated_gradient with layer norm and with batch norm")
def test_accumulation(submission, rng):
    x, y = rng.standard_normal((32, 8)), rng.integers(0, 3, 32)
    for norm, pairs in PAIRS.items():
        weights = [p.detach().numpy() + 0.1 * rng.standard_normal(p.shape)
                   for p in _net(norm, []).parameters()]
        for batch_size, steps in pairs:
            expected = grad_accum.accumulated_gradient(
                _net(norm, weights), torch.from_numpy(x), torch.from_numpy(y), batch_size, steps,
                F.cross_entropy)
            got = submission.call("accumulated_gradient", norm, [AsTorch(w) for w in weights],
                                  AsTorch(x), AsTorch(y), batch_size, steps,
                                  code=probes.ACCUMULATE)
            assert_close("accumulated_gradient", got, expected.numpy(),
                         where=f" for a network with {norm} norm, batch_size = {batch_size}, "
                               f"steps = {steps}")


@graded("q6c", 4.0, "train_loop: SGD step by step against the reference, and it converges")
def test_train_loop(submission, rng):
    w = rng.standard_normal((10, 1))
    batches = []
    for _ in range(40):
        inputs = rng.standard_normal((25, 10))
        batches.append((inputs, inputs @ w + 0.1 * rng.standard_normal((25, 1))))
    weight, bias = 0.1 * rng.standard_normal((1, 10)), np.zeros(1)
    model = nn.Linear(10, 1).double()
    with torch.no_grad():
        model.weight.copy_(torch.from_numpy(weight))
        model.bias.copy_(torch.from_numpy(bias))
    expected = grad_accum.train_loop(model, [tuple(map(torch.from_numpy, b)) for b in batches],
                                     F.mse_loss, 0.05, epochs=2)
    got = submission.call("train_loop", AsTorch(weight), AsTorch(bias),
                          [[AsTorch(a), AsTorch(b)] for a, b in batches], 0.05, 2,
                          code=probes.LOOP)
    where = f" (a linear regression{drawn(', 40 batches of 25')}, lr = 0.05, 2 epochs)"
    losses = np.asarray(got, dtype=np.float64)
    if losses.shape == (80,) and np.isfinite(losses).all() and losses[-1] < 0.1 * losses[0]:
        assert_close("train_loop: the losses", losses, np.array(expected), where=where,
                     tolerance=1e-6)
        return
    last = losses[-1] if losses.size else float("nan")
    seen = drawn(f" ({losses.size} losses, from {losses[:1]} to {last:.4g}; expected 80 "
                 f"falling from {expected[0]:.4g} to {expected[-1]:.4g})")
    raise StudentError(f"train_loop: the losses do not fall as the reference's do{seen} (are the "
                       f"gradients zeroed before every backward pass?){where}")
