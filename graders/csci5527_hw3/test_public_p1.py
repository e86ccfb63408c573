"""Public checks of CSCI 5527 HW3 P1: fixed small problems, expected values from torch.optim.

They earn no points. The hidden tests run the same classes on other shapes, hyperparameters and
gradient sequences, and measure the test accuracy themselves.
"""

import numpy as np
import pytest
import torch

from graders import trained
from graders.compare import assert_close
from graders.csci5527_hw3.probes import P1_OPTIMIZERS, p1_model
from graders.errors import StudentError
from graders.kernel import AsTorch
from graders.plugin import graded

# Three steps on two tensors; grader-written code builds the student's optimizer in the kernel.
RUN = '''(lambda ns: (exec("""
def run(cls, params, grads, kwargs):
    import torch

    ps = [p.clone().requires_grad_(True) for p in params]
    opt = cls(ps, **kwargs)
    out = []
    for step_grads in grads:
        for p, g in zip(ps, step_grads):
            p.grad = g.clone()
        opt.step()
        out.append([p.detach().clone() for p in ps])
    return out
""", ns), ns["run"])[1])({})'''
RNG = np.random.default_rng(5527)
PARAMS = [RNG.standard_normal((3, 2)), RNG.standard_normal(4)]
GRADS = [[RNG.standard_normal(p.shape) for p in PARAMS] for _ in range(3)]
SETTINGS = {"Adagrad": {"lr": 0.1, "eps": 1e-3}, "RMSprop": {"lr": 0.05, "alpha": 0.9, "eps": 0.01},
            "Adam": {"lr": 0.05, "betas": [0.8, 0.95], "eps": 1e-3}}


def _torch_trajectory(name: str) -> list[list[np.ndarray]]:
    ps = [torch.from_numpy(p).clone().requires_grad_() for p in PARAMS]
    kwargs = {k: tuple(v) if k == "betas" else v for k, v in SETTINGS[name].items()}
    opt = getattr(torch.optim, name)(ps, **kwargs)
    out = []
    for step in GRADS:
        for p, g in zip(ps, step):
            p.grad = torch.from_numpy(g).clone()
        opt.step()
        out.append([p.detach().numpy().copy() for p in ps])
    return out


@pytest.mark.parametrize("name", [
    pytest.param("Adagrad", marks=pytest.mark.graded("p1b", 0, "public check: Adagrad, 3 steps")),
    pytest.param("RMSprop", marks=pytest.mark.graded("p1c", 0, "public check: RMSprop, 3 steps")),
    pytest.param("Adam", marks=pytest.mark.graded("p1d", 0, "public check: Adam, 3 steps")),
])
def test_optimizer_matches_torch(submission, name):
    got = submission.call(name, [AsTorch(p) for p in PARAMS],
                          [[AsTorch(g) for g in step] for step in GRADS], SETTINGS[name], code=RUN)
    for t, (got_step, want_step) in enumerate(zip(got, _torch_trajectory(name))):
        for i, (g, w) in enumerate(zip(got_step, want_step)):
            assert_close(name, g, w, where=f" for parameter {i} after step {t + 1} of 3 "
                         f"with {SETTINGS[name]}")


@graded("p1a", 0, "public check: make_model() maps (2, 1, 28, 28) to (2, 10)")
def test_model_shape(submission):
    shape = submission.call("make_model", code=(
        "lambda f: list(f()(__import__('torch').zeros(2, 1, 28, 28)).shape)"))
    if shape != [2, 10]:
        raise StudentError(f"make_model: expected logits of shape (2, 10), got {tuple(shape)}")


@graded("p1e", 0, "public check: the submitted weights load into make_model() and classify")
def test_weights_load(submission):
    images = RNG.integers(0, 256, size=(4, 28, 28), dtype=np.uint8)
    for name in P1_OPTIMIZERS:
        spec = p1_model(name)
        trained.predict(submission, spec, trained.load_model(submission, spec), images)
