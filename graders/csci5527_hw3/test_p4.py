"""Hidden tests of CSCI 5527 HW3 Problem 4: the transfer pipeline's parts, and the 90% test.

P4(a): which parameters each strategy trains (random weights, so no download is needed), the
class weights on a label distribution drawn here, and the three metrics on labels and scores sent
from here (expected values from reference.transfer, itself tested against sklearn: the grader
needs no sklearn). P4(b): the student submits the trained model's weights (p4_model
.safetensors); the grader rebuilds it with the notebook's build_model, sends the chest X-ray test
split, preprocessed as the template fixes it, through the notebook's predict_scores, and computes
the accuracy itself (above 90% earns the point). Without the data, P4(b) is not graded.
"""

import numpy as np

from graders import datasets, trained
from graders.compare import Checks, assert_close
from graders.csci5527_hw3 import probes
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import transfer

STRATEGIES = ("feature_extractor", "finetune", "scratch")


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
                         expected, where=drawn(f" for {counts[0]} NORMAL and {counts[1]} "
                                               "PNEUMONIA labels"), tolerance=1e-5)
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


@graded("p4b", 1.0, "test accuracy above 90% of the submitted weights, measured by the grader")
def test_accuracy(submission, rng, setting):
    split = datasets.chest_xray_test()
    bar = setting("p4b.bar", probes.P4_BAR)
    spec = probes.P4_MODEL
    measured = trained.measure(submission, spec, trained.load_model(submission, spec), split,
                               rng)
    report = f"accuracy {measured.accuracy:.2%} on {split.name}, measured by the grader"
    if measured.problem:
        raise StudentError(f"{report}, but {measured.problem}")
    if measured.accuracy <= bar:
        raise StudentError(f"{report}; the point needs more than {bar:.0%}")
