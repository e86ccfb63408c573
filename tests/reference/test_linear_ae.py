"""reference.linear_ae against torch autograd, numpy's SVD and the closed form of theory's claim
(decoder singular values sqrt(1 - lambda / sigma_i)), computed here with numpy."""

import numpy as np
import pytest
import torch

from reference.linear_ae import linear_ae_gradients, top_principal_components, train_linear_ae


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Many small ops: a second intra-op thread only adds waiting on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def spectral(m=6, n=200, spectrum=(4.0, 3.0, 2.0, 0.5, 0.2, 0.1), seed=0):
    rng = np.random.default_rng(seed)
    U = np.linalg.qr(rng.standard_normal((m, m)))[0]
    V = np.linalg.qr(rng.standard_normal((n, m)))[0]
    return torch.from_numpy(U @ np.diag(np.sqrt(n * np.asarray(spectrum))) @ V.T)


@pytest.mark.parametrize("lam", [0.0, 0.8])
def test_gradients_equal_autograd(lam):
    g = torch.Generator().manual_seed(0)
    X = torch.randn(5, 30, generator=g, dtype=torch.float64)
    W1 = torch.randn(2, 5, generator=g, dtype=torch.float64, requires_grad=True)
    W2 = torch.randn(5, 2, generator=g, dtype=torch.float64, requires_grad=True)
    loss = ((X - W2 @ W1 @ X) ** 2).sum() + lam * ((W1**2).sum() + (W2**2).sum())
    expected = torch.autograd.grad(loss, (W1, W2))
    for got, goal in zip(linear_ae_gradients(X, W1.detach(), W2.detach(), lam), expected):
        torch.testing.assert_close(got, goal)


def test_principal_components_span_the_top_singular_vectors_and_zero_the_gradient():
    X = spectral()
    U = top_principal_components(X, 3)
    left = np.linalg.svd(X.numpy())[0][:, :3]
    np.testing.assert_allclose((U @ U.T).numpy(), left @ left.T, atol=1e-10)
    np.testing.assert_allclose((U.T @ U).numpy(), np.eye(3), atol=1e-12)
    for grad in linear_ae_gradients(X, U.T, U):
        assert grad.abs().max() < 1e-8 * X.norm() ** 2


@pytest.mark.parametrize("batch_size, tolerance", [(None, 1e-6), (50, 0.04)])
def test_weight_decay_gives_the_predicted_decoder(batch_size, tolerance):
    X, lam = spectral(), 200.0
    sigma = np.linalg.eigvalsh((X @ X.T).numpy())[::-1][:3]
    g = torch.Generator().manual_seed(1)
    W1 = torch.randn(3, 6, generator=g, dtype=torch.float64)
    W2 = 0.2 * torch.randn(6, 3, generator=g, dtype=torch.float64)
    torch.manual_seed(0)
    epochs, lr = (300, 0.05) if batch_size is None else (60, 0.02)
    _, D = train_linear_ae(X, W1, W2, lam, lr=lr, epochs=epochs, batch_size=batch_size)
    np.testing.assert_allclose(np.linalg.svd(D.numpy(), compute_uv=False),
                               np.sqrt(1 - lam / sigma), atol=tolerance)


def test_without_weight_decay_the_decoder_keeps_its_imbalance():
    X = spectral()
    g = torch.Generator().manual_seed(1)
    W1 = torch.randn(3, 6, generator=g, dtype=torch.float64)
    W2 = 0.2 * torch.randn(6, 3, generator=g, dtype=torch.float64)
    _, D = train_linear_ae(X, W1, W2, 0.0, lr=0.05, epochs=300)
    sigma = np.linalg.eigvalsh((X @ X.T).numpy())[::-1][:3]
    assert np.abs(np.linalg.svd(D.numpy(), compute_uv=False) - np.sqrt(1 - 200 / sigma)).max() \
        > 0.1
