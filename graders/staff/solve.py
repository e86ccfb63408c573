"""Build the solution notebook from the student template plus the source of `reference/`.

An answer cell (`{"dlgrade": {"answer": "q5a_minimizer"}}`) gets the expected text of its key in
theory.answer_keys. A graded template cell names what solves it in its metadata, e.g.
`{"dlgrade": {"question": "p2d", "solution": ["reference.xcorr:xcorr2d"]}}`. The cell's source is
replaced by those functions as written in `reference/`, preceded by the module-level helpers and
constants they use (found through the AST, transitively), each pasted once per notebook. So the
solution never drifts from what the grader checks, and no solution code is written twice.
"""

import ast
import importlib
import inspect
from pathlib import Path

import nbformat

from graders.assignments import Assignment
from graders.errors import GraderError


def solution_notebook(assignment: Assignment, notebook: str = "") -> nbformat.NotebookNode:
    """A template of `assignment` (default: its first) with every graded cell filled in."""
    nb = nbformat.read(assignment.template_of(notebook or assignment.notebook), as_version=4)
    pasted: set[tuple[str, str]] = set()
    for cell in nb.cells:
        specs = cell.metadata.get("dlgrade", {}).get("solution")
        if specs:
            cell.source = "\n\n\n".join(filter(None, (_source(s, pasted) for s in specs)))
        answer = cell.metadata.get("dlgrade", {}).get("answer")
        if answer and cell.cell_type == "code":
            cell.source = _answer_source(assignment.id, answer, cell.source)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def write_solution(assignment: Assignment, out_dir: Path) -> list[Path]:
    """Write the solution of each of the assignment's notebooks into `out_dir`."""
    paths = []
    for notebook in assignment.notebooks:
        path = Path(out_dir) / notebook.replace(".ipynb", "_solution.ipynb")
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(solution_notebook(assignment, notebook), path)
        paths.append(path)
    return paths


def _answer_source(assignment_id: str, question: str, template: str) -> str:
    """The answer cell with the expected text of theory.answer_keys in its string literal (the
    template's variable name kept); a cell without a key stays as the template has it."""
    from theory.answer_keys import solution_text

    text = solution_text(assignment_id, question)
    if text is None:
        return template
    targets = [node.targets[0].id for node in ast.parse(template).body
               if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)]
    return f"{targets[0] if targets else 'answer'} = {text!r}"


def _source(spec: str, pasted: set[tuple[str, str]]) -> str:
    """Source of `module:name` and of what it needs, minus what earlier cells already hold."""
    module_name, _, name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        raise GraderError(f"solution {spec!r}: {err}") from None
    lines = inspect.getsource(module).splitlines()
    definitions = _definitions(ast.parse("\n".join(lines)))
    if name not in definitions:
        raise GraderError(f"solution {spec!r}: {module_name} defines no {name}")
    needed, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in needed or current not in definitions:
            continue
        needed.add(current)
        todo.extend(n.id for n in ast.walk(definitions[current]) if isinstance(n, ast.Name))
    chunks = []
    for key, node in sorted(definitions.items(), key=lambda kv: kv[1].lineno):
        if key in needed and (module_name, key) not in pasted:
            pasted.add((module_name, key))
            first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
            chunks.append("\n".join(lines[first - 1:node.end_lineno]))
    return "\n\n\n".join(chunks)


def _definitions(tree: ast.Module) -> dict[str, ast.AST]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
    return found
