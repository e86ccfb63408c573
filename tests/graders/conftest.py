"""Fixtures for grading csci5527_hw3's hw3.ipynb (P2 and P3, 8.5 points) end to end, made by
tests/e2e.py: the assignment, `grade_nb` (e2e.Grader; grades hw3.ipynb alone unless `notebooks`
says otherwise, as `dlgrade check hw3.ipynb` does), scores and outputs per question, and the
graded solution and blank template. The sandbox decision is tests/conftest.py's `sandboxed`."""

import pytest

from graders.assignments import Assignment, Question
from tests import e2e

GRADE = e2e.Grader("csci5527_hw3", seed=1234, defaults={"notebooks": ("hw3.ipynb",)})


def p2p3(hw3: Assignment) -> list[Question]:
    """The autograded questions of hw3.ipynb (P2 and P3), the notebook these tests grade."""
    return [q for q in hw3.autograded if hw3.notebook_of(q) == hw3.notebook]


hw3, grade_nb = e2e.assignment(GRADE), e2e.grading(GRADE)
question_scores, question_outputs, full_points = e2e.per_question(GRADE, p2p3)
solution, solution_doc, blank_doc = e2e.solution_and_blank(GRADE)


@pytest.fixture(scope="session")
def hw3_questions(hw3) -> list[Question]:
    return p2p3(hw3)
