"""The step checker itself: it must accept identities and reject near misses."""

from __future__ import annotations

import pytest
import sympy as sp
from sympy import stats

from theory.algebra import Step, differs_numerically, gaussian_expectation, is_zero, prove, same

x, y = sp.symbols("x y", real=True)
p = sp.Symbol("p", positive=True)


@pytest.mark.parametrize(
    "expr",
    [
        (x + y) ** 2 - x**2 - 2 * x * y - y**2,
        1 / (x + 1) + x / (x + 1) - 1,
        sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1,
        sp.erfc(x) - 1 + sp.erf(x),
        sp.exp(sp.log(p)) - p,
    ],
)
def test_identities_are_zero(expr) -> None:
    assert is_zero(expr)


@pytest.mark.parametrize(
    "expr",
    [
        (x + y) ** 2 - x**2 - y**2,
        1 / (x + 1) - 1 / x,
        sp.sin(x) ** 2 + sp.cos(x) ** 2 - 1 + sp.Rational(1, 10**9),
        sp.exp(-sp.log(2 * p) / p**2) - 1 / p,  # needs the numeric disproof, not simplify
    ],
)
def test_non_identities_are_not_zero(expr) -> None:
    assert not is_zero(expr)


def test_numeric_disproof_is_fast_on_rational_powers() -> None:
    import time

    start = time.perf_counter()
    assert differs_numerically(2 * sp.exp(-sp.log(2 * p) / p**2) - p)
    assert time.perf_counter() - start < 2.0


def test_matrices_compare_entrywise_and_by_shape() -> None:
    A = sp.Matrix([[x, 1], [0, y]])
    assert same(A, A.T.T)
    assert not same(A, A.T)
    assert not same(A, sp.Matrix([x, 1, 0, y]))
    assert not same(A, x)


def test_inequality_steps_use_assumptions() -> None:
    a = sp.Symbol("a", real=True)
    assert Step("square", (a - 1) ** 2, 0, relation=">=").holds()
    assert not Step("not always", a, 0, relation=">=").holds()
    assert Step("positive", p + 1, 1, relation=">=").holds()
    with pytest.raises(ValueError, match="Invalid relation"):
        Step("bad", x, y, relation="<").holds()


def test_prove_stops_at_the_first_failing_step() -> None:
    steps = [Step("ok", x + x, 2 * x), Step("wrong", x * x, 2 * x), Step("never", 1, 2)]
    result = prove(steps)
    assert not result.ok and result.steps == 1 and result.failed is steps[1]
    assert prove(steps[:1]).ok


def test_gaussian_expectation_agrees_with_sympy_stats() -> None:
    """Moment rule vs sympy.stats integration: a different route to the same numbers."""
    a, b = sp.symbols("a b", real=True)
    z1, z2 = stats.Normal("z1", 0, 1), stats.Normal("z2", 0, 1)
    u, v = sp.symbols("u v", real=True)
    poly = (a * u + v) ** 2 * (u - b * v) ** 2
    ours = gaussian_expectation(poly, [u, v])
    theirs = stats.E(poly.subs({u: z1, v: z2}))
    assert is_zero(ours - theirs)
    assert is_zero(gaussian_expectation(u**4 * v**2, [u, v]) - 3)
    assert is_zero(gaussian_expectation(u**3 * v, [u, v]))
