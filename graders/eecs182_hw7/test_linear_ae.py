"""Hidden tests of EECS 182 HW7 Questions 1(b), 2 and 3: the linear autoencoder's gradients and
principal components against reference.linear_ae on fresh matrices, the student's SGD trainer on
data whose spectrum the grader chose (its decoder's singular values against theory's
sqrt(1 - lambda / sigma_i)), and the Monte Carlo statistics of q^T k against their closed forms.
"""

import numpy as np
import torch

from graders.compare import Checks, as_array, assert_close
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import linear_ae
from theory.eecs182_autoencoder_weight_decay import decoder_singular_values

SPECTRUM = np.array([4.0, 3.0, 2.0, 0.5, 0.2, 0.1])  # eigenvalues of X X^T / n


def _pair(value, name: str) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(value, list) or len(value) != 2:
        raise StudentError(f"{name}: expected a pair of matrices, got {type(value).__name__}")
    return as_array(value[0], name), as_array(value[1], name)


@graded("q1b_grad", 4.0, "linear_ae_gradients against the reference on fresh matrices")
def test_gradients(submission, rng):
    checks = Checks()
    for (m, n, k), lam in (((5, 30, 2), 0.0), ((7, 12, 3), 0.0), ((6, 40, 4), 0.7)):
        X, W1, W2 = (rng.standard_normal(s) for s in ((m, n), (k, m), (m, k)))
        expected = linear_ae.linear_ae_gradients(*map(torch.from_numpy, (X, W1, W2)), lam)
        where = f"{drawn(f' for X {X.shape}, W1 {W1.shape}, W2 {W2.shape}')} with lam = {lam}"
        with checks.case():
            got = _pair(submission.call("linear_ae_gradients", AsTorch(X), AsTorch(W1),
                                        AsTorch(W2), lam), "linear_ae_gradients")
            for label, value, goal in zip(("dL/dW1", "dL/dW2"), got, expected):
                assert_close(f"linear_ae_gradients: {label}", value, goal.numpy(), where=where)
    checks.finish()


def _spectral_data(rng, m: int, n: int, spectrum: np.ndarray) -> np.ndarray:
    """X: (m, n) with X X^T = U diag(n * spectrum) U^T for a random orthogonal U."""
    U = np.linalg.qr(rng.standard_normal((m, m)))[0]
    V = np.linalg.qr(rng.standard_normal((n, m)))[0]
    return U @ np.diag(np.sqrt(n * spectrum)) @ V.T


@graded("q1b_pca", 3.0, "top_principal_components: the top-k eigenspace, orthonormal")
def test_principal_components(submission, rng):
    checks = Checks()
    for k in (1, 3):
        X = _spectral_data(rng, 6, 300, SPECTRUM)
        where = f"{drawn(' for X of shape (6, 300)')} with k = {k}"
        with checks.case():
            U = as_array(submission.call("top_principal_components", AsTorch(X), k),
                         "top_principal_components")
            if U.shape != (6, k):
                shapes = drawn(f": expected (6, {k}), got {U.shape}")
                raise StudentError(f"top_principal_components: U is not of shape (m, k){shapes}"
                                   f"{where}")
            assert_close("top_principal_components: U^T U", U.T @ U, np.eye(k), where=where,
                         tolerance=1e-6)
            goal = linear_ae.top_principal_components(torch.from_numpy(X), k).numpy()
            assert_close("top_principal_components: the projector U U^T", U @ U.T,
                         goal @ goal.T, where=where, tolerance=1e-6)
    checks.finish()


# (train_linear_ae's keyword arguments, tolerance on the decoder's singular values)
TRAINING_RUNS = (({"lr": 0.05, "epochs": 300, "batch_size": None}, 0.01),
                 ({"lr": 0.02, "epochs": 60, "batch_size": 50}, 0.04))


def training_problem(rng):
    """X (6, n), the starting W1 (k, 6) and W2 (6, k), lam and the decoder's singular values
    theory predicts, for n = 200, k = 3. Both starts are small: from a standard-normal W1,
    full-batch SGD at lr 0.05 diverged on ~5% of draws (the reference too)."""
    n, k = 200, 3
    X = _spectral_data(rng, 6, n, SPECTRUM)
    W1 = 0.2 * rng.standard_normal((k, 6))
    W2 = 0.2 * rng.standard_normal((6, k))
    lam = 1.0 * n
    return X, W1, W2, lam, decoder_singular_values(lam, n * SPECTRUM[:k])


@graded("q2_train", 6.0, "train_linear_ae: decoder singular values sqrt(1 - lambda / sigma_i)")
def test_regularized_training(submission, rng):
    X, W1, W2, lam, expected = training_problem(rng)
    n, k = X.shape[1], W1.shape[0]
    for kwargs, tolerance in TRAINING_RUNS:
        data = drawn(f" on X (6, {n}) whose X X^T has eigenvalues {n} * {SPECTRUM.tolist()}")
        where = f" (train_linear_ae(X, W1, W2, lam={lam:g}, **{kwargs}){data})"
        got = _pair(submission.call("train_linear_ae", AsTorch(X), AsTorch(W1), AsTorch(W2), lam,
                                    timeout=120, **kwargs), "train_linear_ae")
        if got[1].shape != (6, k):
            shapes = drawn(f": got {got[1].shape}, expected (6, {k})")
            raise StudentError(f"train_linear_ae: W2 is not of shape (m, k){shapes}{where}")
        if not np.isfinite(got[1]).all():
            raise StudentError(f"train_linear_ae: the trained W2 is not finite (the training "
                               f"diverged){where}")
        values = np.linalg.svd(got[1].astype(np.float64), compute_uv=False)
        if not np.all(np.abs(values - expected) <= tolerance):
            values = drawn(f" (got {values.round(3).tolist()}, expected "
                           f"{expected.round(3).tolist()})")
            raise StudentError(f"train_linear_ae: the decoder's singular values are not "
                               f"sqrt(1 - lam / sigma_i){values}{where}")


@graded("q3_mc", 4.0, "dot_product_stats within 6 standard errors of the exact values")
def test_monte_carlo(submission):
    samples = 50_000  # (samples, d) draws of q and k: 13 MB each at d = 32
    for d, mu, sigma, seed in ((16, 0.0, 1.0, 1), (32, 0.0, 1.0, 2), (8, 0.5, 1.5, 3)):
        mean, var = d * mu**2, d * sigma**4 + 2 * d * sigma**2 * mu**2
        se_mean = np.sqrt(var / samples)
        se_var = var * np.sqrt((2 + 6 / d) / samples)  # excess kurtosis of q^T k is at most 6/d
        got = as_array(submission.call("dot_product_stats", d, mu, sigma, samples=samples,
                                       seed=seed), "dot_product_stats")
        where = f" for d = {d}, mu = {mu}, sigma = {sigma}, {samples:,} samples"
        if got.shape != (2,):
            raise StudentError(f"dot_product_stats: expected (mean, variance), got an array of "
                               f"shape {got.shape}{where}")
        if abs(got[0] - mean) > 6 * se_mean or abs(got[1] - var) > 6 * se_var:
            raise StudentError(f"dot_product_stats: got mean {got[0]:.4g} and variance "
                               f"{got[1]:.4g}, expected {mean:.4g} +- {6 * se_mean:.2g} and "
                               f"{var:.4g} +- {6 * se_var:.2g}{where}")
