"""comp499_a1 grades every correct reading of the handout and charges each mistake once, where it
lives (two grading runs, about 1 minute each on 2 busy cores).

One notebook carries a correct-but-different answer to eleven questions and must keep every point;
another carries seven subtle mistakes, each in its own question, and must lose exactly those
questions' points (and no others: a wrong mlp_forward costs 2(b), not 2(c); a my_model with an
extra layer costs 4(a), not 4(b)-(d)).
"""

import pytest

from graders.staff.solve import solution_notebook
from tests.graders_comp499.notebooks import replace_cells
from tests.graders_comp499.variants import RIGHT, SUBTLE

pytestmark = pytest.mark.slow


def _one_epoch(nb):
    """`nb` with the experiment cell training the four depth-8 networks for one epoch, not five:
    the fairness runs need its plots, not its accuracy, and stay well within the cell limit."""
    cell = next(c for c in nb.cells if "histories = {d: train_model(" in c.source)
    assert "y_test_mnist)\n" in cell.source
    cell.source = cell.source.replace("y_test_mnist)\n", "y_test_mnist, epochs=1)\n")
    return nb


@pytest.fixture(scope="module")
def right_doc(grade_nb, a1, tmp_path_factory):
    return grade_nb(_one_epoch(replace_cells(solution_notebook(a1), RIGHT)),
                    tmp_path_factory.mktemp("right"))


@pytest.fixture(scope="module")
def subtle_doc(grade_nb, a1, tmp_path_factory):
    sources = {wrong.question: wrong.source for wrong in SUBTLE.values()}
    assert len(sources) == len(SUBTLE)  # one mistake per question
    return grade_nb(_one_epoch(replace_cells(solution_notebook(a1), sources)),
                    tmp_path_factory.mktemp("subtle"))


def test_correct_but_different_answers_keep_every_point(right_doc, question_scores, full_points,
                                                        question_outputs):
    scores = question_scores(right_doc)
    assert scores == full_points, {q: question_outputs(right_doc)[q] for q in full_points
                                   if scores[q] != full_points[q]}
    assert right_doc["output"].startswith("32 of 32 code cells ran without error.")


@pytest.mark.parametrize("name", sorted(SUBTLE))
def test_a_subtle_mistake_loses_its_points_and_says_why(name, subtle_doc, question_scores,
                                                        question_outputs, full_points):
    wrong = SUBTLE[name]
    assert question_scores(subtle_doc)[wrong.question] == pytest.approx(wrong.kept, abs=1e-6)
    assert wrong.kept < full_points[wrong.question]
    output = question_outputs(subtle_doc)[wrong.question]
    for fragment in wrong.says:
        assert fragment in output, output


def test_subtle_mistakes_cost_no_other_question(subtle_doc, question_scores, question_outputs,
                                                full_points):
    kept = {wrong.question: wrong.kept for wrong in SUBTLE.values()}
    expected = {q: kept.get(q, points) for q, points in full_points.items()}
    assert question_scores(subtle_doc) == pytest.approx(expected, abs=1e-6)
    # 4(b)-(d) ran on the student's own (deeper) architecture, as 4(a)'s message says
    assert "so this costs 4(a) only" in question_outputs(subtle_doc)["q4a"]
    assert not [t for t in subtle_doc["tests"] if "Autograder error" in t["name"]]
