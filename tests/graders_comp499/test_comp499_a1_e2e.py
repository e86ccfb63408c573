"""comp499_a1 graded end to end: the solution, the blank template and eleven wrong answers.

Four grading runs (each starts a kernel, imports torch, trains the small Boston and MNIST models
and calls every graded function; about 1 minute each on 2 busy cores): the solution notebook, the
blank template, and two notebooks that each carry wrong answers to different questions. Every
run's results.json is validated against Gradescope's schema by the `grade_nb` fixture.
"""

import pytest

from graders.comp499_a1.mistakes import MISTAKES as WRONG
from tests import e2e
from tests.graders_comp499.notebooks import GROUPS

pytestmark = pytest.mark.slow


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
    e2e.assert_blank_scores_zero(blank_doc, solution_doc, lambda output: any(s in output for s in (
        "not implemented yet", "no answer typed", "did not finish (error: NotImplementedError")))


@pytest.mark.parametrize("name", [n for group in GROUPS.values() for n in group])
def test_a_wrong_answer_loses_its_points_and_says_why(name, group_docs, a1, question_scores,
                                                      question_outputs):
    wrong = WRONG[name]
    group = next(g for g, names in GROUPS.items() if name in names)
    doc = group_docs[group]
    assert question_scores(doc)[wrong.question] == pytest.approx(wrong.kept)
    assert wrong.kept < a1.question(wrong.question).points
    e2e.assert_says(question_outputs(doc)[wrong.question], wrong.says)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_wrong_answers_cost_no_other_question(group, group_docs, question_scores, full_points):
    doc = group_docs[group]
    kept = {WRONG[name].question: WRONG[name].kept for name in GROUPS[group]}
    expected = {q: kept.get(q, points) for q, points in full_points.items()}
    assert question_scores(doc) == pytest.approx(expected)
    assert not [t for t in doc["tests"] if "Autograder error" in t["name"]]
