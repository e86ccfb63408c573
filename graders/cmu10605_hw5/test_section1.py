"""Hidden tests of 10-605 HW5 Section 1: the twelve terms of 1.1 and the L-layer network in code
(against reference.backprop, itself tested against autograd), and the operation counts of 1.2(b)
and (d), typed in answer cells and checked against theory/cmu10605_backprop_op_counts.py.

1.1 is graded on integer-valued inputs where some pre-activations are exactly zero and some
negative; at q = 0 the ReLU has no derivative and any subgradient in [0, 1] is right, so the terms
pass when they agree with the choice 0 (autograd's) or 1 (q >= 0). The operation counts depend on
what one counts (the handout leaves it open): the student names a convention of the template's
list, and the count must be the one that convention gives, as an expression in L.
"""

import numpy as np
import pytest

from graders.answer_cells import answer_text, grade_choice, grade_closed_form, normalize_choice
from graders.compare import Checks, assert_close
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import backprop
from theory.cmu10605_backprop_op_counts import BACKWARD_OPS, FORWARD_OPS, Lsym

TERMS = ("dL_dp", "dp_dW2", "dL_dW2", "dL_db2", "dp_dh", "dh_dq", "dL_dh", "dL_dq", "dq_dW1",
         "dq_db1", "dL_dW1", "dL_db1")
# convention -> (forward count, backward count), from theory's 3L + 4 and 3L + 3 (convention a):
# (b) leaves out the loss (2 operations) and dL/dp = 2 (p - y) (2); (c) counts each of the L + 1
# multiply-adds of the forward pass as one operation (the width-1 backward pass has none).
CONVENTIONS = {"a": (FORWARD_OPS, BACKWARD_OPS), "b": (FORWARD_OPS - 2, BACKWARD_OPS - 2),
               "c": (FORWARD_OPS - (Lsym + 1), BACKWARD_OPS),
               "d": (FORWARD_OPS - (Lsym + 1) - 2, BACKWARD_OPS - 2)}
DOMINATES = ("matrix multiplies", "nonlinearities", "neither")
# width 1: the products outnumber the ReLUs about two to one, yet both grow like L
DOMINANT = ("matrix multiplies", "neither")


def _one_example(rng):
    """Integer-valued float64 inputs; rows 0 and 1 of q are exactly 0 and negative."""
    D, H1, H2 = (int(n) for n in rng.integers(2, 6, size=3))
    W1 = rng.integers(-3, 4, size=(H1, D)).astype(float)
    x = rng.integers(-3, 4, size=D).astype(float)
    b1 = rng.integers(-3, 4, size=H1).astype(float)
    b1[0] = -(W1[0] @ x)
    b1[1] = -(W1[1] @ x) - 2
    W2, b2, y = (rng.integers(-3, 4, size=s).astype(float) for s in ((H2, H1), H2, H2))
    return W1, b1, W2, b2, x, y


@graded("s11_code", 4.0, "twelve_terms against autograd, with zero and negative q")
def test_twelve_terms(submission, rng):
    import torch

    checks = Checks()
    for _ in range(3):
        inputs = _one_example(rng)
        tensors = [torch.from_numpy(a) for a in inputs]
        readings = [{k: v.numpy() for k, v in backprop.twelve_terms(*tensors,
                                                                    relu_grad_at_zero=s).items()}
                    for s in (0.0, 1.0)]
        where = (" where q_1 = 0 and q_2 < 0" + drawn(
            f" (D={inputs[4].size}, H1={inputs[1].size}, H2={inputs[3].size})"))
        try:
            got = submission.call("twelve_terms", *[AsTorch(a) for a in inputs])
            if not isinstance(got, dict):
                raise StudentError(f"twelve_terms: expected a dict of tensors, got "
                                   f"{type(got).__name__}")
        except StudentError as err:
            got = err
        for name in TERMS:
            with checks.case():
                if isinstance(got, StudentError):
                    raise got
                if name not in got:
                    raise StudentError(f"twelve_terms: no key {name!r} in the result")
                try:
                    assert_close(f"twelve_terms(...)[{name!r}]", got[name], readings[1][name],
                                 where=where)
                except StudentError:
                    assert_close(f"twelve_terms(...)[{name!r}]", got[name], readings[0][name],
                                 where=where)
    checks.finish()


def _network(rng, sizes, N):
    Ws = [rng.standard_normal((m, n)) / np.sqrt(n) for n, m in zip(sizes, sizes[1:])]
    bs = [rng.standard_normal(m) * 0.5 for m in sizes[1:]]
    return Ws, bs, rng.standard_normal((N, sizes[0])), rng.standard_normal((N, sizes[-1]))


def _shapes(rng):
    """Several depths L (hidden layers) and widths."""
    return [[3, 4, 2], [4, 5, 3], [2, 6, 1], [5, 4, 7, 3, 2],
            [int(n) for n in rng.integers(1, 8, size=int(rng.integers(4, 7)))]]


def _where(sizes, N):
    """The network's drawn sizes, for staff only."""
    return drawn(f" for L={len(sizes) - 2} hidden layers, sizes {sizes}, N={N}")


@graded("s12_forward", 2.0, "mlp_forward against the reference, several depths and widths")
def test_forward(submission, rng):
    import torch

    checks = Checks()
    for sizes in _shapes(rng):
        Ws, bs, X, _ = _network(rng, sizes, 6)
        expected = backprop.mlp_forward(*([torch.from_numpy(a) for a in group]
                                          for group in (Ws, bs)), torch.from_numpy(X))
        with checks.case():
            got = submission.call("mlp_forward", [AsTorch(W) for W in Ws],
                                  [AsTorch(b) for b in bs], AsTorch(X))
            assert_close("mlp_forward", got, expected.numpy(), where=_where(sizes, 6))
    checks.finish()


@graded("s12_backward", 4.0, "mlp_backward against autograd, several depths and widths")
def test_backward(submission, rng):
    import torch

    checks = Checks()
    for sizes in _shapes(rng):
        Ws, bs, X, Y = _network(rng, sizes, 5)
        dWs, dbs = backprop.mlp_backward(*([torch.from_numpy(a) for a in group]
                                           for group in (Ws, bs)),
                                         torch.from_numpy(X), torch.from_numpy(Y))
        with checks.case():
            got = submission.call("mlp_backward", [AsTorch(W) for W in Ws],
                                  [AsTorch(b) for b in bs], AsTorch(X), AsTorch(Y))
            if not isinstance(got, list) or len(got) != 2 or not all(
                    isinstance(g, list) and len(g) == len(Ws) for g in got):
                raise StudentError(f"mlp_backward: expected (dWs, dbs), two lists of one "
                                   f"tensor per layer{_where(sizes, 5)}")
            for kind, gots, wants in (("dWs", got[0], dWs), ("dbs", got[1], dbs)):
                for layer, (g, w) in enumerate(zip(gots, wants)):
                    assert_close(f"mlp_backward: {kind}[{layer}]", g, w.numpy(),
                                 where=_where(sizes, 5))
    checks.finish()


@pytest.mark.parametrize("part, index", [
    pytest.param("s12b", 0, marks=pytest.mark.graded(
        "s12b", 3.0, "forward count, consistent with the stated convention")),
    pytest.param("s12d", 1, marks=pytest.mark.graded(
        "s12d", 3.0, "backward count, consistent with the stated convention")),
])
def test_count(submission, part, index):
    convention = normalize_choice(answer_text(submission.nb, f"{part}_convention"))
    if convention not in CONVENTIONS:
        raise StudentError(f"{part}_convention: {convention!r} is not one of the conventions "
                           f"({', '.join(CONVENTIONS)})")
    what = ("forward pass", "backward pass")[index]
    grade_closed_form(submission.nb, f"{part}_count", CONVENTIONS[convention][index],
                      symbols={"L": {"positive": True, "integer": True}},
                      label=f"{part}_count (the {what} under convention ({convention}))")


@pytest.mark.parametrize("part", [
    pytest.param("s12b", marks=pytest.mark.graded("s12b", 2.0, "what dominates the forward pass")),
    pytest.param("s12d", marks=pytest.mark.graded("s12d", 2.0, "what dominates backpropagation")),
])
def test_dominates(submission, part):
    grade_choice(submission.nb, f"{part}_dominates", DOMINANT, DOMINATES)
