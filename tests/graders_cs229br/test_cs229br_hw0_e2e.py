"""cs229br_hw0 graded end to end: the solution, the blank template, thirteen wrong answers and
four right ones written differently from reference/.

Five grading runs (each starts a kernel and imports torch; the wrong-answer runs skip the cells
tagged "experiment"): the solution notebook, the blank template, and three notebooks that carry
wrong answers to different questions. `grade_nb` validates every results.json.
"""

import pytest

from graders.cs229br_hw0.mistakes import MISTAKES as WRONG
from tests import e2e
from tests.graders_cs229br.notebooks import GROUPS, RIGHT

pytestmark = pytest.mark.slow


def test_solution_scores_full_marks_and_85_percent_is_not_graded(solution_doc, a1):
    assert a1.points == 56.0  # 100 - 44 written, graded by hand
    held_back = a1.question("q21_accuracy")
    assert solution_doc["score"] == a1.points - held_back.points
    graded = [t for t in solution_doc["tests"] if t["number"]]
    assert {t["number"] for t in graded} == {q.number for q in a1.autograded}
    for test in graded:
        if test["number"] == held_back.number:  # no CIFAR-10 test batch on this machine
            assert (test["score"], test["max_score"], test["status"]) == (
                0, held_back.points, "failed"), test  # the total stays the handout's
            assert test["output"].startswith("Not graded: not graded here: the CIFAR-10 test "
                                             "batch"), test
        else:
            assert (test["status"], test["output"]) == ("passed", "passed"), test["name"]
            assert test["score"] == test["max_score"], test["name"]
    assert not [t for t in solution_doc["tests"] if "Autograder error" in t["name"]]
    assert solution_doc["output"].splitlines()[0].startswith("Not graded: 2.1b")  # said on top
    assert "\n17 of 17 code cells ran without error." in solution_doc["output"]


def test_blank_template_scores_zero_with_a_message_per_test(blank_doc, solution_doc):
    e2e.assert_blank_scores_zero(
        blank_doc, solution_doc,
        lambda output: any(s in output for s in (
            "not implemented yet", "NotImplementedError", "no answer typed"))
        or output.startswith("Not graded: "),
        graded=lambda test: test["number"] and test["max_score"])


@pytest.mark.parametrize("name", [n for group in GROUPS.values() for n in group])
def test_a_wrong_answer_loses_its_points_and_says_why(name, a1, group_docs, question_scores,
                                                      question_outputs):
    wrong = WRONG[name]
    doc = group_docs[next(g for g, names in GROUPS.items() if name in names)]
    assert question_scores(doc)[wrong.question] == pytest.approx(wrong.kept)
    assert wrong.kept < a1.question(wrong.question).points
    e2e.assert_says(question_outputs(doc)[wrong.question], wrong.says)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_wrong_answers_cost_no_other_question(group, group_docs, question_scores, full_points):
    kept = {WRONG[name].question: WRONG[name].kept for name in GROUPS[group]}
    expected = {q: kept.get(q, points) for q, points in full_points.items()}
    expected["q21_accuracy"] = 0.0  # not graded here
    assert question_scores(group_docs[group]) == pytest.approx(expected)
    assert not [t for t in group_docs[group]["tests"] if "Autograder error" in t["name"]]


@pytest.mark.parametrize("name", sorted(RIGHT))
def test_a_right_answer_written_differently_keeps_its_points(name, a1, group_docs,
                                                             question_scores):
    question = RIGHT[name][0]
    assert question not in {WRONG[n].question for n in GROUPS["c"]}
    assert question_scores(group_docs["c"])[question] == a1.question(question).points


def test_hidden_messages_show_students_no_drawn_detail(group_docs, a1):
    """A wrong answer's hidden-test message names the function and what is wrong; the sizes and
    labels the grader drew are kept for staff only, in the hidden entry of full messages."""
    doc = group_docs["a"]
    seen = {q: "\n".join(t["output"] for t in doc["tests"]
                         if t["number"] == a1.question(q).number)
            for q in ("q23_accuracy", "q241_groups")}
    assert "top_k_accuracy: relative difference" in seen["q23_accuracy"]
    assert "for k = 5 (" in seen["q23_accuracy"] and "queries" not in seen["q23_accuracy"]
    assert "group_labels: relative difference" in seen["q241_groups"]
    assert "chosen" not in seen["q241_groups"]
    staff = next(t for t in doc["tests"]
                 if t["name"] == "Full messages of hidden tests (staff only)")
    assert staff["visibility"] == "hidden"
    assert "for k = 5 and 7 queries (" in staff["output"]
    assert "group_labels: relative difference" in staff["output"]
    assert "for chosen = [" in staff["output"]
