"""Fixtures for grading cmu10605_hw5 notebooks end to end (the sandbox decision is
tests/conftest.py's `sandboxed`)."""

from pathlib import Path

import nbformat
import pytest

from graders.assignments import Assignment, load_assignment
from graders.harness import grade
from tests.conftest import checked_results

SEED = 10605


@pytest.fixture(scope="session")
def hw5() -> Assignment:
    return load_assignment("cmu10605_hw5")


@pytest.fixture(scope="session")
def grade_nb(hw5):
    """`grade_nb(nb, directory, **grade_kwargs)`: grade a notebook, return its checked
    results.json (Gradescope's schema, equal to grade()'s return value, no traceback shown)."""

    def run(nb: nbformat.NotebookNode, directory: Path, **grade_kwargs) -> dict:
        path = Path(directory) / hw5.notebook
        nbformat.write(nb, path)
        results = Path(directory) / "results" / "results.json"
        return checked_results(results, grade(hw5, path, results, seed=SEED, **grade_kwargs))

    return run


@pytest.fixture(scope="session")
def by_question(hw5):
    """`by_question(doc)`: {question id: (summed score, the outputs of its tests)}."""

    def split(document: dict) -> dict[str, tuple[float, str]]:
        return {q.id: (round(sum(t["score"] for t in document["tests"]
                                 if t.get("number") == q.number), 6),
                       "\n".join(t["output"] for t in document["tests"]
                                 if t.get("number") == q.number))
                for q in hw5.autograded}

    return split
