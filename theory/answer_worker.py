"""Worker process of :mod:`theory.answers`: compares answers, one JSON request per line.

Started by :class:`theory.answers.AnswerChecker` with ``python -m theory.answer_worker``; killed by
it when a comparison runs past the time limit. Inside, ``simplify`` gets a soft budget (an interval
timer); when it runs out, or cannot decide, the answer is evaluated at random points instead.
"""

from __future__ import annotations

import json
import math
import random
import resource
import signal
import sys
from typing import Any

import sympy as sp

from theory.answers import AnswerSyntaxError, build

MEMORY_LIMIT = 2 << 30  # bytes of address space


class _Budget(Exception):
    pass


def _alarm(signum, frame):
    raise _Budget


def _points(symbols: dict[str, sp.Symbol], count: int, rng: random.Random) -> list[dict]:
    """Evaluation points: integer symbols take small integers (distinct per point), others random
    numbers of both signs unless the symbol is positive."""
    pts = []
    for n in range(count):
        point = {}
        for _, sym in sorted(symbols.items()):
            if sym.is_integer:
                point[sym] = sp.Integer(
                    n + 2 if sym.is_positive else n + 1 if sym.is_nonnegative else n - 2)
            else:  # 30-digit floats: exact rationals would make sympy attempt exact roots
                v = sp.Float(rng.uniform(0.2, 2.5), 30)
                point[sym] = v if sym.is_positive or rng.random() < 0.5 else -v
        pts.append(point)
    return pts


def _describe(point: dict) -> str:
    return ", ".join(f"{k}={v}" if v.is_Integer else f"{k}={float(v):.4g}"
                     for k, v in sorted(point.items(), key=lambda kv: str(kv[0])))


def _same_scalar(a: sp.Expr, b: sp.Expr, symbols: dict, budget: float) -> tuple[str, str]:
    """('yes'|'no'|'unknown', where it differs)."""
    diff = a - b
    signal.setitimer(signal.ITIMER_REAL, max(budget, 0.05))
    try:
        if sp.simplify(diff) == 0:
            return "yes", ""
    except _Budget:
        pass
    except Exception:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    rng = random.Random(0)
    evaluated = 0
    for point in _points(symbols, 6, rng):
        try:
            va = complex(a.subs(point).evalf(30))
            vb = complex(b.subs(point).evalf(30))
        except Exception:
            continue
        if not (_finite(va) and _finite(vb)):
            if _finite(va) != _finite(vb):
                return "no", _describe(point)
            continue
        evaluated += 1
        if abs(va - vb) > 1e-9 * max(1.0, abs(vb)):
            return "no", _describe(point)
    return ("yes", "numeric") if evaluated >= 3 else ("unknown", "")


def _finite(z: complex) -> bool:
    return math.isfinite(z.real) and math.isfinite(z.imag)


def compare(request: dict[str, Any]) -> dict[str, Any]:
    """Decide one request; returns the reply dict (ok, status, message)."""
    label = request.get("label", "your answer")
    symbols = {name: sp.Symbol(name, **assumptions)
               for name, assumptions in request["symbols"].items()}
    expected = build(request["expected"], symbols)
    try:
        answer = build(request["answer"], symbols)
    except AnswerSyntaxError as exc:
        return {"ok": False, "status": "invalid", "message": f"{label}: {exc}"}
    budget = float(request.get("budget", 5.0))

    def reply(ok: bool, message: str) -> dict[str, Any]:
        return {"ok": ok, "status": "correct" if ok else "incorrect", "message": message}

    if isinstance(expected, sp.MatrixBase):
        if not isinstance(answer, sp.MatrixBase):
            kind = "a list" if isinstance(answer, list) else "a single expression"
            return reply(False, f"{label}: expected a {expected.rows} x {expected.cols} matrix, "
                                f"written Matrix([[...], ...]), got {kind}")
        if answer.shape != expected.shape:
            return reply(False, f"{label}: expected shape {expected.shape}, got {answer.shape}")
        cells = [((i, j), answer[i, j], expected[i, j])
                 for i in range(expected.rows) for j in range(expected.cols)]
        where = "entry ({}, {})"
    elif isinstance(expected, list):
        if not isinstance(answer, list):
            return reply(False, f"{label}: expected a list of {len(expected)} entries, "
                                "written [a, b, ...]")
        if len(answer) != len(expected):
            return reply(False, f"{label}: expected {len(expected)} entries, got {len(answer)}")
        cells = [((i,), x, y) for i, (x, y) in enumerate(zip(answer, expected))]
        where = "entry {}"
    else:
        if isinstance(answer, (list, sp.MatrixBase)):
            return reply(False, f"{label}: expected a single expression, not a list or matrix")
        cells = [((), answer, expected)]
        where = ""
    share = budget / max(1, len(cells))
    numeric = False
    for idx, a, b in cells:
        verdict, detail = _same_scalar(sp.sympify(a), sp.sympify(b), symbols, share)
        if verdict == "no":
            place = (" " + where.format(*(i + 1 for i in idx))) if where else ""
            at = f" at {detail}" if detail else ""
            return reply(False, f"{label}:{place} differs from the expected answer{at}".replace(
                ": differs", " differs"))
        if verdict == "unknown":
            place = (" " + where.format(*(i + 1 for i in idx))) if where else ""
            return {"ok": False, "status": "error",
                    "message": f"{label}:{place} could not be compared with the expected answer "
                               "(it does not simplify and cannot be evaluated reliably); write it "
                               "in a simpler form".replace(": could", " could")}
        numeric |= detail == "numeric"
    return reply(True, "correct" + (" (checked at random points)" if numeric else ""))


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
            out = {"ok": False, "status": "error",
                   "message": "your answer: too large to compare; simplify it"}
        except Exception as exc:
            out = {"ok": False, "status": "error",
                   "message": f"your answer: could not be compared ({type(exc).__name__})"}
        print(json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
