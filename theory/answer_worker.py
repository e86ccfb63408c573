"""Worker process of :mod:`theory.answers`: compares answers, one JSON request per line.

Started by :class:`theory.answers.AnswerChecker` with ``python -m theory.answer_worker``; killed by
it when a comparison runs past the time limit. The decision for one scalar:

1. a rational function of the symbols: ``cancel`` decides exactly (equal or wrong);
2. otherwise ``simplify`` under a soft budget (an interval timer): zero is correct, and any
   other result is wrong (a nonzero simplified difference is never a reason to look further);
3. only when the budget runs out or sympy fails: evaluation at many points drawn from the
   request's seed over wide ranges (large integers, non-integer rationals of both signs where
   the assumptions allow), at 60 digits. The points are never named in a message.

Matrix formulas (symbols with a ``shape``) are evaluated exactly at random integer matrices of
random sizes, and questions with a numeric ``tolerance`` compare values at random points.
"""

from __future__ import annotations

import json
import random
import resource
import signal
import sys
from typing import Any

import sympy as sp

from theory.answer_build import MatrixAnswerError, build, evaluate_matrix_formula
from theory.answer_syntax import AnswerSyntaxError, has_decimal, validate

MEMORY_LIMIT = 2 << 30  # bytes of address space
POINTS = 40  # fallback evaluations per scalar
MIN_EVALUATED = 12  # fewer finite evaluations than this: undecided
DIGITS = 60


class _Budget(Exception):
    pass


def _alarm(signum, frame):
    raise _Budget


def _value(sym: sp.Symbol, rng: random.Random) -> sp.Expr:
    """A point for one symbol: an integer up to 10^6 for integer symbols, else a non-integer
    rational between 1e-3 and 1e4 in size; negative half of the time unless the symbol is
    positive or nonnegative."""
    signed = not (sym.is_positive or sym.is_nonnegative)
    if sym.is_integer:
        size = int(10 ** rng.uniform(0, 6))
        low = 1 if sym.is_positive else 0
        value = sp.Integer(max(low, size))
    else:
        denominator = rng.randint(2, 997)
        numerator = int(10 ** rng.uniform(-3, 4) * denominator) or 1
        value = sp.Rational(numerator, denominator)
        if value.is_integer:
            value += sp.Rational(1, denominator + 1)
    return -value if signed and rng.random() < 0.5 else value


def _close(a: complex, b: complex, tolerance: float) -> bool:
    return abs(a - b) <= tolerance * max(1.0, abs(a), abs(b))


def _at_points(a: sp.Expr, b: sp.Expr, symbols: list, rng: random.Random,
               tolerance: float) -> str:
    """'yes' | 'no' | 'unknown' from evaluations at POINTS random points."""
    evaluated = 0
    for _ in range(POINTS):
        point = {s: _value(s, rng) for s in symbols}
        try:
            va = complex(sp.N(a.subs(point), DIGITS))
            vb = complex(sp.N(b.subs(point), DIGITS))
        except (TypeError, ValueError, ZeroDivisionError, OverflowError, ArithmeticError):
            continue
        if not all(map(_finite, (va, vb))):
            continue
        evaluated += 1
        if not _close(va, vb, tolerance):
            return "no"
    return "yes" if evaluated >= MIN_EVALUATED else "unknown"


def _finite(z: complex) -> bool:
    return abs(z.real) < float("inf") and abs(z.imag) < float("inf") and z == z


def decide(a: sp.Expr, b: sp.Expr, budget: float, rng: random.Random,
           tolerance: float | None = None) -> str:
    """Is ``a`` the same as ``b``? 'yes' | 'no' | 'unknown' (see the module docstring)."""
    a, b = sp.sympify(a), sp.sympify(b)
    symbols = sorted((a - b).free_symbols | b.free_symbols, key=str)
    if tolerance is not None:
        return _at_points(a, b, symbols, rng, tolerance)
    diff = a - b
    signal.setitimer(signal.ITIMER_REAL, max(budget, 0.05))
    try:
        if not symbols or diff.is_rational_function(*symbols):
            return "yes" if sp.cancel(sp.together(diff)) == 0 else "no"
        return "yes" if sp.simplify(diff) == 0 else "no"
    except _Budget:
        pass
    except Exception:  # sympy failed on this input: let the points decide
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return _at_points(a, b, symbols, rng, 1e-40)


def _entries(value) -> tuple[str, Any]:
    """('scalar' | 'vector' | 'matrix', value): lists, tuples, row and column matrices are all
    vectors."""
    if isinstance(value, sp.MatrixBase):
        return ("vector", list(value)) if 1 in value.shape else ("matrix", value)
    if isinstance(value, list):
        return "vector", value
    return "scalar", value


def _pairs(label: str, answer, expected) -> tuple[list, str] | str:
    """[(where, a, b)] entry by entry, or the message saying why the forms do not match."""
    (ak, av), (ek, ev) = _entries(answer), _entries(expected)
    if ek == "matrix":
        if ak != "matrix":
            return (f"{label}: expected a {ev.rows} x {ev.cols} matrix, written "
                    "[[...], [...]] or Matrix([[...], ...])")
        if av.shape != ev.shape:
            return f"{label}: expected shape {ev.shape}, got {av.shape}"
        return [(f" entry ({i + 1}, {j + 1})", av[i, j], ev[i, j])
                for i in range(ev.rows) for j in range(ev.cols)], ""
    if ek == "vector":
        if ak != "vector":
            return f"{label}: expected a list of {len(ev)} entries, written [a, b, ...]"
        if len(av) != len(ev):
            return f"{label}: expected {len(ev)} entries, got {len(av)}"
        return [(f" entry {i + 1}", x, y) for i, (x, y) in enumerate(zip(av, ev))], ""
    if ak != "scalar":
        return f"{label}: expected a single expression, not a list or matrix"
    return [("", av, ev)], ""


def _feature_map(answer, expected, symmetry: dict, symbols: dict) -> tuple | str:
    """phi(q)^T phi(k) for the answer and for the expected feature map (x names -> y names)."""
    swap = {symbols[x]: sp.Symbol(y, **symbols[x].assumptions0)
            for x, y in zip(symmetry["x"], symmetry["y"])}
    kinds = (_entries(answer), _entries(expected))
    if kinds[0][0] != "vector":
        return "a feature map is a list of entries [phi_1, phi_2, ...]"
    a, e = (sum((f * f.subs(swap, simultaneous=True) for f in v), sp.Integer(0))
            for _, v in kinds)
    return a, e


def compare(request: dict[str, Any]) -> dict[str, Any]:
    """Decide one request; returns the reply dict (ok, status, message)."""
    label = request.get("label", "your answer")
    rng = random.Random(request["seed"])
    spec = request["symbols"]
    if any("shape" in v for v in spec.values()):
        return _compare_formulas(request, label, rng)
    symbols = {name: sp.Symbol(name, **assumptions) for name, assumptions in spec.items()}
    tolerance = request.get("tolerance")
    expected = build(request["expected"], symbols)
    try:
        answer = build(request["answer"], symbols)
        decimal = has_decimal(validate(request["answer"], list(symbols))[0])
    except AnswerSyntaxError as exc:
        return _reply("invalid", f"{label}: {exc}")
    exact = not has_decimal(validate(request["expected"], list(symbols))[0])
    if decimal and exact and tolerance is None:
        return _reply("invalid", f"{label}: the answer is exact: write it without decimals "
                                 "(a fraction such as 3/11, or sqrt(2), pi, ...)")
    budget = float(request.get("budget", 5.0))
    symmetry = request.get("symmetry")
    if symmetry:
        products = _feature_map(answer, expected, symmetry, symbols)
        if isinstance(products, str):
            return _reply("incorrect", f"{label}: {products}")
        verdict = decide(*products, budget, rng, tolerance)
        if verdict != "yes":
            return _undecided(label, "") if verdict == "unknown" else _reply(
                "incorrect", f"{label}: phi(q)^T phi(k) for this feature map is not the kernel")
        return _reply("correct", "correct (checked through phi(q)^T phi(k))")
    pairs = _pairs(label, answer, expected)
    if isinstance(pairs, str):
        return _reply("incorrect", pairs)
    cells = pairs[0]
    for where, a, b in cells:
        verdict = decide(a, b, budget / len(cells), rng, tolerance)
        if verdict == "unknown":
            return _undecided(label, where)
        if verdict == "no":
            return _reply("incorrect", f"{label}{where} differs from the expected answer")
    return _reply("correct", "correct")


def _dimensions(spec: dict, rng: random.Random) -> dict[str, int]:
    dims = {}
    for name, s in spec.items():
        if s.get("dimension"):
            dims[name] = rng.randint(2, 5)
    for name, s in spec.items():  # "at_least": another dimension (e.g. N >= D)
        if s.get("at_least"):
            dims[name] = dims[s["at_least"]] + rng.randint(0, 3)
    return dims


def _compare_formulas(request: dict, label: str, rng: random.Random) -> dict[str, Any]:
    """Matrix formulas: exact values at random integer matrices of random sizes."""
    spec = request["symbols"]
    names = [n for n in spec if not spec[n].get("dimension")]
    try:
        validate(request["answer"], names, matrix=True)
    except AnswerSyntaxError as exc:
        return _reply("invalid", f"{label}: {exc}")
    tried = 0
    for _ in range(4 * POINTS):
        dims = _dimensions(spec, rng)
        values = {}
        for name in names:
            shape = spec[name].get("shape")
            if shape:
                rows, cols = (dims[s] if isinstance(s, str) else int(s) for s in shape)
                values[name] = sp.Matrix(rows, cols, lambda i, j: rng.randint(-9, 9))
            else:
                values[name] = _value(sp.Symbol(name, **spec[name]), rng)
        try:
            expected = evaluate_matrix_formula(request["expected"], values)
        except MatrixAnswerError:
            continue  # an unlucky draw (a singular matrix): draw again
        try:
            answer = evaluate_matrix_formula(request["answer"], values)
        except MatrixAnswerError as exc:
            return _reply("incorrect", f"{label}: {exc}")
        except AnswerSyntaxError as exc:
            return _reply("invalid", f"{label}: {exc}")
        a_mat, e_mat = isinstance(answer, sp.MatrixBase), isinstance(expected, sp.MatrixBase)
        if a_mat != e_mat or (a_mat and answer.shape != expected.shape):
            return _reply("incorrect", f"{label}: the result has a different shape from the "
                                       "expected answer's (check the transposes)")
        difference = (answer - expected) if a_mat else sp.Matrix([answer - expected])
        if any(sp.nsimplify(v) != 0 for v in difference):
            return _reply("incorrect", f"{label} differs from the expected answer")
        tried += 1
        if tried >= 8:
            return _reply("correct", "correct")
    return _undecided(label, "")


def _reply(status: str, message: str) -> dict[str, Any]:
    return {"ok": status == "correct", "status": status, "message": message}


def _undecided(label: str, where: str) -> dict[str, Any]:
    return {"ok": False, "status": "error",
            "message": f"{label}{where} could not be compared with the expected answer (it does "
                       "not simplify and cannot be evaluated reliably); write it in a simpler form"}


def main() -> int:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ValueError, OSError):
        pass
    signal.signal(signal.SIGALRM, _alarm)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            out = compare(json.loads(line))
        except MemoryError:
            out = _reply("error", "your answer: too large to compare; simplify it")
        except Exception as exc:
            out = _reply("error", f"your answer: could not be compared ({type(exc).__name__})")
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
