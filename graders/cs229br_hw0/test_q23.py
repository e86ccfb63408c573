"""Hidden tests of CS 229br HW0 Q2.3 on synthetic embeddings of known structure: the embedding
loop (through a grader-built encoder that records each batch), exact L2 top-k search against a
numpy brute force (clusters, varied norms where cosine ranks differently, near-ties, exact ties),
and the per-label top-k accuracy against its definition (reference.clip_search)."""

import numpy as np

from graders.compare import Checks, assert_close
from graders.cs229br_hw0.common import all_or_nothing, check_top_k
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import clip_search

# embed_images -> [its result, [[batch size, grad enabled] per encode_image call]], through an
# encoder whose weight w requires grad: encode_image(images) = images.flatten(1) @ w
RECORDING_ENCODER = (
    "lambda f, w, x, b: (lambda torch, log: (lambda enc: [f(enc, x, b), log])(type('Encoder', "
    "(), {'encode_image': lambda self, imgs: (log.append([int(imgs.shape[0]), "
    "bool(torch.is_grad_enabled())]), imgs.flatten(1) @ w.requires_grad_())[1]})()))"
    "(__import__('torch'), [])")


def _embed(submission, rng, n=23, batch=8):
    x = rng.standard_normal((n, 3, 4, 4)).astype(np.float32)
    w = rng.standard_normal((48, 16)).astype(np.float32)
    got, calls = submission.call("embed_images", AsTorch(w), AsTorch(x), batch,
                                 code=RECORDING_ENCODER)
    expected = x.reshape(n, -1) @ w
    return got, calls, expected / np.linalg.norm(expected, axis=1, keepdims=True), batch


@graded("q23_embed", 4.0, "embed_images: L2-normalized rows, in order, in batches")
def test_embeddings(submission, rng):
    got, calls, expected, batch = _embed(submission, rng)
    assert_close("embed_images", got, expected, where=" (each row should have norm 1)",
                 tolerance=1e-4)
    sizes = [size for size, _ in calls]
    if sum(sizes) != len(expected) or max(sizes) > batch:
        sizes = drawn(f" ({len(expected)} images, got batch sizes {sizes})")
        raise StudentError(f"embed_images: expected batches of at most {batch} images covering "
                           f"all the images{sizes}")


@graded("q23_embed", 2.0, "embed_images records no gradient")
def test_no_grad(submission, rng):
    _, calls, _, _ = _embed(submission, rng)
    if any(enabled for _, enabled in calls):
        raise StudentError("embed_images: gradients were recorded while embedding (call the "
                           "encoder under torch.no_grad())")


def _clusters(rng, labels=6, per_label=40, dim=16):
    """Image embeddings in clusters with norms from 0.3 to 3 (so cosine and L2 rank differently),
    and one query per label near its cluster's center."""
    centers = rng.standard_normal((labels, dim))
    images = np.repeat(centers, per_label, 0) + 0.6 * rng.standard_normal((labels * per_label,
                                                                            dim))
    images *= rng.uniform(0.3, 3.0, (len(images), 1)) / np.linalg.norm(images, axis=1,
                                                                          keepdims=True)
    queries = centers / np.linalg.norm(centers, axis=1, keepdims=True)
    return images.astype(np.float32), queries.astype(np.float32)


def _near_ties(rng, dim=16):
    """Images at distances 1, 1 + 1e-3, 1 + 2e-3, ... from each query, shuffled, and one exact
    duplicate (an exact tie: either copy may come first)."""
    queries = rng.standard_normal((3, dim))
    images = []
    for q in queries:
        for step in range(8):
            direction = rng.standard_normal(dim)
            images.append(q + (1 + 1e-3 * step) * direction / np.linalg.norm(direction))
    images = np.array(images)[rng.permutation(24)]
    images = np.vstack([images, images[:1]])
    return images.astype(np.float32), queries.astype(np.float32)


@graded("q23_search", 10.0, "search_top_k returns the exact L2 nearest images, nearest first")
def test_search(submission, rng):
    checks = Checks()
    cases = [("clustered images of varied norm", *_clusters(rng), 5),
             ("near-ties and an exact tie", *_near_ties(rng), 5),
             ("k = 1", *_clusters(rng), 1), ("k = 12", *_clusters(rng), 12)]
    for where, images, queries, k in cases:
        with checks.case():
            found = submission.call("search_top_k", images, queries, k)
            check_top_k("search_top_k", found, images, queries, k, where=f" ({where}, k = {k})")
    all_or_nothing(checks)


@graded("q23_accuracy", 6.0, "top_k_accuracy and mean_accuracy match their definition")
def test_accuracy(submission, rng):
    checks = Checks()
    for queries, k in ((7, 5), (3, 10), (12, 1)):
        labels = rng.integers(0, 4, (queries, k))
        query_labels = rng.integers(0, 4, queries)
        where = f" for k = {k}{drawn(f' and {queries} queries')}"
        with checks.case():
            assert_close("top_k_accuracy", submission.call("top_k_accuracy", labels, query_labels),
                         clip_search.top_k_accuracy(labels, query_labels), where=where,
                         tolerance=1e-6)
        with checks.case():
            assert_close("mean_accuracy", submission.call("mean_accuracy", labels, query_labels),
                         clip_search.mean_accuracy(labels, query_labels), where=where,
                         tolerance=1e-6)
    all_or_nothing(checks)
