"""Every written question of the five handouts, and the expected answers of the explanations.

A :class:`WrittenQuestion` is one part of a handout that is answered in the write-up (a proof, a
derivation, an explanation, a choice, a report on an experiment), with the handout's points when
it gives them, and the ids of the entries that answer it: proved claims (:mod:`theory.claims`)
for mathematics, :class:`Explanation` entries (an expected answer in words and its key points,
the rubric items) for the rest, and answer cells (:mod:`theory.answer_keys`) where the template
asks for the value. The data lives in one module per handout (``MODULES``); importing this module
imports no sympy, so ``dlgrade list`` stays light.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

__all__ = ["Explanation", "WrittenQuestion", "explanations", "listing", "register",
           "written_questions"]

MODULES = ("theory.written_cs229br", "theory.written_eecs182", "theory.written_csci5527",
           "theory.written_cmu10605", "theory.written_comp499")
KINDS = ("proof", "derivation", "explanation", "choice", "report", "survey")


@dataclass(frozen=True)
class Explanation:
    """The expected answer of an explanation question: a short answer in words and the key
    points a grader looks for (each one a rubric item).

    id: ``assignment.short_name``; answer and key points are plain text (escaped when typeset).
    """

    id: str
    question: str
    title: str
    answer: str
    key_points: tuple[str, ...]
    also_right: str = ""  # other readings of the question that earn the same credit

    @property
    def assignment(self) -> str:
        return self.id.split(".", 1)[0]


@dataclass(frozen=True)
class WrittenQuestion:
    """One written part of a handout: its label, what it asks, its points, how it is answered.

    points: the handout's points for the part (None where the handout gives none; text such as
    "part of 1/15" where the part shares its points with code). answered_by: ids of claims,
    explanations or answer cells (``answer:<question id>``).
    """

    assignment: str
    label: str
    title: str
    kind: str
    points: str | None
    answered_by: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Invalid kind {self.kind!r} for {self.assignment} {self.label}")


_QUESTIONS: list[WrittenQuestion] = []
_EXPLANATIONS: dict[str, Explanation] = {}


def register(questions: tuple[WrittenQuestion, ...], entries: tuple[Explanation, ...]) -> None:
    """Add a handout's written questions and explanation entries (once per module import)."""
    for entry in entries:
        if _EXPLANATIONS.setdefault(entry.id, entry) is not entry:
            raise ValueError(f"Duplicate explanation id {entry.id!r}")
    _QUESTIONS.extend(q for q in questions if q not in _QUESTIONS)


def _load() -> None:
    for name in MODULES:
        importlib.import_module(name)


def written_questions(assignment: str | None = None) -> list[WrittenQuestion]:
    """The written questions of one assignment (default: all five), in handout order."""
    _load()
    return [q for q in _QUESTIONS if assignment in (None, q.assignment)]


def explanations(assignment: str | None = None) -> list[Explanation]:
    """The explanation entries of one assignment (default: all), in handout order."""
    _load()
    return [e for e in _EXPLANATIONS.values() if assignment in (None, e.assignment)]


def listing(assignment: str | None = None) -> str:
    """The written questions as text for ``dlgrade list``: label, kind, the handout's points,
    what it asks and how many entries answer it."""
    lines = []
    for name in dict.fromkeys(q.assignment for q in written_questions(assignment)):
        lines.append(f"{name}: written questions (expected answers: dlgrade theory {name} "
                     "--latex)")
        for q in written_questions(name):
            points = q.points or "-"
            points += " pt" if points.replace(".", "").isdigit() else ""
            cells = [a.split(":", 1)[1] for a in q.answered_by if a.startswith("answer:")]
            how = f"; answer cell {', '.join(cells)}" if cells else ""
            lines.append(f"  {q.label:<14} {q.kind:<11} {points:<32} {q.title}{how}")
    return "\n".join(lines)
