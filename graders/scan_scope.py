"""Names resolved by scope, for the static scan: what a notebook's names and a definition's
names stand for (`ss.correlate2d` -> `scipy.signal.correlate2d`, a local `signal` -> nothing), and
which `if` bodies are switched off (see graders/scan.py for the rules)."""

import ast
from collections import Counter

OFF = (False, None, 0)


def definitions_of(tree: ast.Module) -> list[ast.AST]:
    return [n for n in tree.body
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Assign)]


class Notebook:
    """What the notebook's global namespace holds: definitions by name, names bound to modules or
    their attributes (by any cell), and switched-off flags."""

    def __init__(self, trees: dict[int, ast.Module]):
        self.definitions: dict[str, list[tuple[int, ast.AST]]] = {}
        self.aliases: dict[str, str] = {}
        for index, tree in trees.items():
            for node in definitions_of(tree):
                for name in _assigned(node) if isinstance(node, ast.Assign) else [node.name]:
                    self.definitions.setdefault(name, []).append((index, node))
        for _ in range(2):  # `corr = np.correlate` after `import numpy as np`, in any order
            for tree in trees.values():
                self.aliases.update(_bindings(tree.body, self.resolve))
        self.flags = _off_flags(list(trees.values()))

    def resolve(self, name: str) -> str | None:
        return self.aliases.get(name)


def _assigned(node: ast.Assign) -> list[str]:
    return [t.id for t in node.targets if isinstance(t, ast.Name)]


def _bindings(body: list[ast.stmt], resolve) -> dict[str, str]:
    """Names that statements of one scope bind to modules or to attributes of modules (not
    entering nested functions or classes)."""
    found = {}
    for node in _same_scope(body):
        if isinstance(node, ast.Import):
            for a in node.names:
                root = a.name.split(".")[0]
                found[a.asname or root] = a.name if a.asname else root
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for a in node.names:
                found[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            dotted = _dotted(node.value, resolve) if isinstance(target, ast.Name) else None
            if dotted:
                found[target.id] = dotted
    return found


def _same_scope(body: list[ast.stmt]):
    """The statements of a scope, nested blocks (if, for, try, with) included, nested function
    and class bodies excluded."""
    stack = list(body)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            stack.extend(c for c in ast.iter_child_nodes(node) if not isinstance(c, ast.expr))


def _dotted(node: ast.AST, resolve) -> str | None:
    """The dotted name an expression stands for (`np.linalg.lstsq` -> `numpy.linalg.lstsq`,
    `getattr(np, "correlate")` -> `numpy.correlate`), or None."""
    parts = []
    while True:
        if isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id == "getattr" and len(node.args) >= 2
              and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
            parts.append(node.args[1].value)
            node = node.args[0]
        else:
            break
    base = resolve(node.id) if isinstance(node, ast.Name) else None
    return ".".join([base, *reversed(parts)]) if base else None


def _off_flags(trees: list[ast.Module]) -> set[str]:
    """Global names bound only by `NAME = False` (or None, 0) at the top level of cells."""
    stores, offs, declared = Counter(), Counter(), set()
    for tree in trees:
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1
                    and isinstance(node.targets[0], ast.Name) and _is_constant_off(node.value)):
                offs[node.targets[0].id] += 1
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                stores[node.id] += 1
            elif isinstance(node, ast.Global | ast.Nonlocal):
                declared.update(node.names)
    return {name for name, count in offs.items() if stores[name] == count} - declared


def _local_names(body: list[ast.stmt]) -> set[str]:
    """Names a function body binds (Python makes them local to it), `global` ones excepted."""
    names, declared = set(), set()
    for node in _same_scope(body):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
            continue
        if isinstance(node, ast.Global | ast.Nonlocal):
            declared.update(node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                names.update(n.id for n in ast.walk(child)
                             if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load))
    return names - declared


def _is_constant_off(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in OFF and not isinstance(node.value, str)


class Uses(ast.NodeVisitor):
    """Every dotted name a definition uses (resolved by scope), with the call it is made in."""

    def __init__(self, notebook: Notebook):
        self.notebook = notebook
        self.scopes: list[tuple[dict[str, str | None], set[str]]] = []  # (names, off flags)
        self.calls: dict[int, ast.Call] = {}
        self.found: list[tuple[str, ast.Call | None]] = []

    def of(self, node: ast.AST) -> list[tuple[str, ast.Call | None]]:
        self.visit(node)
        return self.found

    def resolve(self, name: str) -> str | None:
        for names, _ in reversed(self.scopes):
            if name in names:
                return names[name]
        return self.notebook.resolve(name)

    def _is_off(self, test: ast.AST) -> bool:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return any(self._is_off(v) for v in test.values)
        if isinstance(test, ast.Name):
            for names, flags in reversed(self.scopes):
                if test.id in names:
                    return test.id in flags
            return test.id in self.notebook.flags
        return _is_constant_off(test)

    def _enter(self, args: ast.arguments, body: list[ast.stmt] | ast.expr) -> None:
        """Visit a function's (or lambda's) body in a scope of its own."""
        params = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
        positional = args.posonlyargs + args.args
        defaults = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
        defaults += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
        for _, default in defaults:
            self.visit(default)
        statements = body if isinstance(body, list) else []
        names = dict.fromkeys([a.arg for a in params if a is not None], None)
        names.update(dict.fromkeys(_local_names(statements), None))
        self.scopes.append((names, {a.arg for a, d in defaults if _is_constant_off(d)}))
        names.update(_bindings(statements, self.resolve))
        for statement in statements or [body]:
            self.visit(statement)
        self.scopes.pop()

    def visit_FunctionDef(self, node):
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._enter(node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node):
        self._enter(node.args, node.body)

    def visit_If(self, node):
        self.visit(node.test)
        for statement in ([] if self._is_off(node.test) else node.body) + node.orelse:
            self.visit(statement)

    def visit_Call(self, node):
        self.calls[id(node.func)] = node
        dotted = _dotted(node, self.resolve)  # getattr(module, "name")
        if dotted:
            self.found.append((dotted, None))
        self.generic_visit(node)

    def visit_Attribute(self, node):
        self.found.append(("." + node.attr, self.calls.get(id(node))))
        dotted = _dotted(node, self.resolve)
        if dotted:
            self.found.append((dotted, self.calls.get(id(node))))
            return  # the shorter prefixes of the same chain are not separate uses
        self.generic_visit(node)

    def visit_Name(self, node):
        dotted = self.resolve(node.id) if isinstance(node.ctx, ast.Load) else None
        if dotted:
            self.found.append((dotted, self.calls.get(id(node))))
