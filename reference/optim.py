"""Adagrad, RMSprop and Adam as ``torch.optim.Optimizer`` classes (HW3, Problem 1).

Each class is a thin ``torch.optim.Optimizer`` subclass that owns the param groups, validates the
hyperparameters of every group and creates per-parameter state on first use; the update is the
functional step of the same name in ``reference.optim_functional`` (its docstring writes the
algorithm out). Each class agrees with its ``torch.optim`` namesake step for step.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

import torch
from torch import Tensor
from torch.optim import Optimizer

from reference.optim_functional import adagrad, adam, rmsprop

__all__ = ["Adagrad", "Adam", "RMSprop"]


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
