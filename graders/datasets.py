"""The test splits that trained-model questions are measured on, where staff install them.

All live under one folder, DLGRADE_DATA (default /autograder/data, where `setup.sh` puts the data
that `dlgrade autograder --data DIR` bundles, or fetches public sets when asked), one subfolder
per data set. The kernel never sees this path: the grader reads the data and sends batches. A
data set that is absent makes its question "not graded", never graded on something else.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.errors import NotGradable
from graders.trained import TestSplit


@dataclass(frozen=True)
class DataSet:
    """A test split staff provide: the files that make it (globs inside its folder)."""

    name: str
    files: tuple[str, ...]
    what: str  # for messages and the README: contents and size


DATASETS = {d.name: d for d in (
    DataSet("mnist", ("t10k-images-idx3-ubyte*", "t10k-labels-idx1-ubyte*"),
            "the MNIST test split: 10,000 images, t10k-images/-labels IDX files, 7.9 MB "
            "(1.6 MB gzipped)"),
    DataSet("chest_xray", ("test/NORMAL/*", "test/PNEUMONIA/*"),
            "the test/ folder of Kaggle's chest-xray-pneumonia: 624 images (234 NORMAL, 390 "
            "PNEUMONIA)"),
    DataSet("cifar10", ("test_batch.bin",),
            "the CIFAR-10 test batch, binary version: 10,000 images, 30.7 MB"),
)}


def data_root() -> Path:
    return Path(os.environ.get("DLGRADE_DATA") or "/autograder/data")


def split_files(name: str, root: Path | None = None) -> list[Path]:
    """The files of data set `name` under `root` (default data_root()), sorted."""
    folder = (root or data_root()) / name
    return sorted(p for pattern in DATASETS[name].files for p in folder.glob(pattern)
                  if p.is_file())


def _absent(name: str) -> NotGradable:
    return NotGradable(f"{DATASETS[name].what} is not installed on this autograder (looked in "
                       f"{data_root() / name}); staff will regrade once it is there")


def mnist_test() -> TestSplit:
    """Inputs: uint8 images (B, 28, 28), as the IDX files hold them."""
    from reference import mnist

    try:
        images, labels = mnist.load_mnist(data_root() / "mnist", split="test")
    except FileNotFoundError:
        raise _absent("mnist") from None
    return TestSplit(f"the MNIST test split ({len(labels):,} images)", labels,
                     lambda index: images[index])


def chest_xray_test() -> TestSplit:
    """Inputs: float32 (B, 3, 224, 224), the template's fixed preprocessing of each image."""
    from PIL import Image

    from reference import transfer

    root = data_root() / "chest_xray" / "test"
    files = [(p, label) for label, name in enumerate(transfer.CLASSES)
             for p in sorted((root / name).glob("*")) if p.is_file()]
    if not all((root / name).is_dir() for name in transfer.CLASSES) or not files:
        raise _absent("chest_xray")
    transform = transfer.preprocess()

    def load(index: np.ndarray) -> np.ndarray:
        def image(path):
            with Image.open(path) as img:
                return transform(img).numpy()

        return np.stack([image(files[i][0]) for i in index])

    labels = np.array([label for _, label in files], dtype=np.int64)
    return TestSplit(f"the chest X-ray test split ({len(labels):,} images)", labels, load)


def cifar10_test() -> TestSplit:
    """Inputs: uint8 images (B, 3, 32, 32), channels first, as the binary batch holds them."""
    path = data_root() / "cifar10" / "test_batch.bin"
    if not path.is_file():
        raise _absent("cifar10")
    records = np.fromfile(path, dtype=np.uint8).reshape(-1, 1 + 3 * 32 * 32)
    labels, images = records[:, 0].astype(np.int64), records[:, 1:].reshape(-1, 3, 32, 32)
    return TestSplit(f"the CIFAR-10 test batch ({len(labels):,} images)", labels,
                     lambda index: images[index])
