"""Hidden tests of EECS 182 HW7's answer cells: the choices of Q2(a) and Q6(b), and the closed
forms of Q3(a)-(c) and Q5(b)(i), read as text and checked by theory's answer checker against the
keys in theory.answer_keys (the same keys `dlgrade solve` writes into the solution)."""

import pytest

from graders.answer_cells import grade_key
from graders.plugin import graded
from theory.answer_keys import key_for

A = "eecs182_hw7"


@pytest.mark.parametrize("question", [
    pytest.param("q2a_i", marks=graded("q2a_i", 1.0, "the number of linear layers")),
    pytest.param("q2a_ii", marks=graded("q2a_ii", 1.0, "the loss function")),
    pytest.param("q2a_iii", marks=graded("q2a_iii", 1.0,
                                         "what optimizing (3) exactly needs (select all)")),
    pytest.param("q3a", marks=graded("q3a", 1.0, "E[q^T k]")),
    pytest.param("q3b", marks=graded("q3b", 1.0, "Var(q^T k) for mu = 0, sigma = 1")),
    pytest.param("q3c", marks=graded("q3c", 1.0, "the scale s")),
    pytest.param("q5b_i", marks=graded("q5b_i", 1.0, "the quadratic kernel's similarity")),
    pytest.param("q6b_answer", marks=graded("q6b_answer", 1.0,
                                            "which normalization fails the accumulation test")),
])
def test_answer(submission, question):
    grade_key(submission.nb, key_for(A, question))

