"""comp499_a1 Question 1(a): gradients of the log-cosh cost of a one-hidden-layer network.

y_hat = w2^T rho(W1 x + b1) + b2, l = log cosh(y_hat - y), J = (1/N) sum_n l(y_hat^n, y^n).
With a_n = W1 x_n + b1, r_n = y_hat_n - y_n and u_n = w2 * rho'(a_n) (elementwise):
dJ/db2 = mean tanh(r_n), dJ/dw2 = mean tanh(r_n) rho(a_n), dJ/db1 = mean tanh(r_n) u_n,
dJ/dW1 = mean tanh(r_n) u_n x_n^T, dJ/dx_n = (1/N) tanh(r_n) W1^T u_n; for rho = tanh,
rho' = 1 - tanh^2. Symbolic sizes (hidden units, inputs, N): (2, 3, 2) and (3, 2, 1).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from theory.algebra import Step, symbols_matrix
from theory.claims import Claim, Outcome, register


class logcosh(sp.Function):
    """log(cosh(z)) with its derivative tanh(z) (the first proof step checks that)."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sp.tanh(self.args[0])


def gradients(W1, b1, w2, b2, xs: list, ys: list, *, tanh=sp.tanh, scale=None) -> dict:
    """Closed-form gradients of J. W1: (H, D), b1, w2: (H, 1), b2 scalar, xs[n]: (D, 1).

    Returns dJ/dW1 (H, D), dJ/db1 (H, 1), dJ/dw2 (H, 1), dJ/db2, and dJ/dx_n (D, 1) per sample.
    ``tanh`` is the elementwise tanh of the backend (sympy or torch); ``scale`` is 1/N.
    """
    N = len(xs)
    scale = sp.Rational(1, N) if scale is None else scale
    parts: dict[str, list] = {"W1": [], "b1": [], "w2": [], "b2": [], "x": []}
    for x, y in zip(xs, ys):
        a = W1 @ x + b1  # (H, 1)
        h = _map(tanh, a)
        r = (w2.T @ h)[0, 0] + b2 - y
        t = tanh(r)
        u = _times(w2, _map(lambda v: 1 - tanh(v) ** 2, a))  # w2 * rho'(a)
        parts["W1"].append(scale * t * (u @ x.T))
        parts["b1"].append(scale * t * u)
        parts["w2"].append(scale * t * h)
        parts["b2"].append(scale * t)
        parts["x"].append(scale * t * (W1.T @ u))
    out = {k: sum(v[1:], v[0]) for k, v in parts.items() if k != "x"}
    out["x"] = parts["x"]
    return out


def _map(f: Callable, a):
    return a.applyfunc(f) if isinstance(a, sp.MatrixBase) else f(a)


def _times(a, b):
    return a.multiply_elementwise(b) if isinstance(a, sp.MatrixBase) else a * b


GradFn = Callable[..., dict]


def derive_logcosh_gradients(grads: GradFn = gradients) -> list[Step]:
    """Each gradient against sympy's derivative of J at (H, D, N) = (2, 3, 2) and (3, 2, 1)."""
    return _gradient_steps(grads, 2, 3, 2) + _gradient_steps(grads, 3, 2, 1)[1:]


def _gradient_steps(grads: GradFn, H: int, D: int, N: int) -> list[Step]:
    z = sp.Symbol("z", real=True)
    W1 = symbols_matrix("W", H, D, real=True)
    b1 = sp.Matrix(sp.symbols(f"b_1:{H + 1}", real=True))
    w2 = sp.Matrix(sp.symbols(f"v_1:{H + 1}", real=True))
    b2 = sp.Symbol("c", real=True)
    xs = [sp.Matrix(sp.symbols(f"x{n}_1:{D + 1}", real=True)) for n in range(1, N + 1)]
    ys = list(sp.symbols(f"y_1:{N + 1}", real=True))

    def cost():
        total = 0
        for x, y in zip(xs, ys):
            r = (w2.T @ (W1 @ x + b1).applyfunc(sp.tanh))[0, 0] + b2 - y
            total += logcosh(r)
        return total / N

    J = cost()
    ours = grads(W1, b1, w2, b2, xs, ys)
    return [
        Step(r"derivative of the loss: $\frac{d}{dz}\log\cosh z=\tanh z$",
             sp.diff(sp.log(sp.cosh(z)), z), sp.tanh(z)),
        Step(rf"$H={H}$, $D={D}$, $N={N}$: sympy's derivative of $J$ in $b_2$", J.diff(b2),
             ours["b2"],
             tex=r"\frac{\partial J}{\partial b_2}=\frac1N\sum_n\tanh(r_n)"),
        Step(r"in $w_2$", sp.Matrix([J.diff(v) for v in w2]), ours["w2"],
             tex=r"\frac{\partial J}{\partial w_2}=\frac1N\sum_n\tanh(r_n)\,\rho(a_n)"),
        Step(r"in $b_1$", sp.Matrix([J.diff(v) for v in b1]), ours["b1"],
             tex=r"\frac{\partial J}{\partial b_1}=\frac1N\sum_n\tanh(r_n)\,"
                 r"w_2\odot\rho'(a_n)"),
        Step(r"in $W_1$", W1.applyfunc(lambda v: J.diff(v)), ours["W1"],
             tex=r"\frac{\partial J}{\partial W_1}=\frac1N\sum_n\tanh(r_n)\,"
                 r"\big(w_2\odot\rho'(a_n)\big)x_n^\top"),
        Step(r"in each input $x_n$ (every sample)",
             sp.Matrix([J.diff(v) for x in xs for v in x]),
             sp.Matrix([e for g in ours["x"] for e in g]),
             tex=r"\frac{\partial J}{\partial x_n}=\frac1N\tanh(r_n)\,W_1^\top"
                 r"\big(w_2\odot\rho'(a_n)\big),\quad\rho'(a)=1-\tanh^2(a)"),
    ]


def check_logcosh_gradients(grads: GradFn = gradients, *, seed: int = 0) -> Outcome:
    """Handout sizes (W1: 20 x 10), a batch of N = 16: the formulas against torch autograd."""
    import torch

    g = torch.Generator().manual_seed(seed)
    H, D, N = 20, 10, 16

    def rnd(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    W1, b1, w2 = rnd(H, D).requires_grad_(), rnd(H, 1).requires_grad_(), rnd(H, 1).requires_grad_()
    b2 = rnd(()).requires_grad_()
    X = rnd(N, D, 1).requires_grad_()
    Y = rnd(N)
    yhat = (w2.T @ torch.tanh(W1 @ X + b1)).view(N) + b2  # (N,)
    torch.log(torch.cosh(yhat - Y)).mean().backward()
    with torch.no_grad():
        ours = grads(W1, b1, w2, b2, list(X), list(Y), tanh=torch.tanh, scale=1.0 / N)
    pairs = {"W1": W1.grad, "b1": b1.grad, "w2": w2.grad, "b2": b2.grad}
    errs = {k: float((torch.as_tensor(ours[k]) - v).abs().max()) for k, v in pairs.items()}
    errs["x"] = float((torch.stack(ours["x"]) - X.grad).abs().max())
    worst = max(errs, key=errs.get)
    return Outcome(errs[worst] < 1e-12,
                   f"largest |formula - autograd| {errs[worst]:.1e} (in dJ/d{worst})")


CLAIM = Claim(
    id="comp499_a1.q1a_logcosh_gradients",
    assignment="comp499_a1",
    question="1(a)",
    title="Gradients of the log-cosh cost",
    statement=(
        r"Let $a_n=W_1x_n+b_1$, $\hat y_n=w_2^\top\rho(a_n)+b_2$, $r_n=\hat y_n-y_n$, "
        r"$u_n=w_2\odot\rho'(a_n)$ and $J=\frac1N\sum_n\log\cosh r_n$. Then "
        r"$\frac{\partial J}{\partial W_1}=\frac1N\sum_n\tanh(r_n)\,u_nx_n^\top$, "
        r"$\frac{\partial J}{\partial w_2}=\frac1N\sum_n\tanh(r_n)\,\rho(a_n)$, "
        r"$\frac{\partial J}{\partial b_1}=\frac1N\sum_n\tanh(r_n)\,u_n$, "
        r"$\frac{\partial J}{\partial b_2}=\frac1N\sum_n\tanh(r_n)$, "
        r"$\frac{\partial J}{\partial x_n}=\frac1N\tanh(r_n)\,W_1^\top u_n$; "
        r"for $\rho=\tanh$, $\rho'(a)=1-\tanh^2(a)$."
    ),
    answer=r"As stated (the loss derivative is $\tanh$, since $(\log\cosh)'=\tanh$).",
    derivation=derive_logcosh_gradients,
    check=check_logcosh_gradients,
    check_text=(
        r"$W_1\in\mathbb R^{20\times10}$, a batch of 16 random samples: all five formulas "
        r"against torch autograd of the same cost, to $10^{-12}$; dropping the $1/N$ fails."
    ),
    note=(
        r"The derivative in $x$ is per sample; with the $1/N$ of $J$ it carries that factor. "
        r"The proof uses $\rho=\tanh$ as in part (b), symbolically at (hidden units, inputs, "
        r"samples) $=(2,3,2)$ and $(3,2,1)$; the formulas are size-free matrix expressions."
    ),
)

register(CLAIM)
