"""Fixtures for grading comp499_a1 notebooks end to end (the sandbox decision is
tests/conftest.py's `sandboxed`)."""

from pathlib import Path

import nbformat
import pytest

from graders.assignments import Assignment, load_assignment
from graders.harness import grade
from tests.conftest import checked_results

SEED = 499


@pytest.fixture(scope="session")
def a1() -> Assignment:
    return load_assignment("comp499_a1")


@pytest.fixture(scope="session")
def grade_nb(a1):
    """`grade_nb(nb, directory, **grade_kwargs)`: grade a notebook, return its results.json.

    The written file must validate against Gradescope's schema, equal grade()'s return value and
    show the student no traceback.
    """

    def run(nb: nbformat.NotebookNode, directory: Path, **grade_kwargs) -> dict:
        path = Path(directory) / "a1.ipynb"
        nbformat.write(nb, path)
        results = Path(directory) / "results" / "results.json"
        returned = grade(a1, path, results, seed=SEED, **grade_kwargs)
        return checked_results(results, returned)

    return run


@pytest.fixture(scope="session")
def question_scores(a1):
    """`question_scores(doc)`: {question id: summed score of its tests}."""

    def scores(document: dict) -> dict[str, float]:
        return {q.id: round(sum(t["score"] for t in document["tests"]
                                if t.get("number") == q.number), 6)
                for q in a1.autograded}

    return scores


@pytest.fixture(scope="session")
def question_outputs(a1):
    """`question_outputs(doc)`: {question id: the outputs of its tests, one per line}."""

    def outputs(document: dict) -> dict[str, str]:
        return {q.id: "\n".join(t["output"] for t in document["tests"]
                                if t.get("number") == q.number)
                for q in a1.autograded}

    return outputs


@pytest.fixture(scope="session")
def full_points(a1) -> dict[str, float]:
    return {q.id: q.points for q in a1.autograded}
