"""reference.transfer: strategies, class weights and metrics against torch and sklearn, the data
pipeline on a tiny synthetic folder in the Kaggle layout, with random weights (offline)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, average_precision_score, balanced_accuracy_score
from sklearn.utils.class_weight import compute_class_weight

from reference import transfer


def make_chest_xray(root, counts=None, size=(40, 48), seed=0):
    """ROOT/{split}/{NORMAL,PNEUMONIA}/*.jpeg, grey images; pneumonia ones are brighter."""
    from PIL import Image

    counts = counts or {"train": (4, 10), "val": (2, 2), "test": (3, 5)}
    rng = np.random.default_rng(seed)
    for split, per_class in counts.items():
        for label, (name, n) in enumerate(zip(transfer.CLASSES, per_class)):
            folder = root / split / name
            folder.mkdir(parents=True)
            for i in range(n):
                pixels = rng.integers(0, 120, size, dtype=np.uint8) + 100 * label
                Image.fromarray(pixels.astype(np.uint8), mode="L").save(folder / f"{i}.jpeg")
    return root


@pytest.mark.parametrize("strategy", transfer.STRATEGIES)
def test_strategies_set_which_parameters_train(strategy):
    model = transfer.build_model(strategy, pretrained=False)
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    if strategy == "feature_extractor":
        assert trainable == {"fc.weight", "fc.bias"}
    else:
        assert trainable == {n for n, _ in model.named_parameters()}
    assert model.fc.out_features == 2
    assert model(torch.randn(2, 3, 64, 64)).shape == (2, 2)


def test_unknown_strategy_and_missing_weights_say_what_to_do(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="strategy must be one of"):
        transfer.build_model("freeze_half", pretrained=False)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    with pytest.raises(FileNotFoundError, match="IMAGENET1K_V1"):
        transfer.build_model("finetune")


def test_pretrained_weights_load_from_the_local_cache(monkeypatch, tmp_path):
    import torchvision

    (tmp_path / "checkpoints").mkdir()
    saved = torchvision.models.resnet18(weights=None).state_dict()
    torch.save(saved, tmp_path / "checkpoints" / transfer.RESNET18_FILE)
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    model = transfer.build_model("feature_extractor")
    torch.testing.assert_close(model.conv1.weight, saved["conv1.weight"])


@pytest.mark.parametrize("counts", [(30, 90), (5, 5), (1, 12)])
def test_class_weights_match_sklearn_balanced(counts):
    labels = np.repeat([0, 1], counts)
    expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=labels)
    got = transfer.class_weights(torch.from_numpy(labels))
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-6)
    assert got[np.argmin(counts)] >= got[np.argmax(counts)]


def test_weighted_cross_entropy_matches_a_hand_weighted_mean():
    gen = torch.Generator().manual_seed(0)
    logits, labels = torch.randn(9, 2, generator=gen), torch.tensor([0, 1, 1, 1, 0, 1, 1, 1, 1])
    weights = transfer.class_weights(labels)
    per_example = -torch.log_softmax(logits, 1)[torch.arange(9), labels] * weights[labels]
    torch.testing.assert_close(transfer.weighted_cross_entropy(logits, labels, weights),
                               per_example.sum() / weights[labels].sum())


@pytest.mark.parametrize("seed", range(5))
def test_metrics_match_sklearn(seed):
    rng = np.random.default_rng(seed)
    labels = (rng.random(200) < 0.7).astype(int)
    scores = np.round(rng.random(200) * 0.6 + 0.4 * labels, 1)  # rounded: many ties
    predictions = (scores > 0.5).astype(int)
    assert transfer.accuracy(labels, predictions) == pytest.approx(
        accuracy_score(labels, predictions))
    assert transfer.balanced_accuracy(labels, predictions) == pytest.approx(
        balanced_accuracy_score(labels, predictions))
    assert transfer.average_precision(labels, scores) == pytest.approx(
        average_precision_score(labels, scores), abs=1e-12)


def test_average_precision_needs_a_positive():
    with pytest.raises(ValueError, match="no positive labels"):
        transfer.average_precision(np.zeros(4), np.arange(4.0))


def test_pipeline_on_a_tiny_synthetic_folder(tmp_path):
    root = make_chest_xray(tmp_path / "chest_xray")
    loaders = transfer.chest_xray_loaders(root, batch_size=4, image_size=32)
    assert set(loaders) == {"train", "val", "test"}
    x, y = next(iter(loaders["test"]))
    assert x.shape == (4, 3, 32, 32) and x.dtype == torch.float32 and y.dtype == torch.int64
    train_labels = torch.tensor(loaders["train"].dataset.targets)
    weights = transfer.class_weights(train_labels)
    torch.testing.assert_close(weights, torch.tensor([14 / 8, 14 / 20]))
    torch.manual_seed(0)
    model = transfer.build_model("feature_extractor", pretrained=False)
    frozen = model.conv1.weight.clone()
    losses = transfer.fit(model, loaders["train"], weights, lr=1e-2, epochs=3, max_steps=5)
    assert len(losses) == 5 and all(np.isfinite(losses))
    torch.testing.assert_close(model.conv1.weight, frozen)  # the backbone did not move
    xs, ys = zip(*loaders["test"])
    scores = transfer.predict_scores(model, torch.cat(xs))
    assert scores.shape == (8,) and ((scores >= 0) & (scores <= 1)).all()


def test_loaders_reject_another_layout(tmp_path):
    (tmp_path / "train" / "cats").mkdir(parents=True)
    with pytest.raises(FileNotFoundError, match="NORMAL"):
        transfer.chest_xray_loaders(tmp_path)
