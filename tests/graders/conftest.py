"""Fixtures for grading csci5527_hw3 notebooks end to end: the assignment and a grader (the
sandbox decision is tests/conftest.py's `sandboxed`)."""

import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from graders.assignments import Assignment, Question, load_assignment
from graders.harness import grade
from tests.conftest import checked_results

SEED = 1234


@pytest.fixture(scope="session")
def hw3() -> Assignment:
    return load_assignment("csci5527_hw3")


@pytest.fixture(scope="session")
def grade_nb(hw3):
    """`grade_nb(nb, directory, **grade_kwargs)`: grade a notebook and return its results.json.

    hw3 has three notebooks; these tests grade hw3.ipynb (P2 and P3, 8.5 points) unless
    `notebooks` says otherwise, as `dlgrade check hw3.ipynb` does.

    `nb` is a NotebookNode (written as `name`), raw bytes (written as is: a broken upload) or an
    existing path (a notebook or a submission folder). The written results.json must validate
    against Gradescope's schema, equal grade()'s return value, and show no traceback to the
    student. Pass `results` to choose where results.json goes, and `timeout` (seconds) to grade
    in a subprocess that is killed if it runs longer, for notebooks that could hang the grader.
    """

    def run(nb, directory: Path, *, name: str = "hw3.ipynb", results: Path | None = None,
            timeout: float | None = None, **grade_kwargs) -> dict:
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
        grade_kwargs.setdefault("notebooks", (hw3.notebook,))
        if timeout is None:
            returned = grade(hw3, path, results, seed=SEED, **grade_kwargs)
        else:
            _grade_in_subprocess(hw3, path, results, timeout, grade_kwargs)
        return checked_results(results, returned if timeout is None else None)

    return run


_GRADE_SCRIPT = """
import json, sys
from pathlib import Path
from graders.assignments import load_assignment
from graders.harness import grade
from graders.kernel import Limits
assignment, notebook, results, seed, kwargs = sys.argv[1:]
kwargs = json.loads(kwargs)
if "limits" in kwargs:
    kwargs["limits"] = Limits(**kwargs["limits"])
grade(load_assignment(assignment), Path(notebook), Path(results), seed=int(seed), **kwargs)
"""


def _grade_in_subprocess(assignment: Assignment, notebook: Path, results: Path, timeout: float,
                         grade_kwargs: dict) -> None:
    if "limits" in grade_kwargs:
        grade_kwargs = {**grade_kwargs, "limits": dataclasses.asdict(grade_kwargs["limits"])}
    args = [sys.executable, "-c", _GRADE_SCRIPT, assignment.id, str(notebook), str(results),
            str(SEED), json.dumps(grade_kwargs)]
    # The kernel's folders go to a temporary folder of their own (one the kernel user can
    # enter), removed afterwards even if the grader had to be killed.
    scratch = Path(tempfile.mkdtemp(prefix="dlgrade-test-"))
    scratch.chmod(0o711)
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               env={**os.environ, "TMPDIR": str(scratch)},
                               start_new_session=True)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # the kernel exits when its parent is gone
        output, _ = process.communicate()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if process.returncode == -signal.SIGKILL:
        pytest.fail(f"grading did not finish within {timeout:.0f} s", pytrace=False)
    assert process.returncode == 0, output.decode(errors="replace")[-5000:]


@pytest.fixture(scope="session")
def question_scores(hw3):
    """`question_scores(doc)`: {question id: summed score of its tests}, e.g. {"p2a": 1.0, ...}."""

    def scores(document: dict) -> dict[str, float]:
        return {q.id: sum(t["score"] for t in document["tests"] if t.get("number") == q.number)
                for q in p2p3(hw3)}

    return scores


@pytest.fixture(scope="session")
def question_outputs(hw3):
    """`question_outputs(doc)`: {question id: the outputs of its tests, one per line}."""

    def outputs(document: dict) -> dict[str, str]:
        return {q.id: "\n".join(t["output"] for t in document["tests"]
                                if t.get("number") == q.number)
                for q in p2p3(hw3)}

    return outputs


@pytest.fixture(scope="session")
def full_points(hw3) -> dict[str, float]:
    return {q.id: q.points for q in p2p3(hw3)}


def p2p3(hw3: Assignment) -> list[Question]:
    """The autograded questions of hw3.ipynb (P2 and P3), the notebook these tests grade."""
    return [q for q in hw3.autograded if hw3.notebook_of(q) == hw3.notebook]


@pytest.fixture(scope="session")
def hw3_questions(hw3) -> list[Question]:
    return p2p3(hw3)


