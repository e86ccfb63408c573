"""The checker's rules from issue 10: no fallback on a nonzero difference, secret random points,
exact answers want exact input, equivalent containers, declared symmetries, friendly input."""

from __future__ import annotations

import random
import re

import pytest
import sympy as sp

from theory import answer_worker
from theory.answers import AnswerChecker

POS_INT = {"d": {"positive": True, "integer": True}}
ITERATE = {"k": {"integer": True, "nonnegative": True}, "w_k": {"real": True}}
KERNEL = {"kind": "feature_map", "x": ["q1", "q2"], "y": ["k1", "k2"]}
PHI = "[q1^2, q2^2, sqrt(2)*q1*q2, sqrt(2)*q1, sqrt(2)*q2, 1]"
LSQ = {"X": {"shape": ["N", "D"]}, "y": {"shape": ["N", 1]}, "D": {"dimension": True},
       "N": {"dimension": True, "at_least": "D"}}


@pytest.fixture(scope="module")
def checker():
    with AnswerChecker(timeout=8.0) as ch:
        yield ch


@pytest.mark.parametrize(("text", "expected", "symbols"), [
    ("d + (d-2)*(d-3)*(d-4)*(d-5)*(d-6)*(d-7)", "d", POS_INT),
    ("w_k + (k-1)*(k-2)*(k-3)*(k-4)*(k-5)*(k-6)", "w_k", ITERATE),
    ("x + sin(pi*x)", "x", ["x"]),  # agrees at every integer
])
def test_wrong_forms_that_agree_at_small_integers_are_rejected(checker, text, expected, symbols):
    verdict = checker.check(text, expected, symbols=symbols, seed=0)
    assert verdict.status == "incorrect", verdict
    assert "=" not in verdict.message and " at " not in verdict.message  # no point named


def test_a_decimal_is_refused_where_the_value_is_exact(checker):
    verdict = checker.check("0.2727272727", "3/11", seed=1)
    assert verdict.status == "invalid" and "without decimals" in verdict.message
    assert checker.check("0.5*d", "d/2", symbols=POS_INT, seed=1).status == "invalid"


def test_decimals_are_fine_where_the_expected_value_is_a_decimal(checker):
    assert checker.check("0.25", "0.25", seed=1).ok
    assert checker.check("1/4", "0.25", seed=1).ok
    assert checker.check("0.3", "0.25", seed=1).status == "incorrect"


def test_a_declared_tolerance_accepts_decimals_within_it(checker):
    assert checker.check("0.2727272727", "3/11", tolerance=1e-6, seed=1).ok
    assert checker.check("0.27", "3/11", tolerance=1e-6, seed=1).status == "incorrect"
    assert checker.check("1.4142136 d", "sqrt(2)*d", symbols=POS_INT, tolerance=1e-6, seed=1).ok


@pytest.mark.parametrize("text", ["[1, 2, 3]", "(1, 2, 3)", "Matrix([1, 2, 3])",
                                  "Matrix([[1, 2, 3]])", "[[1], [2], [3]]"])
def test_lists_tuples_and_one_column_or_row_matrices_are_the_same_vector(checker, text):
    assert checker.check(text, "[1, 2, 3]", seed=2).ok
    assert checker.check(text, sp.Matrix([1, 2, 3]), seed=2).ok


@pytest.mark.parametrize("text", [
    PHI,
    "[1, sqrt(2) q2, sqrt(2) q1, sqrt(2) q1 q2, q2^2, q1^2]",  # reordered
    "[-q1^2, q2^2, -sqrt(2) q1 q2, sqrt(2) q1, -sqrt(2) q2, -1]",  # signs flipped
    "[q1^2, q1 q2, q2 q1, q2^2, sqrt(2) q1, sqrt(2) q2, 1]",  # the cross term split in two
])
def test_feature_maps_are_compared_by_the_kernel_they_give(checker, text):
    verdict = checker.check(text, PHI, symbols=["q1", "q2"], symmetry=KERNEL, seed=3)
    assert verdict.ok, verdict


@pytest.mark.parametrize("text", [
    "[q1^2, q2^2, q1 q2, sqrt(2) q1, sqrt(2) q2, 1]",  # sqrt(2) missing on the cross term
    "[q1^2, q2^2, sqrt(2) q1 q2, q1, q2, 1]",
    "q1^2 + q2^2",
])
def test_a_feature_map_for_another_kernel_is_rejected(checker, text):
    verdict = checker.check(text, PHI, symbols=["q1", "q2"], symmetry=KERNEL, seed=3)
    assert verdict.status == "incorrect", verdict
    assert checker.check(text, PHI, symbols=["q1", "q2"], seed=3).status == "incorrect"


@pytest.mark.parametrize(("text", "expected", "symbols"), [
    ("2d", "2*d", POS_INT),
    ("2 sigma^2 d", "2*d*sigma**2", {"sigma": {"positive": True}, "d": {"positive": True}}),
    ("σ² μ", "sigma**2*mu", ["sigma", "mu"]),
    ("eta(1 - 2eta)", "eta - 2*eta**2", ["eta"]),
    ("η·(1 − 2η)", "eta - 2*eta**2", ["eta"]),
    ("lambda/(sigma_k + lambda)", "1 - sigma_k/(sigma_k+lambda)", ["lambda", "sigma_k"]),
    ("λ^2", "lambda**2", ["lambda"]),
    ("e^(-x^2/2)", "exp(-x**2/2)", ["x"]),
    ("ln(x) + log(x)", "2*log(x)", {"x": {"positive": True}}),
    ("max(D, M) N^2", "N**2*Max(D, M)", {n: {"positive": True} for n in "DMN"}),
    ("DK + PK", "K*(D+P)", {n: {"positive": True} for n in "DKP"}),  # DK: D times K
    ("(x+1)(x-1)", "x^2 - 1", ["x"]),
    ("(B + T)^2", "B**2 + 2*B*T + T**2", {"B": {"positive": True}, "T": {"positive": True}}),
])
def test_student_friendly_input(checker, text, expected, symbols):
    verdict = checker.check(text, expected, symbols=symbols, seed=4)
    assert verdict.ok, verdict


@pytest.mark.parametrize(("text", "words"), [
    ("√d", "sqrt(...)"), ("Σ d", "closed form"), ("x = 2", "without '='"),
    ("3!", "factorials"), ("|x|", "abs(x)"), ("x ≤ 1", "inequalities"), ("0x1f", "not a number"),
    ("2j", "not a number"), ("foo(x)", "calling 'foo' is not allowed"),
])
def test_what_cannot_be_typed_gets_a_clear_message(checker, text, words):
    verdict = checker.check(text, "1", symbols=["x", "d"], seed=5)
    assert verdict.status == "invalid" and words in verdict.message, verdict.message


@pytest.mark.parametrize(("text", "ok"), [
    ("(X^T X)^(-1) X^T y", True), ("inv(X.T @ X) @ X.T @ y", True), ("pinv(X) y", True),
    ("(X^T X)^-1 (X^T y)", True), ("X^T y", False), ("2 (X^T X)^(-1) X^T y", False),
    ("(X^T X)^(-1) X y", False), ("y^T X (X^T X)^(-1)", False),
])
def test_matrix_formulas_are_evaluated_at_random_integer_matrices(checker, text, ok):
    verdict = checker.check(text, "(X^T X)^(-1) X^T y", symbols=LSQ, seed=6)
    assert verdict.ok is ok, verdict
    assert verdict.status in ("correct", "incorrect")


def _wrong_polynomials(count: int, seed: int):
    """(wrong, expected) pairs: wrong = expected + c (d - r1)...(d - rm) with small integer roots,
    so the two agree at m integers (where a checker with a few small points would look)."""
    rng = random.Random(seed)
    d = sp.Symbol("d", positive=True, integer=True)
    for _ in range(count):
        expected = sum(rng.randint(-5, 5) * d**i for i in range(rng.randint(1, 4)))
        roots = rng.sample(range(1, 12), rng.randint(1, 7))
        bump = rng.choice([-3, -1, 1, 2, sp.Rational(1, 7)]) * sp.prod([d - r for r in roots])
        yield sp.sstr(expected + bump), sp.sstr(expected), d


def test_fuzz_wrong_polynomials_are_rejected_by_the_checker(checker):
    for wrong, expected, _ in _wrong_polynomials(200, seed=10):
        verdict = checker.check(wrong, expected, symbols=POS_INT, seed=11)
        assert verdict.status == "incorrect", (wrong, expected, verdict)


def test_fuzz_wrong_polynomials_are_rejected_by_the_random_points_alone():
    """The fallback (used only when simplify runs out of time) rejects them too: its points are
    large integers drawn from the seed, not the small integers the roots sit on."""
    for i, (wrong, expected, d) in enumerate(_wrong_polynomials(200, seed=12)):
        a, b = sp.sympify(wrong, locals={"d": d}), sp.sympify(expected, locals={"d": d})
        assert answer_worker._at_points(a, b, [d], random.Random(i), 1e-40) == "no", wrong


def test_random_points_come_from_the_seed_and_are_wide():
    d = sp.Symbol("d", positive=True, integer=True)
    x = sp.Symbol("x", real=True)
    draws = [answer_worker._value(d, random.Random(7)) for _ in range(3)]
    assert draws[0] == draws[1] == draws[2]  # the same seed gives the same point
    ints = [answer_worker._value(d, random.Random(s)) for s in range(300)]
    reals = [answer_worker._value(x, random.Random(s)) for s in range(300)]
    assert max(ints) > 10**5 and min(ints) >= 1
    assert all(not v.is_integer for v in reals) and min(reals) < 0 < max(reals)
    assert max(abs(v) for v in reals) > 10**3


def test_the_fallback_is_used_only_when_simplify_cannot_decide(monkeypatch):
    """A nonzero simplified difference is final; a simplify that fails hands over to points."""
    x = sp.Symbol("x", real=True)
    rng = random.Random(0)
    assert answer_worker.decide(sp.exp(x) + 1, sp.exp(x), 1.0, rng) == "no"

    def broken(*args, **kwargs):
        raise RuntimeError("simplify failed")

    monkeypatch.setattr(answer_worker.sp, "simplify", broken)
    assert answer_worker.decide(sp.exp(2 * x), sp.exp(x) ** 2, 1.0, rng) == "yes"
    assert answer_worker.decide(sp.exp(x) + sp.Rational(1, 10**6), sp.exp(x), 1.0, rng) == "no"


def test_messages_never_show_the_points(checker):
    for text in ["exp(x) + 1", "x + (x-1)(x-2)", "sin(x)^2"]:
        message = checker.check(text, "exp(x)", symbols=["x"], seed=8).message
        assert not re.search(r"x\s*=", message), message
