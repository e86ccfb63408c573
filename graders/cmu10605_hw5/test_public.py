"""Public checks of 10-605 HW5: fixed small inputs, expected values from torch autograd and
torch.optim. They earn no points; the hidden tests grade the same functions on inputs drawn at
grading time."""

import numpy as np
import torch

from graders.compare import assert_close
from graders.errors import StudentError
from graders.kernel import AsTorch
from graders.plugin import graded

RNG = np.random.default_rng(10605)


@graded("s12_backward", 0, "public check: mlp_backward equals autograd on one network")
def test_backward_example(submission):
    sizes = [3, 4, 2]
    Ws = [RNG.standard_normal((m, n)) for n, m in zip(sizes, sizes[1:])]
    bs = [RNG.standard_normal(m) for m in sizes[1:]]
    X, Y = RNG.standard_normal((5, 3)), RNG.standard_normal((5, 2))
    leaves = [torch.tensor(a, requires_grad=True) for a in Ws + bs]
    h = torch.relu(torch.from_numpy(X) @ leaves[0].T + leaves[2])
    ((h @ leaves[1].T + leaves[3] - torch.from_numpy(Y)) ** 2).sum().backward()
    got = submission.call("mlp_backward", [AsTorch(W) for W in Ws], [AsTorch(b) for b in bs],
                          AsTorch(X), AsTorch(Y))
    if not isinstance(got, list) or len(got) != 2:
        raise StudentError("mlp_backward: expected a pair (dWs, dbs)")
    for name, value, leaf in zip(("dWs[0]", "dWs[1]", "dbs[0]", "dbs[1]"), got[0] + got[1],
                                 leaves):
        assert_close(f"mlp_backward: {name}", value, leaf.grad.numpy(),
                     where=" for sizes [3, 4, 2]")


@graded("pa_gram", 0, "public check: gram_matrix of a 2x1x2 feature map")
def test_gram_example(submission):
    features = np.array([[[1.0, 2.0]], [[3.0, 4.0]]], dtype=np.float32)  # (C, h, w) = (2, 1, 2)
    assert_close("gram_matrix", submission.call("gram_matrix", AsTorch(features)),
                 np.array([[5.0, 11.0], [11.0, 25.0]]) / 2, where=" for [[[1, 2]], [[3, 4]]]")


@graded("pb_adam", 0, "public check: three Adam steps equal torch.optim.Adam's")
def test_adam_example(submission):
    X, y, w0 = RNG.standard_normal((8, 2)), RNG.standard_normal(8), np.zeros(2)
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    opt, expected = torch.optim.Adam([w], lr=0.1), []
    for _ in range(3):
        opt.zero_grad()
        ((torch.from_numpy(X) @ w - torch.from_numpy(y)) ** 2).mean().backward()
        opt.step()
        expected.append(w.detach().numpy().copy())
    assert_close("run_adam", submission.call("run_adam", AsTorch(X), AsTorch(y), AsTorch(w0),
                                             lr=0.1, num_steps=3), np.array(expected),
                 where=" for 3 steps at lr=0.1 from w0 = 0")
