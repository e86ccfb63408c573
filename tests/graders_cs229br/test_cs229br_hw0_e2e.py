"""cs229br_hw0 graded end to end: the solution, the blank template, thirteen wrong answers and
four right ones written differently from reference/.

Five grading runs (each starts a kernel and imports torch; the wrong-answer runs skip the cells
tagged "experiment"): the solution notebook, the blank template, and three notebooks that carry
wrong answers to different questions. `grade_nb` validates every results.json.
"""

import copy

import pytest

from graders.answer_cells import answer_cells
from graders.cs229br_hw0.mistakes import MISTAKES as WRONG
from tests.graders_comp499.notebooks import replace_cells
from tests.graders_cs229br.notebooks import GROUPS, RIGHT

pytestmark = pytest.mark.slow


def _with_wrong(nb, names):
    """`nb` with the wrong answers `names` in place of the right ones (answer cells included)."""
    nb = copy.deepcopy(nb)
    typed = {WRONG[n].question: WRONG[n].source for n in names
             if WRONG[n].question in answer_cells(nb)}
    for cell in nb.cells:
        question = cell.metadata.get("dlgrade", {}).get("answer")
        if question in typed:
            cell.source = typed[question]
    return replace_cells(nb, {WRONG[n].question: WRONG[n].source for n in names
                              if WRONG[n].question not in typed})


@pytest.fixture(scope="module")
def group_docs(grade_nb, solution, tmp_path_factory):
    """Results of each group; group c also carries the right answers of RIGHT."""
    notebooks = {group: _with_wrong(solution, names) for group, names in GROUPS.items()}
    notebooks["c"] = replace_cells(notebooks["c"], dict(RIGHT.values()))
    return {group: grade_nb(nb, tmp_path_factory.mktemp(group), graded_only=True)
            for group, nb in notebooks.items()}


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
    assert blank_doc["score"] == 0
    assert [t["name"] for t in blank_doc["tests"] if t["number"]] == [  # staff entries may differ
        t["name"] for t in solution_doc["tests"] if t["number"]]
    for test in blank_doc["tests"]:
        if test["number"] and test["max_score"]:
            assert test["status"] == "failed" and test["score"] == 0, test["name"]
            assert ("not implemented yet" in test["output"] or "NotImplementedError" in
                    test["output"] or "no answer typed" in test["output"]
                    or test["output"].startswith("Not graded: ")), test
    assert not [t for t in blank_doc["tests"] if "Autograder error" in t["name"]]


@pytest.mark.parametrize("name", [n for group in GROUPS.values() for n in group])
def test_a_wrong_answer_loses_its_points_and_says_why(name, a1, group_docs, question_scores,
                                                      question_outputs):
    wrong = WRONG[name]
    doc = group_docs[next(g for g, names in GROUPS.items() if name in names)]
    assert question_scores(doc)[wrong.question] == pytest.approx(wrong.kept)
    assert wrong.kept < a1.question(wrong.question).points
    output = question_outputs(doc)[wrong.question]
    for fragment in wrong.says:
        assert fragment in output, output


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
