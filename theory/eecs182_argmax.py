"""eecs182_hw7 Problem 4(a): argmax attention on the package's own example.

The handout's keys and values were lost in extraction (only the query q = (1, 1, 2) survives), so
the package states its own: four keys and four values in R^3. Argmax attention scores every key
by q^T k_i, replaces softmax by the one-hot vector of the largest score, and returns the value of
that key. Proved exactly at these numbers; checked against softmax attention at a vanishing
temperature in torch.
"""

from __future__ import annotations

import sympy as sp

from theory.algebra import Step
from theory.claims import Claim, Outcome, register

QUERY = sp.Matrix([1, 1, 2])
KEYS = sp.Matrix([[1, 2, 0], [3, 4, 5], [0, 0, 1], [-1, 0, 3]])  # (4, 3): one key per row
VALUES = sp.Matrix([[2, 0, 1], [1, 4, 3], [0, 3, 4], [1, 0, 1]])  # (4, 3): one value per row
OUTPUT = sp.Matrix([1, 4, 3])


def derive_argmax_example(output: sp.Matrix = OUTPUT) -> list[Step]:
    """Scores, the one-hot weights, and the output as V^T times the weights."""
    scores = KEYS * QUERY  # (4, 1)
    best = max(range(KEYS.rows), key=lambda i: scores[i])
    onehot = sp.Matrix([int(i == best) for i in range(KEYS.rows)])
    return [
        Step(r"scores $s_i=q^\top k_i$ for the four keys", scores, sp.Matrix([3, 17, 2, 5]),
             tex=r"Kq=(3,17,2,5)^\top"),
        Step(r"the largest score is the second (17 against 5, 3, 2): argmax gives the one-hot "
             r"weights $e_2$", onehot, sp.Matrix([0, 1, 0, 0]),
             tex=r"\mathrm{argmax}(3,17,2,5)=(0,1,0,0)"),
        Step(r"the output is $V^\top e_2$, the second value", VALUES.T * onehot, output,
             tex=r"V^\top e_2=v_2=(1,4,3)^\top"),
    ]


def check_argmax_example(output: sp.Matrix = OUTPUT) -> Outcome:
    """Softmax attention with temperature 1e-3 in torch tends to the argmax output."""
    import torch

    q = torch.tensor([float(v) for v in QUERY], dtype=torch.float64)
    K = torch.tensor(KEYS.tolist(), dtype=torch.float64)
    V = torch.tensor(VALUES.tolist(), dtype=torch.float64)
    weights = torch.softmax(K @ q / 1e-3, dim=0)  # (4,)
    got = weights @ V
    want = torch.tensor([float(v) for v in output], dtype=torch.float64)
    err = float((got - want).abs().max())
    return Outcome(err < 1e-9, f"softmax attention at temperature 1e-3: max |diff| {err:.1e}")


ARGMAX = Claim(
    id="eecs182_hw7.p4a_argmax_example",
    assignment="eecs182_hw7",
    question="4(a)",
    title="Argmax attention on the package's example",
    statement=(
        r"Keys $k_1=(1,2,0)$, $k_2=(3,4,5)$, $k_3=(0,0,1)$, $k_4=(-1,0,3)$, values "
        r"$v_1=(2,0,1)$, $v_2=(1,4,3)$, $v_3=(0,3,4)$, $v_4=(1,0,1)$ and query $q=(1,1,2)$: "
        r"the scores are $(3,17,2,5)$, argmax selects the second key, and the output is "
        r"$v_2=(1,4,3)$."
    ),
    answer=r"$(1,4,3)^\top$: the value of the key with the largest $q^\top k_i$.",
    derivation=derive_argmax_example,
    check=check_argmax_example,
    check_text=r"Softmax attention in torch at temperature $10^{-3}$ gives the same output.",
    note=(
        r"The handout's keys and values were lost in extraction; only $q=(1,1,2)$ survives. "
        r"For the handout's own numbers the rule is the same: the value of the best-scoring key "
        r"(with a tie, the mean of the tied values, or either one, by convention)."
    ),
)

register(ARGMAX)
