"""Fixtures for grading cmu10605_hw5 notebooks end to end, made by tests/e2e.py: the assignment,
`grade_nb`, scores and outputs per question, the graded solution and blank template, and
`group_docs` (the notebooks of GROUPS' variants, graded without the `experiment` cells). The
sandbox decision is tests/conftest.py's `sandboxed`."""

from tests import e2e
from tests.graders.notebooks import replace_cells
from tests.graders_cmu10605.notebooks import GROUPS, RIGHT, WRONG

GRADE = e2e.Grader("cmu10605_hw5", seed=10605)


def variant(solution, group: str):
    """The solution with the cells of GROUPS[group] replaced (graded cells by question, answer
    cells by their answer id)."""
    graded, answers = {}, {}
    for name in GROUPS[group]:
        question, source = ((WRONG[name].question, WRONG[name].source) if name in WRONG
                            else RIGHT[name])
        (answers if question[:4] in ("s12b", "s12d") else graded)[question] = source
    nb = replace_cells(solution, graded)
    for cell in nb.cells:
        answer = cell.metadata.get("dlgrade", {}).get("answer")
        if answer in answers:
            cell.source = answers[answer]
    return nb


hw5, grade_nb = e2e.assignment(GRADE), e2e.grading(GRADE)
question_scores, question_outputs, full_points = e2e.per_question(GRADE)
solution, solution_doc, blank_doc = e2e.solution_and_blank(GRADE)
group_docs = e2e.group_docs(GRADE, variant, graded_only=True)
