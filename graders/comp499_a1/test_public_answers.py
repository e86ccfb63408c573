"""Public checks of COMP 499/691 A1's answer cells: an answer is typed in each as a string. They
earn no points and say nothing about the values, which the hidden tests check when they grade."""

from graders.answer_cells import answer_text
from graders.plugin import graded


@graded("q2e_counts", 0, "public check: the two counts are typed in the answer cell")
def test_q2e_counts_are_typed(submission):
    answer_text(submission.nb, "q2e_counts")


@graded("q5a_minimizer", 0, "public check: the minimizer is typed in the answer cell")
def test_q5a_minimizer_is_typed(submission):
    answer_text(submission.nb, "q5a_minimizer")
