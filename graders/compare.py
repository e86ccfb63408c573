"""Compare a student's values with the expected ones and say what differs, as STYLE.md asks.

The measure is the handout's relative difference ||x - y|| / max(||x||, ||y||); its tolerance
follows the dtype the student returned, so a correct float32 computation is never marked wrong.
"""

from contextlib import contextmanager

import numpy as np

from graders.errors import PartialCredit, StudentError

TOLERANCE = {"float64": 1e-6, "float32": 1e-4, "float16": 1e-2, "bfloat16": 1e-2}


def relative_difference(x: np.ndarray, y: np.ndarray) -> float:
    """||vec(x) - vec(y)|| / max(||vec(x)||, ||vec(y)||), and 0 when both are zero."""
    x = np.asarray(x, dtype=np.float64).ravel()
    y = np.asarray(y, dtype=np.float64).ravel()
    scale = max(np.linalg.norm(x), np.linalg.norm(y))
    return 0.0 if scale == 0 else float(np.linalg.norm(x - y) / scale)


def tolerance_for(dtype: np.dtype) -> float:
    """The largest relative difference accepted for a result of this dtype."""
    return TOLERANCE.get(np.dtype(dtype).name, TOLERANCE["float64"])


def as_array(value, name: str) -> np.ndarray:
    """The student's value as a numeric array, or a StudentError that says what it was."""
    if isinstance(value, bool | int | float):
        value = np.asarray(value)
    elif isinstance(value, list):
        try:
            value = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise StudentError(f"{name}: returned a list that is not a numeric array") from None
    if not isinstance(value, np.ndarray):
        raise StudentError(f"{name}: expected an array, got {type(value).__name__}")
    if value.dtype.kind not in "biuf":
        raise StudentError(f"{name}: expected real numbers, got an array of dtype {value.dtype}")
    return value


def assert_shape(name: str, value, shape: tuple, *, where: str = "") -> np.ndarray:
    """The student's value as an array of the given shape, or a StudentError naming both shapes."""
    value = as_array(value, name)
    if value.shape != tuple(shape):
        raise StudentError(f"{name}: expected shape {tuple(shape)}, got {value.shape}{where}")
    return value


def assert_close(name: str, got, expected: np.ndarray, *, where: str = "",
                 tolerance: float | None = None) -> None:
    """Raise StudentError unless `got` has the expected shape and is close to `expected`."""
    got = as_array(got, name)
    expected = np.asarray(expected)
    if got.shape != expected.shape:
        raise StudentError(f"{name}: expected shape {expected.shape}, got {got.shape}{where}")
    finite = np.isfinite(expected)
    bad = ~np.isfinite(got) & finite
    if bad.any():
        index = tuple(int(i) for i in np.argwhere(bad)[0])
        raise StudentError(f"{name}: the result has {got[index]} at index {index}{where}")
    tol = tolerance if tolerance is not None else tolerance_for(got.dtype)
    difference = relative_difference(got, expected)
    if difference > tol:
        gap = np.abs(got.astype(np.float64) - expected)
        index = np.unravel_index(int(np.argmax(np.where(finite, gap, -1))), gap.shape)
        index = tuple(int(i) for i in index)
        raise StudentError(
            f"{name}: relative difference {difference:.2e} is above the tolerance {tol:.0e}{where} "
            f"(largest |diff| at index {index}: expected {expected[index]:.6g}, "
            f"got {got[index]:.6g})"
        )


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
