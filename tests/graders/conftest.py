"""Fixtures for grading notebooks end to end: the sandbox decision, the assignment, a grader.

As root with a Python that `nobody` can run (/work/venv-sys, Gradescope's image), the student
kernel runs sandboxed as that account, exactly as on Gradescope. Anywhere else the tests opt out
of the sandbox explicitly (DLGRADE_KERNEL_USER=""), so the engine's "no sandbox" warning never
fires under `filterwarnings = error`; tests that need the sandbox ask for `sandboxed`.
"""

import json
import os
import warnings
from pathlib import Path

import jsonschema
import nbformat
import pytest

from graders import kernel
from graders.assignments import Assignment, load_assignment
from graders.errors import GraderError
from graders.harness import grade
from graders.results import RESULTS_SCHEMA

SEED = 1234


def _sandbox_possible() -> bool:
    if os.geteuid() != 0:
        return False
    try:
        user = kernel.KernelUser.lookup("nobody")
    except GraderError:
        return False
    return kernel._can_run_python(user)


@pytest.fixture(scope="session", autouse=True)
def sandboxed() -> bool:
    """Whether the student kernel runs as an unprivileged user in this test session."""
    with pytest.MonkeyPatch.context() as mp:
        if _sandbox_possible():
            mp.delenv("DLGRADE_KERNEL_USER", raising=False)
        else:
            mp.setenv("DLGRADE_KERNEL_USER", "")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a silent fallback to no sandbox would be a bug here
            user = kernel.default_kernel_user()
        yield user is not None


@pytest.fixture(scope="session")
def hw3() -> Assignment:
    return load_assignment("csci5527_hw3")


@pytest.fixture(scope="session")
def grade_nb(hw3):
    """`grade_nb(nb, directory, **grade_kwargs)`: grade a notebook and return its results.json.

    `nb` is a NotebookNode (written as `name`), raw bytes (written as is: a broken upload) or an
    existing path (a notebook or a submission folder). The written results.json must validate
    against Gradescope's schema, equal grade()'s return value, and show no traceback to the
    student. Pass `results` to choose where results.json goes.
    """

    def run(nb, directory: Path, *, name: str = "hw3.ipynb", results: Path | None = None,
            **grade_kwargs) -> dict:
        directory = Path(directory)
        if isinstance(nb, Path):
            path = nb
        else:
            path = directory / name
            if isinstance(nb, bytes):
                path.write_bytes(nb)
            else:
                nbformat.write(nb, path)
        results = results or directory / "results" / "results.json"
        returned = grade(hw3, path, results, seed=SEED, **grade_kwargs)
        written = json.loads(results.read_text())
        jsonschema.validate(written, RESULTS_SCHEMA)
        assert written == returned
        assert_no_traceback(written)
        return written

    return run


@pytest.fixture(scope="session")
def question_scores(hw3):
    """`question_scores(doc)`: {question id: summed score of its tests}, e.g. {"p2a": 1.0, ...}."""

    def scores(document: dict) -> dict[str, float]:
        return {q.id: sum(t["score"] for t in document["tests"] if t.get("number") == q.number)
                for q in hw3.autograded}

    return scores


@pytest.fixture(scope="session")
def question_outputs(hw3):
    """`question_outputs(doc)`: {question id: the outputs of its tests, one per line}."""

    def outputs(document: dict) -> dict[str, str]:
        return {q.id: "\n".join(t["output"] for t in document["tests"]
                                if t.get("number") == q.number)
                for q in hw3.autograded}

    return outputs


@pytest.fixture(scope="session")
def full_points(hw3) -> dict[str, float]:
    return {q.id: q.points for q in hw3.autograded}


def assert_no_traceback(document: dict) -> None:
    """Nothing a student sees may hold a raw traceback (staff-only entries may)."""
    visible = [document["output"]] + [t["output"] for t in document["tests"]
                                      if t["visibility"] != "hidden"]
    for text in visible:
        assert "Traceback" not in text and 'File "' not in text, text
