"""Static scan of a submission (ast): forbidden APIs per question and imports of our packages.

What a question's code is: the definitions of its functions, plus the definitions of the helpers,
classes and variables they refer to, except functions that another question grades (a forbidden
call in `xcorr2d` costs P2(d), not also P2(e) that calls it). A check written beside them is not
scanned.

Names are resolved by scope, as Python does: `import scipy.signal as ss; ss.correlate2d` is
`scipy.signal.correlate2d`, but a parameter, a local variable or an attribute called `signal` is not
the module, whatever another cell imports. `getattr(np, "correlate")` with a literal name counts.
A forbidden entry `.backward` matches that method on any object; an entry may carry an exemption,
`name[keyword=value]`, for calls that pass that literal keyword (a Jacobian asked for with
`strategy="forward-mode"` is forward mode).

Switched-off code (the rule the templates state): the body of `if FLAG:` is not scanned when FLAG is
`False`, a notebook-level name that is only ever bound by `FLAG = False`, or a parameter of the
enclosing function whose default is `False` (an optional self-check). The run-time check
(graders/kernel_guard.py) still records what actually runs, so a flag switched on at run time is
caught there; it also catches what no static scan sees (getattr with built strings, exec,
importlib, methods of tensors). A cell too large or too deeply nested to analyse costs the
questions whose functions it names, with a message; the other questions keep their scores.
"""

import ast
import re
from dataclasses import dataclass

import nbformat

from graders.assignments import Question
from graders.notebook import read_cell
from graders.scan_scope import Notebook, Uses, definitions_of

PROTECTED_PACKAGES = ("reference", "graders", "theory")


class Finding(str):
    """A reason a question loses its points; `function` is the definition it was found in."""

    function: str = ""

    @classmethod
    def at(cls, message: str, function: str = "") -> "Finding":
        finding = cls(message)
        finding.function = function
        return finding


@dataclass(frozen=True)
class Rule:
    """A forbidden entry: a dotted prefix (or `.method`), unless called with `keyword=value`."""

    dotted: str
    unless: tuple[str, str] | None = None

    @classmethod
    def parse(cls, entry: str) -> "Rule":
        match = re.fullmatch(r"([\w.]+)(?:\[(\w+)=([\w-]+)\])?", entry)
        if match is None:
            raise ValueError(f"invalid forbidden entry {entry!r}")
        name, keyword, value = match.groups()
        return cls(name, (keyword, value) if keyword else None)

    def matches(self, dotted: str, call: ast.Call | None) -> bool:
        if not (dotted == self.dotted or (not self.dotted.startswith(".")
                                          and dotted.startswith(self.dotted + "."))):
            return False
        return not (self.unless and call is not None and any(
            k.arg == self.unless[0] and isinstance(k.value, ast.Constant)
            and k.value.value == self.unless[1] for k in call.keywords))


def scan(nb: nbformat.NotebookNode, questions: list[Question]) -> dict[str, list[Finding]]:
    """Map question id -> reasons it loses its points (questions with no finding are absent).

    `questions` are the autograded questions answered in this notebook."""
    trees, unreadable = _read_cells(nb)
    notebook = Notebook(trees)
    owner = {f: q.id for q in reversed(questions) for f in q.functions}
    findings: dict[str, list[Finding]] = {}
    for question in questions:
        rules = [Rule.parse(entry) for entry in question.forbidden]
        for index, name, node in question_code(notebook.definitions, question, owner):
            try:
                uses = Uses(notebook).of(node)
            except (RecursionError, MemoryError):
                unreadable[index] = "nested too deeply"
                continue
            for dotted, call in uses:
                if any(rule.matches(dotted, call) for rule in rules):
                    findings.setdefault(question.id, []).append(Finding.at(
                        f"{name} (cell {index + 1}) uses {dotted}, which {question.number} "
                        "forbids", name))
            for package in sorted(_protected_imports(node)):
                findings.setdefault(question.id, []).append(Finding.at(
                    f"cell {index + 1} imports {package!r}, the grader's own package", name))
    for index, tree in trees.items():
        defined = definitions_of(tree)
        top_level = ast.Module(body=[n for n in tree.body if n not in defined], type_ignores=[])
        for package in sorted(_protected_imports(top_level)):
            for question in questions:
                findings.setdefault(question.id, []).append(
                    Finding(f"cell {index + 1} imports {package!r}, the grader's own package"))
    for index, why in sorted(unreadable.items()):
        source = nb.cells[index].source
        for question in questions:
            named = [f for f in question.functions if re.search(rf"\b{re.escape(f)}\b", source)]
            if named:
                findings.setdefault(question.id, []).append(Finding(
                    f"cell {index + 1} ({why}) could not be read by the grader, so "
                    f"{', '.join(named)} cannot be checked: split it or simplify it"))
    return {q: list(dict.fromkeys(reasons)) for q, reasons in findings.items()}


def _read_cells(nb) -> tuple[dict[int, ast.Module], dict[int, str]]:
    """Parsed code cells, and the cells the parser gave up on (too large or deep)."""
    trees, unreadable = {}, {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree, problem = read_cell(cell.source)
        if problem == "too deep":
            unreadable[index] = "nested too deeply or too large"
        elif tree is not None:
            trees[index] = tree
    return trees, unreadable


def question_code(definitions: dict[str, list[tuple[int, ast.AST]]], question: Question,
                  owner: dict[str, str]) -> list[tuple[int, str, ast.AST]]:
    """(cell index, name, definition) of the question's functions and, transitively, of the
    helpers their bodies mention, without entering functions another question grades."""
    wanted, seen, found = list(question.functions), set(), []
    while wanted:
        name = wanted.pop()
        if name in seen or (name not in question.functions
                            and owner.get(name, question.id) != question.id):
            continue
        seen.add(name)
        for index, node in definitions.get(name, []):
            found.append((index, name, node))
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


def _protected_imports(tree: ast.AST) -> set[str]:
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
