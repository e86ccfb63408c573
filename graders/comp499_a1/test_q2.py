"""Hidden tests of COMP 499/691 A1 Question 2: the Jacobian of a deep tanh network in reverse and
forward mode (against torch.autograd's Jacobian of the reference network), and the recorded
benchmark."""

import math

import numpy as np
import torch

from graders.comp499_a1.common import as_dict, fetch
from graders.compare import Checks, assert_close
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from graders.substitute import with_correct
from reference import jacobian

HANDOUT = (2, 30, 10)  # (D, K, P)


def _problem(rng, D, K, P, L):
    shapes = {f"W{i}": (K, K) for i in range(2, L + 1)}
    shapes = {"W1": (K, D), **shapes, "WF": (P, K)}
    weights = {k: rng.standard_normal(s) / math.sqrt(s[1]) for k, s in shapes.items()}
    return weights, rng.standard_normal(D)


def _expected(weights, x) -> np.ndarray:
    w = {k: torch.from_numpy(v) for k, v in weights.items()}
    return torch.autograd.functional.jacobian(lambda v: jacobian.mlp_forward(w, v),
                                              torch.from_numpy(x)).numpy()


# 2(c) is graded with this mlp_forward in place of the notebook's: a wrong mlp_forward is 2(b)'s
# mistake, so a jacobian_forward that calls it is judged as if 2(b) were right.
WITH_CORRECT_FORWARD = with_correct('''
import torch


def mlp_forward(weights, x):
    h = x
    for i in range(1, len(weights)):
        h = torch.tanh(weights[f"W{i}"] @ h)
    return weights["WF"] @ h
''', ("mlp_forward",))
# Automatic differentiation in float64 is exact to rounding (about 1e-15 here); finite differences
# are not (central ones reach 4e-11 at their best step): AD questions are held to AD precision.
AD_TOLERANCE = 1e-12


def _call(submission, name, weights, x, code=None, **kwargs):
    args = ({k: AsTorch(v) for k, v in weights.items()}, AsTorch(x))
    return submission.call(name, *args, code=code, **kwargs)


def _where(D, K, P, L):
    """The sizes: shown for the handout's network (L = 3, 5, 10), drawn() for the others."""
    where = f" for D={D}, K={K}, P={P}, L={L}"
    return where if (D, K, P) == HANDOUT and L in (3, 5, 10) else drawn(where)


def _grade_jacobian(submission, rng, name, cases, code=None):
    checks = Checks()
    for D, K, P, L in cases:
        weights, x = _problem(rng, D, K, P, L)
        with checks.case():
            got = _call(submission, name, weights, x, code)
            assert_close(name, got, _expected(weights, x), tolerance=AD_TOLERANCE,
                         where=_where(D, K, P, L))
    return checks


@graded("q2b", 5.0, "jacobian_reverse against torch.autograd (L = 3, 5, 10, and others)")
def test_jacobian_reverse(submission, rng):
    checks = _grade_jacobian(submission, rng, "jacobian_reverse",
                             [(*HANDOUT, 3), (*HANDOUT, 5), (*HANDOUT, 10), (3, 8, 4, 2)])
    with checks.case():
        for L in (3, 10):
            weights, x = _problem(rng, *HANDOUT, L)
            w = {k: torch.from_numpy(v) for k, v in weights.items()}
            assert_close("mlp_forward", _call(submission, "mlp_forward", weights, x),
                         jacobian.mlp_forward(w, torch.from_numpy(x)).numpy(),
                         where=_where(*HANDOUT, L) + " (2(c) is graded with a correct "
                         "mlp_forward in its place, so this costs 2(b) only)")
    checks.finish()


@graded("q2c", 10.0, "jacobian_forward against torch.autograd (several depths)")
def test_jacobian_forward(submission, rng):
    checks = _grade_jacobian(submission, rng, "jacobian_forward",
                             [(*HANDOUT, 3), (*HANDOUT, 1), (*HANDOUT, 5), (*HANDOUT, 10),
                              (3, 8, 4, 2)], code=WITH_CORRECT_FORWARD)
    checks.finish()


@graded("q2c", 2.0, "jacobian_forward runs under torch.no_grad() (no backward pass)")
def test_jacobian_forward_without_graph(submission, rng):
    """Forward-mode AD (dual numbers, torch.func.jvp or jacfwd) works with graph recording off; a
    backward pass has no graph to go back through."""
    weights, x = _problem(rng, *HANDOUT, 3)
    try:
        got = _call(submission, "jacobian_forward", weights, x, WITH_CORRECT_FORWARD,
                    no_grad=True)
    except StudentError as err:
        if "not implemented" in str(err):
            raise
        raise StudentError(f"{err}\n(called under torch.no_grad(), where reverse mode has no "
                           "graph to go back through; forward mode needs none)") from None
    assert_close("jacobian_forward", got, _expected(weights, x), tolerance=AD_TOLERANCE,
                 where=_where(*HANDOUT, 3) + " under torch.no_grad()")


@graded("q2d", 4.0, "jacobian_benchmark: both modes for L = 3, 5, 10 on the CPU")
def test_benchmark_table(submission):
    rows = fetch(submission, "jacobian_benchmark")
    if not isinstance(rows, list) or not rows:
        raise StudentError("jacobian_benchmark: expected a non-empty list of dicts (one per "
                           f"device and L), got {type(rows).__name__}")
    checks = Checks()
    for L in (3, 5, 10):
        with checks.case():
            found = [r for r in rows if isinstance(r, dict) and r.get("L") == L
                     and str(r.get("device", "")).lower().startswith("cpu")]
            if not found:
                raise StudentError(f"jacobian_benchmark: no row with L={L} and device 'cpu'")
            row = as_dict(found[0], f"jacobian_benchmark row L={L}", ("reverse_s", "forward_s"))
            for key in ("reverse_s", "forward_s"):
                value = row[key]
                if isinstance(value, np.ndarray) and value.size == 1:
                    value = float(value.reshape(()))
                if not isinstance(value, int | float) or not 1e-6 <= value <= 10.0:
                    raise StudentError(
                        f"jacobian_benchmark row L={L}: {key} should be the seconds one Jacobian "
                        f"takes (between 1e-6 and 10), got {value!r}")
    checks.finish()
