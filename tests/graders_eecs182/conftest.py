"""Fixtures for grading eecs182_hw7 notebooks end to end (the sandbox decision is
tests/conftest.py's `sandboxed`). Kernels run with one thread, as the timing figures assume."""

from pathlib import Path

import nbformat
import pytest

from graders.assignments import Assignment, load_assignment
from graders.harness import grade
from tests.conftest import checked_results

SEED = 182


@pytest.fixture(scope="session")
def hw7() -> Assignment:
    return load_assignment("eecs182_hw7")


@pytest.fixture(scope="session")
def grade_hw7(hw7):
    """`grade_hw7(nb, directory, **grade_kwargs)`: grade a notebook and return its results.json,
    validated against Gradescope's schema, equal to grade()'s return and free of tracebacks."""

    def run(nb: nbformat.NotebookNode, directory: Path, **grade_kwargs) -> dict:
        path = Path(directory) / "hw7.ipynb"
        nbformat.write(nb, path)
        results = Path(directory) / "results" / "results.json"
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("OMP_NUM_THREADS", "1")
            returned = grade(hw7, path, results, seed=SEED, **grade_kwargs)
        return checked_results(results, returned)

    return run


@pytest.fixture(scope="session")
def question_scores(hw7):
    """`question_scores(doc)`: {question id: summed score of its tests}."""

    def scores(document: dict) -> dict[str, float]:
        return {q.id: round(sum(t["score"] for t in document["tests"]
                                if t.get("number") == q.number), 6)
                for q in hw7.autograded}

    return scores


@pytest.fixture(scope="session")
def question_outputs(hw7):
    """`question_outputs(doc)`: {question id: the outputs of its tests, one per line}."""

    def outputs(document: dict) -> dict[str, str]:
        return {q.id: "\n".join(t["output"] for t in document["tests"]
                                if t.get("number") == q.number)
                for q in hw7.autograded}

    return outputs
