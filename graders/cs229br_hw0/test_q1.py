"""Hidden test of CS 229br HW0 Q1.2: the constant c, typed in its answer cell (the proofs of Q1
are graded by hand; theory/cs229br_sgd_expected_gradient.py derives c = 2 for the handout's loss
(f(x) - y)^2)."""

from graders.answer_cells import grade_closed_form
from graders.plugin import graded


@graded("q12", 2.0, "the constant c in E[grad L] = c (w_t - w_*)")
def test_constant(submission):
    grade_closed_form(submission.nb, "q12", 2, label="c")
