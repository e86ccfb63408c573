"""Helpers of the cs229br_hw0 graders: all-or-nothing checks, and numpy oracles the public
tests can use too (they hold no reference code)."""

import numpy as np

from graders.compare import Checks
from graders.errors import StudentError, drawn


def all_or_nothing(checks: Checks) -> None:
    """Like Checks.finish, but any failed case costs the whole test."""
    if checks.failures:
        lines = "\n".join(f"- {line}" for line in list(dict.fromkeys(checks.failures))[:5])
        total = checks.passed + len(checks.failures)
        raise StudentError(f"{len(checks.failures)} of {total} checks failed:\n{lines}")


def squared_distances(images: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """(Q, N) squared Euclidean distances, in float64."""
    images, queries = np.asarray(images, np.float64), np.asarray(queries, np.float64)
    return ((queries[:, None, :] - images[None, :, :]) ** 2).sum(-1)


def check_top_k(name: str, found, images, queries, k: int, where: str = "") -> None:
    """`found` are k nearest images per query, nearest first (any order among exact ties)."""
    found = np.asarray(found)
    q = len(queries)
    if found.shape != (q, k):
        shapes = drawn(f" = {(q, k)}, got {found.shape}")
        raise StudentError(f"{name}: expected indices of shape (queries, k){shapes}{where}")
    if found.dtype.kind not in "iu" and not np.array_equal(found, np.round(found)):
        raise StudentError(f"{name}: expected integer indices, got dtype {found.dtype}{where}")
    found = found.astype(np.int64)
    if found.min() < 0 or found.max() >= len(images):
        span = drawn(f" (0..{len(images) - 1})")
        raise StudentError(f"{name}: an index is outside the images{span}{where}")
    distances = squared_distances(images, queries)
    best = np.sort(distances, axis=1)[:, :k]
    got = np.take_along_axis(distances, found, axis=1)
    for row in range(q):
        if len(set(found[row])) != k:
            raise StudentError(f"{name}: query {row} gets the same image twice{where}")
        if not np.allclose(got[row], best[row], rtol=1e-5, atol=1e-6):
            raise StudentError(
                f"{name}: query {row}: the results are not the {k} nearest images in Euclidean "
                f"distance, nearest first{where}" + drawn(
                    f" (squared distances {np.round(got[row], 4)}, expected "
                    f"{np.round(best[row], 4)})"))
