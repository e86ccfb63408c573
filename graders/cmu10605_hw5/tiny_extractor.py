"""A small stand-in for the VGG19 extractor, for grading Part A's losses and loop.

The grader builds it in its own process and, from the same weights, in the kernel (probes.py sends
this module's source), so calculate_loss and run_style_transfer are graded on features the grader
knows, independently of the student's get_model, in milliseconds instead of VGG19's seconds.
"""

import numpy as np
import torch
import torch.nn.functional as F


def tiny_weights(rng: np.random.Generator, count: int, channels: int = 4) -> list[np.ndarray]:
    """Conv weights for `count` layers: (channels, 3 or channels, 3, 3) float32 each."""
    return [(rng.standard_normal((channels, 3 if i == 0 else channels, 3, 3)) * 0.4)
            .astype(np.float32) for i in range(count)]


class TinyExtractor(torch.nn.Module):
    """One 3x3 conv + ReLU per layer name, average-pooled by 2 in between, like VGG's blocks.

    forward: image (1, 3, H, W) -> {names[i]: (1, channels, ceil(H / 2^i), ceil(W / 2^i))}.
    """

    def __init__(self, weights, names):
        super().__init__()
        self.weights = [torch.as_tensor(w, dtype=torch.float32) for w in weights]
        self.names = list(names)

    def forward(self, image):
        out, h = {}, image
        for index, (name, weight) in enumerate(zip(self.names, self.weights)):
            if index:
                h = F.avg_pool2d(h, 2, ceil_mode=True)
            h = torch.relu(F.conv2d(h, weight, padding=1))
            out[name] = h
        return out
