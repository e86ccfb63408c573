"""csci5527_hw3 P2 and P3 grade every correct reading of the handout and charge each mistake once,
where it lives (two grading runs of hw3.ipynb, about 15 s each on 2 busy cores).

One notebook carries a correct-but-different answer to every question and keeps every point; the
other carries six subtle mistakes, one per question, and loses exactly their points: code written
for the handout's literal example earns nothing, a missing xcorr1d is not half paid for by a
one-line yx_from_xy, and the messages of the norms say whether eps or the axes differ.
"""

import pytest

from graders.staff.solve import solution_notebook
from tests.graders.notebooks import replace_cells, slim
from tests.graders.variants import RIGHT, SUBTLE

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def right_doc(grade_nb, hw3, tmp_path_factory):
    return grade_nb(replace_cells(slim(solution_notebook(hw3)), RIGHT),
                    tmp_path_factory.mktemp("right"))


@pytest.fixture(scope="module")
def subtle_doc(grade_nb, hw3, tmp_path_factory):
    sources = {subtle.question: subtle.source for subtle in SUBTLE.values()}
    assert len(sources) == len(SUBTLE)  # one mistake per question
    return grade_nb(replace_cells(slim(solution_notebook(hw3)), sources),
                    tmp_path_factory.mktemp("subtle"))


def test_correct_but_different_answers_keep_every_point(right_doc, question_scores, full_points,
                                                        question_outputs):
    scores = question_scores(right_doc)
    assert scores == full_points, {q: question_outputs(right_doc)[q] for q in full_points
                                   if scores[q] != full_points[q]}


@pytest.mark.parametrize("name", sorted(SUBTLE))
def test_a_subtle_mistake_loses_its_points_and_says_why(name, subtle_doc, question_scores,
                                                        question_outputs, full_points):
    subtle = SUBTLE[name]
    kept = subtle.kept * full_points[subtle.question]
    assert question_scores(subtle_doc)[subtle.question] == pytest.approx(kept, abs=1e-6)
    output = question_outputs(subtle_doc)[subtle.question]
    for fragment in subtle.says:
        assert fragment in output, output


def test_subtle_mistakes_cost_no_other_question(subtle_doc, question_scores, full_points):
    """xcorr2d written for a 3 x 3 Z1 only: P2(e)-(g), which may call it, keep their points."""
    kept = {s.question: s.kept * full_points[s.question] for s in SUBTLE.values()}
    expected = {q: kept.get(q, points) for q, points in full_points.items()}
    assert question_scores(subtle_doc) == pytest.approx(expected, abs=1e-6)
