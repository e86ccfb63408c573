"""cmu10605_hw5 Section 1.1: backpropagation through a two-layer ReLU network with squared loss.

The twelve partial derivatives of q = W1 x + b1, h = ReLU(q), p = W2 h + b2,
L = (p - y)^T (p - y), each written with the Kronecker delta and the ReLU indicator 1[q > 0]
(sympy writes it Heaviside(q); at q = 0 the derivative does not exist and any value in [0, 1] is a
valid subgradient). Section 1.2 (L hidden layers) is in cmu10605_backprop_recurrence and
cmu10605_backprop_op_counts.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register


def kdelta(i: int, j: int) -> int:
    """Kronecker delta."""
    return 1 if i == j else 0


@dataclass
class Env:
    """Values of one network evaluation: sympy expressions or numpy arrays.

    x: (D,), W1: (H1, D), b1, q, h: (H1,), W2: (H2, H1), b2, p, y: (H2,); step(q) is 1[q > 0].
    """

    x: object
    W1: object
    b1: object
    q: object
    h: object
    W2: object
    b2: object
    p: object
    y: object
    step: Callable
    terms: dict

    def g(self, name: str, *idx: int):
        """Evaluate another term of the same table (so a wrong term propagates, as in backprop)."""
        return self.terms[name](self, *idx)

    @property
    def sizes(self) -> tuple[int, int, int]:
        return len(self.x), len(self.q), len(self.p)


def _dl_dh(e: Env, i: int):
    return sum(e.g("dL/dp_j", j) * e.g("dp_i/dh_j", j, i) for j in range(e.sizes[2]))


TERMS: dict[str, Callable] = {
    "dL/dp_j": lambda e, j: 2 * (e.p[j] - e.y[j]),
    "dp_i/dW2_jk": lambda e, i, j, k: kdelta(i, j) * e.h[k],
    "dL/dW2_ik": lambda e, i, k: e.g("dL/dp_j", i) * e.h[k],
    "dL/db2_i": lambda e, i: e.g("dL/dp_j", i),
    "dp_i/dh_j": lambda e, i, j: e.W2[i, j],
    "dh_j/dq_i": lambda e, j, i: kdelta(i, j) * e.step(e.q[i]),
    "dL/dh_i": _dl_dh,
    "dL/dq_i": lambda e, i: e.g("dL/dh_i", i) * e.step(e.q[i]),
    "dq_i/dW1_jk": lambda e, i, j, k: kdelta(i, j) * e.x[k],
    "dq_i/db1_j": lambda e, i, j: kdelta(i, j),
    "dL/dW1_jk": lambda e, j, k: e.g("dL/dq_i", j) * e.x[k],
    "dL/db1_i": lambda e, i: e.g("dL/dq_i", i),
}

TERM_TEX = {
    "dL/dp_j": r"\frac{\partial L}{\partial p_j}=2(p_j-y_j)",
    "dp_i/dW2_jk": r"\frac{\partial p_i}{\partial W^{(2)}_{j,k}}=\delta_{ij}h_k"
    r"\quad(\text{so }\partial p_i/\partial W^{(2)}_{i,k}=h_k)",
    "dL/dW2_ik": r"\frac{\partial L}{\partial W^{(2)}_{i,k}}=2(p_i-y_i)\,h_k",
    "dL/db2_i": r"\frac{\partial L}{\partial b^{(2)}_i}=2(p_i-y_i)",
    "dp_i/dh_j": r"\frac{\partial p_i}{\partial h_j}=W^{(2)}_{i,j}",
    "dh_j/dq_i": r"\frac{\partial h_j}{\partial q_i}=\delta_{ij}\,\mathbb 1[q_i>0]",
    "dL/dh_i": r"\frac{\partial L}{\partial h_i}=\sum_j 2(p_j-y_j)\,W^{(2)}_{j,i}",
    "dL/dq_i": r"\frac{\partial L}{\partial q_i}=\mathbb 1[q_i>0]\sum_j 2(p_j-y_j)\,W^{(2)}_{j,i}",
    "dq_i/dW1_jk": r"\frac{\partial q_i}{\partial W^{(1)}_{j,k}}=\delta_{ij}x_k",
    "dq_i/db1_j": r"\frac{\partial q_i}{\partial b^{(1)}_j}=\delta_{ij}",
    "dL/dW1_jk": r"\frac{\partial L}{\partial W^{(1)}_{j,k}}=\frac{\partial L}{\partial q_j}\,x_k",
    "dL/db1_i": r"\frac{\partial L}{\partial b^{(1)}_i}=\frac{\partial L}{\partial q_i}",
}


def _index_ranges(name: str, D: int, H1: int, H2: int) -> list[range]:
    return {
        "dL/dp_j": [range(H2)],
        "dp_i/dW2_jk": [range(H2), range(H2), range(H1)],
        "dL/dW2_ik": [range(H2), range(H1)],
        "dL/db2_i": [range(H2)],
        "dp_i/dh_j": [range(H2), range(H1)],
        "dh_j/dq_i": [range(H1), range(H1)],
        "dL/dh_i": [range(H1)],
        "dL/dq_i": [range(H1)],
        "dq_i/dW1_jk": [range(H1), range(H1), range(D)],
        "dq_i/db1_j": [range(H1), range(H1)],
        "dL/dW1_jk": [range(H1), range(D)],
        "dL/db1_i": [range(H1)],
    }[name]


def _all(name: str, env: Env) -> list:
    return [env.g(name, *idx) for idx in itertools.product(*_index_ranges(name, *env.sizes))]


def _relu(v):
    return sp.Max(v, 0)


def derive_twelve_terms(terms: dict[str, Callable] | None = None) -> list[Step]:
    """Each of the twelve terms against sympy's own derivative, at (D, H1, H2) = (2, 3, 2) and
    (3, 2, 1)."""
    terms = {**TERMS, **(terms or {})}
    return _twelve_term_steps(terms, 2, 3, 2) + _twelve_term_steps(terms, 3, 2, 1)


def _twelve_term_steps(terms: dict[str, Callable], D: int, H1: int, H2: int) -> list[Step]:
    def vec(name: str, size: int) -> sp.Matrix:
        return sp.Matrix(sp.symbols(f"{name}_1:{size + 1}", real=True))

    x, b1, b2, y = vec("x", D), vec("b1", H1), vec("b2", H2), vec("y", H2)
    W1 = sp.Matrix(H1, D, lambda i, j: sp.Symbol(f"W1_{i + 1}{j + 1}", real=True))
    W2 = sp.Matrix(H2, H1, lambda i, j: sp.Symbol(f"W2_{i + 1}{j + 1}", real=True))
    qf, hf, pf = vec("q", H1), vec("h", H1), vec("p", H2)  # q, h, p as free variables

    def loss(p):
        return ((p - y).T * (p - y))[0]

    def env(q, h, p) -> Env:
        return Env(x, W1, b1, q, h, W2, b2, p, y, sp.Heaviside, terms)

    q_full = W1 * x + b1
    h_full = q_full.applyfunc(_relu)
    p_full = W2 * h_full + b2
    full = env(q_full, h_full, p_full)
    h_of_q = qf.applyfunc(_relu)
    routes = {  # term -> (function of the differentiated variables, variables, environment)
        "dL/dp_j": (lambda j: loss(pf).diff(pf[j]), env(qf, hf, pf)),
        "dp_i/dW2_jk": (lambda i, j, k: (W2 * hf + b2)[i].diff(W2[j, k]), env(qf, hf, pf)),
        "dL/dW2_ik": (lambda i, k: loss(p_full).diff(W2[i, k]), full),
        "dL/db2_i": (lambda i: loss(p_full).diff(b2[i]), full),
        "dp_i/dh_j": (lambda i, j: (W2 * hf + b2)[i].diff(hf[j]), env(qf, hf, pf)),
        "dh_j/dq_i": (lambda j, i: _relu(qf[j]).diff(qf[i]), env(qf, hf, pf)),
        "dL/dh_i": (lambda i: loss(W2 * hf + b2).diff(hf[i]), env(qf, hf, W2 * hf + b2)),
        "dL/dq_i": (
            lambda i: loss(W2 * h_of_q + b2).diff(qf[i]),
            env(qf, h_of_q, W2 * h_of_q + b2),
        ),
        "dq_i/dW1_jk": (lambda i, j, k: q_full[i].diff(W1[j, k]), full),
        "dq_i/db1_j": (lambda i, j: q_full[i].diff(b1[j]), full),
        "dL/dW1_jk": (lambda j, k: loss(p_full).diff(W1[j, k]), full),
        "dL/db1_i": (lambda i: loss(p_full).diff(b1[i]), full),
    }
    steps = []
    for name, (autodiff, e) in routes.items():
        idx = list(itertools.product(*_index_ranges(name, D, H1, H2)))
        label = name.replace("_", r"\_")
        steps.append(
            Step(
                f"$D={D}$, $H^{{(1)}}={H1}$, $H^{{(2)}}={H2}$: term ${label}$ for all indices, "
                "against sympy's derivative",
                sp.Matrix([autodiff(*i) for i in idx]),
                sp.Matrix([e.g(name, *i) for i in idx]),
                tex=TERM_TEX[name],
            )
        )
    return steps


def check_twelve_terms(terms: dict[str, Callable] | None = None, *, seed: int = 0) -> Outcome:
    """All twelve terms against torch autograd (D = 5, H1 = 4, H2 = 3): gradients of L via
    retain_grad and local Jacobians via torch.autograd.functional.jacobian."""
    import torch
    from torch.autograd.functional import jacobian

    terms = {**TERMS, **(terms or {})}
    D, H1, H2 = 5, 4, 3
    g = torch.Generator().manual_seed(seed)

    def rnd(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    x, y = rnd(D), rnd(H2)
    W1, b1, W2, b2 = (t.requires_grad_(True) for t in (rnd(H1, D), rnd(H1), rnd(H2, H1), rnd(H2)))
    q = W1 @ x + b1
    h = torch.relu(q)
    p = W2 @ h + b2
    for t in (q, h, p):
        t.retain_grad()
    ((p - y) @ (p - y)).backward()
    named = {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "q": q, "h": h, "p": p}
    det = {k: v.detach() for k, v in named.items()}
    torch_side = {
        "dL/dp_j": p.grad,
        "dp_i/dW2_jk": jacobian(lambda w: w @ det["h"] + det["b2"], det["W2"]),
        "dL/dW2_ik": W2.grad,
        "dL/db2_i": b2.grad,
        "dp_i/dh_j": jacobian(lambda v: det["W2"] @ v + det["b2"], det["h"]),
        "dh_j/dq_i": jacobian(torch.relu, det["q"]),
        "dL/dh_i": h.grad,
        "dL/dq_i": q.grad,
        "dq_i/dW1_jk": jacobian(lambda w: w @ x + det["b1"], det["W1"]),
        "dq_i/db1_j": jacobian(lambda b: det["W1"] @ x + b, det["b1"]),
        "dL/dW1_jk": W1.grad,
        "dL/db1_i": b1.grad,
    }
    n = {k: v.numpy() for k, v in det.items()}
    env = Env(x.numpy(), n["W1"], n["b1"], n["q"], n["h"], n["W2"], n["b2"], n["p"], y.numpy(),
              lambda v: float(v > 0), terms)
    worst, where = 0.0, ""
    for name, ref in torch_side.items():
        mine = np.array(_all(name, env), dtype=float)
        err = float(np.abs(mine - ref.numpy().ravel()).max())
        if err > worst:
            worst, where = err, name
    return Outcome(worst < 1e-12, f"largest |formula - autograd| {worst:.1e}"
                   + (f" in {where}" if where else ""))


TWELVE = Claim(
    id="cmu10605_hw5.s1_1_twelve_terms",
    assignment="cmu10605_hw5",
    question="1.1(a)-(c)",
    title="The twelve backpropagation terms of the two-layer ReLU network",
    statement=(
        r"For $q=W^{(1)}x+b^{(1)}$, $h=\max(q,0)$, $p=W^{(2)}h+b^{(2)}$, "
        r"$L=(p-y)^\top(p-y)$: "
        + "; ".join(f"${TERM_TEX[k]}$" for k in TERMS)
        + "."
    ),
    answer=r"As stated; $\mathbb 1[q_i>0]$ is the ReLU derivative (a subgradient at $q_i=0$).",
    derivation=derive_twelve_terms,
    check=check_twelve_terms,
    check_text=(
        r"$D=5$, $H^{(1)}=4$, $H^{(2)}=3$: every entry of every term against torch autograd "
        r"(\texttt{retain\_grad} for $\partial L/\partial p,h,q$; "
        r"\texttt{autograd.functional.jacobian} for the local derivatives), to $10^{-12}$."
    ),
    note=(r"Symbolic check at $(D,H^{(1)},H^{(2)})=(2,3,2)$ and $(3,2,1)$ over all index "
          r"combinations; the numeric check uses $D=5$, $H^{(1)}=4$, $H^{(2)}=3$."),
)

register(TWELVE)
