import json
from pathlib import Path

import jsonschema
import pytest

from graders.assignments import load_assignment
from graders.harness import grade
from graders.results import RESULTS_SCHEMA, TestResult, results_document, write_results


def test_document_sums_scores_and_matches_gradescopes_schema(tmp_path):
    tests = [TestResult("a", 1.0, 1.0, "passed", "1.1"),
             TestResult("b", 0.25, 0.5, "1 of 2 checks failed", "1.2", status="failed"),
             TestResult("staff", 0, 0, "seed 3", visibility="hidden")]
    document = results_document(tests, 12.3456, "summary")
    jsonschema.validate(document, RESULTS_SCHEMA)
    assert document["score"] == 1.25
    assert document["execution_time"] == 12.346
    path = tmp_path / "nested" / "results.json"
    write_results(path, document)
    assert json.loads(path.read_text()) == document
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temp file left


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "results.json"
    write_results(path, {"score": 1})
    with pytest.raises(TypeError):
        write_results(path, {"score": object()})
    assert json.loads(path.read_text()) == {"score": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_crashing_grader_still_writes_a_valid_file(tmp_path, monkeypatch):
    assignment = load_assignment("csci5527_hw3")

    def broken(*args, **kwargs):
        raise RuntimeError("bug in the grader")

    monkeypatch.setattr("graders.harness.pytest.main", broken)
    path = tmp_path / "results.json"
    document = grade(assignment, Path("unused.ipynb"), path, seed=7)
    assert json.loads(path.read_text()) == document
    jsonschema.validate(document, RESULTS_SCHEMA)
    visible = [t for t in document["tests"] if t["visibility"] == "visible"]
    assert [t["name"] for t in visible] == ["Autograder error"]
    assert visible[0]["max_score"] == assignment.points
    assert "bug in the grader" not in visible[0]["output"]  # the traceback is for staff only
    staff = "\n".join(t["output"] for t in document["tests"] if t["visibility"] == "hidden")
    assert "RuntimeError: bug in the grader" in staff
    assert "seed 7" in staff
