"""Hidden tests of CSCI 5527 HW3 Problem 4: the transfer pipeline's parts, and the 90% test.

P4(a): which parameters each strategy trains (random weights, so no download is needed), the
class weights on a label distribution drawn here, and the three metrics on labels and scores sent
from here (expected values from reference.transfer, itself tested against sklearn: the grader
needs no sklearn). P4(b): the grader sends the chest X-ray test split, preprocessed as the
template fixes it, to the notebook's trained model and computes the accuracy itself (above 90%
earns the point). Without the data on this autograder, P4(b) is reported as not gradable (see
probes.py).
"""

import numpy as np
import torch

from graders.compare import Checks, assert_close
from graders.csci5527_hw3 import probes
from graders.errors import NotGradable, StudentError
from graders.kernel import AsTorch, Ref
from graders.plugin import graded
from reference import transfer

STRATEGIES = ("feature_extractor", "finetune", "scratch")
BATCH = 32


def _check_strategies(submission) -> None:
    """Feature extractor: the backbone (every convolution and 2-D batch norm) frozen and the head
    (what follows it: a new `fc`, or the last layers of a Sequential) training; the other
    strategies train everything."""
    found = submission.call("build_model", STRATEGIES, code=probes.REQUIRES_GRAD, timeout=120)
    for strategy in STRATEGIES:
        trainable, names, shape, backbone = found[strategy]
        name = f"build_model({strategy!r})"
        if shape != [2, 2]:
            raise StudentError(f"{name}: logits of shape {tuple(shape)} for 2 images, expected "
                               "(2, 2)")
        trainable, backbone = set(trainable), set(backbone)
        head = [n for n in names if n not in backbone]
        if strategy != "feature_extractor":
            frozen = [n for n in names if n not in trainable]
            if frozen:
                raise StudentError(f"{name}: {len(frozen)} of {len(names)} parameters are frozen "
                                   f"(e.g. {frozen[:3]}); this strategy trains all of them")
            continue
        training_backbone = sorted(trainable & backbone)
        if training_backbone or not trainable or not head:
            raise StudentError(
                f"{name}: the feature extractor freezes the backbone ({len(backbone)} parameters "
                f"of the convolution and batch-norm layers) and trains the new head after it "
                f"({len(head)} parameters: {head[:4]}); here {len(trainable)} of {len(names)} "
                f"parameters train, {len(training_backbone)} of them in the backbone "
                f"(e.g. {training_backbone[:3]})")


@graded("p4a", 0.4, "which parameters each strategy trains")
def test_strategies(submission):
    _check_strategies(submission)


@graded("p4a", 0.3, "class weights on hidden label counts")
def test_class_weights(submission, rng):
    checks = Checks()
    for _ in range(3):
        counts = rng.integers(5, 60, size=2)
        labels = rng.permutation(np.repeat([0, 1], counts))
        with checks.case():
            expected = len(labels) / (2 * counts)
            assert_close("class_weights", submission.call("class_weights", AsTorch(labels)),
                         expected, where=f" for {counts[0]} NORMAL and {counts[1]} PNEUMONIA "
                         "labels", tolerance=1e-5)
    checks.finish()


@graded("p4a", 0.3, "accuracy, balanced accuracy and average precision")
def test_metrics(submission, rng):
    checks = Checks()
    labels = (rng.random(150) < 0.65).astype(np.int64)
    scores = np.round(rng.random(150) * 0.6 + 0.4 * labels, 2)
    predictions = (scores >= 0.5).astype(np.int64)
    for name, args, expected in (
            ("accuracy", (labels, predictions), transfer.accuracy(labels, predictions)),
            ("balanced_accuracy", (labels, predictions),
             transfer.balanced_accuracy(labels, predictions)),
            ("average_precision", (labels, scores), transfer.average_precision(labels, scores))):
        with checks.case():
            assert_close(name, submission.call(name, *args), np.float64(expected),
                         where=" for 150 labels with tied scores", tolerance=1e-6)
    checks.finish()


def _test_split():
    root = probes.chest_xray_dir()
    if not all((root / "test" / c).is_dir() for c in transfer.CLASSES):
        raise NotGradable(
            f"not graded on this autograder: the chest X-ray test split is not installed (looked "
            f"for {root}/test/NORMAL and PNEUMONIA). This point is held back, not judged: staff "
            "will regrade once the data is there.")
    from torchvision.datasets import ImageFolder

    return ImageFolder(root / "test", transform=transfer.preprocess())


@graded("p4b", 1.0, "test accuracy above 90%, measured by the grader")
def test_accuracy(submission):
    dataset = _test_split()
    if submission.call("p4_model", code="lambda m: m is None"):
        raise StudentError("p4_model is None: the notebook did not train a model")
    scores, labels = [], np.asarray(dataset.targets)
    for start in range(0, len(dataset), BATCH):
        x = torch.stack([dataset[i][0] for i in range(start, min(start + BATCH, len(dataset)))])
        got = submission.call("predict_scores", Ref("p4_model"), AsTorch(x.numpy()),
                              code=probes.P4_SCORES, timeout=120)
        if not isinstance(got, np.ndarray) or got.shape != (len(x),):
            raise StudentError(f"predict_scores: expected {len(x)} scores for {len(x)} images, "
                               f"got {getattr(got, 'shape', type(got).__name__)}")
        scores.append(got)
    scores = np.concatenate(scores)
    predictions = (scores >= 0.5).astype(np.int64)
    acc = transfer.accuracy(labels, predictions)
    report = (f"accuracy {acc:.2%} on the {len(labels)} test images (balanced accuracy "
              f"{transfer.balanced_accuracy(labels, predictions):.2%}, average precision "
              f"{transfer.average_precision(labels, scores):.3f}), measured by the grader")
    if acc <= probes.P4_THRESHOLD:
        raise StudentError(f"{report}; the point needs more than {probes.P4_THRESHOLD:.0%}")
