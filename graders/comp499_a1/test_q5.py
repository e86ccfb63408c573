"""Hidden tests of COMP 499/691 A1 Question 5: least squares, and gradient-descent iterates in
closed form checked against running gradient descent step by step (reference.least_squares)."""

import numpy as np

from graders.compare import Checks, assert_close
from graders.errors import StudentError, drawn
from graders.plugin import graded
from reference import least_squares

SHAPES = [(12, 3), (30, 7), (6, 6)]  # (N, D), full column rank
WIDE = (4, 9)  # N < D: X^T X is singular, gradient descent still has a closed form


def _problem(rng, N, D):
    """X (N, D), y (N,), w (D,). The rank is what the question assumes, whatever the seed: with
    N >= D, X has singular values in [0.5, 2] (X^T X is well conditioned: solving with it is
    accurate); with N < D, X's last column is zero besides, so X^T X is exactly singular and
    solving with it fails every time, not only for unlucky draws."""
    rank = min(N, D - (N < D))
    U = np.linalg.qr(rng.standard_normal((N, rank)))[0]
    V = np.linalg.qr(rng.standard_normal((D - (N < D), rank)))[0]
    X = U @ np.diag(rng.uniform(0.5, 2.0, rank)) @ V.T
    if N < D:
        X = np.hstack([X, np.zeros((N, 1))])
    return X, rng.standard_normal(N), rng.standard_normal(D)


def _shape(N: int, D: int) -> str:
    """X's shape, for staff only (drawn): the hidden data's size is not the student's to see."""
    return drawn(f" for X of shape {(N, D)}")


def _step(X, fraction: float) -> float:
    """fraction / lambda_max(X^T X): below 2 / lambda_max gradient descent converges."""
    return fraction / np.linalg.norm(X, 2) ** 2


@graded("q5a", 2.0, "ls_gradient and ls_minimizer on hidden data")
def test_gradient_and_minimizer(submission, rng):
    checks = Checks()
    for N, D in [*SHAPES, WIDE]:
        X, y, w = _problem(rng, N, D)
        with checks.case():
            assert_close("ls_gradient", submission.call("ls_gradient", X, w, y),
                         least_squares.ls_gradient(X, w, y), where=_shape(N, D))
    for N, D in SHAPES:
        X, y, _ = _problem(rng, N, D)
        with checks.case():
            assert_close("ls_minimizer", submission.call("ls_minimizer", X, y),
                         np.linalg.lstsq(X, y, rcond=None)[0], where=_shape(N, D))
    checks.finish()


@graded("q5b", 3.0, "gd_first_iterates against one and two steps of gradient descent")
def test_first_iterates(submission, rng):
    checks = Checks()
    for (N, D), fraction in zip([*SHAPES, WIDE], (0.2, 1.0, 1.9, 0.5)):
        X, y, w0 = _problem(rng, N, D)
        alpha = _step(X, fraction)
        with checks.case():
            got = submission.call("gd_first_iterates", X, y, w0, alpha)
            if not isinstance(got, list) or len(got) != 2:
                raise StudentError(f"gd_first_iterates: expected a pair (w1, w2), got {got!r:.80}")
            for k, value in enumerate(got, start=1):
                assert_close(f"gd_first_iterates: w{k}", value,
                             least_squares.gradient_descent(X, y, w0, alpha, k),
                             where=f"{_shape(N, D)} with alpha = {fraction} / lambda_max")
    checks.finish()


@graded("q5c", 4.0, "gd_iterate(k) against k steps of gradient descent, several k and steps")
def test_closed_form_iterate(submission, rng):
    checks = Checks()
    for (N, D), fraction in zip([*SHAPES, WIDE], (0.3, 1.0, 1.8, 0.7)):
        X, y, w0 = _problem(rng, N, D)
        alpha = _step(X, fraction)
        with checks.case():
            for k in (0, 1, 2, 5, 40):
                assert_close(f"gd_iterate(..., k={k})",
                             submission.call("gd_iterate", X, y, w0, alpha, k),
                             least_squares.gradient_descent(X, y, w0, alpha, k),
                             where=f"{_shape(N, D)} with alpha = {fraction} / lambda_max")
    checks.finish()
