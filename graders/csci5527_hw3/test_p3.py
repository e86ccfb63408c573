"""Hidden tests of CSCI 5527 HW3 Problem 3: the three norms on fresh (H, W, C, N) tensors."""

import pytest
import torch

from graders.compare import Checks, assert_close
from graders.kernel import AsTorch
from reference import norm

SHAPES_AND_EPS = [((7, 6, 5, 4), 1e-5), ((4, 9, 3, 6), 0.1), ((5, 5, 8, 2), 0.0)]


def _grade_norm(submission, rng, name: str) -> None:
    checks = Checks()
    for shape, eps in SHAPES_AND_EPS:
        x = 3.0 * rng.standard_normal(shape) + rng.standard_normal(shape[2:])  # per-(c, n) offsets
        expected = getattr(norm, name)(torch.from_numpy(x), eps=eps).numpy()
        with checks.case():
            got = submission.call(name, AsTorch(x), eps=eps)
            assert_close(name, got, expected, where=f" for x of shape {shape}, eps={eps}")
    checks.finish()


@pytest.mark.parametrize(("question", "name"), [
    pytest.param("p3_batch", "batch_norm", marks=pytest.mark.graded(
        "p3_batch", 0.5, "batch norm on hidden tensors")),
    pytest.param("p3_layer", "layer_norm", marks=pytest.mark.graded(
        "p3_layer", 0.5, "layer norm on hidden tensors")),
    pytest.param("p3_instance", "instance_norm", marks=pytest.mark.graded(
        "p3_instance", 0.5, "instance norm on hidden tensors")),
])
def test_norm(submission, rng, question, name):
    _grade_norm(submission, rng, name)
