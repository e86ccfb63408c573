"""Compare a student's values with the expected ones and say what differs, as STYLE.md asks.

The measure is the handout's relative difference ||x - y|| / max(||x||, ||y||), computed after
scaling by the largest |value| so that huge entries cannot overflow it into NaN. The tolerance is
the grader's: an explicit `tolerance=` per check, else the default for the precision the grader
computed the expected value in (float32 expectations allow float32 rounding). The dtype the
student returns never loosens it: the value is cast to float64 and held to that tolerance. NaN
or inf fail every check unless the expected value has the same ones in the same places.
"""

from contextlib import contextmanager

import numpy as np

from graders.errors import PartialCredit, StudentError, drawn

# the grader's default tolerance, by the dtype of the *expected* value (the grader's choice)
DEFAULT_TOLERANCE = {"float64": 1e-6, "float32": 1e-4}


def relative_difference(x, y) -> float:
    """||vec(x) - vec(y)|| / max(||vec(x)||, ||vec(y)||) in float64, without overflow.

    0 when both are zero; inf when their non-finite entries (NaN, +inf, -inf) differ in kind or
    place; otherwise the measure over the finite entries.
    """
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    if x.shape != y.shape:
        raise ValueError(f"sizes differ: {x.size} and {y.size}")
    finite = np.isfinite(x)
    if not np.array_equal(finite, np.isfinite(y)) or not np.array_equal(
            x[~finite], y[~finite], equal_nan=True):
        return float("inf")
    x, y = x[finite], y[finite]
    scale = max(float(np.abs(x).max(initial=0.0)), float(np.abs(y).max(initial=0.0)))
    if scale == 0:
        return 0.0
    x, y = x / scale, y / scale  # entries in [-1, 1]: the norms below cannot overflow
    return float(np.linalg.norm(x - y) / max(np.linalg.norm(x), np.linalg.norm(y)))


def default_tolerance(expected) -> float:
    """The grader's tolerance for a value it computed in this precision (float64 if unsure)."""
    return DEFAULT_TOLERANCE.get(np.asarray(expected).dtype.name, DEFAULT_TOLERANCE["float64"])


def as_array(value, name: str) -> np.ndarray:
    """The student's value as a real numeric array (Python and numpy scalars are 0-d arrays)."""
    if isinstance(value, bool | int | float | np.generic):
        value = np.asarray(value)
    elif isinstance(value, list | tuple):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError, OverflowError):
            raise StudentError(f"{name}: returned a list that is not a numeric array") from None
    if not isinstance(value, np.ndarray):
        raise StudentError(f"{name}: expected an array, got {type(value).__name__}")
    if value.dtype.kind not in "biuf":
        raise StudentError(f"{name}: expected real numbers, got an array of dtype {value.dtype}")
    return value


def as_pair(value, name: str) -> tuple[float, float]:
    """Two numbers from a tuple, a list, or an array of two entries (np.array([row, col]))."""
    array = as_array(value, name)
    if array.size != 2:
        raise StudentError(f"{name}: expected a pair of numbers, got {_describe(array)}")
    first, second = array.astype(np.float64).ravel()
    return float(first), float(second)


def assert_shape(name: str, value, shape: tuple, *, where: str = "") -> np.ndarray:
    """The student's value as an array of the given shape, or a StudentError naming both shapes
    (the expected one only for staff and public checks: it tells what a hidden test drew)."""
    value = as_array(value, name)
    if value.shape != tuple(shape):
        raise StudentError(wrong_shape(name, value.shape, tuple(shape), where))
    return value


def wrong_shape(name: str, got: tuple, expected: tuple, where: str = "") -> str:
    """"f: got shape (4, 6), not the expected shape (6, 4)", the expected shape marked drawn."""
    return f"{name}: got shape {got}, not the expected shape{drawn(f' {expected}')}{where}"


def assert_close(name: str, got, expected, *, where: str = "",
                 tolerance: float | None = None) -> None:
    """Raise StudentError unless `got` has the expected shape and is close to `expected`.

    A scalar asked for may come as a Python number, a numpy scalar or any one-element array.
    """
    got = as_array(got, name)
    expected = np.asarray(expected)
    if expected.ndim == 0 and got.size == 1:
        got = got.reshape(())
    if got.shape != expected.shape:
        raise StudentError(wrong_shape(name, got.shape, expected.shape, where))
    tol = default_tolerance(expected) if tolerance is None else tolerance
    got64, expected64 = got.astype(np.float64), expected.astype(np.float64)
    difference = relative_difference(got64, expected64)
    if difference <= tol:
        return
    index = worst_index(got64, expected64)
    if not np.isfinite(difference):
        raise StudentError(f"{name}: the result has {got64[index]} at index {index}"
                           f"{drawn(f', expected {expected64[index]}')}{where}")
    want, have = distinct(expected64[index], got64[index])
    raise StudentError(
        f"{name}: relative difference {difference:.2e} is above the tolerance {tol:.0e}{where} "
        f"(largest |diff| at index {index}: got {have}{drawn(f', expected {want}')})")


def worst_index(got: np.ndarray, expected: np.ndarray) -> tuple[int, ...]:
    """Where `got` is furthest from `expected`; a misplaced NaN or inf counts as furthest."""
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(got - expected)
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    gap = np.where(same, -1.0, np.where(np.isfinite(gap), gap, np.inf))
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(gap)), gap.shape))


def distinct(a: float, b: float) -> tuple[str, str]:
    """`a` and `b` printed with the fewest significant digits (6 or more) that tell them apart."""
    for digits in range(6, 18):
        left, right = f"{a:.{digits}g}", f"{b:.{digits}g}"
        if left != right:
            return left, right
    return repr(float(a)), repr(float(b))


def _describe(array: np.ndarray) -> str:
    return f"an array of shape {array.shape}" if array.ndim else f"the single number {array}"


class Checks:
    """Sub-checks of one test; the test earns the fraction that pass.

    >>> checks = Checks()
    >>> with checks.case():
    ...     assert_close("f", got, expected)
    >>> checks.finish()   # raises PartialCredit / StudentError when some cases failed
    """

    def __init__(self):
        self.passed = 0
        self.failures: list[str] = []

    @contextmanager
    def case(self):
        try:
            yield
        except StudentError as err:
            self.failures.append(str(err))
        else:
            self.passed += 1

    def finish(self) -> None:
        total = self.passed + len(self.failures)
        if not self.failures:
            return
        unique = list(dict.fromkeys(self.failures))
        message = f"{len(self.failures)} of {total} checks failed:\n" + "\n".join(
            f"- {line}" for line in unique[:5]
        )
        if self.passed == 0:
            raise StudentError(message)
        raise PartialCredit(self.passed / total, message)
