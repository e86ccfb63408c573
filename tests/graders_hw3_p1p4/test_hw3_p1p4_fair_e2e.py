"""csci5527_hw3 P1(b)-(d) and P4(a) accept every form the handout allows (one grading run of the
P1 and P4 notebooks, without training: about 1 minute on 2 busy cores).

Adagrad and RMSprop written as functions that return an object keep their points, and so does a
ResNet whose new head is the last layer of an nn.Sequential. Adam in the paper's reordered form
with eps-hat = eps loses P1(d) with a message that says eps placement is what differs.
"""

import pytest

from graders.staff.solve import solution_notebook
from tests.graders_hw3_p1p4.notebooks import replace_cell_with, replace_definitions
from tests.graders_hw3_p1p4.variants import ADAM_EPS_HAT, RIGHT_P1, RIGHT_P4

pytestmark = pytest.mark.slow

P1, P4 = "hw3_p1.ipynb", "hw3_p4.ipynb"


@pytest.fixture(scope="module")
def doc(grade_notebooks, hw3, tmp_path_factory):
    p1 = replace_definitions(solution_notebook(hw3, P1), RIGHT_P1)
    p1 = replace_definitions(p1, ADAM_EPS_HAT)
    p1 = replace_cell_with(p1, "p1_runs = {}", "p1_runs = {}  # P1(e) is not under test here")
    p4 = replace_definitions(solution_notebook(hw3, P4), RIGHT_P4)
    return grade_notebooks({P1: p1, P4: p4}, tmp_path_factory.mktemp("fair"))


def test_functions_returning_optimizers_and_a_sequential_head_keep_their_points(
        doc, hw3, question_scores, question_outputs):
    scores = question_scores(doc)
    for question in ("p1b", "p1c", "p4a"):
        assert scores[question] == hw3.question(question).points, question_outputs(doc)[question]


def test_adam_with_eps_hat_says_where_eps_differs(doc, question_scores, question_outputs):
    assert question_scores(doc)["p1d"] == 0
    output = question_outputs(doc)["p1d"]
    assert "Adam: parameters differ from the reference after step 1" in output
    assert "reordered form with eps-hat = eps" in output and "Only where eps goes differs" in output
