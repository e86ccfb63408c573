"""What students may type as a closed-form answer, and how it becomes a Python expression tree.

The text is normalised token by token (``^`` for powers, implicit products such as ``2d`` or
``2 sigma``, Greek letters typed or spelled out, ``lambda`` as a name), parsed with ``ast`` and
checked node by node against an allow-list: numbers, the question's names, + - * / ** and signs,
calls of a fixed set of functions, lists/tuples and ``Matrix([...])``. Nothing is evaluated
here; :mod:`theory.answer_build` turns a validated tree into sympy objects.

    >>> normalise("2 sigma^2 d", ["sigma", "d"])
    '2 * sigma ** 2 * d'
"""

from __future__ import annotations

import ast
import io
import keyword
import math
import re
import tokenize
from collections.abc import Sequence

__all__ = ["AnswerSyntaxError", "FUNCTIONS", "MATRIX_FUNCTIONS", "has_decimal", "internal",
           "normalise", "validate"]

MAX_CHARS = 2000
MAX_NODES = 400
MAX_DEPTH = 60
MAX_DIGITS = 40
MAX_EXPONENT = 1000
MAX_SPLIT = 12  # longest run of names read as a product (dk -> d*k)
# name typed -> arity (None: two or more arguments)
FUNCTIONS = {"sqrt": 1, "exp": 1, "log": 1, "ln": 1, "sin": 1, "cos": 1, "tan": 1, "sinh": 1,
             "cosh": 1, "tanh": 1, "abs": 1, "erf": 1, "erfc": 1, "sign": 1, "max": None,
             "min": None, "Matrix": 1, "Abs": 1, "Max": None, "Min": None}  # sympy's spellings
MATRIX_FUNCTIONS = {"inv": 1, "pinv": 1, "transpose": 1, "trace": 1, "det": 1}
CONSTANTS = ("pi", "E", "e")
TRANSPOSE = "T"  # X^T in a question with matrix names
GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "epsilon", "ζ": "zeta",
         "η": "eta", "θ": "theta", "κ": "kappa", "λ": "lambda", "μ": "mu", "ν": "nu", "ξ": "xi",
         "π": "pi", "ρ": "rho", "σ": "sigma", "τ": "tau", "φ": "phi", "ϕ": "phi", "χ": "chi",
         "ψ": "psi", "ω": "omega"}
SIGNS = {"−": "-", "–": "-", "·": "*", "⋅": "*", "×": "*", "÷": "/", "²": "^2", "³": "^3",
         "⁻¹": "^(-1)", "ᵀ": "^T", "⊤": "^T"}
UNTYPEABLE = {"√": "write sqrt(...) for a square root", "∑": "a sum cannot be typed: write its "
              "closed form", "Σ": "a sum cannot be typed: write its closed form",
              "∏": "a product sign cannot be typed: write its closed form",
              "∞": "infinity is not an answer here", "≤": "inequalities cannot be typed: give the "
              "expression only", "≥": "inequalities cannot be typed: give the expression only",
              "=": "type only the expression, without '=' or a name on the left",
              "!": "factorials cannot be typed: write the product out",
              "|": "write abs(x) for |x|"}
KEYWORD_NAMES = {"lambda": "lambda_"}  # Python keywords students use as symbol names
_NUMBER = re.compile(r"\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?")

_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)
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


def internal(name: str) -> str:
    """The name a question's symbol has in the parsed text ('lambda' -> 'lambda_')."""
    return KEYWORD_NAMES.get(name, name)


def _split_name(name: str, known: set[str]) -> list[str] | None:
    """'dk' -> ['d', 'k'] when the name is exactly one run of known names, else None."""
    if len(name) > MAX_SPLIT:
        return None
    ways: dict[int, list[list[str]]] = {0: [[]]}
    for end in range(1, len(name) + 1):
        ways[end] = [w + [name[s:end]] for s in range(end) for w in ways.get(s, [])
                     if name[s:end] in known][:2]
    return ways[len(name)][0] if len(ways[len(name)]) == 1 else None


def normalise(text: str, names: Sequence[str], matrix: bool = False) -> str:
    """Student text -> Python expression text: powers, implicit products, Greek, known names.

    names: the question's symbol names (Greek spelled out: ``sigma``, ``lambda``...).
    Raises AnswerSyntaxError for what cannot be typed, with what to write instead.
    """
    if not isinstance(text, str):
        raise AnswerSyntaxError("the answer must be text")
    if len(text) > MAX_CHARS:
        raise AnswerSyntaxError(f"the answer is too long ({len(text)} characters; at most "
                                f"{MAX_CHARS})")
    if matrix:
        text = re.sub(r"\.T\b", "^T", text).replace("@", "*")
    for sign, words in {**SIGNS, **GREEK}.items():
        text = text.replace(sign, f" {words} " if sign in GREEK else words)
    for sign, why in UNTYPEABLE.items():
        if sign in text and not (sign == "=" and "==" in text):
            raise AnswerSyntaxError(f"'{sign}' cannot be typed here: {why}")
    if not text.strip():
        raise AnswerSyntaxError("the answer is empty")
    text = text.replace("^", "**").strip()
    functions = set(FUNCTIONS) | (set(MATRIX_FUNCTIONS) if matrix else set())
    names = [internal(n) for n in names]
    known = set(names) | set(CONSTANTS)
    splittable = set(names) | {"pi"}
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(text).readline)
                  if t.type not in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        raise AnswerSyntaxError("could not read the answer: check the brackets") from None
    out: list[str] = []
    prev = ""
    for tok in tokens:
        piece = tok.string
        if tok.type == tokenize.NUMBER and not _NUMBER.fullmatch(piece):
            raise AnswerSyntaxError(f"{piece!r} is not a number this checker reads (use plain "
                                    "decimal digits)")
        if tok.type == tokenize.NAME:
            if keyword.iskeyword(piece) and KEYWORD_NAMES.get(piece) not in names:
                raise AnswerSyntaxError(f"{piece} is not allowed in an answer")
            piece = KEYWORD_NAMES.get(piece, piece)
            if piece not in known and piece not in functions and piece != TRANSPOSE:
                parts = _split_name(piece, splittable)
                piece = " * ".join(parts) if parts else piece
        starts_operand = tok.type in (tokenize.NUMBER, tokenize.NAME) or piece == "("
        ends_operand = prev in ("num", "name", ")", "]") or (prev == "unknown" and piece != "(")
        if starts_operand and ends_operand and not (prev == "num" and tok.type == tokenize.NUMBER):
            out.append("*")
        out.append(piece)
        if tok.type == tokenize.NUMBER:
            prev = "num"
        elif tok.type == tokenize.NAME:  # an unknown name before '(' is a call, refused later
            prev = "func" if piece in functions else "name" if (
                piece in known or "*" in piece or piece == TRANSPOSE) else "unknown"
        else:
            prev = piece
    return " ".join(out)


def has_decimal(tree: ast.AST) -> bool:
    """True when the answer contains a decimal number (0.5, 1e3)."""
    return any(isinstance(n, ast.Constant) and isinstance(n.value, float) for n in ast.walk(tree))


def _const(node: ast.AST) -> float | None:
    """Value of a constant subtree as a float (None if it has names); refuses huge powers."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        v = _const(node.operand)
        return None if v is None else (-v if isinstance(node.op, ast.USub) else v)
    if isinstance(node, ast.BinOp):
        a, b = _const(node.left), _const(node.right)
        if isinstance(node.op, ast.Pow) and b is not None and abs(b) > MAX_EXPONENT and (
                a is None or abs(a) not in (0.0, 1.0)):
            raise AnswerSyntaxError(f"the exponent {b:g} is too large (at most "
                                    f"{MAX_EXPONENT}); simplify your answer")
        if a is None or b is None:
            return None
        try:
            if isinstance(node.op, ast.Pow):
                return abs(a) ** b if a else 0.0  # magnitude is all that matters here
            if isinstance(node.op, ast.Div):
                return a / b if b else math.nan
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b}[type(node.op)]
        except (OverflowError, ZeroDivisionError):
            return math.inf
    return None


def validate(text: str, names: Sequence[str], matrix: bool = False) -> tuple[ast.Expression, str]:
    """Normalise and parse ``text``, check every node against the allow-list.

    Returns (tree, normalised source). names: the symbols this question allows; matrix: the
    question has matrix names (then ``X^T`` and inv/pinv/transpose/trace/det are allowed).
    """
    source = normalise(text, names, matrix)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise AnswerSyntaxError(f"could not read the answer: {exc.msg} (check the brackets and "
                                "the operators between terms)") from None
    except (ValueError, RecursionError, MemoryError):
        raise AnswerSyntaxError("could not read the answer (too deeply nested)") from None
    functions = {**FUNCTIONS, **(MATRIX_FUNCTIONS if matrix else {})}
    names = [internal(n) for n in names]
    allowed = set(names) | set(CONSTANTS) | ({TRANSPOSE} if matrix else set())
    listed = ", ".join(sorted(set(names) | {"pi", "e"}))
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
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise AnswerSyntaxError(f"{v!r} is not a number; only numbers and the names "
                                        f"{listed} are allowed")
            if isinstance(v, int) and len(str(abs(v))) > MAX_DIGITS:
                raise AnswerSyntaxError(f"a number has more than {MAX_DIGITS} digits")
            if isinstance(v, float) and not math.isfinite(v):
                raise AnswerSyntaxError("numbers must be finite")
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                raise AnswerSyntaxError(f"the name {node.id!r} is not allowed")
            if node.id in functions:
                raise AnswerSyntaxError(f"{node.id} is a function: write {node.id}(...)")
            if node.id not in allowed:
                raise AnswerSyntaxError(f"unknown name {node.id!r}; you can use {listed} and the "
                                        f"functions {_shown(functions)}")
        elif isinstance(node, ast.BinOp):
            if not isinstance(node.op, _BINOPS):
                raise AnswerSyntaxError("only + - * / and ^ (or **) are allowed between terms")
            visit(node.left, depth + 1)
            visit(node.right, depth + 1)
        elif isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, ast.USub | ast.UAdd):
                raise AnswerSyntaxError("only a leading + or - is allowed before a term")
            visit(node.operand, depth + 1)
        elif isinstance(node, ast.Call):
            _check_call(node, functions)
            for arg in node.args:
                visit(arg, depth + 1)
        elif isinstance(node, ast.List | ast.Tuple):
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
        if (isinstance(node, ast.Name) and node.id == TRANSPOSE and matrix and TRANSPOSE not in
                names and not _is_transpose(node, tree)):
            raise AnswerSyntaxError("T stands for a transpose here: write X^T")
    return tree, source


def _shown(functions) -> str:
    return ", ".join(f for f in functions if f not in ("Abs", "Max", "Min"))


def _check_call(node: ast.Call, functions: dict) -> None:
    if not isinstance(node.func, ast.Name):
        if type(node.func) in _REFUSED:
            raise AnswerSyntaxError(_REFUSED[type(node.func)])
        raise AnswerSyntaxError("only calls like sqrt(...) of the listed functions are allowed")
    name = node.func.id
    if name not in functions:
        raise AnswerSyntaxError(f"calling {name!r} is not allowed; the functions are "
                                f"{_shown(functions)}")
    arity = functions[name]
    if node.keywords or (arity is not None and len(node.args) != arity) or (
            arity is None and len(node.args) < 2):
        raise AnswerSyntaxError(f"{name}(...) takes " + (
            "exactly one argument" if arity == 1 else "two or more arguments"))
    if name == "Matrix" and not isinstance(node.args[0], ast.List | ast.Tuple):
        raise AnswerSyntaxError("write a matrix as Matrix([[a, b], [c, d]])")


def _is_transpose(name: ast.Name, tree: ast.AST) -> bool:
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) and n.right is name
               for n in ast.walk(tree))
