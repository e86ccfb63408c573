"""Fixtures for grading cs229br_hw0 notebooks end to end, made by tests/e2e.py: the assignment
(as `a1`, the name comp499's tests use too), `grade_nb`, scores and outputs per question, the
graded solution and blank template, and `group_docs` (the notebooks of GROUPS' wrong answers,
graded without the `experiment` cells; group c also carries the right answers of RIGHT). The
sandbox decision is tests/conftest.py's `sandboxed`."""

import copy

from graders.answer_cells import answer_cells
from graders.cs229br_hw0.mistakes import MISTAKES as WRONG
from tests import e2e
from tests.graders_comp499.notebooks import replace_cells
from tests.graders_cs229br.notebooks import GROUPS, RIGHT

GRADE = e2e.Grader("cs229br_hw0", seed=499)


def with_wrong(nb, names):
    """`nb` with the wrong answers `names` in place of the right ones (answer cells included)."""
    nb = copy.deepcopy(nb)
    typed = {WRONG[n].question: WRONG[n].source for n in names
             if WRONG[n].question in answer_cells(nb)}
    for cell in nb.cells:
        question = cell.metadata.get("dlgrade", {}).get("answer")
        if question in typed:
            cell.source = typed[question]
    return replace_cells(nb, {WRONG[n].question: WRONG[n].source for n in names
                              if WRONG[n].question not in typed})


def variant(solution, group: str):
    nb = with_wrong(solution, GROUPS[group])
    return replace_cells(nb, dict(RIGHT.values())) if group == "c" else nb


a1, grade_nb = e2e.assignment(GRADE), e2e.grading(GRADE)
question_scores, question_outputs, full_points = e2e.per_question(GRADE)
solution, solution_doc, blank_doc = e2e.solution_and_blank(GRADE)
group_docs = e2e.group_docs(GRADE, variant, graded_only=True)
