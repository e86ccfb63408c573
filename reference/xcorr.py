"""Cross-correlation from 1-D vectors to multichannel images (CSCI 5527 HW3, Problem 2).

`x ⋆ y` keeps y fixed and slides x across it, from x[-1] over y[0] to x[0] over y[-1]:

    (x ⋆ y)[k] = sum_i x[i] * y[i + k - len(x) + 1]      (zero outside y),  k = 0 .. n1+n2-2

so `x ⋆ y == np.correlate(y, x, "full")` and `y ⋆ x` is `x ⋆ y` reversed. The 2-D version does the
same along both axes, scanning row by row, so `Z1 ⋆ Z2 == scipy.signal.correlate2d(Z2, Z1, "full")`
(note the swapped arguments). Everything here is plain numpy; the 2-D and multichannel versions
sum shifted slices for small filters and multiply FFTs for large ones, whichever a cost model
predicts is cheaper, as `scipy.signal.correlate(method="auto")` does.

The public functions are pasted into the solution notebook (which imports math, numpy as np,
scipy.signal, torch and torch.nn.functional as F) together with the private helpers they call:

    xcorr1d, yx_from_xy, xcorr_matrix, xcorr_jacobian: none
    xcorr2d, xcorr_multichannel: _use_fft, _fast_len, _xcorr_direct, _xcorr_fft
    gradient_magnitude: SCHARR_X, xcorr2d (and its helpers)
    match_template: xcorr2d (and its helpers)
"""

import numpy as np

SCHARR_X = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])  # horizontal-gradient filter X1


# ----------------------------------------------------------------------------- 1-D


def xcorr1d(x, y):
    """Full cross-correlation x ⋆ y. x: (n1,), y: (n2,) -> (n1 + n2 - 1,)."""
    x, y = np.asarray(x), np.asarray(y)
    dtype = np.result_type(x, y, 0.0)  # floats keep their precision, integers become float64
    ypad = np.pad(y.astype(dtype), len(x) - 1)  # (n2 + 2 n1 - 2,) zeros where x overhangs y
    windows = np.lib.stride_tricks.sliding_window_view(ypad, len(x))  # (n1 + n2 - 1, n1)
    return windows @ x.astype(dtype)


def yx_from_xy(xy):
    """y ⋆ x from x ⋆ y: the same values in reverse order. xy: (n,) -> (n,)."""
    return np.asarray(xy)[::-1].copy()


def xcorr_matrix(w, n):
    """C_w with w ⋆ x == C_w @ x for every x of length n. w: (m,) -> (m + n - 1, n).

    Row k holds w shifted right by k - m + 1: C_w[k, j] = w[j - k + m - 1] (0 outside w).
    """
    w = np.asarray(w)
    m = len(w)
    idx = np.arange(n)[None, :] - np.arange(m + n - 1)[:, None] + m - 1  # (m + n - 1, n)
    inside = (idx >= 0) & (idx < m)
    return np.where(inside, w[np.clip(idx, 0, m - 1)], 0).astype(np.result_type(w, 0.0))


def xcorr_jacobian(w, x):
    """d(w ⋆ x)/dw, i.e. C_x with w ⋆ x == C_x @ w. w: (m,), x: (n,) -> (m + n - 1, m).

    Row k is the window of x that w overlaps at shift k: C_x[k, i] = x[i + k - m + 1] (0 outside x).
    """
    w, x = np.asarray(w), np.asarray(x)
    xpad = np.pad(x.astype(np.result_type(w, x, 0.0)), len(w) - 1)
    return np.lib.stride_tricks.sliding_window_view(xpad, len(w)).copy()  # (m + n - 1, m)


# ----------------------------------------------------------------------------- 2-D


def xcorr2d(Z1, Z2):
    """Full 2-D cross-correlation Z1 ⋆ Z2 (Z1 slides over a fixed Z2, row by row).

    Z1: (n1, n2), Z2: (m1, m2) -> (n1 + m1 - 1, n2 + m2 - 1); equals
    scipy.signal.correlate2d(Z2, Z1, mode="full") -- the arguments are swapped there. The result is
    float (float64 for integer input); the direct method is exact for integers, and the FFT result
    is rounded for integer input.
    """
    Z1, Z2 = np.asarray(Z1), np.asarray(Z2)
    if Z1.ndim != 2 or Z2.ndim != 2 or Z1.size == 0 or Z2.size == 0:
        raise ValueError(
            f"xcorr2d: expected non-empty 2-D arrays, got shapes {Z1.shape} and {Z2.shape}"
        )
    A, B = Z1[:, :, None], Z2[:, :, None]  # one channel: (n1, n2, 1), (m1, m2, 1)
    return (_xcorr_fft if _use_fft(A.shape, B.shape) else _xcorr_direct)(A, B)


def gradient_magnitude(Y):
    """Elementwise sqrt(G1^2 + G2^2) of G_i = X_i ⋆ Y. Y: (H, W) -> (H + 2, W + 2).

    X_1 = SCHARR_X responds to change along a row, X_2 = X_1^T to change down a column.
    """
    G1 = xcorr2d(SCHARR_X, Y)
    G2 = xcorr2d(SCHARR_X.T, Y)
    return np.sqrt(G1**2 + G2**2)


def match_template(template, image):
    """Top-left (row, col) of the image patch that best matches template. (h, w), (H, W) -> 2 ints.

    Both are made zero-mean; the first maximum of template ⋆ image at full-output index (i, j)
    puts the template's top-left corner at image position (i - h + 1, j - w + 1).
    """
    template, image = np.asarray(template), np.asarray(image)
    h, w = template.shape
    corr = xcorr2d(template - template.mean(), image - image.mean())  # (h + H - 1, w + W - 1)
    i, j = np.unravel_index(np.argmax(corr), corr.shape)
    return int(i) - h + 1, int(j) - w + 1


def xcorr_multichannel(X, Y):
    """Sum over d of X[:, :, d] ⋆ Y[:, :, d] (bias 0). X: (h, w, D), Y: (H, W, D) -> (H+h-1, W+w-1).

    Equivalently, the inner products of X with every (h, w, D) tube of Y, shifted only in height
    and width; torch's conv2d with padding (h - 1, w - 1) computes the same.
    """
    X, Y = np.asarray(X), np.asarray(Y)
    if X.ndim != 3 or Y.ndim != 3 or X.shape[2] != Y.shape[2] or X.size == 0 or Y.size == 0:
        raise ValueError(
            f"xcorr_multichannel: expected non-empty (h, w, D) and (H, W, D) arrays "
            f"with the same D, got shapes {X.shape} and {Y.shape}"
        )
    return (_xcorr_fft if _use_fft(X.shape, Y.shape) else _xcorr_direct)(X, Y)


# ----------------------------------------------------------------------------- helpers


def _use_fft(shape1, shape2):
    """Whether the FFT is predicted to beat the direct sum for filters (h, w, D) and (H, W, D).

    Rough costs in nanoseconds (fitted on a small x86 VM; only their ratio matters): the direct
    method touches every (tap, pixel) pair once, plus D multiply-adds per pair when D > 1 (a matrix
    product) and a fixed cost per tap; the FFT does 2 D + 1 real 2-D transforms of N log N each.
    """
    (h, w, D), (H, W, _) = shape1, shape2
    taps, pixels = sorted((h * w, H * W))
    direct = taps * (pixels * (2.5 + (0.15 * D if D > 1 else 0.0)) + 8000.0)
    n = _fast_len(h + H - 1) * _fast_len(w + W - 1)
    per_nlogn = 1.4 if D == 1 else 2.5  # transforms along strided axes cost more
    fft = (2 * D + 1) * per_nlogn * n * np.log2(n) + 2.0 * D * n + 150000.0
    return bool(fft < direct)


def _fast_len(n):
    """Smallest 2^a 3^b 5^c >= n: a length numpy's FFT transforms quickly."""
    best = 1 << (n - 1).bit_length()  # the next power of 2 always qualifies
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            m = p35
            while m < n:
                m *= 2
            best = min(best, m)
            p35 *= 3
        p5 *= 5
    return best


def _xcorr_direct(A, B):
    """Full xcorr of A: (h, w, D) over B: (H, W, D), summed over D, by adding shifted copies of B.

    Output index (k, l) pairs A[i, j] with B[i + k - h + 1, j + l - w + 1], so tap (i, j) adds
    A[i, j] . B into the window starting at (h - 1 - i, w - 1 - j). Loops over the smaller array.
    """
    (h, w, D), (H, W, _) = A.shape, B.shape
    if h * w > H * W:  # A ⋆ B is B ⋆ A flipped in both axes
        return np.ascontiguousarray(_xcorr_direct(B, A)[::-1, ::-1])
    dtype = np.result_type(A, B, 0.0)
    out = np.zeros((h + H - 1, w + W - 1), dtype)
    taps = A.reshape(h * w, D).astype(dtype, copy=False)  # (hw, D)
    Bm = B.reshape(H * W, D).astype(dtype, copy=False)  # (HW, D)
    if D == 1:  # a scaled copy of B per tap, through one scratch buffer
        B2, tmp = Bm.reshape(H, W), np.empty((H, W), dtype)
        for t, a in enumerate(taps[:, 0]):
            i, j = divmod(t, w)
            out[h - 1 - i : h - 1 - i + H, w - 1 - j : w - 1 - j + W] += np.multiply(B2, a, out=tmp)
        return out
    step = max(1, 2**20 // (H * W))  # taps per matrix product: ~1M products in memory at a time
    for t0 in range(0, h * w, step):
        P = taps[t0 : t0 + step] @ Bm.T  # (step, HW): A[i, j] . B[p, q] for each tap and pixel
        for t, p in enumerate(P, t0):
            i, j = divmod(t, w)
            out[h - 1 - i : h - 1 - i + H, w - 1 - j : w - 1 - j + W] += p.reshape(H, W)
    return out


def _xcorr_fft(A, B):
    """Full xcorr of A: (h, w, D) over B: (H, W, D), summed over D, via real FFTs.

    A ⋆ B is the linear convolution of B with A flipped; zero-padding both to a fast size >= the
    output makes the circular product linear, and the sum over D happens in the frequency domain.
    """
    (h, w, _), (H, W, _) = A.shape, B.shape
    dtype = np.result_type(A, B, 0.0)
    shape = (h + H - 1, w + W - 1)
    s = (_fast_len(shape[0]), _fast_len(shape[1]))
    FA = np.fft.rfft2(A[::-1, ::-1].astype(dtype), s, axes=(0, 1))  # (s0, s1 // 2 + 1, D)
    FB = np.fft.rfft2(B.astype(dtype), s, axes=(0, 1))
    out = np.fft.irfft2(np.einsum("ijd,ijd->ij", FA, FB), s)[: shape[0], : shape[1]]
    if not np.issubdtype(np.result_type(A, B), np.inexact):
        out = np.rint(out)  # integer inputs have an integer result
    return np.ascontiguousarray(out, dtype=dtype)
