"""Gradients by central finite differences, to check hand-derived ones (COMP 499/691 A1,
Question 1(c)).

For a scalar function f and a small step eps, each partial derivative is estimated from two
evaluations around x:

    df/dx_i ~ (f(x + eps e_i) - f(x - eps e_i)) / (2 eps)

The truncation error is eps^2 f'''(x) / 6, against eps f''(x) / 2 for the one-sided quotient
(f(x + eps e_i) - f(x)) / eps; rounding adds about machine-epsilon |f| / eps, so in float64 a step
near 1e-6 balances the two. The public functions are pasted into the solution notebook (which
imports torch).
"""

import torch


def numerical_gradient(f, x, eps=1e-6):
    """Central-difference gradient of the scalar function f at x. x: any shape -> x's shape.

    f takes a tensor shaped like x and returns a scalar (a number or a one-element tensor); x is
    not modified. Use float64: in float32 the rounding error swamps any useful step.
    """
    x = x.detach().clone(memory_format=torch.contiguous_format)
    flat = x.view(-1)  # a view: writing flat[i] moves entry i of x
    grad = torch.zeros_like(flat)
    for i in range(flat.numel()):
        saved = flat[i].item()
        flat[i] = saved + eps
        plus = float(f(x))
        flat[i] = saved - eps
        minus = float(f(x))
        flat[i] = saved
        grad[i] = (plus - minus) / (2.0 * eps)
    return grad.view(x.shape)


def relative_error(a, b):
    """||a - b|| / max(||a||, ||b||) (0 when both are zero). a, b: same shape -> float."""
    scale = max(torch.linalg.norm(a).item(), torch.linalg.norm(b).item())
    return 0.0 if scale == 0.0 else torch.linalg.norm(a - b).item() / scale
