"""Adagrad, RMSprop and Adam as functional steps (HW3, Problem 1; reused by CMU 10-605 HW5).

Sources: Duchi, Hazan & Singer, "Adaptive Subgradient Methods" (JMLR 2011) for Adagrad;
Tieleman & Hinton, Coursera "Neural Networks for Machine Learning", lecture 6e (2012) for
RMSprop; Kingma & Ba, "Adam" (arXiv:1412.6980), Algorithm 1, bias correction included.

Each step updates lists of tensors in place, batched with ``torch._foreach_*`` kernels.
Conventions (eps added after the square root, L2 weight decay folded into the gradient) are those
of ``torch.optim`` with its default flags; ``reference.optim`` wraps each step in a
``torch.optim.Optimizer`` class.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

__all__ = ["adagrad", "adam", "rmsprop"]


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
