"""Public checks of EECS 182 HW7: fixed small inputs, expected values from torch and numpy.

They earn no points: they tell a student, before submitting, whether each function keeps the
contract the graders rely on. The hidden tests grade the same functions on inputs drawn at
grading time, and inspect the models, trainers and probes on the grader's own data.
"""

import numpy as np
import torch
import torch.nn.functional as F

from graders.compare import assert_close
from graders.errors import StudentError
from graders.kernel import AsTorch
from graders.plugin import graded

RNG = np.random.default_rng(182)


@graded("q1a_models", 0, "public check: AutoEncoder(20, 3) shapes")
def test_autoencoder_shapes(submission):
    x = RNG.standard_normal((5, 20)).astype(np.float32)
    shapes = submission.call("AutoEncoder", AsTorch(x), code=(
        "lambda cls, x: (lambda m: [list(m.encode(x).shape), list(m(x).shape)])(cls(20, 3))"))
    if shapes != [[5, 3], [5, 20]]:
        raise StudentError(f"AutoEncoder(20, 3): encode(x) and model(x) have shapes {shapes} for "
                           "x of shape (5, 20), expected [5, 3] and [5, 20]")


@graded("q1b_grad", 0, "public check: linear_ae_gradients equal autograd's")
def test_linear_ae_gradients(submission):
    X, W1, W2 = RNG.standard_normal((4, 10)), RNG.standard_normal((2, 4)), RNG.standard_normal(
        (4, 2))
    leaves = [torch.tensor(W, requires_grad=True) for W in (W1, W2)]
    Xt = torch.from_numpy(X)
    loss = ((Xt - leaves[1] @ leaves[0] @ Xt) ** 2).sum() + 0.3 * sum((W**2).sum() for W in leaves)
    expected = torch.autograd.grad(loss, leaves)
    got = submission.call("linear_ae_gradients", AsTorch(X), AsTorch(W1), AsTorch(W2), 0.3)
    if not isinstance(got, list) or len(got) != 2:
        raise StudentError("linear_ae_gradients: expected a pair (dL/dW1, dL/dW2)")
    for label, value, goal in zip(("dL/dW1", "dL/dW2"), got, expected):
        assert_close(f"linear_ae_gradients: {label}", value, goal.numpy(),
                     where=" for X (4, 10), k = 2, lam = 0.3")


@graded("q4a", 0, "public check: the template's argmax attention example")
def test_argmax_example(submission):
    keys = np.array([[1.0, 2, 0], [0, 3, 4], [5, 0, 0], [0, 0, 1]])
    values = np.array([[2.0, 0, 1], [1, 4, 3], [0, -1, 4], [1, 0, -1]])
    query = np.array([[1.0, 1, 2]])
    assert_close("argmax_attention", submission.call("argmax_attention", AsTorch(query),
                                                     AsTorch(keys), AsTorch(values)),
                 values[[np.argmax(keys @ query[0])]], where=" for the template's example")


@graded("q5b_phi", 0, "public check: phi(q)^T phi(k) = (q^T k + 1)^2")
def test_feature_map(submission):
    Q, K = RNG.standard_normal((3, 4)), RNG.standard_normal((5, 4))
    fq, fk = (np.asarray(submission.call("quadratic_feature_map", AsTorch(x))) for x in (Q, K))
    assert_close("quadratic_feature_map: phi(Q) phi(K)^T", fq @ fk.T, (Q @ K.T + 1) ** 2,
                 where=" for rows of width 4")


@graded("q5_eq8", 0, "public check: linear_attention with phi(x) = exp(x) equals eq. 6")
def test_linear_attention(submission):
    Q, K, V = RNG.standard_normal((6, 3)), RNG.standard_normal((6, 3)), RNG.standard_normal((6, 2))
    sim = np.exp(Q) @ np.exp(K).T  # (6, 6)
    got = submission.call("linear_attention", AsTorch(Q), AsTorch(K), AsTorch(V),
                          code="lambda f, Q, K, V: f(Q, K, V, lambda x: x.exp())")
    assert_close("linear_attention", got, sim @ V / sim.sum(1, keepdims=True),
                 where=" for Q, K (6, 3), V (6, 2)")


@graded("q6b", 0, "public check: with layer norm, (4, 8) equals the full batch")
def test_accumulation(submission):
    x, y = RNG.standard_normal((32, 8)), RNG.integers(0, 3, 32)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.LayerNorm(4),
                              torch.nn.Linear(4, 3)).double()
    F.cross_entropy(net(torch.from_numpy(x)), torch.from_numpy(y)).backward()
    expected = torch.cat([p.grad.reshape(-1) for p in net.parameters()]).numpy()
    got = submission.call("accumulated_gradient", AsTorch(x), AsTorch(y), code=(
        "lambda f, x, y: (__import__('torch').manual_seed(0), f(__import__('torch').nn."
        "Sequential(__import__('torch').nn.Linear(8, 4), __import__('torch').nn.LayerNorm(4), "
        "__import__('torch').nn.Linear(4, 3)).double(), x, y, 4, 8, "
        "__import__('torch').nn.functional.cross_entropy))[1]"))
    assert_close("accumulated_gradient", got, expected,
                 where=" for a network with layer norm, batch_size = 4, steps = 8")
