"""Helpers of the hidden comp499_a1 tests (not in the student kit: the public tests need none).

- `fetch`: a kernel global (a student's variable) as plain data.
- `load_linear_weights`: grader-written kernel code that copies weights into the nn.Linear layers
  of a student's model, so the tests compare on weights the grader chose.
- `check_figure`: a figure the student stored exists, has enough lines, and was shown.
"""

import ast

import numpy as np

from graders.errors import StudentError
from graders.notebook import load_notebook, parse_cell
from graders.submission import find_notebook

TORCH = "__import__('torch')"
LINEARS = f"[m for m in net.modules() if isinstance(m, {TORCH}.nn.Linear)]"
# (net, [[W, b], ...]) -> net, with each Linear's weight and bias overwritten, in module order
LOAD_WEIGHTS = (f"lambda net, weights: ([(m.weight.data.copy_(w), m.bias.data.copy_(b)) "
                f"for m, (w, b) in zip({LINEARS}, weights)], net)[-1]")
# net -> [[W, b], ...] of its Linear layers, in module order
LINEAR_WEIGHTS = f"lambda net: [[m.weight.detach(), m.bias.detach()] for m in {LINEARS}]"


def fetch(submission, name: str):
    """The value of the notebook's global `name`, as plain data."""
    return submission.call(name, code="lambda value: value")


def as_dict(value, name: str, keys) -> dict:
    """`value` as a dict holding at least `keys`, or a StudentError naming what is missing."""
    if not isinstance(value, dict):
        raise StudentError(f"{name}: expected a dict with keys {', '.join(keys)}, "
                           f"got {type(value).__name__}")
    missing = [k for k in keys if k not in value]
    if missing:
        raise StudentError(f"{name}: the dict has no key {', '.join(map(repr, missing))} "
                           f"(it has {', '.join(map(repr, value)) or 'none'})")
    return value


def number_list(value, name: str, length: int | None = None) -> np.ndarray:
    """A 1-D array of finite numbers (from a list of numbers, 0-d arrays or an array)."""
    try:
        array = np.asarray(value, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise StudentError(f"{name}: expected a list of numbers") from None
    if length is not None and array.size != length:
        raise StudentError(f"{name}: expected {length} values, got {array.size}")
    if not np.isfinite(array).all():
        raise StudentError(f"{name}: holds {array[~np.isfinite(array)][0]}")
    return array


def check_figure(submission, name: str, *, min_axes: int = 1, min_lines_per_axes: int = 0,
                 min_lines: int = 0) -> None:
    """The notebook's global `name` is a matplotlib Figure with enough axes and lines, and a cell
    that mentions `name` shows an image. A cell that was not run here (skipped in graded-only
    mode, or stopped at the time limit, e.g. training on the full MNIST) is judged by the image
    in the notebook as submitted."""
    cells = _cells_mentioning(submission, name)
    runs = {run.index: run for run in submission.cells}
    not_run = [runs[i] for i in cells if i in runs and runs[i].status in ("skipped", "timeout")]
    if not_run:
        submitted = _submitted(submission).cells
        if not any(_has_image(submitted[r.index]) for r in not_run if r.index < len(submitted)):
            why = "; ".join("it was skipped (graded-only mode)" if r.status == "skipped"
                            else f"it was stopped: {r.message or 'out of time'}" for r in not_run)
            raise StudentError(f"{name}: its cell did not run here ({why}) and shows no image "
                               "in the notebook you submitted")
        return
    summary = submission.call(name, code=(
        "lambda fig: [type(fig).__name__, "
        "[len(ax.get_lines()) for ax in getattr(fig, 'axes', [])]]"))
    kind, lines = summary
    if kind != "Figure":
        raise StudentError(f"{name}: expected a matplotlib Figure, got {kind}")
    too_few = min(lines, default=0) < min_lines_per_axes or sum(lines) < min_lines
    if len(lines) < min_axes or too_few:
        wanted = (f"{min_axes} plot(s) with at least {min_lines_per_axes} lines each"
                  if min_lines_per_axes else f"at least {min_lines} lines")
        raise StudentError(f"{name}: expected {wanted} (one per setting), "
                           f"got {len(lines)} plot(s) with {lines} lines")
    shown = [i for i in cells if _has_image(submission.nb.cells[i])]
    submitted = _submitted(submission).cells
    shown += [i for i in cells if i < len(submitted) and _has_image(submitted[i])]
    if not shown:
        raise StudentError(f"{name}: no cell that makes or shows it displays an image "
                           "(end the cell with plt.show())")


def _cells_mentioning(submission, name: str) -> list[int]:
    found = []
    for index, cell in enumerate(submission.nb.cells[: submission.session.scratch]):
        tree = parse_cell(cell.source) if cell.cell_type == "code" else None
        if tree is not None and any(isinstance(n, ast.Name) and n.id == name
                                    for n in ast.walk(tree)):
            found.append(index)
    return found


def _has_image(cell) -> bool:
    return any("image/png" in out.get("data", {}) for out in cell.get("outputs", []))


def _submitted(submission):
    """The notebook as the student uploaded it (with the outputs of the student's own run)."""
    if not hasattr(submission, "_comp499_submitted"):
        submission._comp499_submitted = load_notebook(
            find_notebook(submission.path, submission.assignment, submission.notebook))
    return submission._comp499_submitted
