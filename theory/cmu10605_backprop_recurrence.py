"""cmu10605_hw5 Section 1.2(a), (c): the forward and backward recurrences of a ReLU network with
L hidden layers and squared loss, against sympy's derivative of the whole loss and torch autograd.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register
from theory.cmu10605_backprop_terms import _relu


def backprop(Ws: list, bs: list, x, y, relu, step):
    """Gradients of ||p - y||^2 by the backward recurrence; column vectors throughout.

    Ws[l]: (H_{l+1}, H_l) for l = 0..L (the last is the output layer), bs[l]: (H_{l+1}, 1).
    Forward: h0 = x, q_l = W_l h_{l-1} + b_l, h_l = relu(q_l), p = W_{L+1} h_L + b_{L+1}.
    Backward: g = 2 (p - y); dW_l = g h_{l-1}^T, db_l = g, g <- (W_l^T g) * step(q_{l-1}).
    Works on sympy matrices and numpy arrays (relu and step act elementwise).
    """
    hs, qs = [x], []
    for li, (W, b) in enumerate(zip(Ws, bs)):
        q = W @ hs[-1] + b
        qs.append(q)
        hs.append(relu(q) if li < len(Ws) - 1 else q)
    g = 2 * (hs[-1] - y)
    grads_W, grads_b = [None] * len(Ws), [None] * len(Ws)
    for li in range(len(Ws) - 1, -1, -1):
        grads_W[li] = g @ hs[li].T
        grads_b[li] = g
        if li:
            g = _hadamard(Ws[li].T @ g, step(qs[li - 1]))
    return grads_W, grads_b


def _hadamard(a, b):
    if isinstance(a, sp.MatrixBase):
        return a.multiply_elementwise(b)
    return a * b


def derive_deep_recurrence(mask: bool = True) -> list[Step]:
    """Backward recurrence vs sympy's derivative of the whole loss, at layer widths
    (input, hidden..., output) = (2, 2, 2, 1) (L = 2), (1, 2, 1, 2, 1) (L = 3) and (2, 1, 2)
    (L = 1)."""
    return [_recurrence_step(mask, sizes)
            for sizes in ((2, 2, 2, 1), (1, 2, 1, 2, 1), (2, 1, 2))]


def _recurrence_step(mask: bool, sizes: tuple[int, ...]) -> Step:
    depth = len(sizes) - 1  # affine layers: L hidden + the output layer
    Ws = [sp.Matrix(sizes[li + 1], sizes[li],
                    lambda i, j, li=li: sp.Symbol(f"W{li + 1}_{i + 1}{j + 1}", real=True))
          for li in range(depth)]
    bs = [sp.Matrix(sp.symbols(f"b{li + 1}_1:{sizes[li + 1] + 1}", real=True))
          for li in range(depth)]
    x = sp.Matrix(sp.symbols(f"x_1:{sizes[0] + 1}", real=True))
    y = sp.Matrix(sp.symbols(f"y_1:{sizes[-1] + 1}", real=True))

    def relu(m):
        return m.applyfunc(_relu)

    def step(m):
        return m.applyfunc(sp.Heaviside if mask else (lambda e: 1))

    gW, gb = backprop(Ws, bs, x, y, relu, step)
    h = x
    for li in range(depth):
        q = Ws[li] * h + bs[li]
        h = relu(q) if li < depth - 1 else q
    loss = ((h - y).T * (h - y))[0]
    params = [e for W, b in zip(Ws, bs) for e in list(W) + list(b)]
    ours = [e for W, b in zip(gW, gb) for e in list(W) + list(b)]
    return Step(
        r"forward $h^{(0)}=x$, $q^{(l)}=W^{(l)}h^{(l-1)}+b^{(l)}$, $h^{(l)}=\mathrm{ReLU}"
        r"(q^{(l)})$, $p=W^{(L+1)}h^{(L)}+b^{(L+1)}$; backward $g^{(L+1)}=2(p-y)$, "
        r"$\partial L/\partial W^{(l)}=g^{(l)}h^{(l-1)\top}$, $\partial L/\partial b^{(l)}="
        r"g^{(l)}$, $g^{(l-1)}=(W^{(l)\top}g^{(l)})\odot\mathbb 1[q^{(l-1)}>0]$: at widths "
        rf"${sizes}$ ($L={depth - 1}$) every one of the {len(params)} parameter derivatives "
        r"agrees with sympy's",
        sp.Matrix([loss.diff(v) for v in params]),
        sp.Matrix(ours),
        tex=r"\nabla_\theta L\big|_{\text{recurrence}}=\nabla_\theta L\big|_{\text{sympy}}",
    )


def check_deep_recurrence(mask: bool = True, *, seed: int = 0) -> Outcome:
    """numpy recurrence vs torch autograd on a random 4-hidden-layer net of mixed widths."""
    import torch

    sizes = [3, 5, 4, 6, 2, 2]
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(sizes[li + 1], sizes[li])) for li in range(len(sizes) - 1)]
    bs = [rng.normal(size=(sizes[li + 1], 1)) for li in range(len(sizes) - 1)]
    x, y = rng.normal(size=(sizes[0], 1)), rng.normal(size=(sizes[-1], 1))
    gW, gb = backprop(Ws, bs, x, y, lambda a: np.maximum(a, 0),
                      lambda a: (a > 0).astype(float) if mask else np.ones_like(a))
    tW = [torch.tensor(W, requires_grad=True) for W in Ws]
    tb = [torch.tensor(b, requires_grad=True) for b in bs]
    h = torch.tensor(x)
    for li, (W, b) in enumerate(zip(tW, tb)):
        h = W @ h + b
        h = torch.relu(h) if li < len(tW) - 1 else h
    ((h - torch.tensor(y)) ** 2).sum().backward()
    err = max(float(np.abs(a - t.grad.numpy()).max()) for a, t in zip(gW + gb, tW + tb))
    return Outcome(err < 1e-12, f"largest |recurrence - autograd| over all layers: {err:.1e}")


DEEP = Claim(
    id="cmu10605_hw5.s1_2_recurrences",
    assignment="cmu10605_hw5",
    question="1.2(a), (c)",
    title="Forward and backward recurrences for $L$ hidden layers",
    statement=(
        r"Forward: $h^{(0)}=x$; $q^{(l)}=W^{(l)}h^{(l-1)}+b^{(l)}$, $h^{(l)}=\max(q^{(l)},0)$ for "
        r"$l=1..L$; $p=W^{(L+1)}h^{(L)}+b^{(L+1)}$; $L=\|p-y\|^2$. Backward: "
        r"$g^{(L+1)}=2(p-y)$ and for $l=L+1,\dots,1$: "
        r"$\partial L/\partial W^{(l)}=g^{(l)}h^{(l-1)\top}$, $\partial L/\partial b^{(l)}="
        r"g^{(l)}$, $g^{(l-1)}=(W^{(l)\top}g^{(l)})\odot\mathbb 1[q^{(l-1)}>0]$."
    ),
    answer=r"The two recurrences above.",
    derivation=derive_deep_recurrence,
    check=check_deep_recurrence,
    check_text=(
        r"A random network with hidden widths $5,4,6,2$: the numpy recurrence matches torch "
        r"autograd in every weight and bias to $10^{-12}$."
    ),
    note=r"Proved symbolically at $L=1,2,3$ with layer widths $(2,1,2)$, $(2,2,2,1)$, "
         r"$(1,2,1,2,1)$.",
)

register(DEEP)
