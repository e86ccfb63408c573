"""csci5527_hw3 Problem 2(a)-(c): 1-D cross-correlation, its matrix C_w and its Jacobian C_x.

The handout's x * y keeps y fixed and slides x over it, starting with x's last entry on y's first
and ending with x's first entry on y's last; entry m (0-based) is sum_i x_i y_{i + m - (n1 - 1)}.
It equals ``np.correlate(y, x, "full")`` (note the swapped arguments) and torch's ``conv1d`` of y
with kernel x and padding n1 - 1. Symbolic sizes: w in R^3, x in R^4, as in the handout, and
(len(w), len(x)) = (2, 5), (4, 3) besides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register


def xcorr(x: Sequence, y: Sequence) -> list:
    """x * y by the sliding-window definition. x: (n1,), y: (n2,) -> (n1 + n2 - 1,)."""
    n1, n2 = len(x), len(y)
    out = []
    for m in range(n1 + n2 - 1):
        total = 0
        for i in range(n1):
            j = i + m - (n1 - 1)  # entry of y under x_i at shift m
            if 0 <= j < n2:
                total += x[i] * y[j]
        out.append(total)
    return out


def xcorr_matrix(w: Sequence, n: int) -> sp.Matrix:
    """C_w with w * x = C_w x: entry (m, j) is w_{j - m + len(w) - 1}, zero outside w."""
    k = len(w)
    return sp.Matrix(
        k + n - 1, n, lambda m, j: w[j - m + k - 1] if 0 <= j - m + k - 1 < k else 0
    )


def xcorr_jacobian(w_len: int, x: Sequence) -> sp.Matrix:
    """C_x = d(w * x)/dw: entry (m, i) is x_{i + m - len(w) + 1}, zero outside x."""
    n = len(x)
    return sp.Matrix(
        w_len + n - 1, w_len, lambda m, i: x[i + m - w_len + 1] if 0 <= i + m - w_len + 1 < n else 0
    )


EXAMPLE_X, EXAMPLE_Y = (3, 2, 1), (4, 6, 3, 9)
EXAMPLE_ANSWER = (4, 14, 27, 33, 27, 27)


def derive_example(answer: Sequence = EXAMPLE_ANSWER) -> list[Step]:
    """The worked example, the reversal identity (n1=3, n2=4) and that * does not commute."""
    xy = xcorr(EXAMPLE_X, EXAMPLE_Y)
    yx = xcorr(EXAMPLE_Y, EXAMPLE_X)
    reversals = []
    for n1, n2 in ((3, 4), (2, 5), (5, 2)):
        x = sp.symbols(f"x_1:{n1 + 1}", real=True)
        y = sp.symbols(f"y_1:{n2 + 1}", real=True)
        reversals.append(Step(
            rf"for symbolic $x\in\mathbb R^{n1}$, $y\in\mathbb R^{n2}$: $y\star x$ is "
            r"$x\star y$ read backwards",
            sp.Matrix([xcorr(y, x)]),
            sp.Matrix([xcorr(x, y)[::-1]]),
            tex=r"(y\star x)_m=(x\star y)_{n_1+n_2-m},\quad m=1,\dots,n_1+n_2-1",
        ))
    return [
        Step(r"sliding $[3,2,1]$ over $[4,6,3,9]$", sp.Matrix([xy]), sp.Matrix([list(answer)]),
            tex=r"[3,2,1]\star[4,6,3,9]=[4,14,27,33,27,27]",
        ),
        *reversals,
        Step(
            r"so the operation is not commutative: in the example the first entries differ",
            sp.Integer(yx[0] - xy[0]),
            sp.Integer(answer[-1] - answer[0]),
            tex=r"([4,6,3,9]\star[3,2,1])_1-([3,2,1]\star[4,6,3,9])_1=27-4=23\ne0",
        ),
    ]


SIZES = ((3, 4), (2, 5), (4, 3))  # (len(w), len(x)): the handout's first, then two others


def _wx(m: int, n: int):
    w = sp.symbols(f"w_1:{m + 1}", real=True)
    x = sp.symbols(f"x_1:{n + 1}", real=True)
    return w, x, sp.Matrix(xcorr(w, x))


def derive_cw(cw: Callable[[Sequence, int], sp.Matrix] = xcorr_matrix) -> list[Step]:
    """C_w ((m + n - 1) x n) is the Jacobian of w * x in x, and C_w x = w * x; at the handout's
    m = 3, n = 4 and at (2, 5), (4, 3)."""
    steps = []
    for m, n in SIZES:
        w, x, wx = _wx(m, n)
        C = cw(w, n)
        steps += [
            Step(rf"$m={m}$, $n={n}$: $w\star x$ is linear in $x$; its Jacobian in $x$ is the "
                 r"claimed banded matrix", wx.jacobian(x), C,
                 tex=r"\frac{\partial(w\star x)}{\partial x}=C_w=" + sp.latex(C)),
            Step(r"and multiplying it back gives $w\star x$", C * sp.Matrix(x), wx,
                 tex=r"C_wx=w\star x"),
        ]
    return steps


def derive_cx(cx: Callable[[int, Sequence], sp.Matrix] = xcorr_jacobian) -> list[Step]:
    """d(w * x)/dw = C_x ((m + n - 1) x m), and C_x w = w * x; at the same three sizes."""
    steps = []
    for m, n in SIZES:
        w, x, wx = _wx(m, n)
        C = cx(m, x)
        steps += [
            Step(rf"$m={m}$, $n={n}$: $w\star x$ is also linear in $w$; its Jacobian in $w$",
                 wx.jacobian(w), C,
                 tex=r"\frac{\partial(w\star x)}{\partial w}=C_x=" + sp.latex(C)),
            Step(r"so $w\star x=C_xw$", C * sp.Matrix(w), wx, tex=r"C_xw=w\star x"),
        ]
    return steps


# --------------------------------------------------------------------------- numeric checks


def _torch_xcorr(a, b):
    """a * b with torch: conv1d of b with kernel a, padded by len(a) - 1. 1-D tensors."""
    import torch.nn.functional as F

    return F.conv1d(b.view(1, 1, -1), a.view(1, 1, -1), padding=a.numel() - 1).view(-1)


def check_example(answer: Sequence = EXAMPLE_ANSWER, *, seed: int = 0) -> Outcome:
    """The example against numpy, torch and reference.xcorr; reversal on random vectors."""
    import torch

    from reference import xcorr as ref

    x, y = np.array(EXAMPLE_X, float), np.array(EXAMPLE_Y, float)
    want = np.array(answer, float)
    got = {
        "numpy": np.correlate(y, x, "full"),
        "torch": _torch_xcorr(torch.from_numpy(x), torch.from_numpy(y)).numpy(),
        "reference": ref.xcorr1d(x, y),
    }
    bad = [k for k, v in got.items() if v.shape != want.shape or not np.allclose(v, want)]
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=5), rng.normal(size=7)
    rev = np.allclose(np.correlate(a, b, "full"), np.correlate(b, a, "full")[::-1]) and np.allclose(
        ref.xcorr1d(b, a), ref.yx_from_xy(ref.xcorr1d(a, b))
    )
    return Outcome(not bad and rev, f"example mismatches: {bad or 'none'}; reversal holds: {rev}")


def check_cw(cw: Callable[[Sequence, int], sp.Matrix] = xcorr_matrix, *, seed: int = 0) -> Outcome:
    """C_w x vs numpy's correlate; C_w vs torch autograd's Jacobian in x and reference.xcorr."""
    import torch

    from reference import xcorr as ref

    rng = np.random.default_rng(seed)
    w, x = rng.normal(size=3), rng.normal(size=4)
    C = np.array(cw(list(w), 4), dtype=float)
    jac = torch.autograd.functional.jacobian(
        lambda t: _torch_xcorr(torch.from_numpy(w), t), torch.from_numpy(x)
    ).numpy()
    errs = {
        "numpy": np.abs(C @ x - np.correlate(x, w, "full")).max() if C.shape == (6, 4) else np.inf,
        "autograd": np.abs(C - jac).max() if C.shape == jac.shape else np.inf,
        "reference": np.abs(C - ref.xcorr_matrix(w, 4)).max() if C.shape == (6, 4) else np.inf,
    }
    return Outcome(max(errs.values()) < 1e-12, "max |diff|: " + ", ".join(
        f"{k} {v:.1e}" for k, v in errs.items()))


def check_cx(
    cx: Callable[[int, Sequence], sp.Matrix] = xcorr_jacobian, *, seed: int = 1
) -> Outcome:
    """C_x vs torch autograd's Jacobian in w, reference.xcorr, and C_x w vs numpy's correlate."""
    import torch

    from reference import xcorr as ref

    rng = np.random.default_rng(seed)
    w, x = rng.normal(size=3), rng.normal(size=4)
    C = np.array(cx(3, list(x)), dtype=float)
    jac = torch.autograd.functional.jacobian(
        lambda t: _torch_xcorr(t, torch.from_numpy(x)), torch.from_numpy(w)
    ).numpy()
    errs = {
        "numpy": np.abs(C @ w - np.correlate(x, w, "full")).max() if C.shape == (6, 3) else np.inf,
        "autograd": np.abs(C - jac).max() if C.shape == jac.shape else np.inf,
        "reference": np.abs(C - ref.xcorr_jacobian(w, x)).max() if C.shape == (6, 3) else np.inf,
    }
    return Outcome(max(errs.values()) < 1e-12, "max |diff|: " + ", ".join(
        f"{k} {v:.1e}" for k, v in errs.items()))


# --------------------------------------------------------------------------- claims

_w = sp.symbols("w_1:4")
_x = sp.symbols("x_1:5")

EXAMPLE = Claim(
    id="csci5527_hw3.p2a_example_and_reversal",
    assignment="csci5527_hw3",
    question="P2(a)",
    title="A worked cross-correlation; swapping the arguments reverses it",
    statement=(
        r"$[3,2,1]\star[4,6,3,9]=[4,14,27,33,27,27]$. In general $x\star y\ne y\star x$, but "
        r"$y\star x$ is $x\star y$ in reverse order: $(y\star x)_m=(x\star y)_{n_1+n_2-m}$ "
        r"(1-based)."
    ),
    answer=r"$[4,14,27,33,27,27]$; $y\star x=\mathrm{reverse}(x\star y)$.",
    derivation=derive_example,
    check=check_example,
    check_text=(
        r"The example against \texttt{numpy.correlate(y, x, 'full')}, torch's "
        r"\texttt{conv1d} and the package's \texttt{reference.xcorr.xcorr1d}; the reversal "
        r"identity on random vectors of lengths 5 and 7."
    ),
)

C_W = Claim(
    id="csci5527_hw3.p2b_matrix_cw",
    assignment="csci5527_hw3",
    question="P2(b)",
    title="Cross-correlation as a matrix product $w\\star x=C_wx$",
    statement=(
        r"For $w\in\mathbb R^3$, $x\in\mathbb R^4$, $w\star x=C_wx$ with the banded $6\times4$ "
        r"matrix $C_w=" + sp.latex(xcorr_matrix(_w, 4)) + r"$, i.e.\ $(C_w)_{mj}=w_{j-m+3}$ "
        r"(1-based, zero outside $1..3$)."
    ),
    answer=r"$C_w=" + sp.latex(xcorr_matrix(_w, 4)) + r"$",
    derivation=derive_cw,
    check=check_cw,
    check_text=(
        r"Random $w,x$: $C_wx$ against \texttt{numpy.correlate(x, w, 'full')}, $C_w$ against "
        r"torch autograd's Jacobian of \texttt{conv1d} in $x$ and against "
        r"\texttt{reference.xcorr.xcorr\_matrix}."
    ),
)

C_X = Claim(
    id="csci5527_hw3.p2c_jacobian_cx",
    assignment="csci5527_hw3",
    question="P2(c)",
    title="The Jacobian of $w\\star x$ in the filter",
    statement=(
        r"$\partial(w\star x)/\partial w=C_x=" + sp.latex(xcorr_jacobian(3, _x)) + r"$, "
        r"$(C_x)_{mi}=x_{i+m-3}$ (1-based, zero outside $1..4$), and $w\star x=C_xw$."
    ),
    answer=r"$C_x=" + sp.latex(xcorr_jacobian(3, _x)) + r"$",
    derivation=derive_cx,
    check=check_cx,
    check_text=(
        r"Random $w,x$: $C_x$ against torch autograd's Jacobian of \texttt{conv1d} in the "
        r"kernel and \texttt{reference.xcorr.xcorr\_jacobian}; $C_xw$ against numpy."
    ),
)

register(EXAMPLE, C_W, C_X)
