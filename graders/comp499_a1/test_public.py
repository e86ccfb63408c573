"""Public checks of COMP 499/691 A1: fixed inputs, expected values from torch and numpy.

They earn no points: they tell a student, before submitting, whether each function keeps the
contract the graders rely on (names, argument order, shapes, keys). The hidden tests grade the same
functions on inputs drawn at grading time, and re-check what the notebook records.
"""

from contextlib import contextmanager

import numpy as np
import torch

from graders.compare import as_array, assert_close, assert_shape
from graders.errors import StudentError
from graders.kernel import AsTorch, Ref
from graders.plugin import graded

RNG = np.random.default_rng(499)


@contextmanager
def contract(name: str, expected: str):
    """A result of the wrong kind (a missing key, a bad unpacking) gives a message, not a crash."""
    try:
        yield
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as err:
        raise StudentError(f"{name}: expected {expected} ({type(err).__name__}: {err})") from None


def _q1_problem(H=20, D=10, N=6):
    params = {"W1": RNG.standard_normal((H, D)), "b1": RNG.standard_normal(H),
              "w2": RNG.standard_normal(H) / np.sqrt(H), "b2": np.array(0.3)}
    return params, RNG.standard_normal((N, D)), RNG.standard_normal(N)


def _autograd_q1(params, x, y):
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    xt = torch.tensor(x, requires_grad=True)
    y_hat = torch.tanh(xt @ leaves["W1"].T + leaves["b1"]) @ leaves["w2"] + leaves["b2"]
    J = torch.log(torch.cosh(y_hat - torch.from_numpy(y))).mean()
    grads = torch.autograd.grad(J, [*leaves.values(), xt])
    return y_hat.detach().numpy(), J.item(), dict(zip([*leaves, "x"], (g.numpy() for g in grads)))


@graded("q1b", 0, "public check: forward pass, cost and gradients equal autograd's")
def test_q1b(submission):
    params, x, y = _q1_problem()
    y_hat, J, grads = _autograd_q1(params, x, y)
    sent = {k: AsTorch(v) for k, v in params.items()}
    where = " for H=20, D=10, N=6"
    assert_close("net_forward", submission.call("net_forward", sent, AsTorch(x)), y_hat,
                 where=where)
    got_J = as_array(submission.call("logcosh_cost", AsTorch(y_hat), AsTorch(y)), "logcosh_cost")
    with contract("logcosh_cost", "a scalar"):
        got_J = got_J.reshape(())
    assert_close("logcosh_cost", got_J, np.array(J), where=where)
    got = submission.call("net_gradients", sent, AsTorch(x), AsTorch(y))
    if not isinstance(got, dict):
        raise StudentError("net_gradients: expected a dict with keys W1, b1, w2, b2, x")
    for key, expected in grads.items():
        if key not in got:
            raise StudentError(f"net_gradients: the dict has no key {key!r}")
        value = as_array(got[key], f"net_gradients(...)[{key!r}]")
        assert_close(f"net_gradients(...)[{key!r}]",
                     value.reshape(()) if key == "b2" and value.size == 1 else value, expected,
                     where=where)


@graded("q1c", 0, "public check: numerical_gradient of sum(x**3) is 3 x**2")
def test_q1c(submission):
    """A central difference is within 1e-6 of 3 x**2; a forward or backward one, the other
    reading of "finite differences", equals ((x +- eps)**3 - x**3) / +-eps = 3 x**2 +- 3 x eps
    + eps**2."""
    x, eps = RNG.uniform(-1, 1, (3, 4)), 1e-4
    got = submission.call("numerical_gradient", AsTorch(x), eps,
                          code="lambda ng, x, eps: ng(lambda t: (t ** 3).sum(), x, eps)")
    where = " for f(x) = sum(x**3), x of shape (3, 4), eps=1e-4"
    try:
        assert_close("numerical_gradient", got, 3 * x**2, tolerance=1e-6, where=where)
    except StudentError:
        one_sided = [3 * x**2 + sign * 3 * x * eps + eps**2 for sign in (1, -1)]
        if not any(_close(got, quotient) for quotient in one_sided):
            raise


def _close(got, expected) -> bool:
    try:
        assert_close("", got, expected, tolerance=1e-6)
    except StudentError:
        return False
    return True


@graded("q1d", 0, "public check: boston_history holds 15 train and 15 test MSEs")
def test_q1d(submission):
    history = submission.call("boston_history", code="lambda h: h")
    if not isinstance(history, dict) or {"train_mse", "test_mse"} - set(history):
        raise StudentError("boston_history: expected a dict with keys 'train_mse' and 'test_mse'")
    for key in ("train_mse", "test_mse"):
        with contract(f"boston_history[{key!r}]", "15 numbers"):
            if np.asarray(history[key], dtype=float).size != 15:
                raise StudentError(f"boston_history[{key!r}]: expected 15 values, one per epoch")
    params = submission.call("boston_params", code="lambda p: p")
    if not isinstance(params, dict) or {"W1", "b1", "w2", "b2"} - set(params):
        raise StudentError("boston_params: expected a dict with keys W1, b1, w2, b2")
    with contract("boston_params['W1']", "an (H, 13) array"):
        assert_shape("boston_params['W1']", params["W1"], (np.shape(params["W1"])[0], 13))


def _q2_weights(L, D=2, K=30, P=10):
    shapes = {"W1": (K, D), **{f"W{i}": (K, K) for i in range(2, L + 1)}, "WF": (P, K)}
    return {k: RNG.standard_normal(s) / np.sqrt(s[1]) for k, s in shapes.items()}


def _jacrev(weights, x):
    """The Jacobian by torch.autograd (torch.func.jacrev gives the same, but importing what it
    needs costs the grader ~70 MiB)."""
    def f(v):
        h = v
        for i in range(1, len(weights)):
            h = torch.tanh(torch.from_numpy(weights[f"W{i}"]) @ h)
        return torch.from_numpy(weights["WF"]) @ h

    return torch.autograd.functional.jacobian(f, torch.from_numpy(x)).numpy()


@graded("q2b", 0, "public check: jacobian_reverse equals torch.autograd's Jacobian for L=3")
def test_q2b(submission):
    weights, x = _q2_weights(3), RNG.standard_normal(2)
    sent = {k: AsTorch(v) for k, v in weights.items()}
    assert_close("jacobian_reverse", submission.call("jacobian_reverse", sent, AsTorch(x)),
                 _jacrev(weights, x), tolerance=1e-12, where=" for D=2, K=30, P=10, L=3")


@graded("q2c", 0, "public check: jacobian_forward equals torch.autograd's Jacobian for L=3")
def test_q2c(submission):
    weights, x = _q2_weights(3), RNG.standard_normal(2)
    sent = {k: AsTorch(v) for k, v in weights.items()}
    assert_close("jacobian_forward", submission.call("jacobian_forward", sent, AsTorch(x)),
                 _jacrev(weights, x), tolerance=1e-12, where=" for D=2, K=30, P=10, L=3")


@graded("q2d", 0, "public check: jacobian_benchmark has rows for L = 3, 5, 10 on the CPU")
def test_q2d(submission):
    rows = submission.call("jacobian_benchmark", code="lambda rows: rows")
    found = {r.get("L") for r in rows if isinstance(r, dict)
             and str(r.get("device", "")).lower().startswith("cpu")
             } if isinstance(rows, list) else set()
    if not {3, 5, 10} <= found:
        raise StudentError(f"jacobian_benchmark: expected CPU rows for L = 3, 5, 10, got {found}")


def _relu_net(net, x):
    with contract("the network", 'a dict {"activation": ..., "W1": ..., "b1": ..., ...}'):
        return _forward(net, x)


def _forward(net, x):
    layers = sum(1 for k in net if k.startswith("W"))
    h = x
    for i in range(1, layers + 1):
        h = h @ np.asarray(net[f"W{i}"], float).reshape(-1, h.shape[1]).T + np.ravel(net[f"b{i}"])
        if i < layers:
            h = np.maximum(h, 0) if net["activation"] == "relu" else 1 / (1 + np.exp(-h))
    return h[:, 0]


@graded("q3_xnor", 0, "public check: xnor_network on (0, 0) and (0, 1)")
def test_q3_xnor(submission):
    got = _relu_net(submission.call("xnor_network"), np.array([[0.0, 0.0], [0.0, 1.0]]))
    assert_close("xnor_network()", got, np.array([1.0, 0.0]), tolerance=1e-3,
                 where=" at (0, 0) and (0, 1)")


@graded("q3_tent", 0, "public check: tent_network at 1/4, 1/2 and 3/4")
def test_q3_tent(submission):
    got = _relu_net(submission.call("tent_network"), np.array([[0.25], [0.5], [0.75]]))
    assert_close("tent_network()", got, np.array([0.5, 1.0, 0.5]), tolerance=1e-6,
                 where=" at x = 0.25, 0.5, 0.75")


@graded("q3_soft", 0, "public check: soft_threshold_network(1) at -2, 0.5 and 3")
def test_q3_soft(submission):
    got = _relu_net(submission.call("soft_threshold_network", 1.0), np.array([[-2.0], [0.5], [3]]))
    assert_close("soft_threshold_network(1)", got, np.array([-1.0, 0.0, 2.0]), tolerance=1e-6,
                 where=" at x = -2, 0.5, 3")


LINEAR_SHAPES = ("lambda make, depth: [list(m.weight.shape) for m in make(depth).modules() "
                 "if isinstance(m, __import__('torch').nn.Linear)]")


@graded("q4a", 0, "public check: my_model(8) has Linear layers 784 -> 50 -> ... -> 50 -> 10")
def test_q4a(submission):
    got = submission.call("my_model", 8, code=LINEAR_SHAPES)
    expected = [[50, 784]] + [[50, 50]] * 7 + [[10, 50]]
    if got != expected:
        raise StudentError(f"my_model(8): expected Linear weights of shapes {expected}, got {got}")


@graded("q4b", 0, "public check: init_weights(net, 0.1) gives U(-0.1, 0.1) and zero biases")
def test_q4b(submission):
    layers = submission.call("init_weights", Ref("my_model"), 0.1, code=(
        "lambda init, make, d: (lambda net: (init(net, d), [[m.weight.detach(), m.bias.detach()] "
        "for m in net.modules() if isinstance(m, __import__('torch').nn.Linear)])[1])(make(2))"))
    for W, b in layers:  # pairs of arrays, made by the code above
        if np.abs(W).max() > 0.1 or np.abs(W).max() < 0.09 or np.count_nonzero(b):
            raise StudentError("init_weights(net, 0.1): expected weights in [-0.1, 0.1] that "
                               "reach near +-0.1, and zero biases")


@graded("q4c", 0, "public check: layer_statistics returns 8 values per statistic for depth 8")
def test_q4c(submission):
    x, y = RNG.uniform(0, 1, (16, 784)).astype(np.float32), np.arange(16) % 10
    got = submission.call("layer_statistics", Ref("my_model"), AsTorch(x), AsTorch(y), code=(
        "lambda stats, make, x, y: stats(make(8), x, y)"))
    for key in ("mean_activation", "grad_norm"):
        with contract("layer_statistics", f"a dict with 8 numbers under {key!r}"):
            if np.asarray(got[key], float).size != 8:
                raise StudentError(f"layer_statistics: expected 8 values under {key!r}")


@graded("q4d", 0, "public check: train_model returns one accuracy per epoch")
def test_q4d(submission):
    x, y = RNG.uniform(0, 1, (64, 784)).astype(np.float32), np.arange(64) % 10
    got = submission.call("train_model", Ref("my_model"), AsTorch(x), AsTorch(y), code=(
        "lambda train, make, x, y: train(make(2), x, y, x, y, epochs=2, lr=0.01, "
        "batch_size=32, shuffle=False)"))
    for key in ("train_acc", "test_acc"):
        with contract("train_model", f"a dict with a list of accuracies under {key!r}"):
            values = np.asarray(got[key], float)
        if values.size != 2 or not ((values >= 0) & (values <= 1)).all():
            raise StudentError(f"train_model: expected 2 accuracies in [0, 1] under {key!r}")


@graded("q5a", 0, "public check: gradient against autograd, minimizer against lstsq")
def test_q5a(submission):
    X, y, w = RNG.standard_normal((8, 3)), RNG.standard_normal(8), RNG.standard_normal(3)
    wt = torch.tensor(w, requires_grad=True)
    (0.5 * (torch.from_numpy(X) @ wt - torch.from_numpy(y)).square().sum()).backward()
    assert_close("ls_gradient", submission.call("ls_gradient", X, w, y), wt.grad.numpy(),
                 where=" for X of shape (8, 3)")
    assert_close("ls_minimizer", submission.call("ls_minimizer", X, y),
                 np.linalg.lstsq(X, y, rcond=None)[0], where=" for X of shape (8, 3)")


def _gd(X, y, w0, alpha, k):
    w = w0.copy()
    for _ in range(k):
        w = w - alpha * X.T @ (X @ w - y)
    return w


@graded("q5b", 0, "public check: gd_first_iterates equals one and two steps")
def test_q5b(submission):
    X, y, w0 = RNG.standard_normal((8, 3)), RNG.standard_normal(8), RNG.standard_normal(3)
    with contract("gd_first_iterates", "a pair (w1, w2)"):
        w1, w2 = submission.call("gd_first_iterates", X, y, w0, 0.05)
    assert_close("gd_first_iterates: w1", w1, _gd(X, y, w0, 0.05, 1), where=" for alpha=0.05")
    assert_close("gd_first_iterates: w2", w2, _gd(X, y, w0, 0.05, 2), where=" for alpha=0.05")


@graded("q5c", 0, "public check: gd_iterate for k = 3 equals three steps")
def test_q5c(submission):
    X, y, w0 = RNG.standard_normal((8, 3)), RNG.standard_normal(8), RNG.standard_normal(3)
    assert_close("gd_iterate", submission.call("gd_iterate", X, y, w0, 0.05, 3),
                 _gd(X, y, w0, 0.05, 3), where=" for alpha=0.05, k=3")
