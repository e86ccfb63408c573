"""Checked algebra steps shared by every derivation module.

A derivation is a list of :class:`Step` objects. Each step states one move of the argument as an
equation (or a sign fact) between sympy objects, and :meth:`Step.holds` decides it by reducing the
difference to zero: never by ``==`` on two expressions, which compares trees, not mathematics.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import sympy as sp

__all__ = [
    "ProofResult",
    "Step",
    "gaussian_expectation",
    "is_zero",
    "prove",
    "same",
    "symbols_matrix",
]


def _random_value(sym: sp.Symbol, rng) -> sp.Expr:
    """A random number that respects the symbol's assumptions (integers stay exact; others are
    50-digit floats, so that sympy does not try exact roots of large rationals)."""
    if sym.is_integer:
        lo = 1 if sym.is_positive else (0 if sym.is_nonnegative else -5)
        return sp.Integer(int(rng.integers(lo, lo + 6)))
    value = sp.Float(float(rng.uniform(0.1, 2.0)), 50)
    if sym.is_positive or sym.is_nonnegative:
        return value
    return value if rng.integers(0, 2) else -value


def differs_numerically(expr: Any, points: int = 2, seed: int = 0) -> bool:
    """True when ``expr`` is clearly non-zero at a random point (a cheap disproof).

    Evaluates with 50 digits at random values of the free symbols and calls the expression
    non-zero when it exceeds 1e-25 times its largest term there; points where a value is not a
    finite real number are skipped, so ``False`` proves nothing.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    free = sorted(expr.free_symbols, key=str)
    terms = sp.Add.make_args(expr)
    for _ in range(points):
        point = {s: _random_value(s, rng) for s in free}
        value = expr.subs(point).evalf(50)
        sizes = [t.subs(point).evalf(50) for t in terms]
        if not all(v.is_real and v.is_finite for v in [value, *sizes]):
            continue
        scale = max([1, *(abs(v) for v in sizes)])
        if abs(value) > 1e-25 * scale:
            return True
    return False


def is_zero(expr: Any) -> bool:
    """True when a scalar sympy expression is identically zero.

    Cheap canonical forms first (``expand`` for polynomials, ``cancel`` for rational functions,
    which is complete for them; ``erfc`` rewritten as ``1 - erf`` for Gaussian tail integrals),
    then a random-point evaluation that disproves quickly, and ``simplify`` last.
    """
    expr = sp.sympify(expr)
    if expr.is_zero:
        return True
    if expr.is_polynomial():
        return sp.expand(expr) == 0
    if expr.is_rational_function():
        return sp.cancel(sp.together(expr)) == 0
    if sp.expand(expr) == 0:
        return True
    if expr.has(sp.erfc) and sp.expand(expr.rewrite(sp.erf)) == 0:
        return True
    if differs_numerically(expr):
        return False
    if sp.simplify(expr) == 0:
        return True
    return expr.equals(0) is True


def same(a: Any, b: Any) -> bool:
    """True when ``a - b`` reduces to zero; matrices must agree in shape and in every entry."""
    a_mat = isinstance(a, sp.MatrixBase)
    b_mat = isinstance(b, sp.MatrixBase)
    if a_mat or b_mat:
        if not (a_mat and b_mat) or a.shape != b.shape:
            return False
        return all(is_zero(x - y) for x, y in zip(a, b))
    return is_zero(sp.sympify(a) - sp.sympify(b))


def _nonneg(expr: Any) -> bool:
    expr = sp.factor(sp.together(sp.sympify(expr)))
    return bool(expr.is_nonnegative)


@dataclass(frozen=True)
class Step:
    """One move of a derivation: ``lhs <relation> rhs`` with the reason in words.

    relation: ``"="`` (difference reduces to zero), ``"<="`` or ``">="`` (sympy's assumptions
    decide the sign of the difference after factoring). ``tex`` overrides the display.
    """

    text: str
    lhs: Any
    rhs: Any
    relation: str = "="
    tex: str | None = None

    def holds(self) -> bool:
        if self.relation == "=":
            return same(self.lhs, self.rhs)
        if self.relation == "<=":
            return _nonneg(self.rhs - self.lhs)
        if self.relation == ">=":
            return _nonneg(self.lhs - self.rhs)
        raise ValueError(f"Invalid relation {self.relation!r} in step {self.text!r}")

    def latex(self) -> str:
        """Display math for the step (without the surrounding delimiters)."""
        if self.tex is not None:
            return self.tex
        rel = {"=": "=", "<=": r"\le", ">=": r"\ge"}[self.relation]
        return f"{sp.latex(self.lhs)} {rel} {sp.latex(self.rhs)}"


@dataclass(frozen=True)
class ProofResult:
    """Outcome of checking a derivation; ``failed`` is the first step that did not hold."""

    ok: bool
    steps: int
    failed: Step | None = None

    def __bool__(self) -> bool:
        return self.ok


def prove(steps: list[Step]) -> ProofResult:
    """Check every step in order and stop at the first one that does not hold."""
    for i, step in enumerate(steps):
        if not step.holds():
            return ProofResult(False, i, step)
    return ProofResult(True, len(steps))


def _normal_moment(k: int) -> int:
    """E[z^k] for z ~ N(0, 1): 0 for odd k, (k-1)!! for even k."""
    if k % 2:
        return 0
    return int(sp.factorial2(k - 1)) if k else 1


def gaussian_expectation(expr: Any, normals: list[sp.Symbol]) -> sp.Expr:
    """Exact E[expr] when ``normals`` are independent N(0, 1) and ``expr`` is polynomial in them.

    Expands into monomials and replaces each z^k by its moment; other symbols stay as constants.
    """
    poly = sp.Poly(sp.expand(expr), *normals)
    total = sp.Integer(0)
    for powers, coeff in poly.terms():
        moment = 1
        for k in powers:
            moment *= _normal_moment(k)
            if moment == 0:
                break
        if moment:
            total += coeff * moment
    return sp.expand(total)


def symbols_matrix(name: str, rows: int, cols: int, **assumptions: Any) -> sp.Matrix:
    """A rows x cols matrix of fresh symbols ``name_{ij}`` (1-based indices)."""
    return sp.Matrix(
        rows,
        cols,
        [
            sp.Symbol(f"{name}_{{{i + 1}{j + 1}}}", **assumptions)
            for i, j in itertools.product(range(rows), range(cols))
        ],
    )
