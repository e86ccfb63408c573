"""Transfer learning for pneumonia in chest X-rays with ResNet-18 (HW3, Problem 4).

Model: He et al., "Deep Residual Learning for Image Recognition" (CVPR 2016), as built by
torchvision. Strategies follow the cs231n transfer-learning notes: use the pretrained network as a
fixed feature extractor (train the new head only), fine-tune every layer for a few steps, or keep
the architecture and train from scratch. The classes are imbalanced (about 3 pneumonia images per
normal one in the Kaggle set), so the loss weights each class by its inverse frequency, and the
metrics include balanced accuracy and average precision besides plain accuracy.

Data: the Kaggle "chest-xray-pneumonia" folder, ``ROOT/{train,val,test}/{NORMAL,PNEUMONIA}/*``,
read from a local path. Class 1 (PNEUMONIA) is the positive class. torchvision is imported
lazily, inside the functions that need it.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

__all__ = [
    "CLASSES",
    "STRATEGIES",
    "accuracy",
    "average_precision",
    "balanced_accuracy",
    "build_model",
    "chest_xray_loaders",
    "class_weights",
    "fit",
    "predict_scores",
    "preprocess",
    "weighted_cross_entropy",
]

CLASSES = ("NORMAL", "PNEUMONIA")  # folder names; index 1 is the positive class
STRATEGIES = ("feature_extractor", "finetune", "scratch")
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
RESNET18_FILE = "resnet18-f37072fd.pth"  # torchvision's IMAGENET1K_V1 checkpoint
FETCH_WEIGHTS = ("python -c \"import torchvision; "
                 "torchvision.models.resnet18(weights='IMAGENET1K_V1')\"")


# ----------------------------------------------------------------------------- model


def pretrained_resnet18() -> nn.Module:
    """ResNet-18 with ImageNet weights, read from the local torch hub cache only.

    Raises FileNotFoundError with the command that fetches the weights when they are absent.
    """
    import torchvision

    path = Path(torch.hub.get_dir()) / "checkpoints" / RESNET18_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"pretrained ResNet-18 weights not found at {path}; on a machine with network "
            f"access run: {FETCH_WEIGHTS}  (or use weights=None for random weights)"
        )
    model = torchvision.models.resnet18(weights=None)
    model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    return model


def build_model(strategy: str, num_classes: int = 2, pretrained: bool = True) -> nn.Module:
    """ResNet-18 with a new head (512 -> num_classes) prepared for one transfer strategy.

    ``feature_extractor``: pretrained, only ``fc`` trainable. ``finetune``: pretrained, every
    parameter trainable (train for a few steps with a small learning rate). ``scratch``: the
    architecture only, random weights, every parameter trainable. ``pretrained=False`` gives
    random weights for the first two as well (tests, offline machines).
    x: (N, 3, H, W) -> logits (N, num_classes).
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"build_model: strategy must be one of {STRATEGIES}, got {strategy!r}")
    import torchvision

    if pretrained and strategy != "scratch":
        model = pretrained_resnet18()
    else:
        model = torchvision.models.resnet18(weights=None)
    # freeze the backbone first: the new head is created afterwards, so it stays trainable
    for p in model.parameters():
        p.requires_grad_(strategy != "feature_extractor")
    model.fc = nn.Linear(model.fc.in_features, num_classes)  # (N, 512) -> (N, num_classes)
    return model


# ----------------------------------------------------------------------------- loss


def class_weights(labels: Tensor, num_classes: int = 2) -> Tensor:
    """Inverse-frequency weights n / (num_classes * n_c); labels: (n,) int -> (num_classes,).

    A class absent from ``labels`` gets weight 0 (it contributes no loss term anyway). These are
    sklearn's "balanced" weights: every class then carries the same total weight.
    """
    labels = torch.as_tensor(labels).long().reshape(-1)
    counts = torch.bincount(labels, minlength=num_classes).double()  # (num_classes,)
    weights = torch.where(counts > 0, len(labels) / (num_classes * counts.clamp(min=1)), 0.0)
    return weights.float()


def weighted_cross_entropy(logits: Tensor, labels: Tensor, weights: Tensor) -> Tensor:
    """Class-weighted cross-entropy, normalised by the summed weights of the batch.

    logits: (N, C), labels: (N,) int, weights: (C,) -> scalar; as ``nn.CrossEntropyLoss(weight)``.
    """
    return F.cross_entropy(logits, labels, weight=weights.to(logits.dtype))


# ----------------------------------------------------------------------------- metrics


def accuracy(labels: np.ndarray, predictions: np.ndarray) -> float:
    """Fraction of predictions equal to the labels; both (n,) ints."""
    labels, predictions = np.asarray(labels).ravel(), np.asarray(predictions).ravel()
    return float(np.mean(labels == predictions))


def balanced_accuracy(labels: np.ndarray, predictions: np.ndarray) -> float:
    """Mean over the classes present in ``labels`` of the recall of that class; (n,) ints."""
    labels, predictions = np.asarray(labels).ravel(), np.asarray(predictions).ravel()
    recalls = [np.mean(predictions[labels == c] == c) for c in np.unique(labels)]
    return float(np.mean(recalls))


def average_precision(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the precision-recall curve as a step sum: sum_k (R_k - R_{k-1}) P_k.

    labels: (n,) in {0, 1} (1 = positive), scores: (n,) higher = more positive. Thresholds are
    the distinct scores, so tied scores enter together (as sklearn's average_precision_score).
    """
    labels = np.asarray(labels).ravel().astype(np.float64)
    scores = np.asarray(scores).ravel().astype(np.float64)
    if labels.sum() == 0:
        raise ValueError("average_precision: no positive labels")
    order = np.argsort(-scores, kind="mergesort")
    labels, scores = labels[order], scores[order]
    last = np.r_[np.flatnonzero(np.diff(scores) != 0), len(scores) - 1]  # end of each tie group
    true_pos = np.cumsum(labels)[last]
    precision = true_pos / (last + 1)
    recall = true_pos / labels.sum()
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


# ----------------------------------------------------------------------------- data


def preprocess(image_size: int = 224):
    """The transform for every split: grey -> 3 channels, resize, centre crop, ImageNet scaling.

    PIL image -> float tensor (3, image_size, image_size).
    """
    from torchvision import transforms

    return transforms.Compose([
        transforms.Grayscale(num_output_channels=3),
        transforms.Resize(image_size),
        transforms.CenterCrop(image_size),
        transforms.ToTensor(),
        transforms.Normalize(IMAGENET_MEAN, IMAGENET_STD),
    ])


def chest_xray_loaders(root: str | Path, batch_size: int = 32, image_size: int = 224,
                       seed: int = 0) -> dict:
    """DataLoaders for the splits found under ``root`` (train shuffled, seeded; val/test not).

    Each yields x: (B, 3, image_size, image_size) float32 and y: (B,) int64 (0 NORMAL, 1
    PNEUMONIA). Raises FileNotFoundError naming the expected layout when ``root/train`` lacks it.
    """
    from torch.utils.data import DataLoader
    from torchvision.datasets import ImageFolder

    root = Path(root)
    if not all((root / "train" / c).is_dir() for c in CLASSES):
        raise FileNotFoundError(
            f"chest_xray_loaders: expected {root}/train/NORMAL and {root}/train/PNEUMONIA (the "
            "Kaggle chest-xray-pneumonia layout, with val/ and test/ alike)"
        )
    loaders = {}
    for split in ("train", "val", "test"):
        if not (root / split).is_dir():
            continue
        dataset = ImageFolder(root / split, transform=preprocess(image_size))
        if tuple(dataset.classes) != CLASSES:
            raise FileNotFoundError(
                f"{root / split}: expected the class folders {CLASSES}, found {dataset.classes}")
        loaders[split] = DataLoader(dataset, batch_size=batch_size, shuffle=split == "train",
                                    generator=torch.Generator().manual_seed(seed))
    return loaders


# ----------------------------------------------------------------------------- training


def fit(model: nn.Module, loader: Iterable[tuple[Tensor, Tensor]], weights: Tensor, *,
        lr: float = 1e-3, epochs: int = 1, max_steps: int | None = None,
        device: torch.device | str = "cpu") -> list[float]:
    """Adam on the trainable parameters with the class-weighted loss; returns each step's loss.

    ``max_steps`` stops early (the "fine-tune for a few steps" strategy).
    """
    model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr)
    weights = weights.to(device)
    losses = []
    for _ in range(epochs):
        model.train()
        for x, y in loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = weighted_cross_entropy(model(x), y, weights)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if max_steps is not None and len(losses) >= max_steps:
                return losses
    return losses


@torch.no_grad()
def predict_scores(model: nn.Module, x: Tensor, batch_size: int = 64) -> Tensor:
    """Probability of PNEUMONIA for each image; x: (N, 3, H, W) -> (N,) float32."""
    model.eval()
    device = next(model.parameters()).device
    out = [F.softmax(model(x[i:i + batch_size].to(device)), dim=1)[:, 1].float().cpu()
           for i in range(0, len(x), batch_size)]
    return torch.cat(out) if out else torch.zeros(0)
