"""Correct-but-different answers and subtle mistakes for csci5527_hw3's P2 and P3 fairness tests.

RIGHT: other correct readings of the handout (loops instead of slicing, sliding windows, eps added
to the standard deviation, which formula (2) allows): every point kept. SUBTLE: code written for
the handout's literal example only, a missing xcorr1d beside a one-line yx_from_xy, eps ignored,
the wrong axes: each keeps the share `kept` of its question's points and says why. None is
copied from reference/.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Subtle:
    """A mistake in `question`: it keeps the share `kept` of the question's points and its output
    holds every `says`."""

    question: str
    source: str
    kept: float
    says: tuple[str, ...]


RIGHT = {
    "p2a": '''
def xcorr1d(x, y):
    n1, n2 = len(x), len(y)
    out = np.zeros(n1 + n2 - 1)
    for k in range(n1 + n2 - 1):  # x shifted so that x[n1 - 1 - k + j] lies over y[j]
        for j in range(n2):
            i = n1 - 1 - k + j
            if 0 <= i < n1:
                out[k] += x[i] * y[j]
    return out


def yx_from_xy(xy):
    return np.flip(xy).copy()
''',
    "p2b": '''
def xcorr_matrix(w, n):
    return np.stack([xcorr1d(w, e) for e in np.eye(n)], axis=1)  # column j is w ⋆ e_j
''',
    "p2c": '''
def xcorr_jacobian(w, x):
    m, n = len(w), len(x)
    J = np.zeros((m + n - 1, m))
    for k in range(m + n - 1):
        for i in range(m):
            j = k - (m - 1 - i)  # w[i] meets x[j] at output k
            if 0 <= j < n:
                J[k, i] = x[j]
    return J
''',
    "p2d": '''
def xcorr2d(Z1, Z2):
    (n1, n2) = Z1.shape
    padded = np.pad(Z2, ((n1 - 1, n1 - 1), (n2 - 1, n2 - 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (n1, n2))
    return np.einsum("abij,ij->ab", windows, Z1)
''',
    "p2e": '''
X1 = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])


def gradient_magnitude(Y):
    return np.hypot(xcorr2d(X1, Y), xcorr2d(X1.T, Y))
''',
    "p2f": '''
def match_template(template, image):
    h, w = template.shape
    scores = xcorr2d(template - template.mean(), image - image.mean())
    valid = scores[h - 1:image.shape[0], w - 1:image.shape[1]]  # windows inside the image
    row, col = np.unravel_index(np.argmax(valid), valid.shape)
    return int(row), int(col)
''',
    "p2g": '''
def xcorr_multichannel(X, Y):
    return sum(xcorr2d(X[:, :, d], Y[:, :, d]) for d in range(X.shape[2]))
''',
    "p3_batch": '''
def batch_norm(x, eps=1e-5):
    mu = x.mean(dim=(0, 1, 3), keepdim=True)
    sigma = x.std(dim=(0, 1, 3), correction=0, keepdim=True)
    return (x - mu) / (sigma + eps)  # eps added to the standard deviation
''',
    "p3_layer": '''
def layer_norm(x, eps=1e-5):
    flat = x.permute(3, 0, 1, 2).reshape(x.shape[3], -1)  # (N, H W C)
    var, mu = torch.var_mean(flat, dim=1, correction=0, keepdim=True)
    out = (flat - mu) / torch.sqrt(var + eps)
    return out.reshape(x.shape[3], *x.shape[:3]).permute(1, 2, 3, 0)
''',
    "p3_instance": '''
def instance_norm(x, eps=1e-5):
    centered = x - x.mean(dim=(0, 1), keepdim=True)
    return centered / (centered.pow(2).mean(dim=(0, 1), keepdim=True).sqrt() + eps)
''',
}

SUBTLE = {
    "xcorr1d_missing": Subtle("p2a", '''
def xcorr1d(x, y):
    raise NotImplementedError


def yx_from_xy(xy):
    return xy[::-1]
''', 1.0 / 6, ("xcorr1d is not implemented yet", "5 of 6 checks failed")),
    "C_w_for_the_handout_only": Subtle("p2b", '''
def xcorr_matrix(w, n):
    w1, w2, w3 = w  # the handout's m = 3, n = 4, written out
    return np.array([[w3, 0, 0, 0], [w2, w3, 0, 0], [w1, w2, w3, 0], [0, w1, w2, w3],
                     [0, 0, w1, w2], [0, 0, 0, w1]])
''', 0.0, ("xcorr_matrix raised ValueError",)),
    "xcorr2d_for_3x3_only": Subtle("p2d", '''
def xcorr2d(Z1, Z2):
    m1, m2 = Z2.shape
    padded = np.pad(Z2, 2)
    out = np.zeros((m1 + 2, m2 + 2))
    for r in range(m1 + 2):
        for c in range(m2 + 2):
            out[r, c] = np.sum(padded[r:r + 3, c:c + 3] * Z1)  # wrong: a 3 x 3 Z1 only
    return out
''', 0.0, ("xcorr2d",)),
    "multichannel_for_3x3_only": Subtle("p2g", '''
def xcorr_multichannel(X, Y):
    H, W, _ = Y.shape
    padded = np.pad(Y, ((2, 2), (2, 2), (0, 0)))
    out = np.zeros((H + 2, W + 2))
    for r in range(H + 2):
        for c in range(W + 2):
            out[r, c] = np.sum(padded[r:r + 3, c:c + 3] * X)  # wrong: a 3 x 3 filter only
    return out
''', 0.0, ("xcorr_multichannel",)),
    "batch_norm_without_eps": Subtle("p3_batch", '''
def batch_norm(x, eps=1e-5):
    mu = x.mean(dim=(0, 1, 3), keepdim=True)
    var = ((x - mu) ** 2).mean(dim=(0, 1, 3), keepdim=True)
    return (x - mu) / var.sqrt()  # wrong: eps is ignored
''', 2 / 3, ("it equals the result with no eps at all (eps=0.1 was passed)",
               "both are accepted")),
    "layer_norm_per_channel": Subtle("p3_layer", '''
def layer_norm(x, eps=1e-5):
    mu = x.mean(dim=(0, 1, 3), keepdim=True)  # wrong: per channel, that is batch norm
    var = x.var(dim=(0, 1, 3), correction=0, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps)
''', 0.0, ("it equals batch_norm's slices (over H, W, N per channel): wrong axes",)),
}
