"""A submission under grading: the loaded notebook, its scan findings and its running kernel."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from graders.assignments import Assignment
from graders.errors import StudentError
from graders.kernel import KernelSession, Limits, default_kernel_user
from graders.notebook import MAX_NOTEBOOK_BYTES, defined_names, load_notebook, parse_cell
from graders.scan import scan


@dataclass
class Submission:
    """Load + validate -> static scan -> execute; then `call` the student's functions."""

    path: Path
    assignment: Assignment
    limits: Limits = field(default_factory=Limits)
    graded_only: bool = False

    def __post_init__(self):
        self.nb = load_notebook(find_notebook(self.path, self.assignment))
        self.findings = scan(self.nb, self.assignment)
        self.session = KernelSession(self.nb, self.limits, default_kernel_user(),
                                     skip_tags=("experiment",) if self.graded_only else ())
        self.cells = self.session.run_notebook()

    def close(self) -> None:
        self.session.close()

    def call(self, name: str, *args, **kwargs):
        """The student's `name(*args, **kwargs)`, as plain data (see KernelSession.call)."""
        try:
            return self.session.call(name, *args, **kwargs)
        except StudentError as err:
            if "is not defined" in str(err):
                raise StudentError(self._why_missing(name)) from None
            raise

    def _why_missing(self, name: str) -> str:
        for run in self.cells:
            tree = parse_cell(self.nb.cells[run.index].source)
            if run.status != "ok" and tree is not None and name in defined_names(tree):
                return (f"{name} is not defined: the cell that defines it (cell {run.index + 1}) "
                        f"did not finish ({run.status}: {run.message})")
        return f"{name} is not defined in the notebook: define a function with that exact name"

    def execution_summary(self) -> str:
        """What happened to the cells, in lines a student can act on."""
        ran = sum(run.status == "ok" for run in self.cells)
        lines = [f"{ran} of {len(self.cells)} code cells ran without error."]
        for run in self.cells:
            if run.status != "ok":
                lines.append(f"cell {run.index + 1}: {run.status}: {run.message}")
        dropped = self.session.dropped_output_bytes
        if dropped:
            lines.append(f"{dropped / 2**20:.1f} MB of printed output were discarded.")
        return "\n".join(lines)


def find_notebook(path: Path, assignment: Assignment) -> Path:
    """The notebook to grade: `path` itself, or the one notebook in the folder `path`.

    With several notebooks, the one whose metadata names the assignment wins, then the one named
    like the template; otherwise the student is told which files were found.
    """
    path = Path(path)
    if not path.is_dir():
        return path
    found = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    if not found:
        raise StudentError("the submission holds no .ipynb notebook: upload your notebook file")
    if len(found) == 1:
        return found[0]
    tagged = [p for p in found if _names_assignment(p, assignment.id)]
    if len(tagged) == 1:
        return tagged[0]
    named = [p for p in found if p.name == assignment.notebook]
    if len(named) == 1:
        return named[0]
    names = ", ".join(str(p.relative_to(path)) for p in found)
    raise StudentError(
        f"the submission holds several notebooks ({names}) and none is clearly "
        f"{assignment.notebook}: submit only that notebook"
    )


def _names_assignment(path: Path, assignment_id: str) -> bool:
    try:
        with open(path, "rb") as f:
            metadata = json.loads(f.read(MAX_NOTEBOOK_BYTES)).get("metadata", {})
        return metadata.get("dlgrade", {}).get("assignment") == assignment_id
    except (OSError, ValueError, AttributeError):
        return False
