"""eecs182_hw7 Problem 5(b): quadratic-kernel attention and its linearised (associative) form.

The degree-2 polynomial kernel with its constant set to 1 is (q^T k + 1)^2 = phi(q)^T phi(k), so
kernel attention can sum phi(K_j) V_j^T once instead of forming the N x N similarity matrix.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register

SQRT2 = sp.sqrt(2)


def quadratic_features(x: list, sqrt2=SQRT2) -> list:
    """phi(x) for (x^T y + 1)^2: [1, sqrt2 x_i, x_i^2, sqrt2 x_i x_j (i<j)]; length (D+1)(D+2)/2."""
    D = len(x)
    return (
        [x[0] * 0 + 1]
        + [sqrt2 * xi for xi in x]
        + [xi * xi for xi in x]
        + [sqrt2 * x[i] * x[j] for i, j in itertools.combinations(range(D), 2)]
    )


FeatureFn = Callable[[list], list]


def derive_quadratic_kernel(features: FeatureFn = quadratic_features) -> list[Step]:
    """(q^T k + 1)^2 = phi(q)^T phi(k) and the reading without constant at D = 2, 3, 4; the
    feature count (symbolic D); the associativity rewrite."""
    D = 3
    fq = features(list(sp.symbols("q_1:4", real=True)))
    Dg = sp.Symbol("D", positive=True, integer=True)
    # attention rewrite with N = 2 keys, feature width 3, value width 2
    pq = sp.Matrix(sp.symbols("p_1:4", real=True))
    pk = [sp.Matrix(sp.symbols(f"r{j}_1:4", real=True)) for j in (1, 2)]
    v = [sp.Matrix(sp.symbols(f"v{j}_1:3", real=True)) for j in (1, 2)]
    num6 = sum(((pq.T * pk[j])[0] * v[j] for j in range(2)), sp.zeros(2, 1))
    den6 = sum((pq.T * pk[j])[0] for j in range(2))
    S = sum((pk[j] * v[j].T for j in range(2)), sp.zeros(3, 2))  # (C, M)
    z = sum(pk, sp.zeros(3, 1))  # (C, 1)
    return [
        *[step for d in (2, 3, 4) for step in _kernel_steps(features, d)],
        Step(
            r"number of features: $1+D+D+\binom D2$; at $D=3$ that is",
            sp.Integer(len(fq)),
            ((Dg + 1) * (Dg + 2) / 2).subs(Dg, D),
            tex=r"\dim\phi=10=\tfrac{(D+1)(D+2)}{2}\big|_{D=3}",
        ),
        Step(
            r"in general",
            1 + Dg + Dg + Dg * (Dg - 1) / 2,
            (Dg + 1) * (Dg + 2) / 2,
            tex=r"1+D+D+\tfrac{D(D-1)}{2}=\tfrac{(D+1)(D+2)}{2}",
        ),
        Step(
            r"kernel attention regrouped by associativity (checked with $N=2$ keys, 3 features, "
            r"$M=2$): numerator "
            r"$\sum_j\phi(Q_i)^\top\phi(K_j)V_j=\phi(Q_i)^\top\sum_j\phi(K_j)V_j^\top$",
            num6,
            (pq.T * S).T,
            tex=r"\sum_j\phi(Q_i)^\top\phi(K_j)\,V_j=\Big(\phi(Q_i)^\top\sum_j\phi(K_j)"
                r"V_j^\top\Big)^\top",
        ),
        Step(
            r"and denominator $\sum_j\phi(Q_i)^\top\phi(K_j)=\phi(Q_i)^\top\sum_j\phi(K_j)$",
            den6,
            (pq.T * z)[0],
            tex=r"\sum_j\phi(Q_i)^\top\phi(K_j)=\phi(Q_i)^\top\sum_j\phi(K_j)",
        ),
    ]


def homogeneous_features(x: list) -> list:
    """phi_0(x) for (x^T y)^2, the reading without the constant term: [x_i^2, sqrt2 x_i x_j]."""
    pairs = itertools.combinations(range(len(x)), 2)
    return [xi * xi for xi in x] + [SQRT2 * x[i] * x[j] for i, j in pairs]


def _kernel_steps(features: FeatureFn, d: int) -> list[Step]:
    """(q^T k + 1)^2 = phi(q)^T phi(k), and the reading without constant, at dimension d."""
    q = sp.Matrix(sp.symbols(f"q_1:{d + 1}", real=True))
    k = sp.Matrix(sp.symbols(f"k_1:{d + 1}", real=True))
    dot = (q.T * k)[0]

    def inner(phi: FeatureFn) -> sp.Expr:
        return (sp.Matrix(phi(list(q))).T * sp.Matrix(phi(list(k))))[0]

    return [
        Step(rf"$D={d}$: the polynomial kernel of degree 2 with constant 1 is the inner product "
             r"of the feature vectors", (dot + 1) ** 2, inner(features),
             tex=r"(q^\top k+1)^2=\phi(q)^\top\phi(k)"),
        Step(r"the reading without the constant term, $(q^\top k)^2$, is the inner product of "
             r"$\phi_0(x)=(x_i^2,\sqrt2x_ix_j)_{i<j}$, $D(D+1)/2$ features (also accepted)",
             dot**2, inner(homogeneous_features),
             tex=r"(q^\top k)^2=\phi_0(q)^\top\phi_0(k)"),
    ]


def _features_torch(x, sqrt2: float = float(np.sqrt(2))):
    """Row-wise quadratic features. x: (N, D) -> (N, (D+1)(D+2)/2)."""
    import torch

    n, d = x.shape
    iu, ju = torch.triu_indices(d, d, offset=1)
    outer = x[:, :, None] * x[:, None, :]  # (N, D, D)
    ones = torch.ones(n, 1, dtype=x.dtype)
    return torch.cat([ones, sqrt2 * x, x * x, sqrt2 * outer[:, iu, ju]], dim=1)


def linear_attention(Q, K, V, feature_fn=_features_torch):
    """Kernelised attention with associativity. Q, K: (N, D), V: (N, M) -> (N, M)."""
    import torch

    fq, fk = feature_fn(Q), feature_fn(K)  # (N, C)
    S = fk.T @ V  # (C, M)
    z = fk.T @ torch.ones(K.shape[0], 1, dtype=K.dtype)  # (C, 1)
    return (fq @ S) / (fq @ z)  # (N, M)


def softmax_attention(Q, K, V):
    """softmax(Q K^T) V, row-wise. Q, K: (N, D), V: (N, M) -> (N, M)."""
    import torch

    return torch.softmax(Q @ K.T, dim=1) @ V


def check_quadratic_kernel(features: FeatureFn = quadratic_features, *, seed: int = 0) -> Outcome:
    """(q.k + 1)^2 vs phi(q).phi(k) in torch (D = 16), and the associative form of kernel
    attention vs the direct N x N similarity form."""
    import torch

    g = torch.Generator().manual_seed(seed)

    def numeric(dim: int):  # the claimed map, evaluated with floats
        z = sp.symbols(f"z_1:{dim + 1}", real=True)
        f = sp.lambdify([z], features(list(z)), "numpy")
        return lambda v: np.array(f(list(v)), dtype=float)

    phi16, phi4 = numeric(16), numeric(4)
    q = torch.randn(16, generator=g, dtype=torch.float64)
    k = torch.randn(16, generator=g, dtype=torch.float64)
    kern = ((q @ k + 1) ** 2).item()
    feat = float(phi16(q.numpy()) @ phi16(k.numpy()))
    Q, K = torch.randn(2, 50, 4, generator=g, dtype=torch.float64)
    V = torch.randn(50, 5, generator=g, dtype=torch.float64)
    sim = (Q @ K.T + 1) ** 2  # (N, N)
    direct = (sim @ V) / sim.sum(1, keepdim=True)

    def rows(x):
        return torch.tensor(np.stack([phi4(r) for r in x.numpy()]), dtype=torch.float64)

    fast = linear_attention(Q, K, V, rows)
    err = (fast - direct).abs().max().item()
    ok = abs(kern - feat) <= 1e-9 * abs(kern) and err < 1e-10
    return Outcome(ok, f"kernel {kern:.6f} vs features {feat:.6f}; attention forms differ by "
                       f"{err:.1e}")


QUADRATIC_KERNEL = Claim(
    id="eecs182_hw7.p5b_quadratic_kernel",
    assignment="eecs182_hw7",
    question="5(b)",
    title="Quadratic kernel attention and its feature map",
    statement=(
        r"With constants set to 1, $\mathrm{sim}(q,k)=(q^\top k+1)^2=\phi(q)^\top\phi(k)$ for "
        r"$\phi(x)=\big(1,\sqrt2x_1,\dots,\sqrt2x_D,x_1^2,\dots,x_D^2,\sqrt2x_ix_j\,(i<j)\big)$, "
        r"a vector of length $(D+1)(D+2)/2$; kernel attention becomes "
        r"$V'_i=\phi(Q_i)^\top\sum_j\phi(K_j)V_j^\top\big/\phi(Q_i)^\top\sum_j\phi(K_j)$."
    ),
    answer=r"$\mathrm{sim}(q,k)=(q^\top k+1)^2$ with the feature map $\phi$ above.",
    note=(
        r"``Any constant factor is set to 1'' is read as $c=1$ in $(q^\top k+c)^2$. The reading "
        r"without the constant term, $\mathrm{sim}=(q^\top k)^2$ with "
        r"$\phi_0(x)=(x_i^2,\sqrt2x_ix_j)_{i<j}$ ($D(D+1)/2$ features), is proved too and earns "
        r"the same credit; both similarities are non-negative, as 5(a) asks. A feature map is "
        r"right up to the order and signs of its entries (and splitting $\sqrt2x_ix_j$ into "
        r"$x_ix_j,x_jx_i$): the answer checker compares $\phi(q)^\top\phi(k)$. Proved at "
        r"$D=2,3,4$."
    ),
    derivation=derive_quadratic_kernel,
    check=check_quadratic_kernel,
    check_text=(
        r"Random $q,k\in\mathbb R^{16}$: kernel and feature inner product agree to "
        r"$10^{-9}$ relative; the associative form of kernel attention matches the form with "
        r"the full $N\times N$ similarity matrix ($N=50$) to $10^{-10}$. Dropping the "
        r"$\sqrt2$ factors fails."
    ),
)

register(QUADRATIC_KERNEL)
