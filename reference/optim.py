"""Adagrad, RMSprop and Adam for a shallow MNIST classifier (HW3, Problem 1).

Sources: Duchi, Hazan & Singer, "Adaptive Subgradient Methods" (JMLR 2011) for Adagrad;
Tieleman & Hinton, Coursera "Neural Networks for Machine Learning", lecture 6e (2012) for
RMSprop; Kingma & Ba, "Adam" (arXiv:1412.6980), Algorithm 1, bias correction included.

Each optimizer is a functional step that updates lists of tensors in place, batched with
``torch._foreach_*`` kernels, plus a thin ``torch.optim.Optimizer`` subclass that owns the param
groups and creates per-parameter state on first use. Conventions (eps added after the square
root, L2 weight decay folded into the gradient) are those of ``torch.optim`` with its default
flags, so each class agrees with its ``torch.optim`` namesake step for step.

The rest of the module is the Problem 1 pipeline: a model of at most three weight layers, the
training loop, test accuracy and the loss-per-epoch plot.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim import Optimizer

__all__ = [
    "Adagrad",
    "Adam",
    "RMSprop",
    "adagrad",
    "adam",
    "evaluate",
    "mnist_cnn",
    "mnist_mlp",
    "plot_losses",
    "rmsprop",
    "train",
]


# ----------------------------------------------------------------------------- functional steps


def adagrad(
    params: list[Tensor],
    grads: list[Tensor],
    state_sums: list[Tensor],
    *,
    lr: float,
    eps: float,
    weight_decay: float,
) -> None:
    """One Adagrad step, updating ``params`` and ``state_sums`` in place.

    For every parameter theta with gradient g and sum of squared gradients s::

        g     <- g + weight_decay * theta
        s     <- s + g * g
        theta <- theta - lr * g / (sqrt(s) + eps)

    Args:
        params: parameters, any shapes.
        grads: gradients, ``grads[i].shape == params[i].shape``; left unchanged.
        state_sums: running sums of squared gradients, shaped like ``params``.
    """
    if not params:
        return
    # L2 penalty, added to a copy so the caller's gradients stay untouched
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)
    # accumulate the squared gradient: s <- s + g^2
    torch._foreach_addcmul_(state_sums, grads, grads)
    # per-coordinate scale: sqrt(s) + eps
    denom = torch._foreach_sqrt(state_sums)
    torch._foreach_add_(denom, eps)
    # theta <- theta - lr * g / (sqrt(s) + eps)
    torch._foreach_addcdiv_(params, grads, denom, value=-lr)


def rmsprop(
    params: list[Tensor],
    grads: list[Tensor],
    square_avgs: list[Tensor],
    *,
    lr: float,
    alpha: float,
    eps: float,
    weight_decay: float,
) -> None:
    """One RMSprop step, updating ``params`` and ``square_avgs`` in place.

    For every parameter theta with gradient g and moving average v of g^2::

        g     <- g + weight_decay * theta
        v     <- alpha * v + (1 - alpha) * g * g
        theta <- theta - lr * g / (sqrt(v) + eps)

    Args:
        params: parameters, any shapes.
        grads: gradients, ``grads[i].shape == params[i].shape``; left unchanged.
        square_avgs: moving averages of squared gradients, shaped like ``params``.
    """
    if not params:
        return
    # L2 penalty, added to a copy so the caller's gradients stay untouched
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)
    # decay the average of squared gradients: v <- alpha v + (1 - alpha) g^2
    torch._foreach_mul_(square_avgs, alpha)
    torch._foreach_addcmul_(square_avgs, grads, grads, value=1 - alpha)
    # per-coordinate scale: sqrt(v) + eps
    denom = torch._foreach_sqrt(square_avgs)
    torch._foreach_add_(denom, eps)
    # theta <- theta - lr * g / (sqrt(v) + eps)
    torch._foreach_addcdiv_(params, grads, denom, value=-lr)


def adam(
    params: list[Tensor],
    grads: list[Tensor],
    exp_avgs: list[Tensor],
    exp_avg_sqs: list[Tensor],
    steps: list[int],
    *,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
    weight_decay: float,
) -> None:
    """One Adam step (Kingma & Ba, Algorithm 1), updating params and moments in place.

    For every parameter theta with gradient g, moments m and v, and step count t::

        g     <- g + weight_decay * theta
        m     <- beta1 * m + (1 - beta1) * g
        v     <- beta2 * v + (1 - beta2) * g * g
        m_hat =  m / (1 - beta1^t)
        v_hat =  v / (1 - beta2^t)
        theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)

    The bias corrections are scalars, so they are folded into the step size and the square
    root rather than materialised as ``m_hat`` and ``v_hat`` tensors.

    Args:
        params: parameters, any shapes.
        grads: gradients, ``grads[i].shape == params[i].shape``; left unchanged.
        exp_avgs: first moments m, shaped like ``params``.
        exp_avg_sqs: second moments v, shaped like ``params``.
        steps: t for each parameter, counting this update (1 on the first step).
    """
    if not params:
        return
    # L2 penalty, added to a copy so the caller's gradients stay untouched
    if weight_decay != 0:
        grads = torch._foreach_add(grads, params, alpha=weight_decay)
    # first moment: m <- beta1 m + (1 - beta1) g, written as m + (1 - beta1)(g - m)
    torch._foreach_lerp_(exp_avgs, grads, 1 - beta1)
    # second moment: v <- beta2 v + (1 - beta2) g^2
    torch._foreach_mul_(exp_avg_sqs, beta2)
    torch._foreach_addcmul_(exp_avg_sqs, grads, grads, value=1 - beta2)
    # bias corrections: 1 - beta1^t and sqrt(1 - beta2^t)
    step_sizes = [-lr / (1 - beta1**t) for t in steps]
    bias_correction2_sqrts = [math.sqrt(1 - beta2**t) for t in steps]
    # sqrt(v_hat) + eps = sqrt(v) / sqrt(1 - beta2^t) + eps
    denom = torch._foreach_sqrt(exp_avg_sqs)
    torch._foreach_div_(denom, bias_correction2_sqrts)
    torch._foreach_add_(denom, eps)
    # theta <- theta - lr / (1 - beta1^t) * m / (sqrt(v_hat) + eps)
    torch._foreach_addcdiv_(params, exp_avgs, denom, step_sizes)


# ----------------------------------------------------------------------------- optimizer classes


def _check_nonnegative(name: str, value: float) -> None:
    if not 0.0 <= value:  # also rejects NaN
        raise ValueError(f"Invalid {name}: {value}")


def _check_decay_rate(name: str, value: float) -> None:
    if not 0.0 <= value < 1.0:
        raise ValueError(f"Invalid {name}: {value} (expected 0 <= {name} < 1)")


class _ReferenceOptimizer(Optimizer):
    """Shared plumbing: hyperparameter checks for every param group, gradient collection."""

    def __init__(self, params: Iterable, defaults: dict) -> None:
        self._validate(defaults)
        super().__init__(params, defaults)

    def add_param_group(self, param_group: dict) -> None:
        # a group may override any default, so check the merged values before accepting it
        self._validate({**self.defaults, **param_group})
        super().add_param_group(param_group)

    @staticmethod
    def _validate(group: Mapping) -> None:
        raise NotImplementedError

    def _params_with_grad(self, group: dict) -> list[Tensor]:
        params = [p for p in group["params"] if p.grad is not None]
        for p in params:
            if p.grad.is_sparse:
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")
            if p.is_complex():
                raise RuntimeError(f"{type(self).__name__} supports real parameters only")
        return params


class Adagrad(_ReferenceOptimizer):
    """Adagrad; the update is :func:`adagrad`.

    Agrees with ``torch.optim.Adagrad`` at ``lr_decay=0``; decay the learning rate with a
    ``torch.optim.lr_scheduler`` instead.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        eps: float = 1e-10,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
    ) -> None:
        defaults = {
            "lr": lr,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
        }
        super().__init__(params, defaults)

    @staticmethod
    def _validate(group: Mapping) -> None:
        _check_nonnegative("learning rate", group["lr"])
        _check_nonnegative("epsilon value", group["eps"])
        _check_nonnegative("weight_decay value", group["weight_decay"])
        _check_nonnegative("initial_accumulator_value", group["initial_accumulator_value"])

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = self._params_with_grad(group)
            for p in params:
                state = self.state[p]
                if not state:
                    state["sum"] = torch.full_like(p, group["initial_accumulator_value"])
            adagrad(
                params,
                [p.grad for p in params],
                [self.state[p]["sum"] for p in params],
                lr=group["lr"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
            )
        return loss


class RMSprop(_ReferenceOptimizer):
    """RMSprop; the update is :func:`rmsprop`.

    Agrees with ``torch.optim.RMSprop`` with ``momentum=0, centered=False``.
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = {"lr": lr, "alpha": alpha, "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    @staticmethod
    def _validate(group: Mapping) -> None:
        _check_nonnegative("learning rate", group["lr"])
        _check_decay_rate("alpha value", group["alpha"])
        _check_nonnegative("epsilon value", group["eps"])
        _check_nonnegative("weight_decay value", group["weight_decay"])

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = self._params_with_grad(group)
            for p in params:
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
            rmsprop(
                params,
                [p.grad for p in params],
                [self.state[p]["square_avg"] for p in params],
                lr=group["lr"],
                alpha=group["alpha"],
                eps=group["eps"],
                weight_decay=group["weight_decay"],
            )
        return loss


class Adam(_ReferenceOptimizer):
    """Adam with bias correction (Kingma & Ba, Algorithm 1); the update is :func:`adam`.

    Agrees with ``torch.optim.Adam`` with ``amsgrad=False`` (weight decay is the L2 penalty
    added to the gradient, not AdamW's decoupled decay).
    """

    def __init__(
        self,
        params: Iterable,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay}
        super().__init__(params, defaults)

    @staticmethod
    def _validate(group: Mapping) -> None:
        _check_nonnegative("learning rate", group["lr"])
        _check_decay_rate("beta1", group["betas"][0])
        _check_decay_rate("beta2", group["betas"][1])
        _check_nonnegative("epsilon value", group["eps"])
        _check_nonnegative("weight_decay value", group["weight_decay"])

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        """Update every parameter that has a gradient; returns ``closure()`` if given."""
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = self._params_with_grad(group)
            for p in params:
                state = self.state[p]
                if not state:
                    state["step"] = 0
                    state["exp_avg"] = torch.zeros_like(p)
                    state["exp_avg_sq"] = torch.zeros_like(p)
                state["step"] += 1
            beta1, beta2 = group["betas"]
            adam(
                params,
                [p.grad for p in params],
                [self.state[p]["exp_avg"] for p in params],
                [self.state[p]["exp_avg_sq"] for p in params],
                [self.state[p]["step"] for p in params],
                lr=group["lr"],
                beta1=beta1,
                beta2=beta2,
                eps=group["eps"],
                weight_decay=group["weight_decay"],
            )
        return loss


# ----------------------------------------------------------------------------- MNIST pipeline


def mnist_cnn(channels: tuple[int, int] = (16, 32), num_classes: int = 10) -> nn.Sequential:
    """Three weight layers, conv-conv-linear: x (N, 1, 28, 28) -> logits (N, num_classes)."""
    c1, c2 = channels
    return nn.Sequential(
        nn.Conv2d(1, c1, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, c1, 14, 14)
        nn.Conv2d(c1, c2, kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),  # (N, c2, 7, 7)
        nn.Flatten(),  # (N, c2 * 49)
        nn.Linear(c2 * 7 * 7, num_classes),
    )


def mnist_mlp(hidden: int = 256, num_classes: int = 10) -> nn.Sequential:
    """Two weight layers: x (N, 1, 28, 28) -> logits (N, num_classes)."""
    return nn.Sequential(
        nn.Flatten(),  # (N, 784)
        nn.Linear(28 * 28, hidden),
        nn.ReLU(),
        nn.Linear(hidden, num_classes),
    )


def train(
    model: nn.Module,
    optimizer: Optimizer,
    train_loader: Iterable[tuple[Tensor, Tensor]],
    epochs: int,
    device: torch.device | str = "cpu",
) -> list[float]:
    """Minimise cross-entropy; returns the mean training loss of each epoch.

    ``train_loader`` yields ``(x, y)`` with x: (B, 1, 28, 28) float and y: (B,) int64 labels.
    """
    model.to(device)
    history = []
    for _ in range(epochs):
        model.train()
        total = torch.zeros((), device=device)
        count = 0
        for x, y in train_loader:
            x, y = x.to(device), y.to(device)
            optimizer.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.detach() * len(y)
            count += len(y)
        history.append(total.item() / count)
    return history


@torch.no_grad()
def evaluate(
    model: nn.Module,
    loader: Iterable[tuple[Tensor, Tensor]],
    device: torch.device | str = "cpu",
) -> float:
    """Fraction of correctly classified examples; loader yields x: (B, 1, 28, 28), y: (B,)."""
    model.to(device)
    model.eval()
    correct = torch.zeros((), dtype=torch.int64, device=device)
    count = 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        correct += (model(x).argmax(dim=1) == y).sum()
        count += len(y)
    return correct.item() / count


def plot_losses(history: Mapping[str, Sequence[float]] | Sequence[float], path: str | Path) -> Path:
    """Save the objective against the epoch as a PNG; one curve per entry of a mapping."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    curves = history if isinstance(history, Mapping) else {"training loss": history}
    fig = Figure(figsize=(6, 4))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, losses in curves.items():
        ax.plot(range(1, len(losses) + 1), losses, marker="o", label=label)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("epoch")
    ax.set_ylabel("mean cross-entropy")
    ax.legend()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, format="png")
    return path
