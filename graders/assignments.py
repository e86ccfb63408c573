"""Assignments and their questions: ids, numbering, points, and what each question forbids."""

import importlib
import re
from dataclasses import dataclass
from pathlib import Path

from graders.errors import GraderError
from graders.sandbox import Limits

GRADERS_DIR = Path(__file__).parent
# what a grader that builds a torch.optim optimizer imports then (1-2 s, ~40 MiB)
BUILDS_OPTIMIZERS = ("torch._dynamo",)
TEMPLATES_DIR = GRADERS_DIR.parent / "student_templates"


@dataclass(frozen=True)
class Question:
    """One graded question. `functions` are the names the grader calls in the notebook;
    `forbidden` are dotted names (modules or functions) their cells must not use."""

    id: str
    number: str
    title: str
    points: float
    functions: tuple[str, ...] = ()
    forbidden: tuple[str, ...] = ()
    manual: bool = False
    notebook: str = ""  # the template notebook it is answered in; "" = the assignment's first
    extra_credit: bool = False  # its points come on top of the assignment's total
    # modules its graders import only once they run, imported ahead while its notebook runs
    # (graders/preload.py); benchmarks/late_imports.py lists what each question imports late
    preload: tuple[str, ...] = ()


@dataclass(frozen=True)
class Assignment:
    """An assignment: its questions and the template notebook(s) they are answered in."""

    id: str
    title: str
    notebook: str
    questions: tuple[Question, ...]
    other_notebooks: tuple[str, ...] = ()
    limits: Limits = Limits()  # on the kernel; a question that trains a model needs more memory
    extras: tuple[str, ...] = ()  # pyproject extras its graders and notebooks import ("search")
    # (MiB, why) where grader + kernel need more than Gradescope's default autograder memory
    # (768 MB) with the CPU torch build (benchmarks/bench_grading.py measures it); None: it fits
    memory: tuple[int, str] | None = None
    # Gradescope visibility of the hidden tests' entries (public checks are always "visible"):
    # "visible", "after_due_date", "after_published" or "hidden"; messages students can see
    # never show what the grader drew
    hidden_visibility: str = "visible"

    @property
    def directory(self) -> Path:
        return GRADERS_DIR / self.id

    @property
    def notebooks(self) -> tuple[str, ...]:
        return (self.notebook, *self.other_notebooks)

    @property
    def template(self) -> Path:
        return self.template_of(self.notebook)

    def template_of(self, notebook: str) -> Path:
        return TEMPLATES_DIR / self.id / notebook

    def notebook_of(self, question: Question) -> str:
        return question.notebook or self.notebook

    @property
    def autograded(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if not q.manual)

    @property
    def points(self) -> float:
        """Autograded points, extra credit excluded."""
        return sum(q.points for q in self.autograded if not q.extra_credit)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise GraderError(f"{self.id} has no question {question_id!r}")


def available() -> list[str]:
    """Ids of the assignments that have a grader package."""
    return sorted(p.parent.name for p in GRADERS_DIR.glob("*/assignment.py"))


def load_assignment(assignment_id: str) -> Assignment:
    """The Assignment called `assignment_id`, or a GraderError listing the ones that exist."""
    if not re.fullmatch(r"[a-z0-9_]+", assignment_id) or assignment_id not in available():
        raise GraderError(
            f"unknown assignment {assignment_id!r}; available: {', '.join(available())}"
        )
    return importlib.import_module(f"graders.{assignment_id}.assignment").ASSIGNMENT
