"""`dlgrade rubric`: every question of every handout, points that add up, LaTeX that compiles."""

import importlib
import json
import shutil

import pytest

from graders.assignments import available, load_assignment
from graders.staff.rubric import (
    all_assignment_ids,
    build,
    deduction,
    to_markdown,
    write_rubric,
)
from graders.staff.rubric_latex import tex_text, to_latex
from theory.written import written_questions

pytestmark = pytest.mark.slow  # collecting each assignment's graders imports torch and more
ASSIGNMENTS = all_assignment_ids()


@pytest.fixture(scope="module", params=ASSIGNMENTS)
def rubric(request):
    return request.param, *build(request.param)


def test_every_handout_is_covered():
    assert set(ASSIGNMENTS) >= {"cs229br_hw0", "eecs182_hw7", "csci5527_hw3", "cmu10605_hw5",
                                "comp499_a1"}


def test_every_question_is_listed_with_its_points(rubric):
    assignment_id, title, entries = rubric
    text = to_markdown(title, entries)
    for wq in written_questions(assignment_id):
        assert f"## {wq.label} {wq.title}" in text
    if assignment_id in available():
        assignment = load_assignment(assignment_id)
        auto = [e for e in entries if e.kind == "autograded"]
        assert [e.number for e in auto] == sorted(
            (q.number for q in assignment.autograded), key=[e.number for e in auto].index)
        assert sum(float(e.points) for e in auto) == pytest.approx(
            assignment.points + sum(q.points for q in assignment.autograded if q.extra_credit))
        for entry in auto:  # the tests of a question carry its points
            assert sum(t.points for t in entry.tests) == pytest.approx(float(entry.points))


def test_autograded_mistakes_are_listed_under_their_question(rubric):
    """Each typical mistake of graders/<assignment>/mistakes.py, in the section of its question,
    with what it costs and what the student reads; in the LaTeX too."""
    assignment_id, title, entries = rubric
    if assignment_id not in available():
        pytest.skip(f"{assignment_id} has no grader yet: its rubric is written questions only")
    assignment = load_assignment(assignment_id)
    mistakes = importlib.import_module(f"graders.{assignment_id}.mistakes").MISTAKES
    sections = to_markdown(title, entries).split("\n## ")[1:]
    tex = to_latex(title, entries)
    for m in mistakes.values():
        question = assignment.question(m.question)
        section = next(s for s in sections if s.startswith(f"{question.number} {question.title} ("))
        line = next(x for x in section.splitlines() if x.startswith(f"- {m.what} ("))
        assert f"({deduction(question.points, m.kept)})" in line
        assert all(fragment in line for fragment in m.says), line
        assert tex_text(m.what) in tex


def test_a_mistake_that_keeps_points_is_under_a_test_said_to_give_partial_credit(rubric):
    """A question whose only test lets a wrong answer keep part of the points must not read
    "all or nothing" (P1(b)'s Adagrad keeps the steps that agree)."""
    assignment_id, title, entries = rubric
    if assignment_id not in available():
        pytest.skip(f"{assignment_id} has no grader yet: its rubric is written questions only")
    assignment = load_assignment(assignment_id)
    mistakes = importlib.import_module(f"graders.{assignment_id}.mistakes").MISTAKES
    checked = 0
    for m in mistakes.values():
        number = assignment.question(m.question).number
        tests = [t for e in entries if e.number == number for t in e.tests if not t.public]
        if m.kept and len(tests) == 1:
            assert tests[0].partial_credit, (m.question, tests[0].name)
            checked += 1
    assert checked or assignment_id != "csci5527_hw3"


def test_written_entries_have_an_answer_and_rubric_items(rubric):
    _, _, entries = rubric
    for entry in (e for e in entries if e.kind == "written"):
        assert entry.answers, entry.number
        assert entry.rubric_items, entry.number


def test_latex_avoids_fonts_that_tex_lacks(rubric):
    _, title, entries = rubric
    tex = to_latex(title, entries)
    assert "\\mathbb 1" not in tex and "\\mathbb{1}" not in tex
    assert tex.count("\\begin{itemize}") == tex.count("\\end{itemize}")


def test_json_is_the_same_rubric(tmp_path):
    out = tmp_path / "r.json"
    write_rubric("csci5527_hw3", "json", out)
    data = json.loads(out.read_text())
    assert [e["number"] for e in data["entries"]] == [e.number for e in build("csci5527_hw3")[1]]


@pytest.mark.skipif(shutil.which("pdflatex") is None,
                    reason="needs pdflatex (setup.sh installs Debian's texlive when root)")
def test_pdf_compiles(tmp_path):
    for assignment_id in ("csci5527_hw3", "cmu10605_hw5"):
        pdf = tmp_path / f"{assignment_id}.pdf"
        write_rubric(assignment_id, "pdf", pdf)
        assert pdf.read_bytes().startswith(b"%PDF")
