"""Hidden tests of CS 229br HW0 Q2.1: the CNN's contract, one step of the student's training loop
on a small grader-built network (so a wrong CNN is charged once), and the trained model's test
accuracy where the CIFAR-10 test batch is installed (reported as not graded elsewhere)."""

import os
from pathlib import Path

import numpy as np
import torch
from torch import nn

from graders.compare import assert_close
from graders.errors import NotGradable, StudentError
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import cifar_cnn

TORCH = "__import__('torch')"
# CifarNet -> [output shape, #Conv2d, #BatchNorm2d, #Linear] of CifarNet() on x
CONTRACT = (f"lambda cls, x: (lambda m, nn: [list(m(x).shape)] + [sum(isinstance(l, t) "
            f"for l in m.modules()) for t in (nn.Conv2d, nn.BatchNorm2d, nn.Linear)])"
            f"(cls().train(), {TORCH}.nn)")
SMALL_NET = ("nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), "
             "nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 10))")
# train_step -> the losses it returns in two steps on one batch, with SGD on SMALL_NET
TWO_STEPS = (f"lambda step, x, y: (lambda torch, nn: (torch.manual_seed(0), (lambda m: (lambda "
             f"opt: [float(step(m, opt, x, y)), float(step(m, opt, x, y))])(torch.optim.SGD("
             f"m.parameters(), lr=0.05)))({SMALL_NET}))[1])({TORCH}, {TORCH}.nn)")
EVALUATE = f"lambda model, x: {TORCH}.no_grad()(lambda: model.eval()(x).argmax(1))()"
CIFAR_ENV = "DLGRADE_CIFAR10"


@graded("q21_model", 3.0, "CifarNet(): five weight layers, batch norm after each convolution")
def test_contract(submission, rng):
    x = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
    got = submission.call("CifarNet", AsTorch(x), code=CONTRACT)
    shape, convs, norms, linears = got
    if shape != [4, 10]:
        raise StudentError(f"CifarNet()(x): expected logits of shape [4, 10] for x of shape "
                           f"[4, 3, 32, 32], got {shape}")
    if convs + linears != 5 or convs < 1:
        raise StudentError(f"CifarNet: expected 5 layers with weights (convolutions and linear), "
                           f"got {convs} Conv2d and {linears} Linear")
    if norms != convs:
        raise StudentError(f"CifarNet: expected a BatchNorm2d after each of its {convs} "
                           f"convolutions, got {norms}")


@graded("q21_model", 3.0, "train_step: one cross-entropy step lowers the loss on the batch")
def test_step_lowers_loss(submission, rng):
    x = rng.standard_normal((16, 3, 8, 8)).astype(np.float32)
    y = rng.integers(0, 10, 16)
    got = submission.call("train_step", AsTorch(x), AsTorch(y), code=TWO_STEPS)
    torch.manual_seed(0)
    model = eval(SMALL_NET, {"nn": nn})  # the same network, built from the same text
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    expected = [cifar_cnn.train_step(model, optimizer, torch.from_numpy(x), torch.from_numpy(y))
                for _ in range(2)]
    assert_close("train_step: the losses of two steps on one batch", got, np.array(expected),
                 tolerance=1e-4)
    if not got[1] < got[0]:
        raise StudentError(f"train_step: the loss did not go down after one step ({got})")


@graded("q21_accuracy", 4.0, "cifar_model reaches 85% on the CIFAR-10 test set")
def test_accuracy(submission):
    root = os.environ.get(CIFAR_ENV)
    batch = Path(root or "/nonexistent") / "cifar-10-batches-py" / "test_batch"
    if not batch.is_file():
        raise NotGradable(f"not graded here: the CIFAR-10 test batch is not installed on the "
                          f"grader (set {CIFAR_ENV} to a folder holding cifar-10-batches-py)")
    import torchvision  # trusted staff data, read by torchvision

    test = torchvision.datasets.CIFAR10(root, train=False, download=False)
    mean = np.array(cifar_cnn.CIFAR_MEAN, np.float32)[:, None, None]
    std = np.array(cifar_cnn.CIFAR_STD, np.float32)[:, None, None]
    right = 0
    for start in range(0, len(test.data), 1000):
        x = (test.data[start:start + 1000].transpose(0, 3, 1, 2) / np.float32(255) - mean) / std
        predicted = np.asarray(submission.call("cifar_model", AsTorch(x.astype(np.float32)),
                                               code=EVALUATE))
        right += int((predicted == np.asarray(test.targets[start:start + 1000])).sum())
    accuracy = right / len(test.data)
    if accuracy < 0.85:
        raise StudentError(f"cifar_model: {accuracy:.1%} test accuracy, below 85%")
