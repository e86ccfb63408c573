"""cmu10605_hw5 graded end to end: the solution, the blank template, two notebooks of wrong
answers (each also carrying other correct forms of the questions it leaves alone) and one of
correct alternatives. Five grading runs; the variant notebooks skip the `experiment` cells."""

import pytest

from tests import e2e
from tests.graders_cmu10605.notebooks import GROUPS, WRONG

pytestmark = pytest.mark.slow


def test_solution_scores_full_marks(solution_doc, hw5):
    assert hw5.points == 60.0  # 100 - 40 written points graded by hand
    assert sum(q.points for q in hw5.questions) == 100.0
    assert solution_doc["score"] == 60.0
    e2e.assert_every_test_passes(solution_doc, hw5)
    assert solution_doc["output"].startswith("25 of 25 code cells ran without error.")


def test_blank_template_scores_zero_with_a_message_per_test(blank_doc, solution_doc):
    e2e.assert_blank_scores_zero(blank_doc, solution_doc, lambda output: any(s in output for s in (
        "not implemented yet", "no answer typed", "NotImplementedError", "expected [")))


@pytest.mark.parametrize("name", [n for names in GROUPS.values() for n in names if n in WRONG])
def test_a_wrong_answer_loses_its_points_and_says_why(name, group_docs, question_scores,
                                                      question_outputs, hw5):
    wrong = WRONG[name]
    question = wrong.question[:4] if wrong.question[:4] in ("s12b", "s12d") else wrong.question
    doc = group_docs[next(g for g, names in GROUPS.items() if name in names)]
    score, output = question_scores(doc)[question], question_outputs(doc)[question]
    assert score == pytest.approx(wrong.kept)
    assert wrong.kept < hw5.question(question).points
    e2e.assert_says(output, wrong.says)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_every_other_question_keeps_its_points(group, group_docs, question_scores, hw5):
    wrong = {(w.question[:4] if w.question[:4] in ("s12b", "s12d") else w.question): w.kept
             for w in (WRONG[n] for n in GROUPS[group] if n in WRONG)}
    scores = question_scores(group_docs[group])
    expected = {q.id: wrong.get(q.id, q.points) for q in hw5.autograded}
    assert scores == pytest.approx(expected)
    assert not [t for t in group_docs[group]["tests"] if "Autograder error" in t["name"]]
