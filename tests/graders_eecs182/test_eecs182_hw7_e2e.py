"""eecs182_hw7 graded end to end: the solution, the blank template, and two notebooks that carry
wrong answers (and correct alternatives) to different questions.

Four grading runs of about 45-90 s each on 2 busy cores (the kernel imports torch, runs the
notebook, then the grader calls every graded function on its own data). Every run's
results.json is validated against Gradescope's schema by the `grade_hw7` fixture.
"""

import pytest

from tests import e2e
from tests.graders_eecs182.notebooks import GROUPS, VARIANTS

pytestmark = pytest.mark.slow


def test_solution_scores_full_marks(solution_doc, hw7):
    assert hw7.points == 90.0
    assert solution_doc["score"] == 90.0
    e2e.assert_every_test_passes(solution_doc, hw7)
    assert solution_doc["output"].startswith("39 of 39 code cells ran without error.")
    assert solution_doc["execution_time"] < 240


def test_blank_template_scores_zero_with_a_message_per_test(blank_doc, solution_doc):
    e2e.assert_blank_scores_zero(blank_doc, solution_doc, lambda output: any(s in output for s in (
        "not implemented yet", "NotImplementedError", "no answer typed")))


@pytest.mark.parametrize("name", [n for names in GROUPS.values() for n in names])
def test_each_variant_keeps_exactly_its_points(name, group_docs, hw7, question_scores,
                                               question_outputs):
    found = VARIANTS[name]
    doc = group_docs[next(g for g, names in GROUPS.items() if name in names)]
    full = hw7.question(found.question).points
    assert question_scores(doc)[found.question] == pytest.approx(
        full if found.right else found.kept)
    e2e.assert_says(question_outputs(doc)[found.question], found.says)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_variants_cost_no_other_question(group, group_docs, question_scores, hw7):
    changed = {VARIANTS[n].question: VARIANTS[n] for n in GROUPS[group]}
    expected = {q.id: q.points if q.id not in changed or changed[q.id].right
                else changed[q.id].kept for q in hw7.autograded}
    assert question_scores(group_docs[group]) == pytest.approx(expected)
    assert not [t for t in group_docs[group]["tests"] if "Autograder error" in t["name"]]
