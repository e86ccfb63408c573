"""Outcomes a student and staff can trust: passed, failed, not graded and not run, each shown as
what it is; the total always the handout's; hidden tests' messages without drawn values."""

from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from graders.assignments import load_assignment
from graders.errors import NotGradable, PartialCredit, StudentError, drawn
from graders.kernel import Limits
from graders.plugin import GradingPlugin, NotebookUnusable, Outcome
from graders.report import format_table
from graders.results import RESULTS_SCHEMA, results_document

HW3 = load_assignment("csci5527_hw3")
WHERE = drawn(" (problem 2: 3 tensors of shapes (4, 1), (2,); lr=0.0734)")


def _plugin(outcomes: dict[str, Outcome], assignment=HW3) -> GradingPlugin:
    plugin = GradingPlugin(assignment, Path("unused"), 1, Limits())
    plugin.outcomes = outcomes
    return plugin


def _outcome(question: str, points: float, error=None, *, public=False, visibility=None,
             assignment=HW3) -> Outcome:
    visibility = visibility or ("visible" if public else assignment.hidden_visibility)
    return Outcome(question, points, "a test", visibility,
                   redacted=not public and visibility != "hidden", error=error)


def _document(plugin: GradingPlugin) -> dict:
    document = results_document(plugin.results(), 1.0, plugin.summary())
    jsonschema.validate(document, RESULTS_SCHEMA)
    return document


def test_not_graded_is_failed_with_zero_of_its_points_and_says_why():
    why = "the chest X-ray test split is not installed on this autograder"
    plugin = _plugin({"a": _outcome("p4a", 1.0),
                      "b": _outcome("p4b", 1.0, NotGradable(why))})
    document = _document(plugin)
    a, b = document["tests"]
    assert (a["status"], a["score"], a["max_score"]) == ("passed", 1.0, 1.0)
    assert (b["status"], b["score"], b["max_score"]) == ("failed", 0.0, 1.0)
    assert b["output"] == f"Not graded: {why}" and b["visibility"] == "visible"
    assert document["output"] == f"Not graded: 4.2 P4(b) the 90% test: {why}"
    table = format_table(document)
    assert "n/g      0/1    4.2 P4(b) the 90% test" in table
    assert "total: 1 / 2" in table
    assert "1 test(s) not graded here (1 points held at 0 until staff regrade)" in table


def test_the_total_is_the_handouts_whatever_was_submitted():
    """Passed, failed, partial, not graded and not run: the out-of total never moves."""
    errors = [None, StudentError("wrong"), PartialCredit(0.5, "half"), NotGradable("no data"),
              NotebookUnusable("hw3_p1.ipynb")]
    for error in errors:
        plugin = _plugin({f"{q.id}": _outcome(q.id, q.points, error) for q in HW3.autograded})
        tests = [t for t in _document(plugin)["tests"] if t["number"]]
        assert sum(t["max_score"] for t in tests) == HW3.points == 15.0


def test_a_notebook_that_cannot_be_graded_is_said_once_and_its_tests_are_not_run():
    plugin = _plugin({f"t{i}": _outcome("p1b", 1.0, NotebookUnusable("hw3_p1.ipynb"))
                      for i in range(5)})
    plugin.submissions["hw3_p1.ipynb"] = StudentError(
        "hw3_p1.ipynb is not a Jupyter notebook (not valid JSON: line 1)")
    document = _document(plugin)
    assert document["output"] == (
        "hw3_p1.ipynb was not graded: hw3_p1.ipynb is not a Jupyter notebook (not valid JSON: "
        "line 1). Its tests were not run and score 0.")
    assert {t["output"] for t in document["tests"]} == {
        "Not run: hw3_p1.ipynb could not be graded (the reason is at the top of the results)"}
    table = format_table(document)
    assert "n/r      0/5    1.2 P1(b) Adagrad" in table
    assert "Not run" not in table.split("total")[0]  # no message repeated under the question


def test_hidden_tests_drop_what_was_drawn_and_staff_keep_it():
    message = f"Adam: parameters differ from the reference after step 3 of 8{WHERE}"
    plugin = _plugin({"hidden": _outcome("p1d", 1.5, StudentError(message)),
                      "public": _outcome("p1d", 0, StudentError(message), public=True)})
    tests = _document(plugin)["tests"]
    assert tests[0]["output"] == "Adam: parameters differ from the reference after step 3 of 8"
    assert tests[1]["output"] == (  # public inputs are no secret
        "Adam: parameters differ from the reference after step 3 of 8 (problem 2: 3 tensors of "
        "shapes (4, 1), (2,); lr=0.0734)")
    staff = [t for t in tests if t["name"] == "Full messages of hidden tests (staff only)"]
    assert staff[0]["visibility"] == "hidden" and "lr=0.0734" in staff[0]["output"]


@pytest.mark.parametrize("level", ["visible", "after_due_date", "after_published", "hidden"])
def test_visibility_per_assignment_and_per_test(level):
    assignment = replace(HW3, hidden_visibility=level)
    error = StudentError(f"xcorr2d: wrong{WHERE}")
    plugin = _plugin({"h": _outcome("p2d", 1.0, error, assignment=assignment),
                      "p": _outcome("p2d", 0, None, public=True, assignment=assignment),
                      "o": _outcome("p2d", 1.0, error, visibility="after_due_date",
                                    assignment=assignment)}, assignment)
    hidden, public, override = _document(plugin)["tests"][:3]
    assert (hidden["visibility"], public["visibility"], override["visibility"]) == (
        level, "visible", "after_due_date")
    # a message no student will ever see may keep its details
    assert hidden["output"] == ("xcorr2d: wrong" if level != "hidden" else
                                "xcorr2d: wrong (problem 2: 3 tensors of shapes (4, 1), (2,); "
                                "lr=0.0734)")
    assert override["output"] == "xcorr2d: wrong"


def test_the_notebook_run_ahead_of_pytest_is_the_first_one_the_submission_holds(monkeypatch):
    """Graded alone, hw3_p4.ipynb runs while the grader imports, not after (a student checking
    that file waited ~3x a plain run for it)."""
    import graders.plugin

    tried = []

    class Executed:
        def __init__(self, path, assignment, limits, graded_only, name, progress):
            tried.append(name)
            if name != "hw3_p4.ipynb":
                raise StudentError(f"{name} is not in the submission")

        def close(self):
            pass

    monkeypatch.setattr(graders.plugin, "Submission", Executed)
    plugin = GradingPlugin(load_assignment("csci5527_hw3"), Path("unused"), 1, Limits())
    plugin.execute_first()
    assert tried == ["hw3.ipynb", "hw3_p1.ipynb", "hw3_p4.ipynb"]
    assert isinstance(plugin.submissions["hw3_p4.ipynb"], Executed)
    assert isinstance(plugin.submissions["hw3.ipynb"], StudentError)
