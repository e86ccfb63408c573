"""Typical mistakes in autograded questions: one catalogue per assignment, `MISTAKES` in
graders/<assignment>/mistakes.py (name -> Mistake).

Each holds a wrong answer a student could plausibly write, as notebook source, and what the
grader makes of it: the points it keeps and the fragments of the message the student reads. The
TA rubric (`dlgrade rubric`) lists them under their question; the end-to-end tests grade every
one and check both. Staff only: the student kit never ships a catalogue.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    """A wrong answer to `question` (its id), described for a TA by `what`.

    `source` replaces the question's graded cell (or its answer cell, whose assignment it then
    is), or the cell `cell` when the question's code lives in another question's cell; graded,
    the question keeps `kept` of its points and its tests' output holds every string of `says`.
    """

    question: str
    what: str
    source: str
    says: tuple[str, ...]
    kept: float = 0.0
    cell: str = ""
