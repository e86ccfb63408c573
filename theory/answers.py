"""Checker for closed-form answers that students type (a constant, a vector, a matrix, a formula).

Safety: the text is never given to ``eval``, ``sympify`` or ``parse_expr``. It is parsed with
Python's ``ast`` and every node is checked against an allow-list (numbers, the question's symbol
names, + - * / ** and unary minus, calls to a fixed set of math functions, list literals and
``Matrix([...])``); sympy objects are then built node by node. Sizes are capped (characters,
nodes, nesting, digits, constant exponents), and the comparison itself runs in a separate worker
process that is killed when it exceeds the time limit, so no input can hang the grader.

Equivalence: ``simplify(answer - expected) == 0`` under a time budget, falling back to evaluation
at random points (integer symbols at small integers), entry by entry for vectors and matrices.

    >>> check_answer("1/sqrt(d)", "d**(-1/2)", symbols={"d": {"positive": True, "integer": True}})
    Verdict(ok=True, status='correct', message='correct')
"""

from __future__ import annotations

import ast
import atexit
import json
import math
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "AnswerChecker",
    "AnswerSyntaxError",
    "Verdict",
    "build",
    "check_answer",
    "validate",
]

MAX_CHARS = 2000
MAX_NODES = 400
MAX_DEPTH = 60
MAX_DIGITS = 40
MAX_EXPONENT = 1000
FUNCTIONS = ("sqrt", "exp", "log", "ln", "sin", "cos", "tan", "sinh", "cosh", "tanh", "abs",
             "erf", "erfc", "Matrix")
CONSTANTS = ("pi", "E")

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED = {
    ast.Attribute: "attribute access (a '.' after a name) is not allowed",
    ast.Subscript: "indexing with [...] after a name is not allowed",
    ast.Lambda: "lambda is not allowed",
    ast.Compare: "comparisons (==, <, ...) are not allowed: type only the expression",
    ast.BoolOp: "'and' / 'or' are not allowed",
    ast.IfExp: "'if ... else' is not allowed",
    ast.Dict: "braces {...} are not allowed",
    ast.Set: "braces {...} are not allowed",
    ast.JoinedStr: "strings are not allowed",
    ast.NamedExpr: "':=' is not allowed",
    ast.Starred: "'*' unpacking is not allowed",
}


class AnswerSyntaxError(ValueError):
    """The text is not an answer this checker accepts; the message says why, for the student."""


@dataclass(frozen=True)
class Verdict:
    """Outcome of checking one answer: ok, a status word, and a message for the student.

    status: ``correct``, ``incorrect``, ``invalid`` (refused before comparing), ``timeout``
    or ``error`` (the checker itself failed; not the student's fault).
    """

    ok: bool
    status: str
    message: str


# --------------------------------------------------------------------------- parsing


def _tree(text: str) -> ast.Expression:
    if not isinstance(text, str):
        raise AnswerSyntaxError("the answer must be text")
    if len(text) > MAX_CHARS:
        raise AnswerSyntaxError(f"the answer is too long ({len(text)} characters; at most "
                                f"{MAX_CHARS})")
    if not text.strip():
        raise AnswerSyntaxError("the answer is empty")
    source = text.replace("^", "**").strip()
    try:
        return ast.parse(source, mode="eval")
    except SyntaxError as exc:
        hint = " (write 2*x for a product and ** or ^ for a power)"
        raise AnswerSyntaxError(f"could not read the answer: {exc.msg}{hint}") from None
    except (ValueError, RecursionError, MemoryError):
        raise AnswerSyntaxError("could not read the answer (too deeply nested)") from None


def _const(node: ast.AST) -> float | None:
    """Value of a constant subtree as a float (None if it has names); refuses huge powers."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        v = _const(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _const(node.left), _const(node.right)
        if a is None or b is None:
            if isinstance(node.op, ast.Pow) and b is not None and abs(b) > MAX_EXPONENT:
                raise AnswerSyntaxError(f"the exponent {b:g} is too large (at most "
                                        f"{MAX_EXPONENT}); simplify your answer")
            return None
        try:
            if isinstance(node.op, ast.Pow):
                if abs(b) > MAX_EXPONENT and abs(a) not in (0.0, 1.0):
                    raise AnswerSyntaxError(f"the exponent {b:g} is too large (at most "
                                            f"{MAX_EXPONENT}); simplify your answer")
                return abs(a) ** b if a else 0.0  # magnitude is all that matters here
            if isinstance(node.op, ast.Div):
                return a / b if b else math.nan
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return None


def validate(text: str, names: Sequence[str]) -> ast.Expression:
    """Parse ``text`` and check every node against the allow-list; returns the tree.

    names: the symbols this question allows. Raises AnswerSyntaxError with a message for the
    student when anything else appears.
    """
    tree = _tree(text)
    allowed = set(names) | set(CONSTANTS)
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:  # iterative: safe for long operator chains
        raise AnswerSyntaxError(f"the answer is too large (more than {MAX_NODES} parts); "
                                "simplify it")

    def visit(node: ast.AST, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise AnswerSyntaxError("the answer is nested too deeply; simplify it")
        if type(node) in _REFUSED:
            raise AnswerSyntaxError(_REFUSED[type(node)])
        if isinstance(node, ast.Expression):
            visit(node.body, depth + 1)
        elif isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise AnswerSyntaxError(f"{v!r} is not a number; only numbers and the names "
                                        f"{', '.join(sorted(allowed))} are allowed")
            if isinstance(v, int) and len(str(abs(v))) > MAX_DIGITS:
                raise AnswerSyntaxError(f"a number has more than {MAX_DIGITS} digits")
            if isinstance(v, float) and not math.isfinite(v):
                raise AnswerSyntaxError("numbers must be finite")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise AnswerSyntaxError(f"the name {node.id!r} is not allowed")
            if node.id in FUNCTIONS:
                raise AnswerSyntaxError(f"{node.id} is a function: write {node.id}(...)")
            if node.id not in allowed:
                raise AnswerSyntaxError(
                    f"unknown name {node.id!r}; you can use {', '.join(sorted(allowed))} and "
                    f"the functions {', '.join(FUNCTIONS)}"
                )
        elif isinstance(node, ast.BinOp):
            if type(node.op) not in _BINOPS:
                raise AnswerSyntaxError("only + - * / and ** (or ^) are allowed between terms")
            visit(node.left, depth + 1)
            visit(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.USub, ast.UAdd)):
                raise AnswerSyntaxError("only a leading + or - is allowed before a term")
            visit(node.operand, depth + 1)
        elif isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                visit(node.func, depth + 1)  # names the refused construct, e.g. attribute access
                raise AnswerSyntaxError("only calls like sqrt(...) of the listed functions are "
                                        "allowed")
            name = node.func.id
            if name not in FUNCTIONS:
                raise AnswerSyntaxError(f"calling {name!r} is not allowed; the functions are "
                                        f"{', '.join(FUNCTIONS)}")
            if node.keywords or len(node.args) != 1:
                raise AnswerSyntaxError(f"{name}(...) takes exactly one argument")
            if name == "Matrix" and not isinstance(node.args[0], (ast.List, ast.Tuple)):
                raise AnswerSyntaxError("write a matrix as Matrix([[a, b], [c, d]])")
            visit(node.args[0], depth + 1)
        elif isinstance(node, (ast.List, ast.Tuple)):
            if not node.elts:
                raise AnswerSyntaxError("empty lists are not allowed")
            for e in node.elts:
                visit(e, depth + 1)
        else:
            raise AnswerSyntaxError(f"{type(node).__name__} is not allowed in an answer")

    visit(tree, 0)
    for node in ast.walk(tree):  # refuses towers such as 9**9**9 before anything evaluates them
        if isinstance(node, ast.BinOp) and _const(node) == math.inf:
            raise AnswerSyntaxError("a number in the answer is too large; simplify it")
    return tree


def build(text: str, symbols: Mapping[str, Any]):
    """Validated text -> sympy expression, list of entries (vector) or sympy Matrix.

    symbols: name -> sympy Symbol. Only call this where a hang cannot hurt (the worker process):
    building is fast, but sympy evaluates some constant expressions eagerly.
    """
    import sympy as sp

    tree = validate(text, list(symbols))
    source = text.replace("^", "**").strip()
    funcs = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin,
             "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
             "abs": sp.Abs, "erf": sp.erf, "erfc": sp.erfc}
    consts = {"pi": sp.pi, "E": sp.E}

    def scalar(value, what: str):
        if isinstance(value, list):
            raise AnswerSyntaxError(f"{what} needs a single expression, not a list")
        return value

    def make(node: ast.AST):
        if isinstance(node, ast.Constant):
            if isinstance(node.value, int):
                return sp.Integer(node.value)
            return sp.Rational(ast.get_source_segment(source, node) or repr(node.value))
        if isinstance(node, ast.Name):
            return symbols[node.id] if node.id in symbols else consts[node.id]
        if isinstance(node, ast.UnaryOp):
            v = make(node.operand)
            if isinstance(v, list):
                raise AnswerSyntaxError("a sign in front of a list is not allowed")
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = make(node.left), make(node.right)
            if isinstance(a, list) or isinstance(b, list):
                raise AnswerSyntaxError("lists cannot be combined with + - * / **; write each "
                                        "entry out, or use Matrix([...])")
            op = type(node.op)
            if op is ast.Add:
                return a + b
            if op is ast.Sub:
                return a - b
            if op is ast.Mult:
                return a * b
            if op is ast.Div:
                return a / b
            return a**b
        if isinstance(node, ast.Call):
            name = node.func.id
            arg = make(node.args[0])
            if name == "Matrix":
                rows = arg if isinstance(arg[0], list) else [[e] for e in arg]
                if any(isinstance(e, list) for r in rows for e in r):
                    raise AnswerSyntaxError("a matrix is a list of rows of expressions")
                if len({len(r) for r in rows}) != 1:
                    raise AnswerSyntaxError("every row of the matrix needs the same length")
                return sp.Matrix(rows)
            return funcs[name](scalar(arg, f"{name}(...)"))
        if isinstance(node, (ast.List, ast.Tuple)):
            return [make(e) for e in node.elts]
        raise AnswerSyntaxError(f"{type(node).__name__} is not allowed")  # unreachable

    value = make(tree.body)
    if isinstance(value, list) and value and isinstance(value[0], list):
        if any(not isinstance(r, list) for r in value) or len({len(r) for r in value}) != 1:
            raise AnswerSyntaxError("every row of the matrix needs the same length")
        return sp.Matrix(value)
    if isinstance(value, list) and any(isinstance(e, list) for e in value):
        raise AnswerSyntaxError("mixing numbers and lists in one list is not allowed")
    return value


# --------------------------------------------------------------------------- worker process


def _normalise_symbols(symbols) -> dict[str, dict[str, bool]]:
    if symbols is None:
        return {}
    if isinstance(symbols, Mapping):
        return {str(k): dict(v or {}) for k, v in symbols.items()}
    return {str(k): {"real": True} for k in symbols}


def _expected_text(expected) -> str:
    """Grader-side expected answer as text in the same syntax (parsed by the same safe parser)."""
    if isinstance(expected, str):
        return expected
    import sympy as sp

    if isinstance(expected, (list, tuple)):
        return "[" + ", ".join(_expected_text(e) for e in expected) + "]"
    if isinstance(expected, sp.MatrixBase):
        return "Matrix([" + ", ".join(
            "[" + ", ".join(sp.sstr(e) for e in expected.row(i)) + "]"
            for i in range(expected.rows)) + "])"
    return sp.sstr(expected)


class AnswerChecker:
    """Compares answers in a long-lived worker process, restarted after any timeout.

    timeout: seconds allowed for one comparison (the worker gets most of it for ``simplify`` and
    falls back to random points; past the limit it is killed).
    """

    STARTUP_TIMEOUT = 60.0

    def __init__(self, timeout: float = 10.0) -> None:
        if timeout <= 0:
            raise ValueError(f"Invalid timeout: {timeout}")
        self.timeout = timeout
        self._proc: subprocess.Popen | None = None
        self._buf = b""
        self._lock = threading.Lock()

    # -- process management
    def _start(self) -> None:
        root = str(Path(__file__).resolve().parent.parent)
        env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "theory.answer_worker"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=root, env=env,
        )
        self._buf = b""
        if json.loads(self._readline(time.monotonic() + self.STARTUP_TIMEOUT)).get("ready") is None:
            raise RuntimeError("answer worker did not start")

    def close(self) -> None:
        """Stop the worker process (a later check starts a new one)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc is not None:
            for stream in (proc.stdin, proc.stdout):
                if stream is not None:
                    stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _readline(self, deadline: float) -> bytes:
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                raise EOFError("answer worker exited")
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    # -- the check
    def check(self, answer: str, expected, *, symbols=None, timeout: float | None = None,
              label: str = "your answer") -> Verdict:
        """Compare a student's ``answer`` (text) with ``expected`` (text in the same syntax, a
        sympy expression, a list or a Matrix). symbols: names the question allows, either a list
        (real symbols) or a mapping name -> sympy assumptions such as {"positive": True}."""
        syms = _normalise_symbols(symbols)
        try:
            validate(answer, list(syms))
        except AnswerSyntaxError as exc:
            return Verdict(False, "invalid", f"{label}: {exc}")
        expected_text = _expected_text(expected)
        try:
            validate(expected_text, list(syms))
        except AnswerSyntaxError as exc:  # a grader fault, not the student's: raise
            raise ValueError(f"expected answer {expected_text!r} is not valid answer syntax: "
                             f"{exc}") from exc
        limit = self.timeout if timeout is None else timeout
        request = {"answer": answer, "expected": expected_text, "symbols": syms,
                   "budget": 0.6 * limit, "label": label}
        with self._lock:
            try:
                if self._proc is None or self._proc.poll() is not None:
                    self._start()
                assert self._proc is not None and self._proc.stdin is not None
                self._proc.stdin.write(json.dumps(request).encode() + b"\n")
                self._proc.stdin.flush()
                reply = json.loads(self._readline(time.monotonic() + limit))
            except TimeoutError:
                self.close()
                return Verdict(False, "timeout",
                               f"{label}: could not be checked within {limit:g} s; simplify it "
                               "(expand fewer powers, avoid huge exponents) and submit again")
            except (EOFError, BrokenPipeError, OSError, ValueError):
                self.close()
                return Verdict(False, "error",
                               f"{label}: the checker failed on this answer (it may be too large "
                               "to compare); simplify it and submit again")
        return Verdict(bool(reply["ok"]), str(reply["status"]), str(reply["message"]))


_DEFAULT: AnswerChecker | None = None


def check_answer(answer: str, expected, *, symbols=None, timeout: float = 10.0,
                 label: str = "your answer") -> Verdict:
    """Check one answer with a shared worker process (see :class:`AnswerChecker`)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = AnswerChecker(timeout)
        atexit.register(_DEFAULT.close)
    return _DEFAULT.check(answer, expected, symbols=symbols, timeout=timeout, label=label)
