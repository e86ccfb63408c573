"""Notebook variants for the end-to-end grading tests.

A variant is the solution notebook with the graded cell of one or more questions replaced. The
typical wrong answers live in graders/csci5527_hw3/mistakes.py (the TA rubric lists them too);
here are the helpers that put a source into a notebook and the sources that the static scan,
not the values, must stop.
"""

import ast
import copy

import nbformat


def slim(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The imports cell and the graded cells only: the student's own checks and experiments
    (a 50x50x64x64 norm comparison among them) only print, and only cost kernel time."""
    nb = copy.deepcopy(nb)
    first_code = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    nb.cells = [c for i, c in enumerate(nb.cells) if i == first_code or _question(c)]
    return nb


def graded_index(nb: nbformat.NotebookNode, question: str) -> int:
    """Index of the cell whose metadata says it answers `question`."""
    for index, cell in enumerate(nb.cells):
        if _question(cell) == question:
            return index
    raise KeyError(f"no graded cell for {question!r}")


def replace_cells(nb: nbformat.NotebookNode, sources: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of `nb` with the graded cell of each question given the new source.

    The solution pastes a shared helper once, in the first cell that needs it (`_normalize` in
    batch_norm's cell serves layer_norm and instance_norm too), so the definitions of the old
    cell that the new source does not redefine stay, after it: a wrong batch_norm must not take
    layer_norm down with it.
    """
    nb = copy.deepcopy(nb)
    for question, source in sources.items():
        cell = nb.cells[graded_index(nb, question)]
        new_names = _top_level_names(ast.parse(source))
        old = ast.parse(cell.source)
        kept = [ast.get_source_segment(cell.source, node) for node in old.body
                if not _top_level_names(ast.Module([node], type_ignores=[])) & new_names]
        cell.source = "\n\n\n".join([source.strip(), *kept])
    return nb


def insert_cell(nb: nbformat.NotebookNode, index: int, source: str) -> nbformat.NotebookNode:
    """A copy of `nb` with a new (ungraded) code cell at `index`."""
    nb = copy.deepcopy(nb)
    nb.cells.insert(index, nbformat.v4.new_code_cell(source))
    return nb


def delete_cell(nb: nbformat.NotebookNode, question: str) -> nbformat.NotebookNode:
    """A copy of `nb` without the graded cell of `question`."""
    nb = copy.deepcopy(nb)
    del nb.cells[graded_index(nb, question)]
    return nb


def _question(cell) -> str | None:
    """The question a graded cell answers: its code (`question`) or its typed answer (`answer`)."""
    declared = cell.metadata.get("dlgrade", {})
    return declared.get("question") or declared.get("answer")


def _top_level_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


# Calls scipy inside a graded function: the static scan takes the question's points (and those
# of every question whose functions call it), whatever the values.
SCIPY_XCORR2D = '''
def xcorr2d(Z1, Z2):
    return scipy.signal.correlate2d(Z2, Z1, mode="full")
'''

# Right values, from the grader's own package: the scan stops it, not the values.
REFERENCE_LAYER_NORM = '''
def layer_norm(x, eps=1e-5):
    from reference.norm import layer_norm as staff_layer_norm

    return staff_layer_norm(x, eps)
'''

IMPORT_REFERENCE = "import reference.xcorr\n"
