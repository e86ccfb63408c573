"""Fixtures for grading csci5527_hw3's P1 and P4 notebooks end to end (the sandbox decision is
tests/conftest.py's `sandboxed`)."""

from pathlib import Path

import nbformat
import pytest

from graders.assignments import Assignment, load_assignment
from graders.harness import grade
from tests.conftest import checked_results

SEED = 5527


@pytest.fixture(scope="session")
def hw3() -> Assignment:
    return load_assignment("csci5527_hw3")


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
        results = directory / "results.json"
        (directory / "no-data").mkdir()
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("DLGRADE_DATA", str(data or directory / "no-data"))
            returned = grade(hw3, submission, results, seed=SEED, **grade_kwargs)
        return checked_results(results, returned)

    return run


@pytest.fixture(scope="session")
def question_scores(hw3):
    """`question_scores(doc)`: {question id: summed score of its tests} for the graded ones."""

    def scores(document: dict) -> dict[str, float]:
        graded = {t.get("number") for t in document["tests"]}
        return {q.id: round(sum(t["score"] for t in document["tests"]
                                if t.get("number") == q.number), 6)
                for q in hw3.autograded if q.number in graded}

    return scores


@pytest.fixture(scope="session")
def question_outputs(hw3):
    """`question_outputs(doc)`: {question id: the outputs of its tests, one per line}."""

    def outputs(document: dict) -> dict[str, str]:
        return {q.id: "\n".join(t["output"] for t in document["tests"]
                                if t.get("number") == q.number)
                for q in hw3.autograded}

    return outputs
