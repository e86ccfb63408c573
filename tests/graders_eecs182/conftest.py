"""Fixtures for grading eecs182_hw7 notebooks end to end, made by tests/e2e.py: the assignment,
`grade_hw7`, scores and outputs per question, the graded solution (its answer cells typed) and
blank template, and `group_docs` (the notebooks of GROUPS' variants). Kernels run with one
thread, as the timing figures assume. The sandbox decision is tests/conftest.py's `sandboxed`."""

from tests import e2e
from tests.graders_eecs182.notebooks import ANSWERS, GROUPS, variant, with_answers

GRADE = e2e.Grader("eecs182_hw7", seed=182, env={"OMP_NUM_THREADS": "1"})

hw7, grade_hw7 = e2e.assignment(GRADE), e2e.grading(GRADE)
question_scores, question_outputs, full_points = e2e.per_question(GRADE)
solution, solution_doc, blank_doc = e2e.solution_and_blank(
    GRADE, prepare=lambda nb: with_answers(nb, ANSWERS))
group_docs = e2e.group_docs(GRADE, lambda solution, group: variant(solution, GROUPS[group]))
