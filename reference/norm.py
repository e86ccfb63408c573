"""Batch, layer and instance normalization of an (H, W, C, N) tensor (CSCI 5527 HW3, Problem 3).

Each slice is shifted to zero mean and scaled to unit (biased) variance,
x_hat = (x - mean) / sqrt(var + eps), with gamma = 1 and beta = 0; the three methods differ only in
which axes a slice spans (Wu & He, "Group Normalization", Fig. 2):

    batch_norm     one slice per channel c          -> reduce over H, W, N  (dims 0, 1, 3)
    layer_norm     one slice per sample n           -> reduce over H, W, C  (dims 0, 1, 2)
    instance_norm  one slice per (sample, channel)  -> reduce over H, W     (dims 0, 1)

The public functions are pasted into the solution notebook together with their one helper,
_normalize.
"""

import torch


def batch_norm(x, eps=1e-5):
    """Normalize each channel over height, width and batch. x: (H, W, C, N) -> (H, W, C, N)."""
    return _normalize(x, (0, 1, 3), eps, "batch_norm")


def layer_norm(x, eps=1e-5):
    """Normalize each sample over height, width and channels. x: (H, W, C, N) -> (H, W, C, N)."""
    return _normalize(x, (0, 1, 2), eps, "layer_norm")


def instance_norm(x, eps=1e-5):
    """Normalize each (channel, sample) over height and width. x: (H, W, C, N) -> (H, W, C, N)."""
    return _normalize(x, (0, 1), eps, "instance_norm")


def _normalize(x, dims, eps, name):
    """(x - mean) / sqrt(var + eps) with statistics over dims (biased variance). x: (H, W, C, N)."""
    if x.ndim != 4:
        raise ValueError(f"{name}: expected a 4-D tensor (H, W, C, N), got shape {tuple(x.shape)}")
    if eps < 0:
        raise ValueError(f"{name}: invalid eps {eps}, expected eps >= 0")
    mean = x.mean(dim=dims, keepdim=True)  # size 1 along dims
    xc = x - mean
    var = (xc * xc).mean(dim=dims, keepdim=True)  # biased; two passes are accurate and fast
    return xc * torch.rsqrt(var + eps)
