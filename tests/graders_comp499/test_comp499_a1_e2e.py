"""comp499_a1 graded end to end: the solution, the blank template and eleven wrong answers.

Four grading runs (each starts a kernel, imports torch, trains the small Boston and MNIST models
and calls every graded function; about 1 minute each on 2 busy cores): the solution notebook, the
blank template, and two notebooks that each carry wrong answers to different questions. Every
run's results.json is validated against Gradescope's schema by the `grade_nb` fixture.
"""

import nbformat
import pytest

from graders.comp499_a1.mistakes import MISTAKES as WRONG
from graders.staff.solve import solution_notebook
from tests.graders_comp499.notebooks import GROUPS, replace_cells

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def solution(a1):
    return solution_notebook(a1)


@pytest.fixture(scope="module")
def solution_doc(grade_nb, solution, tmp_path_factory):
    return grade_nb(solution, tmp_path_factory.mktemp("solution"))


@pytest.fixture(scope="module")
def blank_doc(grade_nb, a1, tmp_path_factory):
    return grade_nb(nbformat.read(a1.template, as_version=4), tmp_path_factory.mktemp("blank"))


def _group_doc(grade_nb, solution, tmp_path_factory, group):
    sources = {WRONG[name].question: WRONG[name].source for name in GROUPS[group]}
    return grade_nb(replace_cells(solution, sources), tmp_path_factory.mktemp(group))


@pytest.fixture(scope="module")
def group_a_doc(grade_nb, solution, tmp_path_factory):
    return _group_doc(grade_nb, solution, tmp_path_factory, "a")


@pytest.fixture(scope="module")
def group_b_doc(grade_nb, solution, tmp_path_factory):
    return _group_doc(grade_nb, solution, tmp_path_factory, "b")


def test_solution_scores_full_marks(solution_doc, a1):
    assert a1.points == 84.0  # 93 - 9 written; 5(c)'s 4 points are extra credit on top
    assert solution_doc["score"] == 88.0
    graded = [t for t in solution_doc["tests"] if t["number"]]
    assert {t["number"] for t in graded} == {q.number for q in a1.autograded}
    extra = {q.number: q.points for q in a1.autograded if q.extra_credit}
    for test in graded:
        assert (test["status"], test["output"]) == ("passed", "passed"), test["name"]
        if test["number"] not in extra:
            assert test["score"] == test["max_score"], test["name"]
    for number, points in extra.items():  # extra credit: max_score 0, the points on top
        assert sum(t["score"] for t in graded if t["number"] == number) == points
        assert sum(t["max_score"] for t in graded if t["number"] == number) == 0
    assert sum(t["max_score"] for t in graded) == a1.points  # Gradescope's out-of total
    assert not [t for t in solution_doc["tests"] if "Autograder error" in t["name"]]
    assert solution_doc["output"].startswith("32 of 32 code cells ran without error.")
    assert solution_doc["execution_time"] < 240  # the notebook budget is 480 s


def test_blank_template_scores_zero_with_a_message_per_test(blank_doc, solution_doc):
    assert blank_doc["score"] == 0
    assert [t["name"] for t in blank_doc["tests"] if t["number"]] == [  # staff entries may differ
        t["name"] for t in solution_doc["tests"] if t["number"]]
    for test in blank_doc["tests"]:
        if test["number"]:
            assert test["status"] == "failed" and test["score"] == 0, test["name"]
            assert "not implemented yet" in test["output"] or "no answer typed" in test[
                "output"] or (
                "did not finish (error: NotImplementedError" in test["output"]), test
    assert not [t for t in blank_doc["tests"] if "Autograder error" in t["name"]]


@pytest.mark.parametrize("name", [n for group in GROUPS.values() for n in group])
def test_a_wrong_answer_loses_its_points_and_says_why(name, request, a1, question_scores,
                                                      question_outputs):
    wrong = WRONG[name]
    group = next(g for g, names in GROUPS.items() if name in names)
    doc = request.getfixturevalue(f"group_{group}_doc")
    assert question_scores(doc)[wrong.question] == pytest.approx(wrong.kept)
    assert wrong.kept < a1.question(wrong.question).points
    output = question_outputs(doc)[wrong.question]
    for fragment in wrong.says:
        assert fragment in output, output


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_wrong_answers_cost_no_other_question(group, request, question_scores, full_points):
    doc = request.getfixturevalue(f"group_{group}_doc")
    kept = {WRONG[name].question: WRONG[name].kept for name in GROUPS[group]}
    expected = {q: kept.get(q, points) for q, points in full_points.items()}
    assert question_scores(doc) == pytest.approx(expected)
    assert not [t for t in doc["tests"] if "Autograder error" in t["name"]]
