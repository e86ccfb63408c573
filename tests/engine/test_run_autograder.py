"""run_autograder end to end, in a temporary /autograder layout (AUTOGRADER_ROOT)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import nbformat
import pytest

from graders.assignments import load_assignment
from graders.results import RESULTS_SCHEMA
from graders.staff.solve import solution_notebook

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, notebooks: dict[str, nbformat.NotebookNode]) -> dict:
    source, submission = tmp_path / "source", tmp_path / "submission"
    source.mkdir()
    submission.mkdir()
    (source / "ASSIGNMENT").write_text("csci5527_hw3\n")
    for name, nb in notebooks.items():
        nbformat.write(nb, submission / name)
    env = {**os.environ, "AUTOGRADER_ROOT": str(tmp_path),
           "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    subprocess.run(["bash", str(ROOT / "run_autograder")], env=env, check=True,
                   capture_output=True, timeout=600)
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(document, RESULTS_SCHEMA)
    return document


def _visible_outputs(document) -> str:
    """What a student reads: the top-level output (where a notebook that could not be graded is
    explained, once) and the visible tests' outputs."""
    return "\n".join([document["output"]] + [t["output"] for t in document["tests"]
                                              if t["visibility"] == "visible"])


@pytest.mark.slow
def test_zero_notebooks(tmp_path):
    document = _run(tmp_path, {})
    assert document["score"] == 0
    assert "holds no .ipynb notebook" in _visible_outputs(document)


@pytest.mark.slow
def test_several_notebooks_grade_the_one_named_for_the_assignment(tmp_path):
    assignment = load_assignment("csci5527_hw3")
    scratch = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    document = _run(tmp_path, {"scratch.ipynb": scratch,
                               "mine.ipynb": solution_notebook(assignment)})
    # the whole assignment is graded: P2 and P3 (hw3.ipynb) earn every point, and P1 and P4
    # (hw3_p1.ipynb, hw3_p4.ipynb, not submitted) earn nothing
    p2p3 = [q for q in assignment.autograded if assignment.notebook_of(q) == assignment.notebook]
    assert document["score"] == sum(q.points for q in p2p3) == 8.5
    assert "none is clearly hw3_p1.ipynb" in _visible_outputs(document)


@pytest.mark.slow
def test_several_unmarked_notebooks_get_a_clear_message(tmp_path):
    plain = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    document = _run(tmp_path, {"a.ipynb": plain, "b.ipynb": plain})
    assert document["score"] == 0
    assert "several notebooks (a.ipynb, b.ipynb)" in _visible_outputs(document)


def test_a_grader_that_cannot_start_still_leaves_results(tmp_path):
    (tmp_path / "source").mkdir()
    (tmp_path / "source" / "ASSIGNMENT").write_text("csci5527_hw3\n")
    bash = shutil.which("bash")
    env = {"AUTOGRADER_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin"}  # no dlgrade there
    subprocess.run([bash, str(ROOT / "run_autograder")], env=env, capture_output=True)
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(document, RESULTS_SCHEMA)
    assert "failed to start" in document["output"]
