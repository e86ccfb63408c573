"""graders.trained without a kernel: a stand-in submission answers `predict` calls in-process, so
the secret order and the transformed second copy are tested on models of every kind quickly.
graders.datasets: each test split read from the layout staff install, or "not graded"."""

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from graders import datasets, trained
from graders.errors import NotGradable, StudentError
from graders.kernel import Ref
from tests.graders_hw3_p1p4.trained_models import write_idx

SPEC = trained.TrainedModel(weights="m.safetensors", constructor="make_model",
                            predictor="preprocess", predict_code="unused", batch=64)
RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, size=(300, 8, 8), dtype=np.uint8)
LABELS = (IMAGES.reshape(300, -1).mean(axis=1) > 127.5).astype(np.int64)  # bright or not
SPLIT = trained.TestSplit("300 test images", LABELS, lambda index: IMAGES[index])


class FakeSubmission:
    """Answers predict calls with `model(x)`; records the batches it was sent."""

    def __init__(self, model):
        self.model = model
        self.batches = []

    def call(self, name, model, x, code, timeout):
        self.batches.append(x.array)
        return self.model(x.array)


def brightness(x):
    return (x.reshape(len(x), -1).mean(axis=1) > 127.5).astype(np.int64)


TABLE = {hashlib.sha1(image.tobytes()).hexdigest(): label for image, label in zip(IMAGES, LABELS)}


def lookup(x):
    """Labels of the known test images, by a hash of their bytes (a cheat, not a model)."""
    return np.array([TABLE.get(hashlib.sha1(image.tobytes()).hexdigest(), 0) for image in x])


class InOrder:
    """The labels of the test split in its stored order, by counting the images it was sent."""

    def __init__(self):
        self.seen = 0

    def __call__(self, x):
        out = np.resize(LABELS[self.seen:self.seen + len(x)], len(x))
        self.seen += len(x)
        return out


def test_an_honest_model_is_measured_and_agrees_with_itself():
    submission = FakeSubmission(brightness)
    m = trained.measure(submission, SPEC, Ref("m"), SPLIT, np.random.default_rng(1))
    assert m.accuracy > 0.95 and m.agreement >= trained.AGREEMENT and m.problem == ""
    sent = np.concatenate(submission.batches)
    assert len(sent) == 600 and max(len(b) for b in submission.batches) == 64
    assert not np.array_equal(sent[:300], IMAGES)  # a secret order, not the stored one


@pytest.mark.parametrize("cheat", [lookup, InOrder()], ids=["hash lookup", "call count"])
def test_a_model_that_recalls_the_test_set_instead_of_reading_the_image_is_caught(cheat):
    m = trained.measure(FakeSubmission(cheat), SPEC, Ref("m"), SPLIT, np.random.default_rng(2))
    assert m.agreement < 0.8
    assert "its answers changed when the same images were sent again" in m.problem


def test_the_second_copy_can_be_a_share_of_the_images():
    submission = FakeSubmission(brightness)
    spec = trained.TrainedModel(**{**SPEC.__dict__, "second_copy": 0.25})
    trained.measure(submission, spec, Ref("m"), SPLIT, np.random.default_rng(3))
    assert sum(map(len, submission.batches)) == 300 + 75


@pytest.mark.parametrize(("answer", "says"), [
    (lambda x: np.zeros((len(x), 2), dtype=np.int64), f"got ({64}, 2)"),
    (lambda x: np.zeros(len(x)), "got (64,)"),  # floats, not labels
    (lambda x: "cat", "got str"),
])
def test_answers_that_are_not_one_label_per_image(answer, says):
    escaped = says.replace("(", r"\(").replace(")", r"\)")
    with pytest.raises(StudentError, match=r"preprocess: expected 64 integer class labels for 64 "
                                           r"images, " + escaped):
        trained.measure(FakeSubmission(answer), SPEC, Ref("m"), SPLIT, np.random.default_rng(4))


def test_jitter_moves_each_value_by_at_most_one_grey_level():
    x = np.array([[0, 128, 255]] * 50, dtype=np.uint8)
    y = trained.jitter(x, np.random.default_rng(5))
    moved = np.abs(y.astype(int) - x)
    assert y.dtype == np.uint8 and moved.max() == 1 and (moved.sum(axis=1) >= 1).all()
    f = RNG.standard_normal((4, 3, 8, 8)).astype(np.float32)
    g = trained.jitter(f, np.random.default_rng(6))
    assert g.dtype == np.float32 and 0 < np.abs(g - f).max() <= 1e-3 * f.std() + 1e-7
    assert (g != f).reshape(4, -1).any(axis=1).all()


def test_weights_are_found_beside_the_notebook_or_once_in_the_submission(tmp_path):
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "hw.ipynb").write_text("{}")
    submission = SimpleNamespace(path=tmp_path, file=tmp_path / "nb" / "hw.ipynb")
    assert trained.find_weights(submission, "m.safetensors") is None
    (tmp_path / "w").mkdir()
    (tmp_path / "w" / "m.safetensors").write_bytes(b"x")
    assert trained.find_weights(submission, "m.safetensors") == tmp_path / "w" / "m.safetensors"
    (tmp_path / "nb" / "m.safetensors").write_bytes(b"x")
    assert trained.find_weights(submission, "m.safetensors") == tmp_path / "nb" / "m.safetensors"
    with pytest.raises(StudentError, match="x.safetensors is not in the submission"):
        trained.load_model(SimpleNamespace(path=tmp_path / "nb" / "hw.ipynb",
                                           file=tmp_path / "nb" / "hw.ipynb"),
                           trained.TrainedModel(**{**SPEC.__dict__, "weights": "x.safetensors"}))


def test_a_state_that_does_not_fit_the_model_is_described():
    got = {"missing": ["fc2.weight", "fc2.bias"], "unexpected": [],
           "shapes": [["fc1.weight", [128, 784], [256, 784]]]}
    assert trained._mismatch(SPEC, got) == (
        "m.safetensors does not fit the model make_model() builds: 2 missing from the file "
        "(fc2.weight, fc2.bias); fc1.weight has shape (128, 784) in the file, (256, 784) in the "
        "model. Save the state_dict of a model built by make_model, after training it")


# -- test splits ----------------------------------------------------------------------------------
@pytest.mark.parametrize("load", [datasets.mnist_test, datasets.chest_xray_test,
                                  datasets.cifar10_test])
def test_an_absent_data_set_means_not_graded(load, tmp_path, monkeypatch):
    monkeypatch.setenv("DLGRADE_DATA", str(tmp_path))
    with pytest.raises(NotGradable, match=f"is not installed on this autograder \\(looked in "
                                          f"{tmp_path}/"):
        load()


def test_each_split_reads_the_layout_staff_install(tmp_path, monkeypatch):
    from tests.reference.test_transfer import make_chest_xray

    monkeypatch.setenv("DLGRADE_DATA", str(tmp_path))
    (tmp_path / "mnist").mkdir()
    digits = RNG.integers(0, 256, size=(300, 28, 28), dtype=np.uint8)
    write_idx(tmp_path / "mnist" / "t10k-images-idx3-ubyte", digits)
    write_idx(tmp_path / "mnist" / "t10k-labels-idx1-ubyte", LABELS.astype(np.uint8))
    mnist = datasets.mnist_test()
    assert mnist.labels.tolist() == LABELS.tolist()
    assert np.array_equal(mnist.load(np.array([3, 1])), digits[[3, 1]])
    (tmp_path / "cifar10").mkdir()
    records = RNG.integers(0, 256, size=(5, 3073), dtype=np.uint8)
    records[:, 0] = np.arange(5)
    records.tofile(tmp_path / "cifar10" / "test_batch.bin")
    cifar = datasets.cifar10_test()
    assert cifar.labels.tolist() == [0, 1, 2, 3, 4]
    assert np.array_equal(cifar.load(np.array([2]))[0], records[2, 1:].reshape(3, 32, 32))
    make_chest_xray(tmp_path / "chest_xray", counts={"test": (2, 3)})
    xray = datasets.chest_xray_test()
    assert xray.labels.tolist() == [0, 0, 1, 1, 1]
    assert xray.load(np.array([0, 4])).shape == (2, 3, 224, 224)
    assert [p.relative_to(tmp_path).as_posix() for p in datasets.split_files("mnist")] == [
        "mnist/t10k-images-idx3-ubyte", "mnist/t10k-labels-idx1-ubyte"]
    assert Path(tmp_path / "chest_xray" / "test" / "NORMAL" / "0.jpeg") in datasets.split_files(
        "chest_xray")
