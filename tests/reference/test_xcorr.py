"""reference.xcorr against numpy, scipy.signal and torch (float64), both 2-D methods forced."""

import ast
import inspect

import numpy as np
import pytest
import scipy.signal
import torch
import torch.nn.functional as F

from reference import xcorr
from reference.xcorr import (
    SCHARR_X,
    gradient_magnitude,
    match_template,
    xcorr1d,
    xcorr2d,
    xcorr_jacobian,
    xcorr_matrix,
    xcorr_multichannel,
    yx_from_xy,
)

# (Z1 shape, Z2 shape): square, non-square, single rows/columns, a filter larger than the image
SHAPES_2D = [
    ((3, 3), (5, 5)),
    ((2, 7), (9, 4)),
    ((1, 5), (1, 8)),
    ((5, 1), (3, 6)),
    ((1, 1), (4, 4)),
    ((1, 1), (1, 1)),
    ((6, 8), (3, 2)),
    ((10, 12), (4, 5)),
    ((31, 31), (40, 33)),
]
# (X shape, Y shape) for the multichannel version: the handout's case first
SHAPES_MC = [
    ((3, 3, 50), (50, 50, 50)),
    ((5, 2, 4), (9, 13, 4)),
    ((1, 1, 3), (6, 7, 3)),
    ((8, 9, 2), (5, 4, 2)),
    ((1, 4, 1), (7, 3, 1)),
    ((21, 21, 3), (30, 30, 3)),
]
METHODS = ["auto", "direct", "fft"]


def rng(seed=0):
    return np.random.default_rng(seed)


def assert_xcorr_close(got, want):
    """float64 rounding only; the FFT's error scales with the largest entry."""
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-10 * max(1.0, np.abs(want).max()))


@pytest.fixture(params=METHODS)
def method(request, monkeypatch):
    """Run the test with the cost model's choice, then with each 2-D method forced."""
    if request.param != "auto":
        monkeypatch.setattr(xcorr, "_use_fft", lambda *shapes: request.param == "fft")
    return request.param


# ----------------------------------------------------------------------------- 1-D


def test_xcorr1d_worked_example():
    got = xcorr1d([3, 2, 1], [4, 6, 3, 9])
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [4, 14, 27, 33, 27, 27])
    np.testing.assert_array_equal(xcorr1d([4, 6, 3, 9], [3, 2, 1]), [27, 27, 33, 27, 14, 4])


@pytest.mark.parametrize("n1, n2", [(1, 1), (1, 6), (6, 1), (3, 4), (4, 3), (7, 20), (20, 7)])
def test_xcorr1d_matches_numpy_and_reverses(n1, n2):
    x, y = rng(n1 * 31 + n2).standard_normal((2, max(n1, n2)))
    x, y = x[:n1], y[:n2]
    xy = xcorr1d(x, y)
    assert xy.shape == (n1 + n2 - 1,)
    np.testing.assert_allclose(xy, np.correlate(y, x, "full"), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(yx_from_xy(xy), xcorr1d(y, x), rtol=1e-12, atol=1e-12)


def test_xcorr_matrix_written_out():
    w1, w2, w3 = 2.0, 3.0, 5.0
    want = [
        [w3, 0, 0, 0],
        [w2, w3, 0, 0],
        [w1, w2, w3, 0],
        [0, w1, w2, w3],
        [0, 0, w1, w2],
        [0, 0, 0, w1],
    ]
    np.testing.assert_array_equal(xcorr_matrix([w1, w2, w3], 4), want)


@pytest.mark.parametrize("m", [1, 2, 3, 5])
@pytest.mark.parametrize("n", [1, 2, 4, 7])
def test_xcorr_matrix_times_x_is_xcorr(m, n):
    w, x = rng(10 * m + n).standard_normal(m), rng(n).standard_normal(n)
    C = xcorr_matrix(w, n)
    assert C.shape == (m + n - 1, n)
    np.testing.assert_allclose(C @ x, xcorr1d(w, x), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("m, n", [(3, 4), (1, 5), (5, 2), (4, 4)])
def test_xcorr_jacobian_matches_autograd(m, n):
    w, x = rng(m).standard_normal(m), rng(n + 7).standard_normal(n)
    xt = torch.from_numpy(x)

    def w_star_x(wt):  # torch's conv1d is a cross-correlation; padding m - 1 gives the full one
        return F.conv1d(xt.view(1, 1, n), wt.view(1, 1, m), padding=m - 1).view(-1)

    want = torch.autograd.functional.jacobian(w_star_x, torch.from_numpy(w)).numpy()
    J = xcorr_jacobian(w, x)
    assert J.shape == (m + n - 1, m)
    np.testing.assert_allclose(J, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J @ w, xcorr1d(w, x), rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- 2-D


@pytest.mark.parametrize("s1, s2", SHAPES_2D)
def test_xcorr2d_matches_scipy(s1, s2, method):
    g = rng(sum(s1) * 100 + sum(s2))
    Z1, Z2 = g.standard_normal(s1), g.standard_normal(s2)
    got = xcorr2d(Z1, Z2)
    assert got.shape == (s1[0] + s2[0] - 1, s1[1] + s2[1] - 1)
    assert got.dtype == np.float64
    assert_xcorr_close(got, scipy.signal.correlate2d(Z2, Z1, mode="full"))
    assert_xcorr_close(xcorr2d(Z2, Z1), got[::-1, ::-1])  # Z2 ⋆ Z1 is Z1 ⋆ Z2 flipped


@pytest.mark.parametrize("s1, s2", SHAPES_2D)
def test_xcorr2d_integers_exact(s1, s2, method):
    g = rng(7)
    Z1, Z2 = g.integers(-1000, 1000, s1), g.integers(-1000, 1000, s2)
    got = xcorr2d(Z1, Z2)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, scipy.signal.correlate2d(Z2, Z1, mode="full"))


def test_xcorr2d_accepts_lists():
    np.testing.assert_array_equal(xcorr2d([[1, 2]], [[3], [4]]), [[6, 3], [8, 4]])


@pytest.mark.parametrize(
    "d1, d2, want",
    [
        (np.float32, np.float32, np.float32),
        (np.int32, np.int64, np.float64),
        (np.int64, np.float32, np.float64),
        (np.float64, np.float32, np.float64),
    ],
)
def test_xcorr2d_dtype(d1, d2, want, method):
    Z1, Z2 = np.ones((3, 3), d1), np.ones((6, 5), d2)
    got = xcorr2d(Z1, Z2)
    assert got.dtype == want
    np.testing.assert_allclose(got[:3, :3], [[1, 2, 3], [2, 4, 6], [3, 6, 9]], rtol=1e-6)


@pytest.mark.parametrize(
    "Z1, Z2", [(np.ones(3), np.ones((3, 3))), (np.ones((0, 2)), np.ones((2, 2)))]
)
def test_xcorr2d_rejects_bad_shapes(Z1, Z2):
    with pytest.raises(ValueError, match="xcorr2d: expected non-empty 2-D arrays"):
        xcorr2d(Z1, Z2)


@pytest.mark.parametrize(
    "s1, s2, fft",
    [
        ((3, 3, 1), (512, 512, 1), False),
        ((2, 2, 1), (8, 8, 1), False),
        ((31, 31, 1), (512, 512, 1), True),
        ((64, 64, 1), (64, 64, 1), True),
        ((512, 512, 1), (31, 31, 1), True),  # symmetric in which argument is the filter
        ((3, 3, 50), (50, 50, 50), False),
        ((41, 41, 3), (256, 256, 3), True),
    ],
)
def test_method_choice(s1, s2, fft):
    assert xcorr._use_fft(s1, s2) is fft


def test_fast_len_is_smallest_5_smooth():
    smooth = sorted(
        2**a * 3**b * 5**c
        for a in range(12)
        for b in range(8)
        for c in range(6)
        if 2**a * 3**b * 5**c <= 2100
    )
    for n in range(1, 2049):
        assert xcorr._fast_len(n) == next(s for s in smooth if s >= n), n


# ----------------------------------------------------------------------------- applications


def smooth_field(shape, seed):
    """A smooth random image with edges: low-pass noise plus a bright rectangle."""
    noise = rng(seed).standard_normal(shape)
    k = np.exp(-0.5 * (np.arange(-6, 7) / 2.5) ** 2)
    img = np.apply_along_axis(np.convolve, 0, noise, k, "same")
    img = np.apply_along_axis(np.convolve, 1, img, k, "same")
    img[shape[0] // 4 : shape[0] // 2, shape[1] // 3 : shape[1] // 2] += 20.0
    return 100.0 * img


def test_scharr_filter():
    np.testing.assert_array_equal(SCHARR_X, [[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])


@pytest.mark.parametrize("shape", [(64, 80), (33, 20)])
def test_gradient_magnitude_matches_scipy(shape):
    Y = smooth_field(shape, seed=shape[0])
    G1 = scipy.signal.correlate2d(Y, SCHARR_X, mode="full")
    G2 = scipy.signal.correlate2d(Y, SCHARR_X.T, mode="full")
    got = gradient_magnitude(Y)
    assert got.shape == (shape[0] + 2, shape[1] + 2)
    assert_xcorr_close(got, np.sqrt(G1**2 + G2**2))


def test_gradient_magnitude_of_a_ramp():
    """Inside the image, a ramp of slope a along the columns has gradient magnitude 32 a."""
    Y = 0.5 * np.arange(12.0)[None, :].repeat(9, axis=0)
    np.testing.assert_allclose(gradient_magnitude(Y)[2:-2, 2:-2], 16.0, rtol=1e-12)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize(
    "corner, size",
    [
        ((0, 0), (8, 8)),
        ((52, 62), (8, 8)),
        ((13, 41), (7, 11)),
        ((0, 59), (12, 11)),
        ((30, 0), (5, 9)),
    ],
)
def test_match_template_finds_planted_patch(seed, corner, size):
    image = rng(seed).standard_normal((60, 70))
    (r, c), (h, w) = corner, size
    template = image[r : r + h, c : c + w].copy()
    assert match_template(template, image) == (r, c)
    # the scipy way of the same computation agrees
    corr = scipy.signal.correlate2d(image - image.mean(), template - template.mean(), mode="full")
    i, j = np.unravel_index(np.argmax(corr), corr.shape)
    assert (i - h + 1, j - w + 1) == (r, c)


def test_match_template_returns_ints():
    image = rng(3).integers(0, 255, (20, 30))
    got = match_template(image[4:9, 10:16], image)
    assert got == (4, 10) and all(type(v) is int for v in got)


@pytest.mark.parametrize("sx, sy", SHAPES_MC)
def test_xcorr_multichannel_matches_conv2d(sx, sy, method):
    g = rng(sum(sx) + 10 * sum(sy))
    X, Y = g.standard_normal(sx), g.standard_normal(sy)
    (h, w, _), (H, W, _) = sx, sy
    weight = torch.from_numpy(X).permute(2, 0, 1)[None]  # (1, D, h, w)
    inp = torch.from_numpy(Y).permute(2, 0, 1)[None]  # (1, D, H, W)
    want = F.conv2d(inp, weight, padding=(h - 1, w - 1))[0, 0].numpy()
    got = xcorr_multichannel(X, Y)
    assert got.shape == (H + h - 1, W + w - 1)
    assert_xcorr_close(got, want)
    # the same as summing the 2-D cross-correlations of each channel
    assert_xcorr_close(got, sum(xcorr2d(X[:, :, d], Y[:, :, d]) for d in range(sx[2])))


@pytest.mark.parametrize("sx, sy", SHAPES_MC)
def test_xcorr_multichannel_integers_exact(sx, sy, method):
    g = rng(11)
    X, Y = g.integers(-100, 100, sx), g.integers(-100, 100, sy)
    want = sum(scipy.signal.correlate2d(Y[:, :, d], X[:, :, d], mode="full") for d in range(sx[2]))
    np.testing.assert_array_equal(xcorr_multichannel(X, Y), want)


def test_xcorr_multichannel_rejects_depth_mismatch():
    with pytest.raises(ValueError, match=r"same D, got shapes \(3, 3, 2\) and \(5, 5, 3\)"):
        xcorr_multichannel(np.ones((3, 3, 2)), np.ones((5, 5, 3)))


# ----------------------------------------------------------------------------- notebook pasting

NOTEBOOK_IMPORTS = (
    "import math\nimport numpy as np\nimport scipy.signal\nimport torch\n"
    "import torch.nn.functional as F\n"
)
XCORR_2D = ["_use_fft", "_fast_len", "_xcorr_direct", "_xcorr_fft", "xcorr2d"]
# public function -> everything pasted with it, as the module docstring lists
PASTED = {
    "xcorr1d": [],
    "yx_from_xy": [],
    "xcorr_matrix": [],
    "xcorr_jacobian": [],
    "xcorr2d": XCORR_2D,
    "gradient_magnitude": ["SCHARR_X", *XCORR_2D],
    "match_template": XCORR_2D,
    "xcorr_multichannel": XCORR_2D[:-1],
}
# names that the cells of Problem 2 may not use: the library routines being reimplemented
FORBIDDEN = {"scipy", "signal", "torch", "F", "correlate", "correlate2d", "convolve", "conv2d"}


def paste(names):
    """Execute the sources of names after the notebook's imports; return the namespace."""
    ns = {}
    exec(NOTEBOOK_IMPORTS, ns)
    for name in names:
        obj = getattr(xcorr, name)
        src = inspect.getsource(obj) if callable(obj) else f"{name} = np.array({obj.tolist()})\n"
        exec(src, ns)
    return ns


def used_names(name):
    tree = ast.parse(inspect.getsource(getattr(xcorr, name)))
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
    }


@pytest.mark.parametrize("name", PASTED)
def test_pasted_function_runs_alone(name):
    ns = paste([*PASTED[name], name])
    g = rng(5)
    args = {
        "xcorr1d": (g.standard_normal(4), g.standard_normal(6)),
        "yx_from_xy": (g.standard_normal(5),),
        "xcorr_matrix": (g.standard_normal(3), 4),
        "xcorr_jacobian": (g.standard_normal(3), g.standard_normal(4)),
        "xcorr2d": (g.standard_normal((31, 31)), g.standard_normal((40, 45))),  # the FFT path
        "gradient_magnitude": (g.standard_normal((20, 30)),),  # the direct path
        "match_template": (g.standard_normal((4, 5)), g.standard_normal((20, 30))),
        "xcorr_multichannel": (g.standard_normal((3, 3, 4)), g.standard_normal((9, 8, 4))),
    }[name]
    np.testing.assert_array_equal(ns[name](*args), getattr(xcorr, name)(*args))


@pytest.mark.parametrize("name", PASTED)
def test_pasted_function_uses_no_library_xcorr(name):
    for dep in [name, *PASTED[name]]:
        if callable(getattr(xcorr, dep)):
            assert not used_names(dep) & FORBIDDEN, dep
