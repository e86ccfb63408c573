"""The typical mistakes of the autograded questions: one catalogue per assignment, charged in the
rubric to its question at the points it costs, graded end to end, and never in a student's kit.

Fast: no notebook runs and no grader test is collected (tests/staff/test_rubric.py renders them).
"""

import importlib
import re

import pytest

from graders.assignments import available, load_assignment
from graders.staff.kit import build_kit, public_modules
from graders.staff.mistakes import Mistake
from graders.staff.rubric import autograded_mistakes

ASSIGNMENTS = available()

# Where each assignment's end-to-end tests group the mistakes they grade.
E2E_GROUPS = {
    "csci5527_hw3": ("tests.graders.test_csci5527_hw3_e2e",
                     "tests.graders_hw3_p1p4.test_hw3_p1p4_e2e"),
    "comp499_a1": ("tests.graders_comp499.notebooks",),
    "eecs182_hw7": ("tests.graders_eecs182.notebooks",),
    "cmu10605_hw5": ("tests.graders_cmu10605.notebooks",),
    "cs229br_hw0": ("tests.graders_cs229br.notebooks",),
}


def catalogue(assignment_id: str) -> dict[str, Mistake]:
    return importlib.import_module(f"graders.{assignment_id}.mistakes").MISTAKES


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_every_assignment_has_a_catalogue_of_typical_mistakes(assignment_id):
    assignment = load_assignment(assignment_id)
    autograded = {q.id: q for q in assignment.autograded}
    mistakes = catalogue(assignment_id)
    assert len(mistakes) >= 10
    for name, m in mistakes.items():
        assert isinstance(m, Mistake), name
        assert m.question in autograded, f"{name}: {m.question} is no autograded question"
        assert 0 <= m.kept < autograded[m.question].points, name
        assert m.what and m.says and all(m.says), name
        assert "wrong:" not in m.what and len(m.what) <= 90, f"{name}: say it as a TA would"


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_rubric_charges_each_mistake_what_it_costs(assignment_id):
    assignment = load_assignment(assignment_id)
    listed = autograded_mistakes(assignment)
    for m in catalogue(assignment_id).values():
        points = assignment.question(m.question).points
        row = next(r for r in listed[m.question] if r.what == m.what)
        lost = float(re.match(r"-([\d.]+) ", row.deduction).group(1))
        assert lost == pytest.approx(points - m.kept, abs=5e-3), row
        assert ("all of it" in row.deduction) == (m.kept == 0), row
        assert all(fragment in row.message for fragment in m.says), row
    assert sum(map(len, listed.values())) == len(catalogue(assignment_id))


def test_partial_credit_is_not_charged_as_the_whole_question():
    p1b = autograded_mistakes(load_assignment("csci5527_hw3"))["p1b"]
    # Adagrad without the running sum is right on the first of the 8 steps checked: 1/8 kept
    assert [m.deduction for m in p1b] == ["-0.875 of 1 pt"]


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_end_to_end_tests_grade_every_mistake(assignment_id):
    grouped = {name for module in E2E_GROUPS[assignment_id]
               for names in importlib.import_module(module).GROUPS.values() for name in names}
    assert set(catalogue(assignment_id)) <= grouped


@pytest.mark.parametrize("assignment_id", ASSIGNMENTS)
def test_the_student_kit_ships_no_mistakes(assignment_id, tmp_path):
    assignment = load_assignment(assignment_id)
    assert (assignment.directory / "mistakes.py").is_file()
    assert "mistakes.py" not in {p.name for p in public_modules(assignment)}
    kit = build_kit(assignment, tmp_path / "kit")
    assert (kit / "checker" / "graders" / assignment_id / "test_public.py").is_file()
    assert not [p for p in kit.rglob("*") if p.name == "mistakes.py"]
    shipped = "\n".join(p.read_text() for p in kit.rglob("*.py"))
    for m in catalogue(assignment_id).values():
        assert m.source.strip() not in shipped
