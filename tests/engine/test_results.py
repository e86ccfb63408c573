import json
import os
import stat
import threading
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


def _read_fifo(path: Path, into: list) -> threading.Thread:
    def read():
        while True:  # one open per writer: the placeholder, if written, would be a document too
            with open(path) as f:
                text = f.read()
            into.append(text)
            if '"Grading run (staff only)"' in text or text.startswith('{\n  "score": 2'):
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader


def test_a_special_file_is_written_in_place_never_replaced(tmp_path):
    """`--results /dev/stdout` or a FIFO: as root, a rename over /dev/null made it a plain file
    (and every later write to it failed for other users)."""
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    read = []
    reader = _read_fifo(fifo, read)
    write_results(fifo, {"score": 2})
    reader.join(30)
    assert [json.loads(text) for text in read] == [{"score": 2}]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["results.fifo"]  # no temp file, no reserve


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_null_device_stays_one(tmp_path):
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    grade(load_assignment("csci5527_hw3"), tmp_path / "missing.ipynb", null, seed=7)
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert [p.name for p in tmp_path.iterdir()] == ["null"]


def test_a_grading_into_a_fifo_writes_one_document(tmp_path):
    fifo = tmp_path / "results.fifo"
    os.mkfifo(fifo)
    read = []
    reader = _read_fifo(fifo, read)
    document = grade(load_assignment("csci5527_hw3"), tmp_path / "missing.ipynb", fifo, seed=7)
    reader.join(60)
    assert [json.loads(text) for text in read] == [document]  # the placeholder is not sent
