"""Rules every grader file follows, checked on the source."""

import ast

import pytest

from graders.assignments import available, load_assignment


@pytest.mark.parametrize("assignment_id", available())
def test_grader_tests_fail_with_student_errors_not_bare_asserts(assignment_id):
    """A failing bare `assert` would be an autograder fault, not the student's lost points, and
    grading runs do not rewrite asserts (graders/grading.ini)."""
    for path in sorted(load_assignment(assignment_id).directory.glob("test_*.py")):
        tree = ast.parse(path.read_text())
        lines = [node.lineno for node in ast.walk(tree) if isinstance(node, ast.Assert)]
        assert not lines, f"{path.name}: bare assert on lines {lines}"
