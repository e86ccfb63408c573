"""CS 229br HW0 Q2.4: a classifier on frozen CLIP embeddings, and better queries without training.

Shapes: N examples, D embedding size; the classifier has 5 outputs, the 4 chosen labels + "other".
"""

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

OTHER = 4


def group_labels(labels, chosen):
    """Targets for the classifier: i where labels == chosen[i] (i < 4), else OTHER (4).

    labels: (N,) ints, chosen: 4 ints -> (N,) int64."""
    labels = np.asarray(labels)
    targets = np.full(labels.shape, OTHER, dtype=np.int64)
    for i, label in enumerate(chosen):
        targets[labels == label] = i
    return targets


def make_probe(dim, hidden=256):
    """The MLP: (N, dim) embeddings -> (N, 5) logits."""
    return nn.Sequential(nn.Linear(dim, hidden), nn.ReLU(), nn.Linear(hidden, OTHER + 1))


def probe_step(probe, optimizer, encoder, images, targets):
    """One cross-entropy step of `probe` on encoder.encode_image(images), the encoder frozen.

    The encoder's output is detached, so no gradient reaches it. Returns the loss (float)."""
    with torch.no_grad():
        features = encoder.encode_image(images).float()
    loss = F.cross_entropy(probe(features.detach()), torch.as_tensor(targets))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def train_probe(encoder, train_images, train_targets, val_images, val_targets, epochs=20,
                batch_size=64, lr=1e-3, seed=0):
    """Train a probe with Adam; returns (probe, validation accuracy after each epoch)."""
    torch.manual_seed(seed)
    with torch.no_grad():
        dim = encoder.encode_image(train_images[:1]).shape[1]
    probe = make_probe(dim)
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
    train_targets = torch.as_tensor(train_targets)
    history = []
    for _ in range(epochs):
        for rows in torch.randperm(len(train_targets)).split(batch_size):
            probe_step(probe, optimizer, encoder, train_images[rows], train_targets[rows])
        with torch.no_grad():
            predicted = probe(encoder.encode_image(val_images).float()).argmax(1)
        history.append((predicted == torch.as_tensor(val_targets)).float().mean().item())
    return probe, history


def improved_query(train_embeddings, train_labels, label):
    """A query for `label` without training: the normalized mean of its training embeddings.

    train_embeddings: (N, D), train_labels: (N,) -> (D,) unit vector."""
    train_embeddings = np.asarray(train_embeddings, dtype=np.float64)
    mean = train_embeddings[np.asarray(train_labels) == label].mean(axis=0)
    return mean / np.linalg.norm(mean)
