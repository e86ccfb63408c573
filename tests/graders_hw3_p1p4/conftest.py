"""Fixtures for grading csci5527_hw3's P1 and P4 notebooks end to end (with tests/e2e.py's
grader; the sandbox decision is tests/conftest.py's `sandboxed`)."""

from pathlib import Path

import nbformat
import pytest

from tests import e2e

GRADE = e2e.Grader("csci5527_hw3", seed=5527)

hw3 = e2e.assignment(GRADE)


@pytest.fixture(scope="session")
def grade_notebooks(hw3):
    """`grade_notebooks({file name: nb}, directory, files={name: bytes}, data=DIR,
    **grade_kwargs)`: grade the folder of those notebooks and files (weights) with the test data
    in DIR (default: none installed); the run covers only the notebooks' parts unless
    `notebooks` says otherwise. Returns results.json, validated against Gradescope's schema and
    free of tracebacks."""

    def run(notebooks: dict, directory: Path, files: dict | None = None,
            data: Path | None = None, **grade_kwargs) -> dict:
        directory = Path(directory)
        submission = directory / "submission"
        submission.mkdir(parents=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, submission / name)
        for name, content in (files or {}).items():
            (submission / name).write_bytes(content)
        grade_kwargs.setdefault("notebooks", tuple(
            nb.metadata["dlgrade"].get("notebook", hw3.notebook) for nb in notebooks.values()))
        (directory / "no-data").mkdir()
        return GRADE(submission, directory, results=directory / "results.json",
                     env={"DLGRADE_DATA": str(data or directory / "no-data")}, **grade_kwargs)

    return run


@pytest.fixture(scope="session")
def question_scores(hw3):
    """`question_scores(doc)`: {question id: summed score of its tests} for the graded ones."""
    return lambda document: e2e.question_scores(document, [
        q for q in hw3.autograded if q.number in {t.get("number") for t in document["tests"]}])


@pytest.fixture(scope="session")
def question_outputs(hw3):
    """`question_outputs(doc)`: {question id: the outputs of its tests, one per line}."""
    return lambda document: e2e.question_outputs(document, hw3.autograded)
