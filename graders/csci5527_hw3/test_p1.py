"""Hidden tests of CSCI 5527 HW3 Problem 1: the model's depth, the three optimizers step by step,
and the test accuracy measured by the grader.

Optimizers: the student's class runs in the kernel on fresh problems (random shapes, two to four
parameter tensors, non-default hyperparameters, a gradient sequence sent by the grader); the
trajectory is compared after every step with reference.optim, itself checked against torch.optim
here. A problem earns the fraction of its steps that agree before the first divergence.

Accuracy (P1(e)): the student submits the weights of the three trained models (p1_<optimizer>
.safetensors); the grader rebuilds each with the notebook's make_model, sends the MNIST test
images through the notebook's preprocess, and counts the correct answers itself (graders.trained);
what the notebook printed is never read. Without the MNIST test split, P1(e) is not graded.
"""

import numpy as np
import pytest
import torch

from graders import datasets, trained
from graders.compare import distinct, relative_difference, worst_index
from graders.csci5527_hw3 import probes
from graders.errors import GraderError, PartialCredit, StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import optim

STEPS = 8
STEP_TOLERANCE = 1e-6  # the trajectories are float64; a float16 or float32 reply is held to it
PROBLEMS = 3


def _hyperparameters(rng, name: str) -> dict:
    if name == "Adagrad":
        return {"lr": float(rng.uniform(0.05, 0.5)), "eps": float(10 ** rng.uniform(-3, -1))}
    if name == "RMSprop":
        return {"lr": float(rng.uniform(0.01, 0.1)), "alpha": float(rng.uniform(0.5, 0.95)),
                "eps": float(10 ** rng.uniform(-3, -1))}
    return {"lr": float(rng.uniform(0.01, 0.1)),
            "betas": [float(rng.uniform(0.5, 0.9)), float(rng.uniform(0.9, 0.99))],
            "eps": float(10 ** rng.uniform(-4, -2))}


def _expected(name: str, params, grads, kwargs) -> list[list[np.ndarray]]:
    """The reference trajectory; a disagreement with torch.optim is our bug, not the student's."""
    trajectories = []
    for cls in (getattr(optim, name), getattr(torch.optim, name)):
        ps = [torch.from_numpy(p).clone().requires_grad_() for p in params]
        opt = cls(ps, **({**kwargs, "betas": tuple(kwargs["betas"])} if "betas" in kwargs
                         else kwargs))
        steps = []
        for step_grads in grads:
            for p, g in zip(ps, step_grads):
                p.grad = torch.from_numpy(g).clone()
            opt.step()
            steps.append([p.detach().numpy().copy() for p in ps])
        trajectories.append(steps)
    ours, torchs = trajectories
    for a, b in zip(ours, torchs):
        for x, y in zip(a, b):
            if not relative_difference(x, y) <= 1e-10:
                raise GraderError(f"reference.optim.{name} disagrees with torch.optim.{name}")
    return ours


def _agreeing_steps(name: str, got, expected, where: str) -> tuple[int, str]:
    """(steps that agree before the first divergence, what diverged)."""
    if not isinstance(got, list) or len(got) != len(expected):
        return 0, f"{name}: expected {len(expected)} recorded steps, got something else{where}"
    for t, (got_step, want_step) in enumerate(zip(got, expected)):
        for i, (g, w) in enumerate(zip(got_step, want_step)):
            if not isinstance(g, np.ndarray) or g.dtype.kind not in "biuf" or g.shape != w.shape:
                shape = getattr(g, "shape", type(g).__name__)
                return t, (f"{name}: parameter {i} has the wrong shape or dtype after step "
                           f"{t + 1}{drawn(f' ({shape}, expected {w.shape} real numbers)')}"
                           f"{where}")
            g = g.astype(np.float64)
            difference = relative_difference(g, w)
            if not difference <= STEP_TOLERANCE:  # NaN fails too
                index = worst_index(g, w)
                want, have = distinct(w[index], g[index])
                return t, (f"{name}: parameters differ from the reference after step {t + 1} of "
                           f"{len(expected)} (parameter {i}, relative difference "
                           f"{difference:.1e}"
                           f"{drawn(f'; at index {index} expected {want}, got {have}')}){where}")
    return len(expected), ""


def _adam_eps_hat(params, grads, kwargs) -> list[list[np.ndarray]]:
    """Adam in the paper's reordered form (the end of its Section 2) with eps-hat = eps:
    theta <- theta - lr sqrt(1 - beta2^t) / (1 - beta1^t) * m / (sqrt(v) + eps). Equal to
    Algorithm 1 only for eps-hat = eps sqrt(1 - beta2^t): eps acts before the bias correction."""
    (beta1, beta2), lr, eps = kwargs["betas"], kwargs["lr"], kwargs["eps"]
    thetas = [p.copy() for p in params]
    m, v = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    steps = []
    for t, step_grads in enumerate(grads, start=1):
        size = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        for i, g in enumerate(step_grads):
            m[i] = beta1 * m[i] + (1 - beta1) * g
            v[i] = beta2 * v[i] + (1 - beta2) * g * g
            thetas[i] = thetas[i] - size * m[i] / (np.sqrt(v[i]) + eps)
        steps.append([p.copy() for p in thetas])
    return steps


ADAM_FORM = ("\nYour steps match the paper's reordered form with eps-hat = eps (eps added to "
             "sqrt(v) before the bias correction). The template grades Algorithm 1, as its (d) "
             "cell states: eps is added to sqrt(v_hat), after the bias correction, as in "
             "torch.optim.Adam. Only where eps goes differs.")


def _grade_optimizer(submission, rng, name: str) -> None:
    fractions, failures, notes = [], [], set()
    for problem in range(PROBLEMS):
        shapes = [tuple(int(n) for n in rng.integers(1, 6, size=rng.integers(1, 4)))
                  for _ in range(rng.integers(2, 5))]
        params = [rng.standard_normal(s) for s in shapes]
        scales = 10 ** rng.uniform(-1.5, 0.5, size=STEPS)  # gradients of varied size
        grads = [[scale * rng.standard_normal(s) for s in shapes] for scale in scales]
        kwargs = _hyperparameters(rng, name)
        expected = _expected(name, params, grads, kwargs)
        settings = ", ".join(f"{k}={v if k != 'betas' else tuple(v)}" for k, v in kwargs.items())
        where = f" (problem {problem + 1}" + drawn(
            f": {len(shapes)} tensors of shapes {', '.join(map(str, shapes))}; {settings}") + ")"
        try:
            got = submission.call(name, [AsTorch(p) for p in params],
                                  [[AsTorch(g) for g in step] for step in grads], kwargs,
                                  code=probes.OPTIMIZER_RUN)
        except StudentError as err:
            fractions.append(0.0)
            failures.append(f"{err}{where}")
            continue
        agreed, why = _agreeing_steps(name, got, expected, where)
        if why and name == "Adam" and not _agreeing_steps(
                name, got, _adam_eps_hat(params, grads, kwargs), where)[1]:
            notes.add(ADAM_FORM)
        fractions.append(agreed / STEPS)
        if why:
            failures.append(why)
    if failures:
        fraction = float(np.mean(fractions))
        message = (f"{len(failures)} of {PROBLEMS} problems diverged; credit is the share of "
                   f"steps that agree ({fraction:.0%}):\n" + "\n".join(f"- {f}" for f in failures)
                   + "".join(notes))
        if fraction == 0:
            raise StudentError(message)
        raise PartialCredit(fraction, message)


@pytest.mark.parametrize("name", [
    pytest.param("Adagrad", marks=pytest.mark.graded("p1b", 1.0, "Adagrad step by step")),
    pytest.param("RMSprop", marks=pytest.mark.graded("p1c", 0.5, "RMSprop step by step")),
    pytest.param("Adam", marks=pytest.mark.graded("p1d", 1.5, "Adam step by step")),
])
def test_optimizer(submission, rng, name):
    _grade_optimizer(submission, rng, name)


@graded("p1a", 0.5, "the model has at most three weight layers")
def test_model_depth(submission):
    got = submission.call("make_model", code=probes.WEIGHT_LAYERS)
    layers, shape = got
    if shape != [2, 10]:
        raise StudentError(f"make_model: the model maps (2, 1, 28, 28) to {tuple(shape)}, "
                           "expected (2, 10) logits")
    if not 1 <= len(layers) <= 3:
        raise StudentError(f"make_model: the model has {len(layers)} weight layers "
                           f"({', '.join(layers)}); the handout allows at most 3")


@graded("p1e", 1.0, "test accuracy of the submitted weights, measured by the grader")
def test_accuracy(submission, rng, setting):
    split = datasets.mnist_test()
    bar = setting("p1e.bar", probes.P1_BAR)
    lines, passed = [], 0
    for name in probes.P1_OPTIMIZERS:
        spec = probes.p1_model(name)
        try:
            measured = trained.measure(submission, spec, trained.load_model(submission, spec),
                                       split, rng)
        except StudentError as err:
            lines.append(f"{name}: {err}")
            continue
        reached = measured.accuracy >= bar and not measured.problem
        passed += reached
        lines.append(f"{name} ({spec.weights}): {measured.accuracy:.2%}"
                     + (f", but {measured.problem}" if measured.problem else
                        f" ({'at or above' if reached else 'below'} {bar:.0%})"))
    summary = (f"accuracy measured by the grader on {split.name}:\n"
               + "\n".join(f"- {line}" for line in lines))
    if passed < 2:
        raise StudentError(f"fewer than two optimizers' models reach {bar:.0%}; {summary}")
    print(summary)
