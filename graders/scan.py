"""Static scan of a submission (ast): forbidden APIs per question and imports of our packages.

A question's code is the definitions of its functions, plus the definitions of the functions,
classes and variables those refer to (a check written beside them is not scanned). Names are
resolved through the notebook's imports, so `import scipy.signal as ss; ss.correlate2d` is seen
as `scipy.signal.correlate2d`; a forbidden entry such as `.backward` matches that method on any
object. The scan is a
deterrent, not a proof: code built from strings at run time is stopped by file permissions.
"""

import ast

import nbformat

from graders.assignments import Question
from graders.notebook import parse_cell

PROTECTED_PACKAGES = ("reference", "graders", "theory")


def scan(nb: nbformat.NotebookNode, questions: list[Question]) -> dict[str, list[str]]:
    """Map question id -> reasons it loses its points (questions with no finding are absent).

    `questions` are the autograded questions answered in this notebook."""
    trees = {i: parse_cell(c.source) for i, c in enumerate(nb.cells) if c.cell_type == "code"}
    trees = {i: t for i, t in trees.items() if t is not None}
    aliases = _import_aliases(trees.values())
    definitions = _definitions(trees)
    findings: dict[str, list[str]] = {}
    for question in questions:
        for index, node in question_code(definitions, question.functions):
            for dotted in sorted(_references(node, aliases)):
                banned = next((f for f in question.forbidden if _matches(dotted, f)), None)
                if banned:
                    findings.setdefault(question.id, []).append(
                        f"cell {index + 1} uses {dotted}, which {question.number} forbids"
                    )
            for package in sorted(_protected_imports(node)):
                findings.setdefault(question.id, []).append(
                    f"cell {index + 1} imports {package!r}, the grader's own package"
                )
    for index, tree in trees.items():
        top_level = ast.Module(body=[n for n in tree.body if n not in _defs(tree)], type_ignores=[])
        for package in sorted(_protected_imports(top_level)):
            for question in questions:
                findings.setdefault(question.id, []).append(
                    f"cell {index + 1} imports {package!r}, the grader's own package"
                )
    return findings


def question_code(definitions: dict[str, list[tuple[int, ast.AST]]],
                  functions: tuple[str, ...]) -> list[tuple[int, ast.AST]]:
    """(cell index, definition) of `functions` and, transitively, of the functions and classes
    their bodies mention. Only definitions are scanned: a check beside them costs nothing."""
    wanted, seen, found = list(functions), set(), []
    while wanted:
        name = wanted.pop()
        if name in seen:
            continue
        seen.add(name)
        for index, node in definitions.get(name, []):
            found.append((index, node))
            wanted.extend(_free_names(node))
    return found


def _free_names(node: ast.AST) -> set[str]:
    """Names the definition reads but does not bind itself (its parameters and locals are not
    followed: a local `grad` must not pull in a top-level `grad = ...` elsewhere)."""
    loaded, bound = set(), set()
    for n in ast.walk(node):
        if isinstance(n, ast.Name):
            (loaded if isinstance(n.ctx, ast.Load) else bound).add(n.id)
        elif isinstance(n, ast.arg):
            bound.add(n.arg)
        elif isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and n is not node:
            bound.add(n.name)
    return loaded - bound


def _defs(tree: ast.Module) -> list[ast.AST]:
    return [n for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign)]


def _definitions(trees: dict[int, ast.Module]) -> dict[str, list[tuple[int, ast.AST]]]:
    """Top-level function, class and plain-assignment definitions, by name."""
    found: dict[str, list[tuple[int, ast.AST]]] = {}
    for index, tree in trees.items():
        for node in _defs(tree):
            names = ([t.id for t in node.targets if isinstance(t, ast.Name)]
                     if isinstance(node, ast.Assign) else [node.name])
            for name in names:
                found.setdefault(name, []).append((index, node))
    return found


def _import_aliases(trees) -> dict[str, str]:
    aliases = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        aliases[a.asname] = a.name
                    else:
                        root = a.name.split(".")[0]
                        aliases[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
    return aliases


def _references(tree: ast.Module, aliases: dict[str, str]) -> set[str]:
    """Every dotted name the code mentions, resolved through imports (`ss.f` -> `scipy.signal.f`).
    """
    found = {"." + n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name) and id(node) not in inner:
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if isinstance(node, ast.Name) and node.id in aliases:
                found.add(".".join([aliases[node.id], *reversed(parts)]))
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return found


def _matches(dotted: str, forbidden: str) -> bool:
    """`scipy.signal` forbids `scipy.signal.correlate2d`; `.backward` forbids any `x.backward`."""
    return dotted == forbidden or (not forbidden.startswith(".")
                                   and dotted.startswith(forbidden + "."))


def _protected_imports(tree: ast.Module) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and (getattr(node.func, "id", None) == "__import__"
                   or getattr(node.func, "attr", None) == "import_module")):
            found.add(node.args[0].value.split(".")[0])
    return found & set(PROTECTED_PACKAGES)
