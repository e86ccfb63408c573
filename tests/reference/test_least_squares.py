"""reference.least_squares against autograd, numpy's lstsq and gradient descent run step by step."""

import numpy as np
import pytest
import torch

from reference.least_squares import (
    gd_first_iterates,
    gd_iterate,
    gradient_descent,
    ls_gradient,
    ls_minimizer,
)

SHAPES = [(12, 3), (5, 5), (40, 8), (3, 7)]  # (N, D); the last has a singular X^T X


def problem(N, D, seed=0):
    rng = np.random.default_rng(seed + 100 * N + D)
    return rng.standard_normal((N, D)), rng.standard_normal(N), rng.standard_normal(D)


@pytest.mark.parametrize("N, D", SHAPES)
def test_gradient_matches_autograd(N, D):
    X, y, w = problem(N, D)
    wt = torch.from_numpy(w).requires_grad_()
    (0.5 * (torch.from_numpy(X) @ wt - torch.from_numpy(y)).square().sum()).backward()
    np.testing.assert_allclose(ls_gradient(X, w, y), wt.grad.numpy(), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("N, D", [s for s in SHAPES if s[0] >= s[1]])
def test_minimizer_matches_lstsq_and_zeroes_the_gradient(N, D):
    X, y, _ = problem(N, D)
    w_star = ls_minimizer(X, y)
    np.testing.assert_allclose(w_star, np.linalg.lstsq(X, y, rcond=None)[0], rtol=1e-9)
    np.testing.assert_allclose(ls_gradient(X, w_star, y), 0, atol=1e-10)


@pytest.mark.parametrize("N, D", SHAPES)
def test_first_iterates_are_one_and_two_steps(N, D):
    X, y, w0 = problem(N, D)
    alpha = 0.5 / np.linalg.norm(X, 2) ** 2
    w1, w2 = gd_first_iterates(X, y, w0, alpha)
    np.testing.assert_allclose(w1, w0 - alpha * X.T @ (X @ w0 - y), rtol=1e-12)
    np.testing.assert_allclose(w2, w1 - alpha * X.T @ (X @ w1 - y), rtol=1e-12)


@pytest.mark.parametrize("N, D", SHAPES)
@pytest.mark.parametrize("step", [0.1, 1.0, 1.9, 2.1])  # times 1/lambda_max; 2.1 diverges
@pytest.mark.parametrize("k", [0, 1, 2, 3, 10, 100])
def test_closed_form_matches_k_steps(N, D, step, k):
    X, y, w0 = problem(N, D)
    alpha = step / np.linalg.norm(X, 2) ** 2
    expected = gradient_descent(X, y, w0, alpha, k)
    got = gd_iterate(X, y, w0, alpha, k)
    np.testing.assert_allclose(got, expected, rtol=1e-8, atol=1e-10 * np.abs(expected).max())


def test_closed_form_tends_to_the_minimizer():
    X, y, w0 = problem(30, 4)
    alpha = 1.0 / np.linalg.norm(X, 2) ** 2
    np.testing.assert_allclose(gd_iterate(X, y, w0, alpha, 10_000), ls_minimizer(X, y), rtol=1e-9)
    np.testing.assert_allclose(gd_iterate(X, y, w0, alpha, 0), w0)


def test_gradient_descent_steps():
    X, y, w0 = problem(6, 2)
    w = w0.copy()
    for _ in range(3):
        w = w - 0.01 * ls_gradient(X, w, y)
    np.testing.assert_array_equal(gradient_descent(X, y, w0, 0.01, 3), w)
