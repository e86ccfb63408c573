"""reference.clip_probe against independent oracles: a dict lookup for the grouping, torch's
autograd bookkeeping for the frozen encoder, sklearn's NearestCentroid for the mean query."""

import numpy as np
import torch
from sklearn.neighbors import NearestCentroid
from torch import nn

from reference import clip_probe


def test_group_labels_matches_a_lookup():
    labels = np.random.default_rng(1).integers(0, 12, 200)
    chosen = [9, 2, 11, 4]
    lookup = {label: i for i, label in enumerate(chosen)}
    expected = [lookup.get(int(label), 4) for label in labels]
    np.testing.assert_array_equal(clip_probe.group_labels(labels, chosen), expected)


class LinearEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.w = nn.Parameter(torch.randn(6, 4))

    def encode_image(self, x):
        return x @ self.w


def test_probe_step_leaves_the_encoder_without_gradient():
    torch.manual_seed(0)
    encoder, probe = LinearEncoder(), nn.Linear(4, 5)
    before = probe.weight.detach().clone()
    x, t = torch.randn(10, 6), torch.randint(0, 5, (10,))
    expected = nn.functional.cross_entropy(probe(x @ encoder.w), t).item()
    loss = clip_probe.probe_step(probe, torch.optim.SGD(probe.parameters(), lr=0.1), encoder, x, t)
    assert abs(loss - expected) < 1e-6
    assert encoder.w.grad is None
    assert not torch.equal(probe.weight, before)


def test_train_probe_separates_clusters():
    rng = np.random.default_rng(2)
    centers = rng.standard_normal((5, 16))
    y = np.repeat(np.arange(5), 40)
    x = torch.as_tensor(centers[y] + 0.1 * rng.standard_normal((200, 16)), dtype=torch.float32)

    class Identity:
        def encode_image(self, z):
            return z

    probe, history = clip_probe.train_probe(Identity(), x, y, x, y, epochs=5)
    assert len(history) == 5 and history[-1] > 0.95
    assert (probe(x).argmax(1).numpy() == y).mean() > 0.95


def test_improved_query_is_the_normalized_centroid():
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((60, 8)), rng.integers(0, 3, 60)
    centroid = NearestCentroid().fit(x, y).centroids_[2]
    np.testing.assert_allclose(clip_probe.improved_query(x, y, 2),
                               centroid / np.linalg.norm(centroid))
