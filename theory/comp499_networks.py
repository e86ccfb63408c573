"""comp499_a1 Question 3: one-hidden-layer ReLU networks that compute three functions exactly.

XNOR on {0,1}^2: relu(x1 + x2 - 1) + relu(1 - x1 - x2) (an AND unit plus a NOR unit).
Tent: 2 relu(x) - 4 relu(x - 1/2) + 2 relu(x - 1).
Soft thresholding with s > 0: relu(x - s) - relu(-x - s).

Proof method for functions of a real x: split the line at every breakpoint of the target and of the
network. Inside a piece each pre-activation is affine with one sign, so every ReLU is either the
identity or zero, decided exactly by sympy after writing x through a positive parameter t
(x = a - t, a + t, or (a + b t)/(1 + t) for the piece (a, b)); then network and target are affine
and compared. The breakpoints themselves are checked by direct evaluation.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register

x_sym = sp.Symbol("x", real=True)
s_sym = sp.Symbol("s", positive=True)
_t = sp.Symbol("t", positive=True)

Net = dict  # {"W": rows of input weights, "b": biases, "v": output weights, "c": output bias}

XNOR = {"W": [[1, 1], [-1, -1]], "b": [-1, 1], "v": [1, 1], "c": 0}
TENT = {"W": [[1], [1], [1]], "b": [0, sp.Rational(-1, 2), -1], "v": [2, -4, 2], "c": 0}
SOFT = {"W": [[1], [-1]], "b": [-s_sym, -s_sym], "v": [1, -1], "c": 0}

TENT_TARGET = sp.Piecewise(
    (2 * x_sym, (x_sym >= 0) & (x_sym <= sp.Rational(1, 2))),
    (2 * (1 - x_sym), (x_sym >= sp.Rational(1, 2)) & (x_sym <= 1)),
    (0, True),
)
SOFT_TARGET = sp.Max(sp.Abs(x_sym) - s_sym, 0) * sp.sign(x_sym)


def _sign(e: sp.Expr) -> int | None:
    """Exact sign of e under the symbols' assumptions, or None when sympy cannot decide."""
    e = sp.factor(sp.together(e))
    if e.is_zero:
        return 0
    if e.is_positive:
        return 1
    if e.is_negative:
        return -1
    return None


def _holds(cond) -> bool | None:
    if cond in (sp.true, True):
        return True
    if cond in (sp.false, False):
        return False
    if isinstance(cond, sp.And):
        parts = [_holds(c) for c in cond.args]
        return None if None in parts else all(parts)
    if isinstance(cond, sp.Or):
        parts = [_holds(c) for c in cond.args]
        return None if None in parts else any(parts)
    sg = _sign(cond.lhs - cond.rhs)
    if sg is None:
        return None
    return {sp.GreaterThan: sg >= 0, sp.StrictGreaterThan: sg > 0,
            sp.LessThan: sg <= 0, sp.StrictLessThan: sg < 0}[type(cond)]


def resolve(expr: sp.Expr) -> sp.Expr:
    """Replace Max, Abs, sign and Piecewise by the branch that holds (decided exactly)."""

    def fix(node):
        if isinstance(node, sp.Max) and len(node.args) == 2:
            a, b = node.args
            sg = _sign(a - b)
            return node if sg is None else (a if sg >= 0 else b)
        if isinstance(node, sp.Abs):
            sg = _sign(node.args[0])
            return node if sg is None else node.args[0] * (1 if sg >= 0 else -1)
        if isinstance(node, sp.sign):
            sg = _sign(node.args[0])
            return node if sg is None else sp.Integer(sg)
        if isinstance(node, sp.Piecewise):
            for value, cond in node.args:
                verdict = _holds(cond)
                if verdict is None:
                    return node
                if verdict:
                    return value
        return node

    return expr.replace(lambda n: isinstance(n, (sp.Max, sp.Abs, sp.sign, sp.Piecewise)), fix)


def network(net: Net, xs: Sequence) -> sp.Expr:
    """sum_i v_i relu(W_i . x + b_i) + c, as a sympy expression (relu written as Max)."""
    pre = [sum(w * xi for w, xi in zip(row, xs)) + b for row, b in zip(net["W"], net["b"])]
    return sum(v * sp.Max(a, 0) for v, a in zip(net["v"], pre)) + net["c"]


def _breakpoints(net: Net, target_breaks: Sequence) -> list:
    pts = list(target_breaks) + [-b / row[0] for row, b in zip(net["W"], net["b"]) if row[0] != 0]
    uniq: list = []
    for p in pts:
        if all(_sign(p - q) != 0 for q in uniq):
            uniq.append(p)

    def cmp(a, b):
        sg = _sign(a - b)
        if sg is None:
            raise ValueError(f"cannot order breakpoints {a} and {b}")
        return sg

    return sorted(uniq, key=functools.cmp_to_key(cmp))


def piecewise_steps(net: Net, target: sp.Expr, target_breaks: Sequence, label: str) -> list[Step]:
    """One step per piece of the line and one per breakpoint: network equals target there."""
    pts = _breakpoints(net, target_breaks)
    pieces = [(-sp.oo, pts[0], pts[0] - _t)]
    pieces += [(a, b, (a + b * _t) / (1 + _t)) for a, b in itertools.pairwise(pts)]
    pieces += [(pts[-1], sp.oo, pts[-1] + _t)]
    f = network(net, [x_sym])
    pre = [row[0] * x_sym + bias for row, bias in zip(net["W"], net["b"])]
    steps = []
    for a, b, xt in pieces:
        active = [_sign(u.subs(x_sym, xt)) == 1 for u in pre]  # which ReLUs pass their input
        affine = sp.expand(sum((v * u for v, u, on in zip(net["v"], pre, active) if on),
                               sp.Integer(0)) + net["c"])
        units = ", ".join(str(i + 1) for i, on in enumerate(active) if on) or "none"
        steps.append(Step(
            rf"{label} on $({sp.latex(a)},{sp.latex(b)})$: active units {units}; the network is "
            r"affine there and agrees with the target",
            resolve(f.subs(x_sym, xt)), resolve(target.subs(x_sym, xt)),
            tex=rf"f(x)={sp.latex(affine)}=\mathrm{{target}}(x)\quad\text{{for}}\ "
                rf"x\in({sp.latex(a)},{sp.latex(b)})",
        ))
    for p in pts:
        steps.append(Step(
            rf"{label} at the breakpoint ${sp.latex(p)}$",
            resolve(f.subs(x_sym, p)), resolve(target.subs(x_sym, p)),
            tex=rf"f({sp.latex(p)})=\mathrm{{target}}({sp.latex(p)})",
        ))
    return steps


def derive_xnor(net: Net = XNOR) -> list[Step]:
    """All four Boolean inputs, exactly."""
    pts = [(0, 0), (0, 1), (1, 0), (1, 1)]
    return [Step(
        r"the four inputs of $\{0,1\}^2$: the network returns the XNOR truth table",
        sp.Matrix([resolve(network(net, p)) for p in pts]),
        sp.Matrix([1 if a == b else 0 for a, b in pts]),
            tex=r"\big(f(0,0),f(0,1),f(1,0),f(1,1)\big)=(1,0,0,1)",
        )]


def derive_tent(net: Net = TENT) -> list[Step]:
    """Tent function, piece by piece."""
    return piecewise_steps(net, TENT_TARGET, [0, sp.Rational(1, 2), 1], "tent")


def derive_soft(net: Net = SOFT) -> list[Step]:
    """Soft thresholding for a symbolic s > 0, piece by piece."""
    return piecewise_steps(net, SOFT_TARGET, [-s_sym, 0, s_sym], "soft threshold")


# --------------------------------------------------------------------------- numeric checks


def _torch_net(net: Net, s: float = 0.0):
    """The same weights in torch.nn layers (float64)."""
    import torch

    def num(v):
        return float(v.subs(s_sym, s)) if isinstance(v, sp.Basic) else float(v)

    W = torch.tensor([[num(w) for w in row] for row in net["W"]], dtype=torch.float64)
    hidden = torch.nn.Linear(W.shape[1], W.shape[0]).double()
    out = torch.nn.Linear(W.shape[0], 1).double()
    with torch.no_grad():
        hidden.weight.copy_(W)
        hidden.bias.copy_(torch.tensor([num(b) for b in net["b"]], dtype=torch.float64))
        out.weight.copy_(torch.tensor([[num(v) for v in net["v"]]], dtype=torch.float64))
        out.bias.fill_(num(net["c"]))
    return torch.nn.Sequential(hidden, torch.nn.ReLU(), out)


def check_xnor(net: Net = XNOR) -> Outcome:
    """torch.nn network on the four Boolean inputs."""
    import torch

    pts = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=torch.float64)
    with torch.no_grad():
        got = _torch_net(net)(pts).view(-1).numpy()
    want = (pts[:, 0] == pts[:, 1]).double().numpy()
    return Outcome(np.array_equal(got, want), f"outputs {got.tolist()} vs XNOR {want.tolist()}")


def _grid_check(net: Net, target, lo: float, hi: float, s: float = 0.0) -> Outcome:
    import torch

    xs = np.linspace(lo, hi, 6001)
    with torch.no_grad():
        got = _torch_net(net, s)(torch.from_numpy(xs).view(-1, 1)).view(-1).numpy()
    err = np.abs(got - target(xs))
    i = int(err.argmax())
    return Outcome(err[i] < 1e-12, f"largest |network - target| on {xs.size} points in "
                                    f"[{lo}, {hi}]: {err[i]:.1e} at x = {xs[i]:.4f}")


def check_tent(net: Net = TENT) -> Outcome:
    """torch.nn network against the tent on a fine grid that includes the breakpoints."""
    def tent(x):
        return np.where((x >= 0) & (x <= 0.5), 2 * x, np.where((x > 0.5) & (x <= 1), 2 - 2 * x, 0))

    return _grid_check(net, tent, -1.0, 2.0)


def check_soft(net: Net = SOFT, s: float = 0.7) -> Outcome:
    """torch.nn network against np.sign(x) * max(|x| - s, 0) for s = 0.7."""
    return _grid_check(net, lambda x: np.sign(x) * np.maximum(np.abs(x) - s, 0), -3.0, 3.0, s)


# --------------------------------------------------------------------------- claims

XNOR_CLAIM = Claim(
    id="comp499_a1.q3_xnor",
    assignment="comp499_a1",
    question="3.1",
    title="A ReLU network for XNOR",
    statement=(
        r"On $\{0,1\}^2$, $\mathrm{XNOR}(x_1,x_2)=\mathrm{ReLU}(x_1+x_2-1)+"
        r"\mathrm{ReLU}(1-x_1-x_2)$: one hidden layer with weights "
        r"$W=\begin{bmatrix}1&1\\-1&-1\end{bmatrix}$, $b=(-1,1)$, output weights $(1,1)$, "
        r"output bias $0$."
    ),
    answer=r"The first unit fires only on $(1,1)$ (AND), the second only on $(0,0)$ (NOR).",
    derivation=derive_xnor,
    check=check_xnor,
    check_text=r"The same weights in \texttt{torch.nn.Linear} layers on the four inputs.",
)

TENT_CLAIM = Claim(
    id="comp499_a1.q3_tent",
    assignment="comp499_a1",
    question="3.2",
    title="A ReLU network for the tent function",
    statement=(
        r"$2\,\mathrm{ReLU}(x)-4\,\mathrm{ReLU}(x-\tfrac12)+2\,\mathrm{ReLU}(x-1)$ equals the "
        r"tent ($2x$ on $[0,\frac12]$, $2(1-x)$ on $[\frac12,1]$, $0$ elsewhere) for every real "
        r"$x$."
    ),
    answer=(
        r"Hidden weights $(1,1,1)$, biases $(0,-\frac12,-1)$, output weights $(2,-4,2)$: the "
        r"slope changes by $+2$ at $0$, $-4$ at $\frac12$ and $+2$ at $1$."
    ),
    derivation=derive_tent,
    check=check_tent,
    check_text=r"torch network against the tent on 6001 points of $[-1,2]$.",
)

SOFT_CLAIM = Claim(
    id="comp499_a1.q3_soft_threshold",
    assignment="comp499_a1",
    question="3.3",
    title="A ReLU network for soft thresholding",
    statement=(
        r"For $s>0$, $\max(|x|-s,0)\,\mathrm{sign}(x)=\mathrm{ReLU}(x-s)-\mathrm{ReLU}(-x-s)$ "
        r"for every real $x$."
    ),
    answer=r"Hidden weights $(1,-1)$, biases $(-s,-s)$, output weights $(1,-1)$.",
    derivation=derive_soft,
    check=check_soft,
    check_text=(
        r"torch network against numpy's soft threshold ($s=0.7$) on 6001 points of $[-3,3]$."
    ),
    note=(
        r"For $s=0$ the function is the identity, $\mathrm{ReLU}(x)-\mathrm{ReLU}(-x)$. For "
        r"$s<0$ it jumps at $0$ and no ReLU network (a continuous function) computes it."
    ),
)

register(XNOR_CLAIM, TENT_CLAIM, SOFT_CLAIM)
