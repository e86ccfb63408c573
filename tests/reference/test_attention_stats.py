"""reference.attention_stats against the closed forms E[q^T k] = d mu^2 and
Var(q^T k) = d sigma^4 + 2 d sigma^2 mu^2, within six standard errors."""

import math

import pytest

from reference.attention_stats import dot_product_stats


@pytest.mark.parametrize("d, mu, sigma", [(16, 0.0, 1.0), (64, 0.0, 1.0), (8, 0.5, 1.5)])
def test_monte_carlo_agrees_with_the_closed_forms(d, mu, sigma):
    samples = 100_000
    mean, var = dot_product_stats(d, mu, sigma, samples=samples, seed=d)
    exact_mean, exact_var = d * mu**2, d * sigma**4 + 2 * d * sigma**2 * mu**2
    assert abs(mean - exact_mean) < 6 * math.sqrt(exact_var / samples)
    assert abs(var - exact_var) < 6 * exact_var * math.sqrt((2 + 6 / d) / samples)


def test_seeds_repeat_and_differ():
    assert dot_product_stats(8, seed=1) == dot_product_stats(8, seed=1)
    assert dot_product_stats(8, seed=1) != dot_product_stats(8, seed=2)
