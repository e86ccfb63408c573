"""Load and validate a submitted notebook; find which cells define which names."""

import ast
import json
from pathlib import Path

import nbformat

from graders.codec import depth_of
from graders.errors import StudentError

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
MAX_JSON_DEPTH = 64  # metadata and outputs nested deeper are dropped
MAX_AST_DEPTH = 150  # a cell nested deeper is treated as one that does not parse


def load_notebook(path: Path) -> nbformat.NotebookNode:
    """Read `path` as an nbformat-4 notebook, or raise StudentError saying what is wrong."""
    path = Path(path)
    if not path.is_file():
        raise StudentError(f"no notebook at {path.name}")
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise StudentError(
            f"{path.name} is {size / 2**20:.0f} MB; notebooks over "
            f"{MAX_NOTEBOOK_BYTES // 2**20} MB are not graded: clear the outputs and resubmit"
        )
    try:
        nb = _parse(path)
    except (RecursionError, MemoryError):
        raise StudentError(f"{path.name} nests its JSON too deeply or is too large to read; "
                           "open it in Jupyter, clear all outputs and save it again") from None
    if not any(cell.cell_type == "code" and cell.source.strip() for cell in nb.cells):
        raise StudentError(f"{path.name} has no code to grade (every code cell is empty)")
    return nb


def _parse(path: Path) -> nbformat.NotebookNode:
    """The notebook at `path`, its deeply nested metadata and outputs dropped (see _prune)."""
    try:
        raw = json.loads(path.read_bytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise StudentError(
            f"{path.name} is not a Jupyter notebook (not valid JSON: {err})") from None
    if not isinstance(raw, dict) or not ("cells" in raw or "worksheets" in raw):
        raise StudentError(f"{path.name} is JSON but not a Jupyter notebook (it has no cells)")
    if raw.get("nbformat") != 4:
        raise StudentError(
            f"{path.name} uses notebook format {raw.get('nbformat')!r}; only format 4 is graded: "
            "open it in a current Jupyter and save it again"
        )
    _prune(raw)
    if depth_of(raw, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise StudentError(f"{path.name} nests its JSON deeper than {MAX_JSON_DEPTH} levels")
    try:
        nb = nbformat.reads(json.dumps(raw), as_version=4)  # joins line lists into strings
        nbformat.validate(nb)
    except nbformat.ValidationError as err:
        raise StudentError(f"{path.name} is not a valid notebook: {err.message}") from None
    return nb


def _prune(raw: dict) -> None:
    """Drop metadata, outputs and attachments nested deeper than MAX_JSON_DEPTH (they would
    break the recursive readers that follow); the cells' code is kept."""
    cells = raw.get("cells") if isinstance(raw.get("cells"), list) else []
    for holder, key, empty in [(raw, "metadata", {})] + [
            (cell, key, empty) for cell in cells if isinstance(cell, dict)
            for key, empty in (("metadata", {}), ("outputs", []), ("attachments", {}))]:
        if key in holder and depth_of(holder[key], MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
            holder[key] = empty


def parse_cell(source: str) -> ast.Module | None:
    """The cell's AST, with IPython magics and shell lines blanked out; None if it won't parse
    or nests deeper than MAX_AST_DEPTH (so that recursive visitors of the tree are safe)."""
    return read_cell(source)[0]


def read_cell(source: str) -> tuple[ast.Module | None, str]:
    """(AST or None, why not): "syntax" for code Python itself refuses, "too deep" for code too
    large or too deeply nested for the grader to analyse (it may still run in the kernel)."""
    lines = [
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines()
    ]
    try:
        tree = ast.parse("\n".join(lines))
    except (SyntaxError, ValueError):
        return None, "syntax"
    except (RecursionError, MemoryError):
        return None, "too deep"
    stack = [(tree, 1)]
    while stack:  # iterative: the depth is what is being checked
        node, depth = stack.pop()
        if depth > MAX_AST_DEPTH:
            return None, "too deep"
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree, ""


def defined_names(tree: ast.Module) -> set[str]:
    """Top-level names a cell defines (functions, classes, assignments, imports)."""
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                names.update(n.id for n in ast.walk(target) if isinstance(n, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names
