"""csci5527_hw3 graded end to end: the solution, the blank template and wrong answers.

Six grading runs (each starts a kernel and imports torch; 80 to 100 s in all on 2 busy cores): the
full solution notebook, the blank template, two notebooks that each carry five wrong functions in
different questions, one with forbidden code, and the public checks alone on a hard-coded answer.
Every run's results.json is validated against Gradescope's schema by the `grade_nb` fixture.
"""

import pytest

from graders.csci5527_hw3.mistakes import MISTAKES as WRONG
from graders.scan import scan
from tests import e2e
from tests.graders.conftest import GRADE, p2p3
from tests.graders.notebooks import (
    IMPORT_REFERENCE,
    REFERENCE_LAYER_NORM,
    SCIPY_XCORR2D,
    insert_cell,
    replace_cells,
    slim,
)

pytestmark = pytest.mark.slow

# Wrong answers graded together; each group touches each question at most once.
GROUPS = {
    "a": ("hard_coded_xcorr1d", "transposed_xcorr_matrix", "jacobian_is_C_w",
          "convolution_xcorr2d", "batch_norm_per_sample"),
    "b": ("gradient_magnitude_X1_twice", "match_template_argmax", "same_size_multichannel",
          "layer_norm_over_batch", "instance_norm_unbiased", "p2a_value_reversed"),
}
# The solution's match_template and gradient_magnitude call the notebook's xcorr2d, but P2(e)-(g)
# are graded with a correct xcorr2d in its place: a convolution there costs P2(d) alone.


def _variant(solution, group: str):
    return replace_cells(slim(solution), {WRONG[name].question: WRONG[name].source
                                          for name in GROUPS[group]})


group_docs = e2e.group_docs(GRADE, _variant)


def test_solution_scores_full_marks(solution_doc, hw3, full_points):
    assert solution_doc["score"] == sum(full_points.values()) == 8.5  # P2 and P3
    graded = [t for t in solution_doc["tests"] if t["number"]]
    assert {t["number"] for t in graded} == {q.number for q in p2p3(hw3)}
    assert sum(t["max_score"] for t in graded) == 8.5
    for test in graded:
        assert (test["status"], test["score"], test["output"]) == (
            "passed", test["max_score"], "passed"), test["name"]
    assert not [t for t in solution_doc["tests"] if "Autograder error" in t["name"]]
    assert solution_doc["output"].startswith("hw3.ipynb: 20 of 20 code cells ran without error.")


def test_blank_template_scores_zero_with_a_message_per_test(blank_doc, solution_doc):
    e2e.assert_blank_scores_zero(blank_doc, solution_doc, lambda output: (
        "is not implemented yet (it raises NotImplementedError)" in output
        or "no answer typed in the answer cell" in output))


@pytest.mark.parametrize("name", [n for group in GROUPS.values() for n in group])
def test_a_wrong_answer_loses_its_question_and_says_why(name, group_docs, hw3, question_scores,
                                                        question_outputs):
    wrong = WRONG[name]
    group = next(g for g, names in GROUPS.items() if name in names)
    doc = group_docs[group]
    assert question_scores(doc)[wrong.question] == 0
    number = hw3.question(wrong.question).number
    failed = [t for t in doc["tests"] if t["number"] == number and t["max_score"] > 0]
    assert failed and all(t["status"] == "failed" for t in failed)
    e2e.assert_says(question_outputs(doc)[wrong.question], wrong.says)


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_wrong_answers_cost_no_other_question(group, group_docs, question_scores, full_points):
    doc = group_docs[group]
    lost = {WRONG[name].question for name in GROUPS[group]}
    expected = {q: 0 if q in lost else points for q, points in full_points.items()}
    assert question_scores(doc) == expected
    assert doc["output"].startswith("hw3.ipynb: 12 of 12 code cells ran without error.")


def test_forbidden_code_loses_the_questions_that_use_it(grade_nb, solution, tmp_path,
                                                        question_scores, question_outputs,
                                                        full_points):
    nb = replace_cells(slim(solution), {"p2d": SCIPY_XCORR2D, "p3_layer": REFERENCE_LAYER_NORM})
    doc = grade_nb(nb, tmp_path)
    # match_template and gradient_magnitude call this xcorr2d: the mistake is charged once, to
    # P2(d) where it lives (statically), and not again when P2(e) and P2(f) run it.
    expected = {q: 0 if q in {"p2d", "p3_layer"} else p for q, p in full_points.items()}
    assert question_scores(doc) == expected
    outputs = question_outputs(doc)
    assert "xcorr2d (cell " in outputs["p2d"] and "uses scipy.signal.correlate2d" in outputs["p2d"]
    assert "earns no points" in outputs["p2d"]
    assert "imports 'reference', the grader's own package" in outputs["p3_layer"]
    assert "scipy" not in outputs["p3_layer"]


def test_an_import_of_reference_in_any_cell_flags_every_question(solution, hw3_questions):
    nb = insert_cell(slim(solution), 2, IMPORT_REFERENCE)
    findings = scan(nb, hw3_questions)
    assert set(findings) == {q.id for q in hw3_questions}
    for reasons in findings.values():
        assert reasons == ["cell 3 imports 'reference', the grader's own package"]
    assert scan(slim(solution), hw3_questions) == {}


def test_public_checks_pass_a_hard_coded_answer_that_hidden_tests_fail(
        grade_nb, solution, tmp_path, group_docs, question_scores, full_points):
    wrong = WRONG["hard_coded_xcorr1d"]
    doc = grade_nb(replace_cells(slim(solution), {wrong.question: wrong.source}), tmp_path,
                   public_only=True)
    graded = [t for t in doc["tests"] if t["number"]]
    assert len(graded) == len(full_points) and all(t["max_score"] == 0 for t in graded)
    assert all(t["status"] == "passed" for t in graded), [t["output"] for t in graded]
    assert doc["score"] == 0
    # The same notebook with the hidden tests: P2(a) earns nothing.
    assert question_scores(group_docs["a"])["p2a"] == 0


def test_hidden_messages_show_students_no_drawn_shapes(group_docs, hw3):
    """A hidden test's message says what is wrong; the drawn inputs' shapes go to staff only."""
    number = hw3.question("p2d").number
    seen = [t["output"] for t in group_docs["a"]["tests"] if t["number"] == number
            and t["status"] == "failed" and "public check" not in t["name"]]
    assert seen and all("xcorr2d: relative difference" in text for text in seen)
    assert not any("for inputs of shape" in text for text in seen)
    staff = next(t for t in group_docs["a"]["tests"]
                 if t["name"] == "Full messages of hidden tests (staff only)")
    assert staff["visibility"] == "hidden" and "for inputs of shape" in staff["output"]
