"""Public checks of CSCI 5527 HW3 P2-P3: fixed inputs, expected values from numpy, scipy and torch.

They earn no points: they tell a student, before submitting, whether each function has the
right contract. The hidden tests grade the same functions on inputs drawn at grading time.
"""

import numpy as np
import scipy.signal
import torch
import torch.nn.functional as F

from graders.compare import as_pair, assert_close, assert_shape
from graders.errors import StudentError
from graders.kernel import AsTorch
from graders.plugin import graded

RNG = np.random.default_rng(5527)


@graded("p2a", 0, "public check: [3, 2, 1] ⋆ [4, 6, 3, 9] and its reverse")
def test_xcorr1d_example(submission):
    x, y = np.array([3.0, 2.0, 1.0]), np.array([4.0, 6.0, 3.0, 9.0])
    xy = submission.call("xcorr1d", x, y)
    assert_close("xcorr1d", xy, np.correlate(y, x, "full"), where=" for x=[3,2,1], y=[4,6,3,9]")
    assert_close("yx_from_xy", submission.call("yx_from_xy", np.correlate(y, x, "full")),
                 np.correlate(x, y, "full"), where=" for x=[3,2,1], y=[4,6,3,9]")


@graded("p2b", 0, "public check: C_w @ x equals w ⋆ x")
def test_xcorr_matrix(submission):
    w, x = RNG.standard_normal(3), RNG.standard_normal(4)
    C = assert_shape("xcorr_matrix", submission.call("xcorr_matrix", w, 4), (6, 4),
                     where=" for len(w)=3, n=4")
    assert_close("xcorr_matrix(w, 4) @ x", C @ x, np.correlate(x, w, "full"),
                 where=" for len(w)=3, n=4")


@graded("p2c", 0, "public check: the Jacobian equals autograd's")
def test_xcorr_jacobian(submission):
    w, x = RNG.standard_normal(3), RNG.standard_normal(4)
    expected = torch.autograd.functional.jacobian(
        lambda w_: F.conv1d(torch.from_numpy(x)[None, None], w_[None, None], padding=2)[0, 0],
        torch.from_numpy(w))
    assert_close("xcorr_jacobian", submission.call("xcorr_jacobian", w, x), expected.numpy(),
                 where=" for len(w)=3, len(x)=4")


@graded("p2d", 0, "public check: xcorr2d equals scipy.signal.correlate2d(Z2, Z1, 'full')")
def test_xcorr2d(submission):
    Z1, Z2 = RNG.standard_normal((3, 4)), RNG.standard_normal((6, 5))
    assert_close("xcorr2d", submission.call("xcorr2d", Z1, Z2),
                 scipy.signal.correlate2d(Z2, Z1, mode="full"), where=" for shapes (3, 4), (6, 5)")


@graded("p2e", 0, "public check: gradient magnitude of a small image")
def test_gradient_magnitude(submission):
    Y = RNG.standard_normal((12, 9))
    X1 = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])
    G1, G2 = (scipy.signal.correlate2d(Y, X, mode="full") for X in (X1, X1.T))
    assert_close("gradient_magnitude", submission.call("gradient_magnitude", Y),
                 np.sqrt(G1**2 + G2**2), where=" for an image of shape (12, 9)")


@graded("p2f", 0, "public check: finds a template cut from the image")
def test_match_template(submission):
    image = RNG.standard_normal((40, 50))
    got = as_pair(submission.call("match_template", image[7:15, 30:41].copy(), image),
                  "match_template")
    if got != (7, 30):
        raise StudentError(f"match_template: expected (7, 30), got ({got[0]:g}, {got[1]:g})")


@graded("p2g", 0, "public check: multichannel equals torch conv2d with padding (h-1, w-1)")
def test_xcorr_multichannel(submission):
    X, Y = RNG.standard_normal((3, 3, 4)), RNG.standard_normal((10, 8, 4))
    expected = F.conv2d(torch.from_numpy(Y).permute(2, 0, 1)[None],
                        torch.from_numpy(X).permute(2, 0, 1)[None], padding=(2, 2))[0, 0]
    assert_close("xcorr_multichannel", submission.call("xcorr_multichannel", X, Y),
                 expected.numpy(), where=" for X (3, 3, 4), Y (10, 8, 4)")


def _torch_norm(kind: str, x: torch.Tensor, eps: float) -> torch.Tensor:
    nchw = x.permute(3, 2, 0, 1)
    if kind == "batch_norm":
        out = F.batch_norm(nchw, None, None, training=True, eps=eps)
    elif kind == "layer_norm":
        out = F.layer_norm(nchw, nchw.shape[1:], eps=eps)
    else:
        out = F.instance_norm(nchw, eps=eps)
    return out.permute(2, 3, 1, 0)


def _check_norm(submission, kind: str):
    """With eps = 0 (which the handout allows), so that where eps goes does not matter here."""
    x = torch.from_numpy(RNG.standard_normal((6, 5, 4, 3)))
    got = submission.call(kind, AsTorch(x.numpy()), eps=0.0)
    # torch's batch norm refuses eps = 0 in training mode; the smallest float64 is absorbed by var
    assert_close(kind, got, _torch_norm(kind, x, float(np.finfo(np.float64).tiny)).numpy(),
                 where=" for x of shape (6, 5, 4, 3), eps=0")


@graded("p3_batch", 0, "public check: batch norm equals torch's")
def test_batch_norm(submission):
    _check_norm(submission, "batch_norm")


@graded("p3_layer", 0, "public check: layer norm equals torch's")
def test_layer_norm(submission):
    _check_norm(submission, "layer_norm")


@graded("p3_instance", 0, "public check: instance norm equals torch's")
def test_instance_norm(submission):
    _check_norm(submission, "instance_norm")
