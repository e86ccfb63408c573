"""Gradescope's results.json: the schema, and an atomic writer."""

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")

RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "execution_time", "output", "stdout_visibility", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "stdout_visibility": {"enum": list(VISIBILITIES)},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "output", "visibility", "status"],
                "properties": {
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "minimum": 0},
                    "output": {"type": "string"},
                    "visibility": {"enum": list(VISIBILITIES)},
                    "status": {"enum": ["passed", "failed"]},
                },
            },
        },
    },
}


@dataclass
class TestResult:
    """One entry of results.json's `tests` list."""

    __test__ = False  # a result, not a pytest test class

    name: str
    score: float
    max_score: float
    output: str = ""
    number: str = ""
    visibility: str = "visible"
    status: str = "passed"


def results_document(tests: list[TestResult], execution_time: float, output: str = "") -> dict:
    """The whole results.json as a dict; the total is the sum of the test scores."""
    return {
        "score": round(sum(t.score for t in tests), 6),
        "execution_time": round(execution_time, 3),
        "output": output,
        "stdout_visibility": "hidden",
        "tests": [asdict(t) for t in tests],
    }


RESERVE_BYTES = 4 * 2**20  # more than the largest results.json the package writes


def reserve_space(path: Path) -> Path | None:
    """Hold RESERVE_BYTES of disk beside `path`, so that the final write finds room even when
    a submission has filled the disk; None where even that cannot be had."""
    reserve = Path(path).parent / f".{Path(path).name}.reserve"
    try:
        fd = os.open(reserve, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        os.posix_fallocate(fd, 0, RESERVE_BYTES)
        return reserve
    except OSError:
        os.unlink(reserve)
        return None
    finally:
        os.close(fd)


def write_results(path: Path, document: dict, reserve: Path | None = None) -> None:
    """Write `document` to `path` atomically (a reader never sees half a file), first freeing
    the space `reserve_space` held (the old file stays whole if the write fails)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2)
    if reserve is not None:
        reserve.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
