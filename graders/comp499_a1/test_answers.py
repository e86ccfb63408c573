"""Hidden tests of COMP 499/691 A1's answer cells: text typed by the student, read from the
notebook and checked with theory's answer checker against theory.answer_keys (never executed)."""

from graders.answer_cells import grade_key
from graders.plugin import graded
from theory.answer_keys import key_for


@graded("q2e_counts", 2.0, "the operation counts of forward and reverse mode")
def test_q2e_counts(submission, rng):
    grade_key(submission.nb, key_for("comp499_a1", "q2e_counts"), seed=int(rng.integers(2**63)))


@graded("q5a_minimizer", 1.0, "the least-squares minimizer as a formula in X and y")
def test_q5a_minimizer(submission, rng):
    grade_key(submission.nb, key_for("comp499_a1", "q5a_minimizer"),
              seed=int(rng.integers(2**63)))
