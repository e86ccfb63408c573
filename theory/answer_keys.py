"""Expected answers of the templates' answer cells: one source for the grader and the solution.

An answer cell (metadata ``{"dlgrade": {"answer": "<question id>"}}``) asks for a closed form or
a choice typed as a string. Its key here holds the expected text in the answer checker's syntax,
the names the student may use, the other readings of the handout that are equally right, and
the theory claim that proves the value. ``graders.answer_cells.grade_key`` grades a cell with
it, and ``dlgrade solve`` writes ``expected`` into the solution notebook's cell. Importing this
module imports nothing heavy (the grader process stays light).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["AnswerKey", "KEYS", "key_for", "solution_text"]

_POS_INT = {"positive": True, "integer": True}


@dataclass(frozen=True)
class AnswerKey:
    """The expected answer of one answer cell.

    assignment, question: the grader's ids. expected: the answer in the checker's syntax (for a
    choice: the right option). symbols: names allowed, with sympy assumptions or matrix shapes
    (see ``theory.answers.AnswerChecker.check``). alternatives: other expected answers that are
    equally right. choices: the options of a choice question (empty for a closed form).
    claim: the theory claim whose derivation proves ``expected``.
    """

    assignment: str
    question: str
    expected: str
    symbols: Mapping | None = None
    alternatives: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    tolerance: float | None = None
    symmetry: Mapping | None = None
    claim: str = ""
    select_all: bool = False  # expected lists the right options of a select-all, comma-separated


_PRIMAL = "(K*D + (L - 1)*K^2 + P*K)"  # the primal pass: one matrix-vector product per layer

KEYS = (
    AnswerKey(
        "csci5527_hw3", "p2a_value", "[4, 14, 27, 33, 27, 27]",
        claim="csci5527_hw3.p2a_example_and_reversal",
    ),
    AnswerKey(
        "comp499_a1", "q2e_counts",
        f"[(1 + D)*{_PRIMAL}, (1 + P)*{_PRIMAL}]",
        symbols={n: _POS_INT for n in "DKPL"},
        # the same counts without the primal pass, and/or without the products by the identity
        # seed (W_1, resp. W_F, is then the first tangent, resp. cotangent)
        alternatives=(
            f"[D*{_PRIMAL}, P*{_PRIMAL}]",
            f"[(1 + D)*{_PRIMAL} - K*D^2, (1 + P)*{_PRIMAL} - P^2*K]",
            f"[D*{_PRIMAL} - K*D^2, P*{_PRIMAL} - P^2*K]",
        ),
        claim="comp499_a1.q2e_jacobian_cost",
    ),
    AnswerKey(
        "comp499_a1", "q5a_minimizer", "(X^T X)^(-1) X^T y",
        symbols={"X": {"shape": ["N", "D"]}, "y": {"shape": ["N", 1]},
                 "D": {"dimension": True}, "N": {"dimension": True, "at_least": "D"}},
        claim="comp499_a1.q5_least_squares",
    ),
)

_EECS = "eecs182_hw7"
_EECS_SYMBOLS = {"d": {"positive": True, "integer": True}, "mu": {"real": True},
                 "sigma": {"positive": True}}
KEYS += (
    AnswerKey(_EECS, "q2a_i", "2", choices=("0", "1", "2", "3")),
    AnswerKey(_EECS, "q2a_ii", "nn.MSELoss", alternatives=("MSELoss",),
              choices=("nn.L1Loss", "nn.MSELoss", "nn.CrossEntropyLoss", "L1Loss", "MSELoss",
                       "CrossEntropyLoss")),
    AnswerKey(_EECS, "q2a_iii", "Weight Decay, SGD optimizer", select_all=True,
              choices=("Weight Decay", "Dropout", "Layer Norm", "Batch Norm", "SGD optimizer")),
    # the template reads mu as the mean of every component (the handout's words); with a mean
    # vector the same value is ||mu||^2
    AnswerKey(_EECS, "q3a", "d*mu^2", symbols=_EECS_SYMBOLS,
              claim="eecs182_hw7.p3_scaled_dot_product"),
    AnswerKey(_EECS, "q3b", "d", symbols=_EECS_SYMBOLS,
              claim="eecs182_hw7.p3_scaled_dot_product"),
    # the template scales as s * q^T k
    AnswerKey(_EECS, "q3c", "1/sqrt(d)", symbols=_EECS_SYMBOLS,
              claim="eecs182_hw7.p3_scaled_dot_product"),
    AnswerKey(_EECS, "q5b_i", "(qk + 1)^2", symbols={"qk": {"real": True}},
              claim="eecs182_hw7.p5b_quadratic_kernel"),
    AnswerKey(_EECS, "q6b_answer", "batchnorm", choices=("batchnorm", "layernorm")),
)


def key_for(assignment: str, question: str) -> AnswerKey:
    """The key of one answer cell; KeyError naming the question when there is none."""
    for key in KEYS:
        if (key.assignment, key.question) == (assignment, question):
            return key
    raise KeyError(f"no answer key for {assignment}.{question}")


def solution_text(assignment: str, question: str) -> str | None:
    """What the solution notebook types in the answer cell of ``question`` (None: no key)."""
    try:
        return key_for(assignment, question).expected
    except KeyError:
        return None
