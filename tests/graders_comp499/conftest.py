"""Fixtures for grading comp499_a1 notebooks end to end, made by tests/e2e.py: the assignment,
`grade_nb`, scores and outputs per question, the graded solution and blank template, and
`group_docs` (the notebooks of GROUPS' wrong answers). The sandbox decision is
tests/conftest.py's `sandboxed`."""

from graders.comp499_a1.mistakes import MISTAKES as WRONG
from tests import e2e
from tests.graders_comp499.notebooks import GROUPS, replace_cells

GRADE = e2e.Grader("comp499_a1", seed=499)


def variant(solution, group: str):
    """The solution with the wrong answers of GROUPS[group] in place of the right ones."""
    return replace_cells(solution, {WRONG[name].question: WRONG[name].source
                                    for name in GROUPS[group]})


a1, grade_nb = e2e.assignment(GRADE), e2e.grading(GRADE)
question_scores, question_outputs, full_points = e2e.per_question(GRADE)
solution, solution_doc, blank_doc = e2e.solution_and_blank(GRADE)
group_docs = e2e.group_docs(GRADE, variant)
