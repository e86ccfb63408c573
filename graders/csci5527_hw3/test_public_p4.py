"""Public checks of CSCI 5527 HW3 P4: fixed inputs, expected values worked out by hand (and equal
to sklearn's; the kit does not install sklearn).

They earn no points. The hidden tests check every strategy, other label distributions, and
measure the test accuracy themselves.
"""

import numpy as np

from graders import trained
from graders.compare import assert_close
from graders.csci5527_hw3.probes import P4_MODEL
from graders.errors import StudentError
from graders.kernel import AsTorch
from graders.plugin import graded

LABELS = np.array([0, 1, 1, 1, 0, 1, 1, 1, 1, 1])
SCORES = np.array([0.2, 0.9, 0.4, 0.8, 0.6, 0.7, 0.9, 0.3, 0.55, 0.95])
# recall of NORMAL 1/2, of PNEUMONIA 6/8 at the 0.5 threshold
BALANCED_ACCURACY = (1 / 2 + 6 / 8) / 2
# thresholds from the top: 0.95, 0.9 (two), 0.8, 0.7, 0.6 (a negative), 0.55, 0.4, 0.3, 0.2 (neg.)
AVERAGE_PRECISION = (1 + 2 + 1 + 1 + 6 / 7 + 7 / 8 + 8 / 9) / 8


@graded("p4a", 0, "public check: the feature extractor trains its head only")
def test_feature_extractor(submission):
    trainable = submission.call("build_model", code=(
        "lambda f: (lambda m: [[n for n, p in m.named_parameters() if p.requires_grad], "
        "[n for n, p in m.named_parameters() if p.dim() == 4]])"
        "(f('feature_extractor', pretrained=False))"))
    trains, convolutions = trainable
    if not trains or set(trains) & set(convolutions):
        raise StudentError(f"build_model('feature_extractor'): trainable parameters "
                           f"{trains[:5]}{' ...' if len(trains) > 5 else ''}; expected the new "
                           "head only (e.g. ['fc.weight', 'fc.bias']), no convolution")


@graded("p4a", 0, "public check: class weights and metrics on 10 labels")
def test_weights_and_metrics(submission):
    assert_close("class_weights", submission.call("class_weights", AsTorch(LABELS)),
                 np.array([10 / 4, 10 / 16]), where=" for 2 NORMAL and 8 PNEUMONIA labels",
                 tolerance=1e-5)
    predictions = (SCORES >= 0.5).astype(np.int64)
    assert_close("balanced_accuracy", submission.call("balanced_accuracy", LABELS, predictions),
                 np.float64(BALANCED_ACCURACY), tolerance=1e-6)
    assert_close("average_precision", submission.call("average_precision", LABELS, SCORES),
                 np.float64(AVERAGE_PRECISION),
                 where=" for tied scores", tolerance=1e-6)


@graded("p4b", 0, "public check: p4_model.safetensors loads into build_model and classifies")
def test_weights_load(submission):
    images = np.random.default_rng(0).standard_normal((2, 3, 224, 224)).astype(np.float32)
    trained.predict(submission, P4_MODEL, trained.load_model(submission, P4_MODEL), images)
