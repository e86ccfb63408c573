"""A submission under grading: the loaded notebook, its scan findings and its running kernel."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from graders.assignments import Assignment
from graders.codec import describe
from graders.errors import StudentError
from graders.kernel import KernelSession, Limits
from graders.notebook import MAX_NOTEBOOK_BYTES, defined_names, load_notebook, parse_cell
from graders.runtime_check import SLOWDOWN, charge, excused, guarded, recorded
from graders.scan import scan

SKIPPED = ("train",)  # cells that train a model: the grader measures the submitted weights
EXPERIMENTS = ("experiment",)  # skipped in graded-only mode


@dataclass
class Submission:
    """Load + validate -> static scan -> execute one notebook; then `call` its functions."""

    path: Path
    assignment: Assignment
    limits: Limits = field(default_factory=Limits)
    graded_only: bool = False
    notebook: str = ""  # which of the assignment's notebooks; "" = its first
    progress: Callable[[str], None] | None = None  # told which cell runs, for a live display

    def __post_init__(self):
        self.notebook = self.notebook or self.assignment.notebook
        self.file = find_notebook(self.path, self.assignment, self.notebook)
        self.nb = load_notebook(self.file)
        self.questions = [q for q in self.assignment.autograded
                          if self.assignment.notebook_of(q) == self.notebook]
        self.findings = scan(self.nb, self.questions)
        self.grading: str | None = None  # the question under test (set by the plugin's gate)
        self.runtime_findings: dict[str, list[str]] = {}  # forbidden calls seen while grading
        skip = SKIPPED + EXPERIMENTS if self.graded_only else SKIPPED
        self.session = KernelSession(self.nb, self.limits, skip_tags=skip)
        try:
            self.cells = self.session.run_notebook(self._cell_progress)
        except BaseException:
            self.session.close()
            raise

    def close(self) -> None:
        self.session.close()

    def _cell_progress(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(f"{self.notebook}: {done} of {total} code cells run")

    def call(self, name: str, *args, code: str | None = None, **kwargs):
        """The student's `name(*args, **kwargs)`, as plain data (see KernelSession.call).

        While a question that forbids APIs is graded, the call runs under the run-time check
        (graders/runtime_check.py); a forbidden call it records costs the question it lives in."""
        question = self.assignment.question(self.grading) if self.grading else None
        if question is None or not question.forbidden:
            return self._call(name, *args, code=code, **kwargs)
        kwargs["timeout"] = SLOWDOWN * (kwargs.get("timeout") or self.limits.call_timeout)
        for _ in self.questions:  # once more each time the calls are charged to another question
            try:
                guard = guarded(question, code, excused(question, self.questions, self.findings,
                                                          self.runtime_findings))
                return self._call(name, *args, code=guard, **kwargs)
            except StudentError as err:
                records = recorded(str(err))
                if not records:
                    raise
                if charge(question, name, records, self.questions, self.runtime_findings):
                    raise StudentError(self.runtime_findings[question.id][-1]) from None
        raise StudentError(f"{name}: its forbidden calls could not be attributed")

    def _call(self, name: str, *args, **kwargs):
        try:
            return self.session.call(name, *args, **kwargs)
        except StudentError as err:
            if "is not defined" in str(err):
                raise StudentError(self._why_missing(name)) from None
            if str(err).startswith(f"{name} raised "):
                inputs = ", ".join([*map(describe, args),
                                    *(f"{k}={describe(v)}" for k, v in kwargs.items()
                                      if k not in ("code", "timeout"))])
                raise StudentError(f"{err} (called with {inputs or 'no arguments'})") from None
            raise

    def _why_missing(self, name: str) -> str:
        for run in self.cells:
            tree = parse_cell(self.nb.cells[run.index].source)
            if run.status != "ok" and tree is not None and name in defined_names(tree):
                return (f"{name} is not defined: the cell that defines it ({self.cell_label(run)}) "
                        f"did not finish ({run.status}: {run.message})")
        return f"{name} is not defined in the notebook: define a function with that exact name"

    def cell_label(self, run) -> str:
        return cell_label(self.nb, run.index, self.assignment)

    def execution_summary(self) -> str:
        """What happened to the cells, in lines a student can act on."""
        ran = sum(run.status == "ok" for run in self.cells)
        graded = sum(run.status != "skipped" for run in self.cells)
        lines = [f"{ran} of {graded} code cells ran without error."]
        for run in self.cells:
            if set(self.nb.cells[run.index].metadata.get("tags", [])) & set(SKIPPED):
                lines.append(f"{self.cell_label(run)}: skipped, it trains a model (the grader "
                             "measures the weights you submitted)")
            elif run.status != "ok":
                lines.append(f"{self.cell_label(run)}: {run.status}: {run.message}")
        if self.session.output_truncated:
            cap = self.limits.max_output_bytes / 2**20
            lines.append(f"The notebook printed more than {cap:g} MB of text; the rest of the "
                         "text was discarded (images and results were kept).")
        return "\n".join(lines)


def cell_label(nb, index: int, assignment: Assignment) -> str:
    """How a student finds cell `index`: its place among the code cells (Jupyter's number when
    run top to bottom; markdown cells do not count), the question it answers, its first line."""
    order = 1 + sum(c.cell_type == "code" for c in nb.cells[:index])
    question = nb.cells[index].metadata.get("dlgrade", {}).get("question")
    labels = {q.id: q.title.split(" ")[0] for q in assignment.questions}
    first = next((line.strip() for line in nb.cells[index].source.splitlines() if line.strip()),
                 "")
    first = first if len(first) <= 50 else first[:47] + "..."
    about = f", {labels[question]}" if question in labels else ""
    return f"code cell {order}{about} ({first!r})"


def find_notebook(path: Path, assignment: Assignment, notebook: str = "") -> Path:
    """The file to grade as the assignment's `notebook` (default: its first notebook).

    `path` is a notebook or a folder. A notebook declares itself in its metadata
    (`dlgrade.assignment`, and `dlgrade.notebook` when the assignment has several); otherwise its
    file name must match the template's, or it must be the only notebook submitted.
    """
    notebook = notebook or assignment.notebook
    path = Path(path)
    found = [path] if not path.is_dir() else sorted(
        p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not found:
        raise StudentError("the submission holds no .ipynb notebook: upload your notebook file")
    declared = [p for p in found if _declared_notebook(p, assignment) == notebook]
    named = [p for p in found if p.name == notebook]
    for candidates in (declared, named):
        if len(candidates) == 1:
            return candidates[0]
    if (len(found) == 1 and notebook == assignment.notebook
            and _declared_notebook(found[0], assignment) is None):
        return found[0]
    names = ", ".join(str(p.relative_to(path)) if path.is_dir() else p.name for p in found)
    if len(found) == 1:
        raise StudentError(f"{notebook} is not in the submission (found: {names})")
    raise StudentError(f"the submission holds several notebooks ({names}) and none is clearly "
                       f"{notebook}: submit it once, under that name")


def _declared_notebook(path: Path, assignment: Assignment) -> str | None:
    """The notebook of `assignment` that the file's metadata says it is, if it says so."""
    try:
        with open(path, "rb") as f:
            metadata = json.loads(f.read(MAX_NOTEBOOK_BYTES)).get("metadata", {})
        declared = metadata.get("dlgrade", {})
        if declared.get("assignment") != assignment.id:
            return None
        return declared.get("notebook", assignment.notebook)
    except (OSError, ValueError, AttributeError, RecursionError, MemoryError):
        return None
