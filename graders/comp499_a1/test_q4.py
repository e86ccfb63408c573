"""Hidden tests of COMP 499/691 A1 Question 4: the student's model and initialization inspected in
the kernel, per-layer statistics and SGD training compared with reference.init_study on weights
and MNIST batches chosen here (small: grading stays fast), and the plots.
"""

import functools

import numpy as np
import torch
from torch import nn

from graders.comp499_a1.common import (
    LINEAR_WEIGHTS,
    LOAD_WEIGHTS,
    as_dict,
    check_figure,
    number_list,
)
from graders.compare import Checks, as_array, assert_close
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch, Ref
from graders.plugin import graded
from reference import init_study
from reference.mnist import load_mnist_subset

WIDTH, N_IN, N_OUT = 50, 784, 10
# depth -> the (out, in) shapes of my_model(depth)'s Linear layers, in module order
SHAPES = (f"lambda make, depth: [list(w.shape) for w, b in ({LINEAR_WEIGHTS})(make(depth))]")


@functools.cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_mnist_subset()
    return (images.reshape(-1, N_IN) / 255.0).astype(np.float32), labels


def _batch(rng, n: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = _digits()
    rows = rng.choice(len(y), n, replace=False)
    return x[rows], y[rows]


def _shapes(depth: int) -> list[tuple[int, int]]:
    """(out, in) of each Linear layer of my_model(depth)."""
    sizes = [N_IN] + [WIDTH] * depth + [N_OUT]
    return list(zip(sizes[1:], sizes[:-1]))


def _weights(rng, shapes, scale) -> list[list[np.ndarray]]:
    """[[W, b], ...] for Linear layers of `shapes` [(out, in), ...]: W ~ U(-bound, bound) (scale,
    or "xavier"), small b."""
    weights = []
    for out, inp in shapes:
        bound = np.sqrt(6.0 / (inp + out)) if scale == "xavier" else scale
        weights.append([rng.uniform(-bound, bound, (out, inp)).astype(np.float32),
                        rng.uniform(-0.05, 0.05, out).astype(np.float32)])
    return weights


def _reference_model(weights) -> nn.Module:
    """init_study's tanh MLP with the Linear layers of `weights` (equal hidden widths)."""
    hidden = len(weights) - 1
    net = init_study.MyModel(hidden, width=weights[0][0].shape[0])
    with torch.no_grad():
        for layer, (W, b) in zip([m for m in net.modules() if isinstance(m, nn.Linear)], weights):
            layer.weight.copy_(torch.from_numpy(W))
            layer.bias.copy_(torch.from_numpy(b))
    return net


def _architecture(submission, depth: int, what: str) -> list[tuple[int, int]]:
    """The (out, in) of the Linear layers of the student's my_model(depth), which `what` is graded
    on: 4(a) charges a wrong architecture, so 4(b)-(d) follow the student's own when it is a tanh
    chain 784 -> ... -> 10 of equal widths. Otherwise a StudentError that blames my_model."""
    try:
        got = [tuple(shape) for shape in submission.call("my_model", depth, code=SHAPES)]
    except StudentError as err:
        raise StudentError(f"{what} cannot be graded without a working my_model: {err}") from None
    chain = all(a[0] == b[1] for a, b in zip(got, got[1:]))
    widths = {out for out, _ in got[:-1]}
    if len(got) < 2 or not chain or got[0][1] != N_IN or got[-1][0] != N_OUT or len(widths) != 1:
        raise StudentError(
            f"{what} cannot be graded: my_model({depth}) has Linear layers {_described(got)}, "
            f"not a chain {_described(_shapes(depth))} (that is 4(a)'s mistake)")
    return got


def _send(weights):
    return [[AsTorch(W), AsTorch(b)] for W, b in weights]


def _described(shapes) -> str:
    return "[" + ", ".join(f"{i} -> {o}" for o, i in shapes) + "]"


@graded("q4a", 5.0, "my_model(depth): layers, sizes and tanh forward pass")
def test_my_model(submission, rng):
    checks = Checks()
    for depth in (1, 3, 8):
        with checks.case():
            kind, layers = submission.call("my_model", depth, code=(
                "lambda make, depth: (lambda net: [isinstance(net, __import__('torch').nn.Module), "
                "[list(w.shape) for w, b in (" + LINEAR_WEIGHTS + ")(net)]])(make(depth))"))
            if not kind:
                raise StudentError(f"my_model({depth}): expected an nn.Module")
            got = [tuple(shape) for shape in layers]
            if got != _shapes(depth):
                raise StudentError(
                    f"my_model({depth}): expected Linear layers {_described(_shapes(depth))}, "
                    f"got {_described(got)} (4(b)-(d) are graded on the layers you built, so "
                    "this costs 4(a) only)")
    for depth in (2, 8):
        weights, (x, _) = _weights(rng, _shapes(depth), "xavier"), _batch(rng, 16)
        with checks.case():
            built = [tuple(s) for s in submission.call("my_model", depth, code=SHAPES)]
            if built != _shapes(depth):  # the grader's weights would not fit
                raise StudentError(f"my_model({depth})(x): forward pass not checked, the layers "
                                   f"are {_described(built)}")
            got = submission.call("my_model", depth, _send(weights), AsTorch(x), code=(
                f"lambda make, depth, weights, x: ({LOAD_WEIGHTS})(make(depth), weights)(x)"))
            with torch.no_grad():
                expected = _reference_model(weights)(torch.from_numpy(x)).numpy()
            assert_close(f"my_model({depth})(x)", got, expected,
                         where=f"{drawn(f' for x of shape {x.shape}')}, with weights set by "
                         "the grader")
    checks.finish()


INIT_SETTINGS = (0.01, 0.1, 2.0, "xavier")


@graded("q4b", 2.0, "init_weights(net, d): U(-d, d) weights, zero biases, Xavier per layer")
def test_init_weights(submission):
    checks = Checks()
    for d in INIT_SETTINGS:
        with checks.case():
            layers = submission.call("init_weights", Ref("my_model"), d, code=(
                "lambda init, make, d: (lambda net: (init(net, d), (" + LINEAR_WEIGHTS +
                ")(net))[1])(make(3))"))
            _check_uniform(layers, d)
    checks.finish()


def _check_uniform(layers, d) -> None:
    """Each Linear layer of the student's my_model(3), by its own shape (4(a) checks the shapes)."""
    name = f"init_weights(my_model(3), {d!r})"
    if not isinstance(layers, list) or not layers:
        raise StudentError(f"{name}: my_model(3) has no Linear layers to check (see 4(a))")
    for i, (W, b) in enumerate(layers, start=1):
        W, b = as_array(W, name), as_array(b, name)
        if W.ndim != 2:
            raise StudentError(f"{name}: layer {i} has a weight of shape {W.shape}")
        out, inp = W.shape
        bound = np.sqrt(6.0 / (inp + out)) if d == "xavier" else d
        rule = f"sqrt(6 / (fan_in + fan_out)) = {bound:.4g}" if d == "xavier" else f"{d:g}"
        where = f"{name}: layer {i} ({inp} -> {out})"
        if np.count_nonzero(b):
            raise StudentError(f"{where} has non-zero biases; they should all be 0")
        top = float(np.abs(W).max())
        if top > bound * (1 + 1e-5) or top < 0.97 * bound:
            raise StudentError(f"{where} has weights up to {top:.4g} in absolute value; "
                               f"U(-d, d) with d = {rule} reaches close to d but not beyond")
        std = float(W.std())
        if abs(std - bound / np.sqrt(3)) > 0.15 * bound / np.sqrt(3):
            raise StudentError(f"{where}: weights have standard deviation {std:.4g}; a uniform "
                               f"U(-d, d) with d = {rule} has {bound / np.sqrt(3):.4g}")


@graded("q4c", 6.0, "layer_statistics against the reference on the same weights and batch")
def test_layer_statistics(submission, rng):
    checks = Checks()
    x, y = _batch(rng, 256)
    shapes = _architecture(submission, 8, "layer_statistics")
    for scale in (0.1, "xavier"):
        weights = _weights(rng, shapes, scale)
        try:
            got, failure = as_dict(submission.call(
                "layer_statistics", Ref("my_model"), _send(weights), AsTorch(x), AsTorch(y),
                code=(f"lambda stats, make, weights, x, y: "
                      f"stats(({LOAD_WEIGHTS})(make(8), weights), x, y)")),
                "layer_statistics", ("mean_activation", "grad_norm")), None
        except StudentError as err:
            got, failure = None, err
        expected = init_study.layer_statistics(_reference_model(weights),
                                               torch.from_numpy(x), torch.from_numpy(y))
        where = (f" for depth 8, weights ~ U(-d, d) with d = {scale}"
                 f"{drawn(', a batch of 256 digits')}")
        for key in ("mean_activation", "grad_norm"):
            with checks.case():
                if failure is not None:
                    raise failure
                values = number_list(got[key], f"layer_statistics(...)['{key}']",
                                     len(shapes) - 1)
                if key == "mean_activation":
                    assert_close(f"layer_statistics(...)['{key}']", values,
                                 expected[key].numpy(), tolerance=1e-4, where=where)
                else:
                    _close_per_layer(f"layer_statistics(...)['{key}']", values,
                                     expected[key].numpy(), where)
    checks.finish()


def _close_per_layer(name: str, got: np.ndarray, expected: np.ndarray, where: str) -> None:
    """Gradient norms shrink or grow by orders of magnitude across layers: each layer relative."""
    bad = np.abs(got - expected) > 1e-3 * np.abs(expected) + 1e-30
    if bad.any():
        layer = int(np.argmax(bad))
        raise StudentError(f"{name}: layer {layer + 1} has {got[layer]:.4g}, expected "
                           f"{expected[layer]:.4g}{where}")


@graded("q4c", 2.0, "fig_stats_init: mean activation and gradient norm plots, 4 lines each")
def test_statistics_plots(submission):
    check_figure(submission, "fig_stats_init", min_axes=2, min_lines_per_axes=4)


@graded("q4d", 6.0, "train_model: SGD on fixed batches, against the reference")
def test_train_model(submission, rng):
    x, y = _batch(rng, 384 + 128)
    weights = _weights(rng, _architecture(submission, 2, "train_model"), "xavier")
    kwargs = {"epochs": 2, "lr": 0.05, "batch_size": 128, "shuffle": False}
    history, trained = submission.call(
        "train_model", Ref("my_model"), _send(weights), AsTorch(x[:384]), AsTorch(y[:384]),
        AsTorch(x[384:]), AsTorch(y[384:]), kwargs, code=(
            f"lambda train, make, weights, xtr, ytr, xte, yte, kw: "
            f"(lambda net: (train(net, xtr, ytr, xte, yte, **kw), ({LINEAR_WEIGHTS})(net)))"
            f"(({LOAD_WEIGHTS})(make(2), weights))"))
    net = _reference_model(weights)
    expected = init_study.train_model(net, torch.from_numpy(x[:384]), torch.from_numpy(y[:384]),
                                      torch.from_numpy(x[384:]), torch.from_numpy(y[384:]),
                                      **kwargs)
    where = (" after 2 epochs of train_model(net, ..., epochs=2, lr=0.05, batch_size=128, "
             "shuffle=False)" + drawn(" on 384 digits"))
    checks = Checks()
    with checks.case():
        start = np.concatenate([np.concatenate([W.ravel(), b]) for W, b in weights])
        end = np.concatenate([np.concatenate([as_array(W, "weights").ravel(),
                                              as_array(b, "biases")]) for W, b in trained])
        goal = np.concatenate([p.detach().numpy().ravel() for p in net.parameters()])
        if end.shape != goal.shape:
            raise StudentError("train_model: the model's parameters changed shape")
        assert_close("train_model: the change of the parameters", end - start, goal - start,
                     tolerance=1e-3, where=where)
    with checks.case():
        history = as_dict(history, "train_model(...)", ("train_acc", "test_acc"))
        for key in ("train_acc", "test_acc"):
            values = number_list(history[key], f"train_model(...)['{key}']", 2)
            n = 384 if key == "train_acc" else 128
            if np.abs(values - np.asarray(expected[key])).max() > 2.5 / n:
                raise StudentError(f"train_model(...)['{key}']: got {values.round(4).tolist()}, "
                                   f"expected {np.round(expected[key], 4).tolist()} (fractions "
                                   f"of the whole set after each epoch){where}")
    checks.finish()


@graded("q4d", 1.0, "fig_accuracy: train and test accuracy per epoch, 8 lines")
def test_accuracy_plot(submission):
    check_figure(submission, "fig_accuracy", min_lines=8)


@graded("q4d", 1.0, "fig_stats_trained: the statistics plots after training, 4 lines each")
def test_trained_statistics_plots(submission):
    check_figure(submission, "fig_stats_trained", min_axes=2, min_lines_per_axes=4)
