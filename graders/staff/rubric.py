"""`dlgrade rubric`: the TA rubric of one assignment, as Markdown, LaTeX, PDF or JSON.

One entry per question in handout order. An autograded question lists its tests (what each
checks, its points, whether it gives partial credit, whether students see it before submitting)
and the typical mistakes with the message a student gets for each. A written question gives the
expected answer from theory/ (the proved claim or the expected answer in words), the key points as
rubric items with a split of the handout's points, the other readings that earn the same credit,
and the common mistakes. Nothing here is written twice: tests are collected from the grader files
(their `@graded` markers and docstrings), mistakes from `graders/<assignment>/mistakes.py`, answers
from theory/.
"""

import contextlib
import importlib
import inspect
import io
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from graders.assignments import GRADERS_DIR, Assignment, available, load_assignment
from graders.errors import GraderError

FORMATS = ("md", "tex", "pdf", "json")


@dataclass
class GradedTest:
    """One grader test: its points, what it checks, and how it scores."""

    question: str
    points: float
    name: str
    checks: str
    partial_credit: bool
    public: bool


@dataclass
class Mistake:
    """A typical mistake, the points it costs, and what the student is told."""

    what: str
    deduction: str
    message: str = ""


@dataclass
class Entry:
    """One rubric entry: an autograded question or a written part of the handout."""

    number: str
    title: str
    points: str
    kind: str  # autograded | written
    tests: list[GradedTest] = field(default_factory=list)
    answers: list[tuple[str, bool]] = field(default_factory=list)  # (text, is LaTeX)
    rubric_items: list[tuple[str, str]] = field(default_factory=list)  # (item, points)
    also_right: list[str] = field(default_factory=list)
    mistakes: list[Mistake] = field(default_factory=list)


def gives_partial_credit(test) -> bool:
    """Whether `test`, or a function of its module that it calls, can give part of its points
    (a `Checks` tally or a `PartialCredit`)."""
    module = inspect.getmodule(test)
    helpers = [getattr(module, name) for name in test.__code__.co_names
               if inspect.isfunction(getattr(module, name, None))]
    return any(marker in inspect.getsource(function) for function in (test, *helpers)
               for marker in ("Checks(", "PartialCredit("))


def graded_tests(assignment: Assignment) -> list[GradedTest]:
    """The tests of `assignment` with their `@graded` markers, as pytest collects them."""
    found: list[GradedTest] = []

    class Collector:
        def pytest_collection_modifyitems(self, items):
            for item in items:
                marker = item.get_closest_marker("graded")
                if marker is None:
                    continue
                question, points, name = marker.args[:3]
                doc = inspect.getdoc(item.function) or ""
                found.append(GradedTest(question, float(points), name,
                                        name if "[" in item.name else doc.split("\n")[0] or name,
                                        gives_partial_credit(item.function),
                                        item.path.name.startswith("test_public")))

    paths = sorted(assignment.directory.glob("test_*.py"))
    args = [*map(str, paths), "--collect-only", "-q", "-p", "no:cacheprovider",
            "--rootdir", str(assignment.directory), "--import-mode=importlib",
            "-c", str(GRADERS_DIR / "grading.ini"), "-p", "graders.fixtures",
            "-W", "ignore::pytest.PytestUnknownMarkWarning"]
    with contextlib.redirect_stdout(io.StringIO()):
        code = pytest.main(args, plugins=[Collector()])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
        raise GraderError(f"the tests of {assignment.id} could not be collected ({code!r})")
    return found


def autograded_mistakes(assignment: Assignment) -> dict[str, list[Mistake]]:
    """Question id -> its typical mistakes, from graders/<assignment>/mistakes.py (an assignment
    without one has none yet), each with the points it costs and what the student reads."""
    try:
        module = importlib.import_module(f"graders.{assignment.id}.mistakes")
    except ModuleNotFoundError as error:
        if error.name != f"graders.{assignment.id}.mistakes":
            raise
        return {}
    found: dict[str, list[Mistake]] = {}
    for mistake in module.MISTAKES.values():
        question = assignment.question(mistake.question)
        found.setdefault(question.id, []).append(Mistake(
            mistake.what, deduction(question.points, mistake.kept), " … ".join(mistake.says)))
    return found


def deduction(points: float, kept: float) -> str:
    """'-1 pt, all of it' or '-0.875 of 1 pt': what a mistake that keeps `kept` costs."""
    if kept == 0:
        return f"-{points:g} pt, all of it"
    return f"-{points - kept:.3g} of {points:g} pt"


def build(assignment_id: str) -> tuple[str, list[Entry]]:
    """(title, entries) of the rubric of `assignment_id`, which may have no grader yet."""
    from theory import written
    from theory.latex import TITLES

    entries = []
    title = TITLES.get(assignment_id, assignment_id)
    if assignment_id in available():
        assignment = load_assignment(assignment_id)
        title = assignment.title
        tests = graded_tests(assignment)
        mistakes = autograded_mistakes(assignment)
        for q in assignment.autograded:
            entries.append(Entry(q.number, q.title, f"{q.points:g}", "autograded",
                                 [t for t in tests if t.question == q.id],
                                 mistakes=mistakes.get(q.id, [])))
    elif assignment_id not in {q.assignment for q in written.written_questions()}:
        raise GraderError(f"unknown assignment {assignment_id!r}")
    for wq in written.written_questions(assignment_id):
        entries.append(_written_entry(wq))
    entries.sort(key=lambda e: _handout_order(e.number))  # stable: code before its write-up
    return title, entries


def _handout_order(label: str) -> tuple[int, int]:
    """'2.1', 'P2(a)', 'Q2.1', '1.2(b)' -> (problem, part): where the question sits in the
    handout (a letter part counts as its place in the alphabet)."""
    ints = [int(n) for n in re.findall(r"\d+", label)]
    letter = re.search(r"\(([a-h])\)", label)
    first = ints[0] if ints else 99
    second = ints[1] if len(ints) > 1 else (ord(letter.group(1)) - 96 if letter else 0)
    return first, second


def _written_entry(wq) -> Entry:
    from theory import claims, written
    from theory.answer_keys import key_for

    entry = Entry(wq.label, wq.title, wq.points or "-", "written")
    explained = {e.id: e for e in written.explanations(wq.assignment)}
    answers, items = [], []
    for ref in wq.answered_by:
        if ref.startswith("answer:"):
            key = key_for(wq.assignment, ref.split(":", 1)[1])
            answers.append((f"answer cell: {key.expected}", False))
            entry.also_right += list(key.alternatives)
        elif ref in explained:
            e = explained[ref]
            answers.append((e.answer, False))
            items += list(e.key_points)
            if e.also_right:
                entry.also_right.append(e.also_right)
        else:
            claim = claims.get(ref)
            answers += [(claim.statement, True), (claim.answer, True)]
            items.append(f"states and justifies: {claim.title}")
    entry.answers = answers
    share = _share(wq.points, len(items))
    entry.rubric_items = [(item, share) for item in items]
    entry.mistakes = _written_mistakes(wq.assignment, wq.label)
    return entry


def _share(points: str | None, n: int) -> str:
    try:
        return f"{float(points) / n:.3g}" if n else ""
    except (TypeError, ValueError):
        return "share" if n else ""


def _written_mistakes(assignment: str, label: str) -> list[Mistake]:
    from theory.mistakes import WRITTEN_MISTAKES

    return [Mistake(what, deduction) for what, deduction in
            WRITTEN_MISTAKES.get((assignment, label), ())]


# -- rendering -------------------------------------------------------------------------------
def to_markdown(title: str, entries: list[Entry]) -> str:
    lines = [f"# Rubric: {title}", ""]
    for e in entries:
        lines += [f"## {e.number} {e.title} ({points_label(e.points)}, {e.kind})", ""]
        for t in e.tests:
            how = "partial credit by the share of sub-checks passed" if t.partial_credit \
                else "all or nothing"
            seen = "public check, students run it before submitting" if t.public else "hidden"
            lines.append(f"- **{t.points:g} pt**: {t.checks} ({how}; {seen})")
        if e.answers:
            lines += ["**Expected answer.**", ""] + [readable_latex(text) if is_latex else text
                                                      for text, is_latex in e.answers]
        if e.rubric_items:
            lines += ["", "**Rubric items.**", ""]
            lines += [f"- [{pts} pt] {item}" if pts else f"- {item}"
                      for item, pts in e.rubric_items]
        if e.also_right:
            lines += ["", "**Also right.**", ""] + [f"- {a}" for a in e.also_right]
        if e.mistakes:
            lines += ["", "**Common mistakes.**", ""]
            for m in e.mistakes:
                said = f" The student reads: `{m.message}`" if m.message else ""
                lines.append(f"- {m.what} ({m.deduction}).{said}")
        lines.append("")
    return "\n".join(lines)


def points_label(points: str) -> str:
    return f"{points} pt" if re.fullmatch(r"[\d.]+", points) else points


def readable_latex(text: str) -> str:
    """`\\mathbb 1` needs a font most installs lack: an indicator is a bold 1 here."""
    return re.sub(r"\\mathbb\s*\{?1\}?", r"\\mathbf{1}", text)


def write_rubric(assignment_id: str, fmt: str = "md", out: Path | None = None) -> str:
    """Render the rubric; write it to `out` when given (required for pdf). Returns the text
    (or the path, for pdf)."""
    if fmt not in FORMATS:
        raise GraderError(f"Invalid --format {fmt!r}: one of {', '.join(FORMATS)}")
    from graders.staff.rubric_latex import to_latex, to_pdf  # it builds on this module

    title, entries = build(assignment_id)
    if fmt == "pdf":
        return str(to_pdf(title, entries, Path(out or f"{assignment_id}_rubric.pdf")))
    text = {"md": to_markdown, "tex": to_latex}.get(fmt, _to_json)(title, entries)
    if out is not None:
        Path(out).write_text(text)
    return text


def _to_json(title: str, entries: list[Entry]) -> str:
    return json.dumps({"title": title, "entries": [asdict(e) for e in entries]}, indent=1)


def all_assignment_ids() -> list[str]:
    """Assignments with a grader or with written questions in theory/."""
    from theory import written

    return sorted(set(available()) | {q.assignment for q in written.written_questions()})

