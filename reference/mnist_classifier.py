"""The HW3 Problem 1 pipeline: a model of at most three weight layers, the training loop, test
accuracy and the loss-per-epoch plot (the optimizers are in ``reference.optim``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import Optimizer

__all__ = ["evaluate", "mnist_cnn", "mnist_mlp", "plot_losses", "train"]


def mnist_cnn(channels: tuple[int, int] = (16, 32), num_classes: int = 10) -> nn.Sequential:
    """Three weight layers, conv-conv-linear: x (N, 1, 28, 28) -> logits (N, num_classes)."""
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, c1, 14, 14)
        nn.Conv2d(c1, c2, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, c2, 7, 7)
        nn.Flatten(),  # (N, c2 * 49)
        nn.Linear(c2 * 7 * 7, num_classes),
    )


def mnist_mlp(hidden: int = 256, num_classes: int = 10) -> nn.Sequential:
    """Two weight layers: x (N, 1, 28, 28) -> logits (N, num_classes)."""
    return nn.Sequential(
        nn.Flatten(),  # (N, 784)
        nn.Linear(28 * 28, hidden),
        nn.ReLU(),
        nn.Linear(hidden, num_classes),
    )


def train(
    model: nn.Module,
    optimizer: Optimizer,
    train_loader: Iterable[tuple[Tensor, Tensor]],
    epochs: int,
    device: torch.device | str = "cpu",
) -> list[float]:
    """Minimise cross-entropy; returns the mean training loss of each epoch.

    ``train_loader`` yields ``(x, y)`` with x: (B, 1, 28, 28) float and y: (B,) int64 labels.
    """
    model.to(device)
    history = []
    for _ in range(epochs):
        model.train()
        total = torch.zeros((), device=device)
        count = 0
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(y)
            count += len(y)
        history.append(total.item() / count)
    return history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    device: torch.device | str = "cpu",
) -> float:
    """Fraction of correctly classified examples; loader yields x: (B, 1, 28, 28), y: (B,)."""
    model.to(device)
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    count = 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        correct += (model(x).argmax(dim=1) == y).sum()
        count += len(y)
    return correct.item() / count


def plot_losses(history: Mapping[str, Sequence[float]] | Sequence[float], path: str | Path) -> Path:
    """Save the objective against the epoch as a PNG; one curve per entry of a mapping."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    curves = history if isinstance(history, Mapping) else {"training loss": history}
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, losses in curves.items():
        ax.plot(range(1, len(losses) + 1), losses, marker="o", label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean cross-entropy")
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, format="png")
    return path
