"""The answer checker: equivalent forms accepted, wrong ones rejected with a usable message,
malicious text refused before anything runs, pathological input stopped by the time limit."""

from __future__ import annotations

import time

import pytest

from theory import answers
from theory.algebra import same
from theory.answers import AnswerChecker, AnswerSyntaxError, build, validate

POS_INT = {"d": {"positive": True, "integer": True}}
W = ["w1", "w2", "w3"]
CW = "Matrix([[w3,0,0,0],[w2,w3,0,0],[w1,w2,w3,0],[0,w1,w2,w3],[0,0,w1,w2],[0,0,0,w1]])"
WK_SYMBOLS = {"alpha": {"positive": True}, "a": {"positive": True}, "c": {"real": True},
              "w0": {"real": True}, "k": {"integer": True, "nonnegative": True}}
WK = "(1 - alpha*a)**k*w0 + c/a*(1 - (1 - alpha*a)**k)"  # 1-D gradient-descent iterate


@pytest.fixture(scope="module")
def checker():
    with AnswerChecker(timeout=8.0) as ch:
        yield ch


ACCEPT = [
    # (student text, expected, symbols)
    ("2", "2", None),
    ("4/2", "2", None),
    ("1/sqrt(d)", "d**(-1/2)", POS_INT),
    ("sqrt(d)/d", "1/sqrt(d)", POS_INT),
    ("d^(-1/2)", "1/sqrt(d)", POS_INT),
    ("(x+1)**2", "x**2 + 2*x + 1", ["x"]),
    ("y*x + 1", "1 + x*y", ["x", "y"]),
    ("exp(log(x))", "x", {"x": {"positive": True}}),
    ("[4, 14, 27, 33, 27, 27]", "[4,14,27,33,27,27]", None),
    ("[2*2, 7*2, 27, 33, 27, 3**3]", "[4,14,27,33,27,27]", None),
    (CW.replace(" ", ""), CW, W),
    ("[[w3,0,0,0],[w2,w3,0,0],[w1,w2,w3,0],[0,w1,w2,w3],[0,0,w1,w2],[0,0,0,w1]]", CW, W),
    ("c/a + (1 - alpha*a)**k*(w0 - c/a)", WK, WK_SYMBOLS),
    ("w0*(1-a*alpha)^k - c*(1-a*alpha)^k/a + c/a", WK, WK_SYMBOLS),
]

REJECT = [
    # (student text, expected, symbols, text the message must contain)
    ("1", "2", None, "differs"),
    ("1/d", "1/sqrt(d)", POS_INT, "differs"),
    ("(x+1)**2", "x**2 + 1", ["x"], "differs"),
    ("[4, 14, 27, 33, 27]", "[4,14,27,33,27,27]", None, "expected 6 entries, got 5"),
    ("[27, 27, 33, 27, 14, 4]", "[4,14,27,33,27,27]", None, "entry 1 differs"),
    ("Matrix([[w3,0,0,0],[w3,w3,0,0],[w1,w2,w3,0],[0,w1,w2,w3],[0,0,w1,w2],[0,0,0,w1]])",
     CW, W, "entry (2, 1) differs"),
    ("Matrix([[w1,w2,w3],[0,w1,w2]])", CW, W, "expected shape (6, 4), got (2, 3)"),
    ("w1 + w2", CW, W, "expected a 6 x 4 matrix"),
    ("(1 - alpha*a)**(k+1)*w0 + c/a*(1 - (1 - alpha*a)**(k+1))", WK, WK_SYMBOLS, "differs"),
]

REFUSE = [
    # (text, words the message must contain)
    ("__import__('os').system('x')", "not allowed"),
    ("__import__('os')", "'__import__' is not allowed"),
    ("x.real", "attribute access"),
    ("open('/etc/passwd')", "calling 'open' is not allowed"),
    ("[c for c in x]", "not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("'abc'", "is not a number"),
    ("x[0]", "indexing"),
    ("z + 1", "unknown name 'z'"),
    ("2 3", "could not read"),
    ("9**9**9**9", "too large"),
    ("x**(10**6)", "too large"),
    ("(10**39)**999 * (10**39)**999", "too large"),
    ("1" * 50, "digits"),
    ("+".join(["x"] * 300), "too large"),
    ("sqrt(" * 70 + "x" + ")" * 70, "nested"),
    ("x" * 3000, "too long"),
    ("", "empty"),
    ("sqrt", "is a function"),
    ("sqrt(x, 2)", "exactly one argument"),
    ("x == 1", "comparisons"),
]


@pytest.mark.parametrize(("text", "expected", "symbols"), ACCEPT)
def test_equivalent_forms_are_accepted(checker, text, expected, symbols) -> None:
    verdict = checker.check(text, expected, symbols=symbols)
    assert verdict.ok, verdict
    assert verdict.status == "correct"


@pytest.mark.parametrize(("text", "expected", "symbols", "words"), REJECT)
def test_wrong_answers_are_rejected_with_a_usable_message(checker, text, expected, symbols,
                                                         words) -> None:
    verdict = checker.check(text, expected, symbols=symbols)
    assert not verdict.ok
    assert verdict.status == "incorrect"
    assert words in verdict.message, verdict.message


@pytest.mark.parametrize(("text", "words"), REFUSE)
def test_unsafe_or_malformed_text_is_refused_before_comparing(checker, text, words) -> None:
    verdict = checker.check(text, "1", symbols=["x"])
    assert verdict.status == "invalid" and not verdict.ok
    assert words in verdict.message, verdict.message


def test_refusal_happens_without_building_anything(monkeypatch) -> None:
    """validate alone rejects the payload; the worker is never asked (no sympify/eval)."""
    with pytest.raises(AnswerSyntaxError, match="not allowed"):
        validate("__import__('os').system('echo pwned')", ["x"])
    ch = AnswerChecker(timeout=1.0)
    monkeypatch.setattr(ch, "_start", lambda: pytest.fail("worker started for refused text"))
    assert ch.check("().__class__", "1").status == "invalid"


def test_pathological_input_times_out_and_the_checker_recovers(checker) -> None:
    assert checker.check("1", "1").ok  # worker warm
    start = time.monotonic()
    verdict = checker.check("Matrix([[x, 1], [1, x]])**999", "Matrix([[1, 0], [0, 1]])",
                            symbols=["x"], timeout=1.0)
    elapsed = time.monotonic() - start
    assert verdict.status == "timeout" and not verdict.ok
    assert "within 1 s" in verdict.message
    assert elapsed < 4.0  # killed, not waited for
    assert checker.check("2*x", "x + x", symbols=["x"]).ok  # a fresh worker answers


def test_a_large_polynomial_is_decided_exactly(checker) -> None:
    """Equal, with a large power on both sides: decided by exact cancellation, in time."""
    big = "(a+b+c+1)**12"
    verdict = checker.check(big + " - " + big + " + a", "a", symbols=["a", "b", "c"],
                            timeout=8.0)
    assert verdict.ok


def test_build_returns_sympy_objects_of_the_right_kind() -> None:
    import sympy as sp

    x = sp.Symbol("x")
    assert same(build("x**2 + 1", {"x": x}), x**2 + 1)
    assert isinstance(build("[1, 2]", {}), list)
    m = build("Matrix([[1, 2], [3, 4]])", {})
    assert isinstance(m, sp.MatrixBase) and m.shape == (2, 2)
    assert build("0.1", {}) == sp.Rational(1, 10)  # decimals are read exactly
    with pytest.raises(AnswerSyntaxError, match="same length"):
        build("[[1, 2], [3]]", {})


def test_expected_answer_may_be_a_sympy_object(checker) -> None:
    import sympy as sp

    d = sp.Symbol("d", positive=True, integer=True)
    assert checker.check("d**(-1/2)", 1 / sp.sqrt(d), symbols=POS_INT).ok
    M = sp.Matrix([[1, 0], [0, 2]])
    assert checker.check("Matrix([[1, 0], [0, 2]])", M).ok
    assert not checker.check("Matrix([[1, 0], [0, 3]])", M).ok


def test_invalid_timeout_is_rejected() -> None:
    with pytest.raises(ValueError, match="Invalid timeout"):
        AnswerChecker(timeout=0)


def test_a_malformed_expected_answer_is_a_grader_fault(checker) -> None:
    with pytest.raises(ValueError, match="expected answer 'x.y' is not valid"):
        checker.check("1", "x.y", symbols=["x"])


def test_module_level_check_answer_uses_a_shared_worker() -> None:
    verdict = answers.check_answer("2", "1 + 1")
    assert verdict.ok
    assert answers._DEFAULT is not None
    answers._DEFAULT.close()


def test_a_worker_started_ahead_answers_the_first_check():
    with AnswerChecker() as checker:
        checker.start()  # what the grader does while the notebook runs
        worker = checker._proc.pid
        assert checker.check("2*x", "x + x", symbols=["x"]).ok
        assert not checker.check("3*x", "x + x", symbols=["x"]).ok
        assert checker._proc.pid == worker  # the same worker, not a second one


def test_a_worker_that_fails_to_start_leaves_nothing_half_started(monkeypatch):
    checker = AnswerChecker()
    monkeypatch.setattr(AnswerChecker, "STARTUP_TIMEOUT", 0.0)
    with pytest.raises(TimeoutError):
        checker.start()
    assert checker._proc is None
    monkeypatch.undo()
    with checker:
        assert checker.check("2*x", "x + x", symbols=["x"]).ok
