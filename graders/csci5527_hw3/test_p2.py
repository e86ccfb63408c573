"""Hidden tests of CSCI 5527 HW3 Problem 2: fresh inputs per run, compared with reference/.

Messages name the function and the input shapes, never the input values.
"""

import numpy as np
import torch
import torch.nn.functional as F

from graders.compare import Checks, as_pair, assert_close, assert_shape
from graders.errors import StudentError, drawn
from graders.plugin import graded
from graders.substitute import with_correct
from reference import xcorr

# P2's functions may call the notebook's xcorr1d, xcorr_matrix or xcorr2d; each question is graded
# with correct ones written here in their place, so a mistake there costs its own question only.
CORRECT_HELPERS = '''
import numpy as np


def xcorr1d(x, y):
    n1 = len(x)
    padded = np.concatenate([np.zeros(n1 - 1), y, np.zeros(n1 - 1)])
    return np.array([padded[k:k + n1] @ x for k in range(len(y) + n1 - 1)])


def xcorr_matrix(w, n):
    m = len(w)
    C = np.zeros((m + n - 1, n))
    for j in range(n):
        C[j:j + m, j] = w[::-1]
    return C


def xcorr2d(Z1, Z2):
    (n1, n2), (m1, m2) = Z1.shape, Z2.shape
    padded = np.pad(Z2, ((n1 - 1, n1 - 1), (n2 - 1, n2 - 1)))
    return np.array([[np.sum(padded[r:r + n1, c:c + n2] * Z1) for c in range(n2 + m2 - 1)]
                     for r in range(n1 + m1 - 1)])
'''
WITH_CORRECT_1D = with_correct(CORRECT_HELPERS, ("xcorr1d",))
WITH_CORRECT_1D_AND_MATRIX = with_correct(CORRECT_HELPERS, ("xcorr1d", "xcorr_matrix"))
WITH_CORRECT_2D = with_correct(CORRECT_HELPERS, ("xcorr1d", "xcorr2d"))


def _where(*arrays) -> str:
    """The drawn inputs' shapes: shown to staff, dropped from what students see of a hidden test."""
    return drawn(" for inputs of shape " + ", ".join(str(a.shape) for a in arrays))


# Partial credit is for partly right functions: the handout's own example (m = 3, n = 4; a 3 x 3
# filter) is always graded together with another size, so code written for that case alone earns
# nothing, and the one-line yx_from_xy is one check beside five of xcorr1d.
XCORR1D_SHAPES = [(3, 7), (6, 4), (5, 5), (1, 6), (9, 2)]


@graded("p2a", 0.75, "x ⋆ y on hidden vectors, and y ⋆ x from x ⋆ y")
def test_xcorr1d(submission, rng):
    checks = Checks()
    pairs = [(rng.standard_normal(n1), rng.standard_normal(n2)) for n1, n2 in XCORR1D_SHAPES]
    with checks.case():
        for x, y in pairs:
            xy = xcorr.xcorr1d(x, y)
            assert_close("yx_from_xy", submission.call("yx_from_xy", xy), xcorr.xcorr1d(y, x),
                         where=drawn(f" for x ⋆ y of shape {xy.shape}"))
    for x, y in pairs:
        with checks.case():
            assert_close("xcorr1d", submission.call("xcorr1d", x, y), xcorr.xcorr1d(x, y),
                         where=_where(x, y))
    checks.finish()


@graded("p2b", 1.0, "C_w on hidden filters and lengths")
def test_xcorr_matrix(submission, rng):
    checks = Checks()
    for sizes in [((3, 4), (2, 7)), ((5, 3),), ((4, 4), (1, 5))]:  # m < n, m > n, m = n or 1
        with checks.case():
            for m, n in sizes:
                w = rng.standard_normal(m)
                got = submission.call("xcorr_matrix", w, n, code=WITH_CORRECT_1D)
                assert_close("xcorr_matrix", got, xcorr.xcorr_matrix(w, n),
                             where=drawn(f" for len(w)={m}, n={n}"))
    checks.finish()


@graded("p2c", 1.0, "d(w ⋆ x)/dw on hidden vectors, against autograd")
def test_xcorr_jacobian(submission, rng):
    checks = Checks()
    for sizes in [((3, 4), (2, 6)), ((5, 3),), ((4, 4), (1, 3))]:  # m < n, m > n, m = n or 1
        with checks.case():
            for m, n in sizes:
                w, x = rng.standard_normal(m), rng.standard_normal(n)
                got = submission.call("xcorr_jacobian", w, x, code=WITH_CORRECT_1D_AND_MATRIX)
                assert_close("xcorr_jacobian", got, _autograd_jacobian(w, x), where=_where(w, x))
    checks.finish()


def _autograd_jacobian(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    """d(w ⋆ x)/dw by autograd: torch's conv1d is a cross-correlation. -> (m + n - 1, m)"""
    return torch.autograd.functional.jacobian(
        lambda w_: F.conv1d(torch.from_numpy(x)[None, None], w_[None, None],
                            padding=len(w) - 1)[0, 0], torch.from_numpy(w)).numpy()


@graded("p2d", 1.0, "Z1 ⋆ Z2 on hidden matrices")
def test_xcorr2d(submission, rng):
    checks = Checks()
    for shapes in [(((3, 3), (8, 7)), ((4, 2), (5, 6))), (((6, 6), (3, 3)),),
                   (((1, 5), (4, 4)),)]:
        with checks.case():
            for s1, s2 in shapes:
                Z1, Z2 = rng.standard_normal(s1), rng.standard_normal(s2)
                assert_close("xcorr2d", submission.call("xcorr2d", Z1, Z2),
                             xcorr.xcorr2d(Z1, Z2), where=_where(Z1, Z2))
    checks.finish()


@graded("p2e", 1.0, "gradient magnitude of hidden images")
def test_gradient_magnitude(submission, rng):
    checks = Checks()
    for shape in [(20, 30), (17, 9)]:
        Y = rng.standard_normal(shape).cumsum(axis=0).cumsum(axis=1)  # smooth, with gradients
        with checks.case():
            assert_close("gradient_magnitude", submission.call("gradient_magnitude", Y,
                                                             code=WITH_CORRECT_2D),
                         xcorr.gradient_magnitude(Y), where=_where(Y))
    checks.finish()


@graded("p2f", 1.0, "finds templates planted in hidden images")
def test_match_template(submission, rng):
    checks = Checks()
    for (H, W), (h, w) in [((60, 70), (8, 9)), ((45, 45), (12, 6)), ((50, 40), (7, 7))]:
        image = rng.standard_normal((H, W))
        row, col = int(rng.integers(0, H - h + 1)), int(rng.integers(0, W - w + 1))
        template = image[row:row + h, col:col + w].copy()
        with checks.case():
            got = as_pair(submission.call("match_template", template, image,
                                          code=WITH_CORRECT_2D), "match_template")
            if got != (row, col):
                detail = (f" of shape {(h, w)} in an image of shape {(H, W)} "
                          f"(got ({got[0]:g}, {got[1]:g}))")
                raise StudentError(f"match_template: missed the template{drawn(detail)}")
    checks.finish()


@graded("p2g", 1.0, "multichannel cross-correlation on hidden tensors")
def test_xcorr_multichannel(submission, rng):
    checks = Checks()
    for shapes in [(((3, 3, 5), (12, 10)), ((4, 2, 3), (8, 6))), (((2, 4, 3), (7, 9)),),
                   (((5, 5, 2), (5, 6)),)]:
        with checks.case():
            for (h, w, D), (H, W) in shapes:
                X, Y = rng.standard_normal((h, w, D)), rng.standard_normal((H, W, D))
                got = assert_shape("xcorr_multichannel",
                                   submission.call("xcorr_multichannel", X, Y,
                                                   code=WITH_CORRECT_2D),
                                   (H + h - 1, W + w - 1), where=_where(X, Y))
                assert_close("xcorr_multichannel", got, xcorr.xcorr_multichannel(X, Y),
                             where=_where(X, Y))
    checks.finish()
