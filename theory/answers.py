"""Checker for closed-form answers that students type (a constant, a vector, a matrix, a formula).

Safety: the text is never given to ``eval``, ``sympify`` or ``parse_expr``. It is normalised and
parsed with Python's ``ast`` and every node is checked against an allow-list
(:mod:`theory.answer_syntax`); sympy objects are then built node by node
(:mod:`theory.answer_build`). Sizes are capped, and the comparison itself runs in a separate
worker process (:mod:`theory.answer_worker`) that is killed when it exceeds the time limit, so no
input can hang the grader.

Equivalence is decided exactly where sympy can (``cancel`` for rational functions, ``simplify``
otherwise: a nonzero simplified difference is wrong); only when simplification runs out of time
are many points drawn from the run's ``seed`` over wide ranges, and they are never named. Exact
answers want exact input unless the question declares a ``tolerance``; lists, tuples and
matrices with one row or column are the same vector; a ``symmetry`` compares an invariant.

    >>> check_answer("1/sqrt(d)", "d^(-1/2)", symbols={"d": {"positive": True, "integer": True}})
    Verdict(ok=True, status='correct', message='correct')
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import select
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from theory.answer_syntax import AnswerSyntaxError, validate

__all__ = [
    "AnswerChecker",
    "AnswerSyntaxError",
    "Verdict",
    "build",
    "check_answer",
    "validate",
]


def build(text: str, symbols):
    """See :func:`theory.answer_build.build` (imports sympy, so only on demand)."""
    from theory.answer_build import build as _build

    return _build(text, symbols)


@dataclass(frozen=True)
class Verdict:
    """Outcome of checking one answer: ok, a status word, and a message for the student.

    status: ``correct``, ``incorrect``, ``invalid`` (refused before comparing), ``timeout``
    or ``error`` (the checker itself failed; not the student's fault).
    """

    ok: bool
    status: str
    message: str


# --------------------------------------------------------------------------- worker process


def _normalise_symbols(symbols) -> dict[str, dict]:
    if symbols is None:
        return {}
    if isinstance(symbols, Mapping):
        return {str(k): dict(v or {}) for k, v in symbols.items()}
    return {str(k): {"real": True} for k in symbols}


def _expected_text(expected) -> str:
    """Grader-side expected answer as text in the same syntax (parsed by the same safe parser)."""
    if isinstance(expected, str):
        return expected
    if type(expected) is int:
        return str(expected)  # as sympy writes it, without importing sympy into the grader
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

    def start(self) -> None:
        """Start the worker now (it imports sympy: about a second) instead of at the first
        check; the grader does it while the student's notebook runs."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                try:
                    self._start()
                except BaseException:
                    self.close()  # a half-started worker must not answer the first check
                    raise

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
              label: str = "your answer", seed: int | None = None,
              tolerance: float | None = None, symmetry: Mapping | None = None) -> Verdict:
        """Compare a student's ``answer`` (text) with ``expected`` (text in the same syntax, a
        sympy expression, a list or a Matrix).

        symbols: names the question allows, a list (real symbols) or a mapping name -> sympy
        assumptions such as {"positive": True}; a matrix formula gives its matrices a shape
        ({"X": {"shape": ["N", "D"]}, "N": {"dimension": True, "at_least": "D"}, ...}).
        seed: the run's secret seed (random points, if needed, are drawn from it; default: a
        fresh random one). tolerance: relative tolerance for questions with a numeric answer
        (decimals are then accepted). symmetry: {"kind": "feature_map", "x": [...], "y": [...]}
        compares sum_i phi_i(x) phi_i(y) instead of the entries.
        """
        syms = _normalise_symbols(symbols)
        matrix = any("shape" in v for v in syms.values())
        names = [n for n, v in syms.items() if not v.get("dimension")]
        try:
            validate(answer, names, matrix)
        except AnswerSyntaxError as exc:
            return Verdict(False, "invalid", f"{label}: {exc}")
        expected_text = _expected_text(expected)
        try:
            validate(expected_text, names, matrix)
        except AnswerSyntaxError as exc:  # a grader fault, not the student's: raise
            raise ValueError(f"expected answer {expected_text!r} is not valid answer syntax: "
                             f"{exc}") from exc
        limit = self.timeout if timeout is None else timeout
        request = {"answer": answer, "expected": expected_text, "symbols": syms,
                   "budget": 0.5 * limit, "label": label, "tolerance": tolerance,
                   "symmetry": dict(symmetry) if symmetry else None,
                   "seed": secrets.randbits(64) if seed is None else int(seed)}
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


def shared_checker(timeout: float = 10.0) -> AnswerChecker:
    """The checker that check_answer uses (made on first use, closed at exit)."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = AnswerChecker(timeout)
        atexit.register(_DEFAULT.close)
    return _DEFAULT


def check_answer(answer: str, expected, *, symbols=None, timeout: float = 10.0,
                 label: str = "your answer", seed: int | None = None,
                 tolerance: float | None = None, symmetry: Mapping | None = None) -> Verdict:
    """Check one answer with a shared worker process (see :meth:`AnswerChecker.check`)."""
    return shared_checker(timeout).check(answer, expected, symbols=symbols, timeout=timeout,
                                         label=label, seed=seed, tolerance=tolerance,
                                         symmetry=symmetry)
