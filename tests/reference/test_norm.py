"""reference.norm against torch.nn.functional on the same data in (N, C, H, W) layout (float64)."""

import ast
import inspect

import pytest
import torch
import torch.nn.functional as F

from reference import norm
from reference.norm import batch_norm, instance_norm, layer_norm

TOL = 1e-12  # relative difference, float64


def to_nchw(x):
    return x.permute(3, 2, 0, 1)  # (H, W, C, N) -> (N, C, H, W)


def to_hwcn(x):
    return x.permute(2, 3, 1, 0)  # (N, C, H, W) -> (H, W, C, N)


def torch_batch_norm(x, eps):
    # torch refuses eps = 0 in training mode; var + 1e-300 rounds to var for these variances
    eps = max(eps, 1e-300)
    return to_hwcn(F.batch_norm(to_nchw(x), None, None, training=True, eps=eps))


def torch_layer_norm(x, eps):
    xp = to_nchw(x)
    return to_hwcn(F.layer_norm(xp, xp.shape[1:], eps=eps))  # over (C, H, W)


def torch_instance_norm(x, eps):
    return to_hwcn(F.instance_norm(to_nchw(x), eps=eps))


def unbiased_batch_norm(x, eps):
    var, mean = torch.var_mean(x, dim=(0, 1, 3), correction=1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def layer_norm_over_batch_too(x, eps):
    var, mean = torch.var_mean(x, dim=(0, 1, 2, 3), correction=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


def instance_norm_over_batch_too(x, eps):
    var, mean = torch.var_mean(x, dim=(0, 1, 3), correction=0, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps)


CASES = {
    "batch_norm": (batch_norm, torch_batch_norm),
    "layer_norm": (layer_norm, torch_layer_norm),
    "instance_norm": (instance_norm, torch_instance_norm),
}
# plausible mistakes, one per method: the comparison above must reject each
WRONG = {
    "batch_norm": unbiased_batch_norm,
    "layer_norm": layer_norm_over_batch_too,
    "instance_norm": instance_norm_over_batch_too,
}


def rel_diff(a, b):
    """||vec(a) - vec(b)|| / max(||vec(a)||, ||vec(b)||)."""
    return (
        torch.linalg.vector_norm(a - b)
        / torch.maximum(torch.linalg.vector_norm(a), torch.linalg.vector_norm(b))
    ).item()


def random_hwcn(shape, dtype=torch.float64, seed=0):
    """Random data whose channels and samples have different means and spreads."""
    g = torch.Generator().manual_seed(seed)
    C, N = shape[2:]
    scale = 0.5 + torch.rand(1, 1, C, N, generator=g, dtype=dtype)
    shift = 3.0 * torch.randn(1, 1, C, N, generator=g, dtype=dtype)
    return shift + scale * torch.randn(shape, generator=g, dtype=dtype)


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("shape", [(6, 5, 4, 3), (1, 7, 2, 5), (4, 4, 1, 1), (3, 2, 5, 1)])
@pytest.mark.parametrize("eps", [0.0, 1e-5, 0.1])
def test_matches_torch(name, shape, eps):
    ours, theirs = CASES[name]
    x = random_hwcn(shape, seed=sum(shape))
    x_before = x.clone()
    got = ours(x, eps=eps)
    assert got.shape == x.shape and got.dtype == x.dtype
    assert rel_diff(got, theirs(x, eps)) < TOL
    assert torch.equal(x, x_before)


@pytest.mark.parametrize("name", CASES)
def test_matches_torch_on_handout_size_images(name):
    ours, theirs = CASES[name]
    x = torch.randn(50, 50, 8, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(1))
    assert rel_diff(ours(x, eps=0.0), theirs(x, 0.0)) < TOL


@pytest.mark.parametrize("name", CASES)
def test_default_eps_is_torchs(name):
    ours, theirs = CASES[name]
    x = random_hwcn((3, 3, 2, 4)) * 1e-3  # small variance, so eps matters
    assert rel_diff(ours(x), theirs(x, 1e-5)) < TOL


@pytest.mark.parametrize("name", CASES)
def test_comparison_catches_wrong_slices(name):
    _, theirs = CASES[name]
    x = random_hwcn((6, 5, 4, 3))
    assert rel_diff(WRONG[name](x, 0.0), theirs(x, 0.0)) > 1e-3


@pytest.mark.parametrize("name", CASES)
def test_float32_keeps_dtype(name):
    ours, theirs = CASES[name]
    x = random_hwcn((8, 8, 4, 3), dtype=torch.float32)
    got = ours(x)
    assert got.dtype == torch.float32
    assert rel_diff(got, theirs(x, 1e-5)) < 1e-5


@pytest.mark.parametrize("name", CASES)
def test_gradient_matches_torch(name):
    ours, theirs = CASES[name]
    x = random_hwcn((4, 3, 3, 2)).requires_grad_()
    w = random_hwcn((4, 3, 3, 2), seed=5)
    (g_ours,) = torch.autograd.grad((ours(x) * w).sum(), x)
    (g_theirs,) = torch.autograd.grad((theirs(x, 1e-5) * w).sum(), x)
    assert rel_diff(g_ours, g_theirs) < 1e-10


@pytest.mark.parametrize("name", CASES)
def test_rejects_bad_input(name):
    ours, _ = CASES[name]
    with pytest.raises(ValueError, match=rf"{name}: expected a 4-D tensor \(H, W, C, N\), got"):
        ours(torch.zeros(2, 3, 4))
    with pytest.raises(ValueError, match=rf"{name}: invalid eps -1"):
        ours(torch.zeros(2, 3, 4, 5), eps=-1)


NOTEBOOK_IMPORTS = (
    "import math\nimport numpy as np\nimport scipy.signal\nimport torch\n"
    "import torch.nn.functional as F\n"
)
# names that the cells of Problem 3 may not use: the library normalizations being reimplemented
FORBIDDEN = {"F", "nn", "functional", "batch_norm", "layer_norm", "instance_norm", "group_norm"}


@pytest.mark.parametrize("name", CASES)
def test_pasted_function_runs_alone(name):
    """Each norm runs from its source and _normalize's after the notebook's imports alone."""
    ns = {}
    exec(NOTEBOOK_IMPORTS, ns)
    for fn in (norm._normalize, getattr(norm, name)):
        exec(inspect.getsource(fn), ns)
    x = random_hwcn((5, 4, 3, 2))
    assert torch.equal(ns[name](x), getattr(norm, name)(x))


def test_helper_uses_no_library_norm():
    tree = ast.parse(inspect.getsource(norm._normalize))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    assert not names & FORBIDDEN
