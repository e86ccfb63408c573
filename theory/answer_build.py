"""Validated answer trees -> sympy objects (a scalar, a list of entries, a Matrix), or, for
questions about matrix formulas such as (X^T X)^{-1} X^T y, the value at concrete matrices.

Only call these where a hang cannot hurt (the worker process of :mod:`theory.answers`): building
is fast, but sympy evaluates some constant expressions eagerly.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from typing import Any

import sympy as sp

from theory.answer_syntax import TRANSPOSE, AnswerSyntaxError, internal, validate

__all__ = ["MatrixAnswerError", "build", "evaluate_matrix_formula"]

_FUNCS = {"sqrt": sp.sqrt, "exp": sp.exp, "log": sp.log, "ln": sp.log, "sin": sp.sin,
          "cos": sp.cos, "tan": sp.tan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
          "abs": sp.Abs, "erf": sp.erf, "erfc": sp.erfc, "sign": sp.sign, "max": sp.Max,
          "min": sp.Min, "Abs": sp.Abs, "Max": sp.Max, "Min": sp.Min}


class MatrixAnswerError(ValueError):
    """A matrix formula that cannot be evaluated (shapes that do not fit, a singular inverse)."""


def _number(node: ast.Constant, source: str) -> sp.Expr:
    if isinstance(node.value, int):
        return sp.Integer(node.value)
    return sp.Rational(ast.get_source_segment(source, node) or repr(node.value))  # exact


def _leaf(node: ast.AST, source: str, values: Mapping[str, Any]):
    """A number or a name's value (pi and e when the question has no such name)."""
    if isinstance(node, ast.Constant):
        return _number(node, source)
    if node.id in values:
        return values[node.id]
    return sp.pi if node.id == "pi" else sp.E


def build(text: str, symbols: Mapping[str, Any]):
    """Text -> sympy expression, list of entries (vector) or sympy Matrix.

    symbols: name -> sympy Symbol. Decimals become exact rationals (0.1 -> 1/10).
    """
    tree, source = validate(text, list(symbols))
    symbols = {internal(k): v for k, v in symbols.items()}

    def make(node: ast.AST):
        if isinstance(node, ast.Constant | ast.Name):
            return _leaf(node, source, symbols)
        if isinstance(node, ast.UnaryOp):
            v = make(node.operand)
            if isinstance(v, list):
                raise AnswerSyntaxError("a sign in front of a list is not allowed")
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = make(node.left), make(node.right)
            if isinstance(a, list) or isinstance(b, list):
                raise AnswerSyntaxError("lists cannot be combined with + - * / ^; write each "
                                        "entry out, or use Matrix([...])")
            return _arith(node.op, a, b)
        if isinstance(node, ast.Call):
            name = node.func.id
            args = [make(a) for a in node.args]
            if name == "Matrix":
                return _matrix(args[0])
            if any(isinstance(a, list) for a in args):
                raise AnswerSyntaxError(f"{name}(...) needs expressions, not a list")
            return _FUNCS[name](*args)
        if isinstance(node, ast.List | ast.Tuple):
            return [make(e) for e in node.elts]
        raise AnswerSyntaxError(f"{type(node).__name__} is not allowed")  # unreachable

    value = make(tree.body)
    if isinstance(value, list) and any(isinstance(e, list) for e in value):
        if not all(isinstance(e, list) for e in value):
            raise AnswerSyntaxError("mixing numbers and lists in one list is not allowed")
        return _matrix(value)
    return value


def _matrix(rows) -> sp.Matrix:
    if not isinstance(rows, list):
        raise AnswerSyntaxError("write a matrix as Matrix([[a, b], [c, d]])")
    rows = rows if isinstance(rows[0], list) else [[e] for e in rows]
    if any(not isinstance(r, list) or any(isinstance(e, list) for e in r) for r in rows):
        raise AnswerSyntaxError("a matrix is a list of rows of expressions")
    if len({len(r) for r in rows}) != 1:
        raise AnswerSyntaxError("every row of the matrix needs the same length")
    return sp.Matrix(rows)


def _arith(op: ast.operator, a, b):
    if isinstance(op, ast.Add):
        return a + b
    if isinstance(op, ast.Sub):
        return a - b
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.Div):
        return a / b
    return a**b


# --------------------------------------------------------------------------- matrix formulas


def _scalar(v):
    return v[0, 0] if isinstance(v, sp.MatrixBase) and v.shape == (1, 1) else v


def _mat_binop(op: ast.operator, a, b):
    """+ - * / ^ on matrices and scalars, with messages that never show the matrices."""
    am, bm = isinstance(a, sp.MatrixBase), isinstance(b, sp.MatrixBase)
    if isinstance(op, ast.Add | ast.Sub):
        if am and bm and a.shape != b.shape:
            raise MatrixAnswerError("adds or subtracts matrices of different shapes")
        if am != bm:
            a, b = _scalar(a), _scalar(b)
            if isinstance(a, sp.MatrixBase) or isinstance(b, sp.MatrixBase):
                raise MatrixAnswerError("adds a number to a matrix")
        return a + b if isinstance(op, ast.Add) else a - b
    if isinstance(op, ast.Mult):
        if am and bm and a.shape[1] != b.shape[0]:
            if 1 in (a.shape + b.shape) and (a.shape == (1, 1) or b.shape == (1, 1)):
                return _scalar(a) * _scalar(b)
            raise MatrixAnswerError("multiplies matrices whose shapes do not fit (check the "
                                    "transposes and the order of the factors)")
        return a * b
    if isinstance(op, ast.Div):
        b = _scalar(b)
        if isinstance(b, sp.MatrixBase):
            raise MatrixAnswerError("divides by a matrix: write inv(A) or A^(-1) instead")
        if b == 0:
            raise MatrixAnswerError("divides by zero")
        return a / b
    if isinstance(b, sp.MatrixBase):
        raise MatrixAnswerError("raises to a matrix power")
    if not am:
        return a**b
    if a.rows != a.cols:
        raise MatrixAnswerError("raises a matrix that is not square to a power")
    if not (b.is_Integer and abs(b) <= 8):
        raise MatrixAnswerError("raises a matrix to a power other than a small integer")
    if b < 0:
        if a.det() == 0:
            raise MatrixAnswerError("inverts a matrix that is not invertible in general")
        return (a.inv()) ** int(-b)
    return a ** int(b)


def _mat_call(name: str, v):
    if not isinstance(v, sp.MatrixBase):
        if name in ("transpose", "trace", "det"):
            return v
        if name in ("inv", "pinv"):
            if v == 0:
                raise MatrixAnswerError("inverts zero")
            return 1 / v
        return _FUNCS[name](v)
    if name == "transpose":
        return v.T
    if name == "pinv":
        return v.pinv()
    if name in ("inv", "trace", "det") and v.rows != v.cols:
        raise MatrixAnswerError(f"takes {name}(...) of a matrix that is not square")
    if name == "inv":
        if v.det() == 0:
            raise MatrixAnswerError("inverts a matrix that is not invertible in general")
        return v.inv()
    if name in ("trace", "det"):
        return v.trace() if name == "trace" else v.det()
    v = _scalar(v)
    if isinstance(v, sp.MatrixBase):
        raise MatrixAnswerError(f"applies {name}(...) to a matrix")
    return _FUNCS[name](v)


def evaluate_matrix_formula(text: str, values: Mapping[str, Any]):
    """Value of a matrix formula at concrete values (name -> sympy Matrix or number).

    ``X^T`` is the transpose, ``A^(-1)`` and ``inv(A)`` the inverse, ``pinv`` the
    pseudo-inverse; ``*`` is the matrix product. Raises MatrixAnswerError when shapes do not fit.
    """
    tree, source = validate(text, list(values), matrix=True)
    values = {internal(k): v for k, v in values.items()}

    def make(node: ast.AST):
        if isinstance(node, ast.Constant | ast.Name):
            return _leaf(node, source, values)
        if isinstance(node, ast.UnaryOp):
            v = make(node.operand)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a = make(node.left)
            if isinstance(node.op, ast.Pow) and isinstance(node.right, ast.Name) \
                    and node.right.id == TRANSPOSE:
                return a.T if isinstance(a, sp.MatrixBase) else a
            return _mat_binop(node.op, a, make(node.right))
        if isinstance(node, ast.Call) and node.func.id != "Matrix" and len(node.args) == 1:
            return _mat_call(node.func.id, make(node.args[0]))
        raise AnswerSyntaxError("write the answer as a formula in the matrices, without lists "
                                "or Matrix([...])")

    return make(tree.body)
