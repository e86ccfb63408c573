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


def write_results(path: Path, document: dict) -> None:
    """Write `document` to `path` atomically (a reader never sees half a file)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(document, f, indent=2)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
