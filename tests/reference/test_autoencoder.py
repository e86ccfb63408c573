"""reference.autoencoder: the contract of the three models, where their corruption goes, the
trainer against PCA's reconstruction error, and the probe against scikit-learn's logistic
regression on the same frozen features."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression

from reference.autoencoder import (
    AutoEncoder,
    DenoisingAutoEncoder,
    MaskedAutoEncoder,
    linear_probe,
    reconstruction_error,
    train_autoencoder,
)
from tests.reference.test_linear_ae import one_thread  # noqa: F401 - autouse fixture


def lowrank(n=768, m=20, rank=3, noise=0.05, seed=0):
    g = torch.Generator().manual_seed(seed)
    basis = torch.randn(rank, m, generator=g) / rank**0.5
    return torch.randn(n, rank, generator=g) @ basis + noise * torch.randn(n, m, generator=g)


@pytest.mark.parametrize("cls", [AutoEncoder, DenoisingAutoEncoder, MaskedAutoEncoder])
def test_shapes_and_forward(cls):
    model = cls(20, 3).eval()
    x = torch.randn(7, 20)
    assert model.encode(x).shape == (7, 3)
    assert model(x).shape == (7, 20)
    torch.testing.assert_close(model(x), model.decode(model.encode(x)))


def test_vanilla_loss_is_the_mean_squared_error():
    model, x = AutoEncoder(20, 3), torch.randn(7, 20)
    torch.testing.assert_close(model.loss(x), F.mse_loss(model(x), x))


def test_denoising_adds_noise_to_the_input_and_keeps_the_target_clean():
    model, x = DenoisingAutoEncoder(20, 3, noise_std=0.5), torch.randn(400, 20)
    torch.manual_seed(1)
    noisy = x + 0.5 * torch.randn_like(x)  # the draw loss() makes under the same seed
    torch.manual_seed(1)
    torch.testing.assert_close(model.loss(x), F.mse_loss(model(noisy), x))
    assert abs((noisy - x).std().item() - 0.5) < 0.02


def test_masking_hides_input_entries_and_scores_them_only():
    model, x = MaskedAutoEncoder(20, 3, mask_ratio=0.3), torch.randn(400, 20)
    torch.manual_seed(2)
    hidden = torch.rand_like(x) < 0.3
    torch.manual_seed(2)
    loss = model.loss(x)
    error = (model(torch.where(hidden, torch.zeros_like(x), x)) - x) ** 2
    torch.testing.assert_close(loss, error[hidden].mean())
    assert abs(hidden.float().mean().item() - 0.3) < 0.02


def test_trainer_reaches_close_to_pca_on_low_rank_data():
    X = lowrank()
    torch.manual_seed(0)
    model = AutoEncoder(20, 3)
    history = train_autoencoder(model, X[:512], epochs=10, lr=3e-3)
    pca = PCA(3).fit(X[:512].numpy())
    pca_error = np.mean((pca.inverse_transform(pca.transform(X[512:].numpy())) - X[512:].numpy())
                        ** 2)
    assert len(history) == 10 and history[-1] < history[0] / 10
    assert reconstruction_error(model, X[512:]) < 5 * pca_error + 0.01


def test_probe_matches_logistic_regression_and_leaves_the_encoder_alone():
    rng = np.random.default_rng(3)
    centers = rng.standard_normal((4, 16))
    y = rng.integers(0, 4, 600)
    X = torch.from_numpy((centers[y] + rng.standard_normal((600, 16))).astype(np.float32))
    y = torch.from_numpy(y)
    model = AutoEncoder(16, 6)
    before = [p.detach().clone() for p in model.parameters()]
    probe, accuracy = linear_probe(model, X[:400], y[:400], X[400:], y[400:], 4, epochs=300)
    with torch.no_grad():
        z = model.encode(X).numpy()
    sklearn_accuracy = LogisticRegression(C=1e4, max_iter=5000).fit(z[:400], y[:400].numpy()) \
        .score(z[400:], y[400:].numpy())
    assert abs(accuracy - sklearn_accuracy) <= 0.03
    assert isinstance(probe, torch.nn.Linear) and probe.out_features == 4
    assert all(torch.equal(a, p) for a, p in zip(before, model.parameters()))
    assert all(p.grad is None for p in model.parameters())
