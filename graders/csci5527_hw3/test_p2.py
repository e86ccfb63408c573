"""Hidden tests of CSCI 5527 HW3 Problem 2: fresh inputs per run, compared with reference/.

Messages name the function and the input shapes, never the input values.
"""

import torch
import torch.nn.functional as F

from graders.compare import Checks, as_pair, assert_close, assert_shape
from graders.errors import StudentError
from graders.plugin import graded
from reference import xcorr


def _where(*arrays) -> str:
    return " for inputs of shape " + ", ".join(str(a.shape) for a in arrays)


@graded("p2a", 0.75, "x ⋆ y and y ⋆ x on hidden vectors")
def test_xcorr1d(submission, rng):
    checks = Checks()
    for n1, n2 in [(3, 7), (6, 4), (5, 5), (1, 6), (9, 2)]:
        x, y = rng.standard_normal(n1), rng.standard_normal(n2)
        with checks.case():
            assert_close("xcorr1d", submission.call("xcorr1d", x, y), xcorr.xcorr1d(x, y),
                         where=_where(x, y))
        xy = xcorr.xcorr1d(x, y)
        with checks.case():
            assert_close("yx_from_xy", submission.call("yx_from_xy", xy), xcorr.xcorr1d(y, x),
                         where=f" for x ⋆ y of shape {xy.shape}")
    checks.finish()


@graded("p2b", 1.0, "C_w on hidden filters and lengths")
def test_xcorr_matrix(submission, rng):
    checks = Checks()
    for m, n in [(3, 4), (2, 7), (5, 3), (4, 4)]:
        w = rng.standard_normal(m)
        with checks.case():
            assert_close("xcorr_matrix", submission.call("xcorr_matrix", w, n),
                         xcorr.xcorr_matrix(w, n), where=f" for len(w)={m}, n={n}")
    checks.finish()


@graded("p2c", 1.0, "d(w ⋆ x)/dw on hidden vectors, against autograd")
def test_xcorr_jacobian(submission, rng):
    checks = Checks()
    for m, n in [(3, 4), (2, 6), (5, 3)]:
        w, x = rng.standard_normal(m), rng.standard_normal(n)
        expected = torch.autograd.functional.jacobian(  # torch's conv1d is a cross-correlation
            lambda w_, x=x, m=m: F.conv1d(torch.from_numpy(x)[None, None], w_[None, None],
                                          padding=m - 1)[0, 0],
            torch.from_numpy(w)).numpy()
        with checks.case():
            assert_close("xcorr_jacobian", submission.call("xcorr_jacobian", w, x), expected,
                         where=_where(w, x))
    checks.finish()


@graded("p2d", 1.0, "Z1 ⋆ Z2 on hidden matrices")
def test_xcorr2d(submission, rng):
    checks = Checks()
    for s1, s2 in [((3, 3), (8, 7)), ((4, 2), (5, 6)), ((6, 6), (3, 3)), ((1, 5), (4, 4))]:
        Z1, Z2 = rng.standard_normal(s1), rng.standard_normal(s2)
        with checks.case():
            assert_close("xcorr2d", submission.call("xcorr2d", Z1, Z2), xcorr.xcorr2d(Z1, Z2),
                         where=_where(Z1, Z2))
    checks.finish()


@graded("p2e", 1.0, "gradient magnitude of hidden images")
def test_gradient_magnitude(submission, rng):
    checks = Checks()
    for shape in [(20, 30), (17, 9)]:
        Y = rng.standard_normal(shape).cumsum(axis=0).cumsum(axis=1)  # smooth, with gradients
        with checks.case():
            assert_close("gradient_magnitude", submission.call("gradient_magnitude", Y),
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
            got = as_pair(submission.call("match_template", template, image), "match_template")
            if got != (row, col):
                raise StudentError(
                    f"match_template: missed the template of shape {(h, w)} in an image of "
                    f"shape {(H, W)} (got ({got[0]:g}, {got[1]:g}))")
    checks.finish()


@graded("p2g", 1.0, "multichannel cross-correlation on hidden tensors")
def test_xcorr_multichannel(submission, rng):
    checks = Checks()
    for (h, w, D), (H, W) in [((3, 3, 5), (12, 10)), ((2, 4, 3), (7, 9)), ((5, 5, 2), (5, 6))]:
        X, Y = rng.standard_normal((h, w, D)), rng.standard_normal((H, W, D))
        with checks.case():
            got = assert_shape("xcorr_multichannel", submission.call("xcorr_multichannel", X, Y),
                               (H + h - 1, W + w - 1), where=_where(X, Y))
            assert_close("xcorr_multichannel", got, xcorr.xcorr_multichannel(X, Y),
                         where=_where(X, Y))
    checks.finish()
