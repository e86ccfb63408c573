"""Hidden tests of CS 229br HW0 Q2.4 on synthetic embeddings: the "other" grouping, a probe step
that leaves the (grader-built) encoder without gradients, the probe's training loop against an
accuracy bound, and improved queries that lift top-5 accuracy above 0.8 where the raw text
queries are poor (drawn fresh here, so nothing from the notebook's own data can help)."""

import numpy as np
import torch
from torch.nn import functional as F

from graders.compare import assert_close
from graders.cs229br_hw0.common import squared_distances
from graders.errors import GraderError, StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import clip_probe, clip_search

TORCH = "__import__('torch')"
# probe_step -> [loss, the encoder's grads (None or arrays), whether the probe's weight moved]
# for an encoder with trainable weight w (encode_image = images @ w) and a linear probe
FROZEN = (
    "lambda step, w, p, x, t: (lambda torch: (lambda enc, probe: (lambda before: [float(step("
    "probe, torch.optim.SGD(probe.parameters(), lr=0.1), enc, x, t)), [q.grad for q in "
    "enc.parameters()], bool((probe.weight != before).any())])(probe.weight.detach().clone()))("
    "(lambda e: (e.register_parameter('w', torch.nn.Parameter(w.clone())), e)[1])(type("
    "'Encoder', (torch.nn.Module,), {'encode_image': lambda self, imgs: imgs @ self.w})()), "
    "(lambda lin: (lin.weight.data.copy_(p), lin.bias.data.zero_(), lin)[2])(torch.nn.Linear("
    "p.shape[1], p.shape[0]))))(__import__('torch'))")
# train_probe -> [predictions of the trained probe on x_test, validation history]
TRAIN = (f"lambda train, *a, x_test, epochs: (lambda torch: (lambda out: [torch.no_grad()("
         f"lambda: out[0](x_test).argmax(1))(), out[1]])(train(type('Identity', (), "
         f"{{'encode_image': lambda self, x: x}})(), *a, epochs=epochs)))({TORCH})")
BOUND = 0.9  # the reference reaches about 0.97 on these sets


@graded("q241_groups", 3.0, "group_labels: the 4 chosen labels in order, all others \"other\"")
def test_groups(submission, rng):
    labels = rng.integers(0, 20, 300)
    chosen = [int(c) for c in rng.choice(20, 4, replace=False)]
    got = submission.call("group_labels", labels, chosen)
    assert_close("group_labels", got, clip_probe.group_labels(labels, chosen),
                 where=drawn(f" for chosen = {chosen}"), tolerance=0.0)


@graded("q241_frozen", 5.0, "probe_step trains the probe and no gradient reaches the encoder")
def test_frozen(submission, rng):
    x = rng.standard_normal((32, 12)).astype(np.float32)
    w = rng.standard_normal((12, 8)).astype(np.float32)
    p = rng.standard_normal((5, 8)).astype(np.float32)
    t = rng.integers(0, 5, 32)
    loss, grads, moved = submission.call("probe_step", AsTorch(w), AsTorch(p), AsTorch(x),
                                         AsTorch(t), code=FROZEN)
    if any(g is not None and np.any(g) for g in grads):
        raise StudentError("probe_step: a gradient reached the encoder (CLIP): detach its "
                           "embeddings, or compute them under torch.no_grad()")
    expected = F.cross_entropy(torch.from_numpy(x @ w) @ torch.from_numpy(p).T,
                               torch.from_numpy(t)).item()
    assert_close("probe_step: the returned loss", loss, np.array(expected), tolerance=1e-4)
    if not moved:
        raise StudentError("probe_step: the probe's weights did not change")


def _clusters(rng, labels, per_label, centers, spread):
    y = np.repeat(np.arange(labels), per_label)
    x = centers[y] + spread * rng.standard_normal((len(y), centers.shape[1]))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32), y


@graded("q241_train", 6.0, f"train_probe reaches {BOUND:.0%} on held-out synthetic embeddings")
def test_train(submission, rng):
    centers = rng.standard_normal((8, 32)) / np.sqrt(32)
    chosen = [1, 4, 5, 7]
    splits = [_clusters(rng, 8, n, centers, 0.12) for n in (60, 20, 40)]
    (x, y), (xv, yv), (xt, yt) = [(s[0], clip_probe.group_labels(s[1], chosen)) for s in splits]
    epochs = 15
    predicted, history = submission.call("train_probe", AsTorch(x), AsTorch(y), AsTorch(xv),
                                         AsTorch(yv), x_test=AsTorch(xt), epochs=epochs,
                                         code=TRAIN, timeout=120)
    history = np.asarray(history, dtype=np.float64).ravel()
    if history.shape != (epochs,) or not ((history >= 0) & (history <= 1)).all():
        raise StudentError(f"train_probe: expected {epochs} validation accuracies in [0, 1], one "
                           f"per epoch, got {np.round(history, 3)}")
    accuracy = float((np.asarray(predicted) == yt).mean())
    if accuracy < BOUND:
        raise StudentError(f"train_probe: the trained probe gets {accuracy:.1%} of held-out "
                           f"embeddings right, below {BOUND:.0%}")


def _search_set(rng, labels=10, dim=64):
    """Train and validation embeddings in clusters, and raw text queries that sit nearer the next
    label's cluster than their own for the labels in `poor`."""
    centers = rng.standard_normal((labels, dim))
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    train, train_y = _clusters(rng, labels, 30, centers, 0.1)
    val, val_y = _clusters(rng, labels, 20, centers, 0.1)
    poor = [0, 3, 6, 8]
    text = centers.copy()
    text[poor] = 0.3 * centers[poor] + centers[[p + 1 for p in poor]]  # closer to the next label
    text /= np.linalg.norm(text, axis=1, keepdims=True)
    return train, train_y, val, val_y, text, poor


def _top5_accuracy(val, val_y, queries, labels):
    found = np.argsort(squared_distances(val, queries), axis=1, kind="stable")[:, :5]
    return clip_search.mean_accuracy(val_y[found], np.asarray(labels))


@graded("q242", 8.0, "improved_query lifts top-5 accuracy above 0.8 where raw queries are poor")
def test_improved_query(submission, rng):
    train, train_y, val, val_y, text, poor = _search_set(rng)
    raw = _top5_accuracy(val, val_y, text[poor], poor)
    if raw > 0.5:
        raise GraderError(f"the synthetic raw queries are not poor enough ({raw:.2f})")
    queries = []
    for label in poor:
        query = np.asarray(submission.call("improved_query", train, train_y, label), np.float64)
        if query.shape != (train.shape[1],) or not np.isfinite(query).all():
            shapes = drawn(f" (shape ({train.shape[1]},), got {query.shape})")
            raise StudentError(f"improved_query: expected a finite vector, one entry per "
                               f"embedding dimension{shapes}")
        queries.append(query)
    better = _top5_accuracy(val, val_y, np.array(queries), poor)
    if better <= 0.8:
        raise StudentError(f"improved_query: mean top-5 accuracy {better:.2f} on labels whose raw "
                           f"text query gets {raw:.2f}; expected above 0.8 (build it from the "
                           "training embeddings you are given)")
