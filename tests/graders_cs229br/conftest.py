"""Fixtures for grading cs229br_hw0 notebooks end to end: comp499's fixtures (`grade_nb`,
`question_scores`, `question_outputs`, `full_points`, and the graded `solution_doc` and
`blank_doc`), fed this assignment through their `a1`."""

import pytest

from graders.assignments import Assignment, load_assignment
from tests.graders_comp499.conftest import (  # noqa: F401 - fixtures, used by name
    full_points,
    grade_nb,
    question_outputs,
    question_scores,
)
from tests.graders_comp499.test_comp499_a1_e2e import (  # noqa: F401 - fixtures, by name
    blank_doc,
    solution,
    solution_doc,
)


@pytest.fixture(scope="session")
def a1() -> Assignment:
    """The assignment under test (the name is the one comp499's fixtures ask for)."""
    return load_assignment("cs229br_hw0")
