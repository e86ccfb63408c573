"""Public check of CSCI 5527 HW3's answer cell: an answer is typed there as a string. It earns no
points and says nothing about the value, which the hidden test checks when it grades."""

from graders.answer_cells import answer_text
from graders.plugin import graded


@graded("p2a_value", 0, "public check: an answer is typed in the answer cell")
def test_p2a_value_is_typed(submission):
    answer_text(submission.nb, "p2a_value")
