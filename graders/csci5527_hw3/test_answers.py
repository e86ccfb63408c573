"""Hidden tests of CSCI 5527 HW3's answer cells: text typed by the student, read from the notebook
and checked with theory's answer checker against theory.answer_keys (never executed)."""

from graders.answer_cells import grade_key
from graders.plugin import graded
from theory.answer_keys import key_for


@graded("p2a_value", 0.25, "the value of [3, 2, 1] ⋆ [4, 6, 3, 9] typed in its answer cell")
def test_p2a_value(submission, rng):
    grade_key(submission.nb, key_for("csci5527_hw3", "p2a_value"),
              seed=int(rng.integers(2**63)))
