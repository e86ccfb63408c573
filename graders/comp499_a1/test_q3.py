"""Hidden tests of COMP 499/691 A1 Question 3: the student's hand-built networks, evaluated here by
reference.handbuilt.network_forward on Boolean inputs and on dense grids through every kink and
well outside [0, 1]."""

import numpy as np

from graders.compare import as_array
from graders.errors import StudentError, drawn
from graders.plugin import graded
from reference.handbuilt import network_forward

# Stated in the template, in proportion to what each function asks: XNOR's outputs are bits, so a
# sigmoid network within 1e-3 of 0 and 1 computes it; the tent and soft thresholding are piecewise
# linear over every real x, which ReLU units give exactly (sigmoid ones must saturate this far).
TOLERANCE = 1e-6
XNOR_TOLERANCE = 1e-3
FORMAT = ('a dict {"activation": "relu" or "sigmoid", "W1": ..., "b1": ..., "W2": ..., "b2": ...} '
          '(plus "W3", "b3" for two hidden layers)')


def _network(value, name: str, n_in: int) -> dict:
    """The student's network, checked for format and sizes, as float64 arrays."""
    if not isinstance(value, dict) or value.get("activation") not in ("relu", "sigmoid"):
        raise StudentError(f"{name}: expected {FORMAT}")
    layers = sum(1 for key in value if key.startswith("W"))
    expected_keys = {"activation"} | {f"{p}{i}" for p in "Wb" for i in range(1, layers + 1)}
    if layers not in (2, 3) or set(value) != expected_keys:
        raise StudentError(f"{name}: expected {FORMAT}; got the keys {sorted(value)}")
    net, width = {"activation": value["activation"]}, n_in
    for i in range(1, layers + 1):
        W = as_array(value[f"W{i}"], f"{name}['W{i}']").astype(np.float64)
        b = as_array(value[f"b{i}"], f"{name}['b{i}']").astype(np.float64).reshape(-1)
        out = 1 if i == layers else b.size
        if W.size != out * width or (W.ndim == 2 and W.shape != (out, width)) or W.ndim > 2:
            raise StudentError(f"{name}: W{i} should be ({out}, {width}) (outputs, inputs), "
                               f"got shape {W.shape}")
        if i == layers and b.size != 1:
            raise StudentError(f"{name}: the output layer has one unit; b{i} has {b.size} values")
        net[f"W{i}"], net[f"b{i}"], width = W.reshape(out, width), b, out
    return net


def _compare(name: str, net: dict, x: np.ndarray, expected: np.ndarray, regions,
             tolerance: float = TOLERANCE) -> None:
    """StudentError naming the first input (and its region) where the network is off."""
    with np.errstate(over="ignore"):
        got = network_forward(net, x)
    bad = ~(np.abs(got - expected) <= tolerance)
    if bad.any():
        i = int(np.argmax(bad))
        point = ", ".join(f"{v:g}" for v in x[i])
        region = next(label for label, inside in regions if inside(x[i]))
        raise StudentError(
            f"{name}: wrong {region}: at x = ({point}) expected {expected[i]:g}, got {got[i]:.6g} "
            f"(off by more than {tolerance:g} at {int(bad.sum())} of {len(x)} points checked)")


@graded("q3_xnor", 3.0, "xnor_network on the four Boolean inputs")
def test_xnor(submission):
    net = _network(submission.call("xnor_network"), "xnor_network()", 2)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    _compare("xnor_network()", net, x, np.array([1.0, 0.0, 0.0, 1.0]),
             [("on the Boolean inputs", lambda p: True)], tolerance=XNOR_TOLERANCE)


def _grid(lo: float, hi: float, rng, extra=()) -> np.ndarray:
    """Every multiple of 1/64 in [lo, hi] (every kink at a multiple of 1/2), and random points."""
    points = np.concatenate([np.arange(round(lo * 64), round(hi * 64) + 1) / 64,
                             rng.uniform(lo, hi, 200), np.asarray(extra, dtype=np.float64)])
    return points[:, None]


@graded("q3_tent", 4.0, "tent_network on a dense grid over [-3, 4]")
def test_tent(submission, rng):
    net = _network(submission.call("tent_network"), "tent_network()", 1)
    x = _grid(-3.0, 4.0, rng)
    expected = np.interp(x[:, 0], [0.0, 0.5, 1.0], [0.0, 1.0, 0.0], left=0.0, right=0.0)
    _compare("tent_network()", net, x, expected,
             [("inside [0, 1]", lambda p: 0 <= p[0] <= 1), ("outside [0, 1]", lambda p: True)])


@graded("q3_soft", 4.0, "soft_threshold_network(s) on dense grids, several s")
def test_soft_threshold(submission, rng):
    for s, seeded in ((0.5, False), (1.0, False), (float(np.round(rng.uniform(0.1, 2.0), 3)), True),
                      (0.0, False)):
        # A drawn s is shown to staff only: "soft_threshold_network(s)" to the student.
        shown = f"s{drawn(f' = {s:g}')}" if seeded else f"{s:g}"
        name = f"soft_threshold_network({shown})"
        net = _network(submission.call("soft_threshold_network", s), name, 1)
        x = _grid(-4.0, 4.0, rng, extra=(s, -s))
        expected = np.maximum(np.abs(x[:, 0]) - s, 0.0) * np.sign(x[:, 0])
        _compare(name, net, x, expected,
                 [(f"for |x| <= {shown}", lambda p, s=s: abs(p[0]) <= s),
                  (f"for |x| > {shown}", lambda p: True)])
