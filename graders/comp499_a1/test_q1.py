"""Hidden tests of COMP 499/691 A1 Question 1: the log-cosh network, its hand-derived gradients
(against torch autograd), the student's finite-difference checker, and the Boston training run.

Inputs are drawn per run; messages name the function, and the shapes only for staff (drawn).
"""

import numpy as np
import torch

from graders.comp499_a1.common import as_dict, fetch, number_list
from graders.compare import Checks, as_array, assert_close
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import boston, logcosh_net

SHAPES = [(20, 10, 16), (5, 3, 1), (13, 4, 7)]  # (H, D, N): the handout's 20 x 10 first
GRADIENT_KEYS = ("W1", "b1", "w2", "b2", "x")


def _problem(rng, H, D, N):
    params = {"W1": rng.standard_normal((H, D)), "b1": rng.standard_normal(H),
              "w2": rng.standard_normal(H) / np.sqrt(H), "b2": np.array(rng.standard_normal())}
    return params, rng.standard_normal((N, D)), 1.5 * rng.standard_normal(N)


def _torch(params):
    return {k: AsTorch(v) for k, v in params.items()}


def _where(H, D, N):
    return drawn(f" for H={H}, D={D}, N={N}")


def _autograd(params, x, y) -> dict[str, np.ndarray]:
    """dJ/d(every parameter and x) by torch autograd on the reference network, float64."""
    leaves = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    xt = torch.tensor(x, requires_grad=True)
    J = logcosh_net.logcosh_cost(logcosh_net.net_forward(leaves, xt), torch.from_numpy(y))
    grads = torch.autograd.grad(J, [*leaves.values(), xt])
    return {k: g.numpy() for k, g in zip([*leaves, "x"], grads)}


def _same_size_as(got, expected: np.ndarray, name: str) -> np.ndarray:
    """A one-element result (b2's gradient) may come as shape () or (1,)."""
    got = as_array(got, name)
    if expected.size == 1 and got.size == 1:
        return got.reshape(expected.shape)
    return got


@graded("q1b", 2.0, "net_forward and logcosh_cost on hidden inputs")
def test_forward_and_cost(submission, rng):
    checks = Checks()
    for H, D, N in SHAPES:
        params, x, y = _problem(rng, H, D, N)
        tparams = {k: torch.from_numpy(v) for k, v in params.items()}
        y_hat = logcosh_net.net_forward(tparams, torch.from_numpy(x)).numpy()
        with checks.case():
            assert_close("net_forward", submission.call("net_forward", _torch(params), AsTorch(x)),
                         y_hat, where=_where(H, D, N))
        with checks.case():
            got = submission.call("logcosh_cost", AsTorch(y_hat), AsTorch(y))
            expected = logcosh_net.logcosh_cost(torch.from_numpy(y_hat), torch.from_numpy(y))
            assert_close("logcosh_cost", _same_size_as(got, expected.numpy(), "logcosh_cost"),
                         expected.numpy(), where=drawn(f" for N={N}"))
    checks.finish()


@graded("q1b", 6.0, "net_gradients against torch autograd, one check per gradient")
def test_gradients(submission, rng):
    results = []
    for H, D, N in SHAPES:
        params, x, y = _problem(rng, H, D, N)
        got = submission.call("net_gradients", _torch(params), AsTorch(x), AsTorch(y))
        as_dict(got, "net_gradients", GRADIENT_KEYS)
        results.append(((H, D, N), got, _autograd(params, x, y)))
    checks = Checks()
    for key in GRADIENT_KEYS:
        with checks.case():
            for shape, got, expected in results:
                name = f"net_gradients(...)[{key!r}]"
                assert_close(name, _same_size_as(got[key], expected[key], name), expected[key],
                             where=_where(*shape))
    checks.finish()


# Scalar functions built inside the kernel from this source (only data crosses the boundary), the
# same functions here in numpy, and their gradients. `ng` is the student's numerical_gradient.
KNOWN = {
    "sum(x**3)": ("lambda ng, x, eps: ng(lambda t: (t ** 3).sum(), x, eps)",
                  lambda x: (x**3).sum(), lambda x: 3 * x**2),
    "sum(sin(x) * x)": ("lambda ng, x, eps: ng(lambda t: (t.sin() * t).sum(), x, eps)",
                        lambda x: (np.sin(x) * x).sum(), lambda x: np.cos(x) * x + np.sin(x)),
    "logsumexp(x)": ("lambda ng, x, eps: ng(lambda t: t.flatten().logsumexp(0), x, eps)",
                     lambda x: x.max() + np.log(np.exp(x - x.max()).sum()),
                     lambda x: np.exp(x - x.max()) / np.exp(x - x.max()).sum()),
}
QUADRATIC = "lambda ng, x, A, eps: ng(lambda t: ((A @ t) ** 2).sum() / 2, x, eps)"
# The handout asks for "finite differences": a central difference is within ~eps^2 of the
# derivative and passes against the gradient itself; a one-sided (forward or backward) one is only
# within ~eps, so it is held to the quotient it computes, with this step. A checker that ignores
# eps and uses a step of its own matches neither.
STEPS = [(1e-3, 1e-5), (1e-4, 1e-6)]  # (eps passed, relative tolerance)
ONE_SIDED_TOLERANCE = 1e-6  # float64 rounding of (f(x + eps e_i) - f(x)) / eps, with a margin


def _one_sided(f, x: np.ndarray, eps: float) -> dict[str, np.ndarray]:
    """The forward and backward difference quotients of the scalar function f at x (float64)."""
    f0, quotients = f(x), {"forward": np.empty(x.shape), "backward": np.empty(x.shape)}
    for index in np.ndindex(x.shape):
        for kind, sign in (("forward", 1.0), ("backward", -1.0)):
            moved = x.copy()
            moved[index] += sign * eps
            quotients[kind][index] = sign * (f(moved) - f0) / eps
    return quotients


def _check_difference(got, gradient: np.ndarray, f, x: np.ndarray, eps: float, tol: float,
                      where: str) -> None:
    """Passes for a central difference (close to the gradient) or a one-sided one with step eps."""
    try:
        assert_close("numerical_gradient", got, gradient, tolerance=tol, where=where)
    except StudentError as central:
        for quotient in _one_sided(f, x, eps).values():
            try:
                assert_close("numerical_gradient", got, quotient, tolerance=ONE_SIDED_TOLERANCE)
            except StudentError:
                continue
            return
        raise StudentError(f"{central} (it matches no central, forward or backward difference "
                           f"of step eps={eps:g} either)") from None


@graded("q1c", 5.0, "numerical_gradient on functions with known gradients")
def test_numerical_gradient_known(submission, rng):
    checks = Checks()
    for eps, tol in STEPS:
        for (label, (code, f, gradient)), shape in zip(KNOWN.items(), [(3, 4), (6,), (2, 5)]):
            x = rng.uniform(-1.5, 1.5, shape)
            with checks.case():
                got = submission.call("numerical_gradient", AsTorch(x), eps, code=code)
                _check_difference(got, gradient(x), f, x, eps, tol,
                                  f" for f(x) = {label}{drawn(f', x of shape {shape}')}, "
                                  f"eps={eps:g}")
        x, A = rng.standard_normal(4), rng.standard_normal((5, 4))
        with checks.case():
            got = submission.call("numerical_gradient", AsTorch(x), AsTorch(A), eps,
                                  code=QUADRATIC)
            _check_difference(got, A.T @ A @ x, lambda v, A=A: ((A @ v) ** 2).sum() / 2, x, eps,
                              tol,
                              f" for f(x) = ||A x||^2 / 2{drawn(', A of shape (5, 4)')}, "
                              f"eps={eps:g}")
    checks.finish()


# J of the Q1 network as a function of W1, and of x (the network written here, not the student's)
COST_OF_W1 = ("lambda ng, W1, b1, w2, b2, x, y, eps: "
              "ng(lambda W: ((x @ W.T + b1).tanh() @ w2 + b2 - y).cosh().log().mean(), W1, eps)")
COST_OF_X = ("lambda ng, W1, b1, w2, b2, x, y, eps: "
             "ng(lambda v: ((v @ W1.T + b1).tanh() @ w2 + b2 - y).cosh().log().mean(), x, eps)")


def _cost(params, x, y, key):
    """J of the Q1 network as a numpy function of params[key] (key "W1" or "x")."""
    def f(value):
        p = {**params, "x": x, key: value}
        r = np.tanh(p["x"] @ p["W1"].T + p["b1"]) @ p["w2"] + p["b2"] - y
        return np.log(np.cosh(r)).mean()
    return f


@graded("q1c", 3.0, "numerical_gradient on the Q1 cost, against autograd")
def test_numerical_gradient_network(submission, rng):
    checks = Checks()
    params, x, y = _problem(rng, 20, 10, 8)
    expected = _autograd(params, x, y)
    args = [AsTorch(params[k]) for k in ("W1", "b1", "w2", "b2")] + [AsTorch(x), AsTorch(y)]
    for code, key in ((COST_OF_W1, "W1"), (COST_OF_X, "x")):
        with checks.case():
            got = submission.call("numerical_gradient", *args, 1e-4, code=code)
            _check_difference(got, expected[key], _cost(params, x, y, key),
                              {**params, "x": x}[key], 1e-4, 1e-6,
                              f" for J as a function of {key}{drawn(' (H=20, D=10, N=8)')} "
                              "at eps=1e-4")
    checks.finish()


# Measured after the epoch on the whole split, float32 rounding stays below 1e-6 relative; an
# average of minibatch MSEs taken while the parameters still move during the epoch is further off.
MSE_TOLERANCE = 2e-5


@graded("q1d", 5.0, "Boston: 15 epochs recorded, final parameters re-evaluated here")
def test_boston_training(submission):
    checks = Checks()
    x_train, y_train, x_test, y_test = (t.double() for t in boston.load_boston_split())
    curves = {}
    with checks.case():
        history = as_dict(fetch(submission, "boston_history"), "boston_history",
                          ("train_mse", "test_mse"))
        for key in ("train_mse", "test_mse"):
            curves[key] = number_list(history[key], f"boston_history[{key!r}]")
        for key, curve in curves.items():
            if curve.size != 15:
                raise StudentError(f"boston_history[{key!r}]: expected 15 values, one per epoch, "
                                   f"got {curve.size}")
            if (curve <= 0).any():
                raise StudentError(f"boston_history[{key!r}]: mean squared errors are positive")
    params = {}
    with checks.case():
        params = _boston_params(fetch(submission, "boston_params"), x_train.shape[1])
    for key, x, y in (("train_mse", x_train, y_train), ("test_mse", x_test, y_test)):
        with checks.case():
            if not params or not curves.get(key, np.empty(0)).size:
                raise StudentError(f"boston_history[{key!r}] cannot be checked "
                                   "(see the other messages)")
            recomputed = logcosh_net.net_forward(params, x).sub(y).square().mean().item()
            if abs(recomputed - curves[key][-1]) > MSE_TOLERANCE * recomputed + 1e-6:
                split = key.split("_")[0]
                raise StudentError(
                    f"boston_history[{key!r}]: the last entry is {curves[key][-1]:.4g}, but "
                    f"boston_params give a {split} MSE of {recomputed:.4g} on the {split} split "
                    "of the data cell (measure each MSE on the whole split after the epoch, "
                    "not as an average over the epoch's minibatches)")
    with checks.case():
        train = curves.get("train_mse", np.empty(0))
        if not train.size:
            raise StudentError("boston_history['train_mse'] cannot be checked (see the other "
                               "messages)")
        if not train[-1] < train[0]:
            raise StudentError(
                f"boston_history['train_mse']: the training MSE went from {train[0]:.4g} after "
                f"the first epoch to {train[-1]:.4g} after the last; training should lower it "
                "(the template states this check)")
    checks.finish()


def _boston_params(value, n_in: int) -> dict[str, torch.Tensor]:
    value = as_dict(value, "boston_params", ("W1", "b1", "w2", "b2"))
    W1 = as_array(value["W1"], "boston_params['W1']")
    if W1.ndim != 2 or W1.shape[1] != n_in:
        raise StudentError(f"boston_params['W1']: expected shape (H, {n_in}), got {W1.shape}")
    H = W1.shape[0]
    shapes = {"b1": (H,), "w2": (H,), "b2": ()}
    params = {"W1": torch.from_numpy(W1.astype(np.float64))}
    for key, shape in shapes.items():
        array = as_array(value[key], f"boston_params[{key!r}]").astype(np.float64)
        if array.size != int(np.prod(shape)):
            raise StudentError(f"boston_params[{key!r}]: expected shape {shape}, got {array.shape}")
        params[key] = torch.from_numpy(array.reshape(shape))
    return params
