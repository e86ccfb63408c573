"""Hidden tests of CSCI 5527 HW3 Problem 3: the three norms on fresh (H, W, C, N) tensors.

The handout's formula (2) has no eps and allows eps = 0; the template puts eps inside the square
root, as PyTorch does. Both readings of where eps goes are accepted: (x - mean) / sqrt(var + eps)
and (x - mean) / (std + eps). A result that matches neither says whether eps or the axes differ.
"""

import numpy as np
import pytest
import torch

from graders.compare import Checks, as_array, assert_close, default_tolerance, relative_difference
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from reference import norm

SHAPES_AND_EPS = [((7, 6, 5, 4), 1e-5), ((4, 9, 3, 6), 0.1), ((5, 5, 8, 2), 0.0)]
AXES = {"batch_norm": (0, 1, 3), "layer_norm": (0, 1, 2), "instance_norm": (0, 1)}
SLICES = {"batch_norm": "over H, W, N per channel", "layer_norm": "over H, W, C per sample",
          "instance_norm": "over H, W per (channel, sample)"}


def _std_plus_eps(x: np.ndarray, axes, eps: float) -> np.ndarray:
    """(x - mean) / (std + eps) over `axes`, biased std: the other placement of eps."""
    centered = x - x.mean(axis=axes, keepdims=True)
    return centered / (np.sqrt((centered**2).mean(axis=axes, keepdims=True)) + eps)


def _diagnosis(name: str, got: np.ndarray, x: np.ndarray, eps: float) -> str:
    """What the student's result does equal, among the usual mix-ups, or ""."""
    tol = default_tolerance(x)  # the grader's float64 computation
    for other, axes in AXES.items():
        same = other == name
        candidates = {f"no eps at all (eps={eps} was passed)": _std_plus_eps(x, axes, 0.0),
                      "the variance over n - 1 (unbiased) instead of n": _unbiased(x, axes, eps)}
        if not same:
            candidates = {f"{other}'s slices ({SLICES[other]}): wrong axes":
                          getattr(norm, other)(torch.from_numpy(x), eps=eps).numpy()}
        for what, expected in candidates.items():
            if got.shape == expected.shape and relative_difference(got, expected) <= tol:
                return f"; it equals the result with {what}" if same else f"; it equals {what}"
    return ""


def _unbiased(x: np.ndarray, axes, eps: float) -> np.ndarray:
    centered = x - x.mean(axis=axes, keepdims=True)
    count = np.prod([x.shape[a] for a in axes])
    return centered / np.sqrt((centered**2).sum(axis=axes, keepdims=True) / (count - 1) + eps)


def _grade_norm(submission, rng, name: str) -> None:
    checks = Checks()
    for shape, eps in SHAPES_AND_EPS:
        x = 3.0 * rng.standard_normal(shape) + rng.standard_normal(shape[2:])  # per-(c, n) offsets
        inside = getattr(norm, name)(torch.from_numpy(x), eps=eps).numpy()
        where = drawn(f" for x of shape {shape}, eps={eps}")
        with checks.case():
            got = as_array(submission.call(name, AsTorch(x), eps=eps), name)
            try:
                assert_close(name, got, inside, where=where)
            except StudentError as err:
                outside = _std_plus_eps(x, AXES[name], eps)
                if got.shape == outside.shape and \
                        relative_difference(got, outside) <= default_tolerance(x):
                    continue  # eps added to the standard deviation: accepted
                raise StudentError(f"{err}{_diagnosis(name, got, x, eps)} (eps may go inside "
                                   "the square root or be added to the standard deviation; "
                                   "both are accepted)") from None
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
