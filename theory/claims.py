"""Registry of the theory claims: each one a statement, a checked derivation and a numeric check.

A derivation module builds its :class:`Claim` objects and hands them to :func:`register` at import
time; :func:`all_claims` imports every module listed in ``MODULES`` and returns the claims in a
stable order (assignment, then question, then registration order).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field

from theory.algebra import ProofResult, Step, prove

__all__ = [
    "ASSIGNMENTS",
    "Claim",
    "Outcome",
    "all_claims",
    "claims_for",
    "clear_cache",
    "get",
    "register",
]

ASSIGNMENTS = ("cs229br_hw0", "eecs182_hw7", "csci5527_hw3", "cmu10605_hw5", "comp499_a1")

MODULES = (
    "theory.cs229br_finite_class",
    "theory.cs229br_gaussian_labels",
    "theory.cs229br_bernstein",
    "theory.cs229br_sgd_expected_gradient",
    "theory.cs229br_sgd_min_norm",
    "theory.eecs182_autoencoder_pca",
    "theory.eecs182_autoencoder_weight_decay",
    "theory.eecs182_dot_product",
    "theory.eecs182_kernel_attention",
    "theory.eecs182_attention_cost",
    "theory.eecs182_argmax",
    "theory.csci5527_xcorr",
    "theory.cmu10605_backprop_terms",
    "theory.cmu10605_backprop_recurrence",
    "theory.cmu10605_backprop_op_counts",
    "theory.comp499_gradients",
    "theory.comp499_jacobian_cost",
    "theory.comp499_networks",
    "theory.comp499_least_squares",
)


@dataclass(frozen=True)
class Outcome:
    """Result of a numeric cross-check: ``ok`` plus one line saying what was compared."""

    ok: bool
    detail: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "ok", bool(self.ok))  # numpy / torch booleans become bool

    def __bool__(self) -> bool:
        return self.ok


@dataclass(frozen=True)
class Claim:
    """One answer of a handout part, with its proof and its numeric cross-check.

    id: ``assignment.short_name``; question: the handout's label (``"Q1.2"``); statement and
    answer: LaTeX (text mode, math in ``$...$``); derivation: builds the checked steps;
    check: runs the numeric cross-check (autograd, Monte Carlo or the algorithm itself).
    """

    id: str
    assignment: str
    question: str
    title: str
    statement: str
    answer: str
    derivation: Callable[[], list[Step]]
    check: Callable[[], Outcome]
    check_text: str
    note: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.assignment not in ASSIGNMENTS:
            raise ValueError(f"Invalid assignment {self.assignment!r} for claim {self.id!r}")
        if not self.id.startswith(self.assignment + "."):
            raise ValueError(f"Claim id {self.id!r} must start with {self.assignment!r}.")

    def steps(self) -> list[Step]:
        """The derivation's steps, built once per process (building can cost seconds)."""
        if self.id not in _STEPS:
            _STEPS[self.id] = self.derivation()
        return _STEPS[self.id]

    def prove(self) -> ProofResult:
        """Check the derivation symbolically; falsy with the failing step when a step is wrong."""
        if self.id not in _PROOFS:
            _PROOFS[self.id] = prove(self.steps())
        return _PROOFS[self.id]


_REGISTRY: dict[str, Claim] = {}
_STEPS: dict[str, list[Step]] = {}
_PROOFS: dict[str, ProofResult] = {}


def clear_cache() -> None:
    """Forget built steps and proof results (the next prove() re-derives everything)."""
    _STEPS.clear()
    _PROOFS.clear()


def register(*claims: Claim) -> None:
    """Add claims to the registry; registering a different claim under a taken id is an error."""
    for claim in claims:
        old = _REGISTRY.get(claim.id)
        if old is not None and old is not claim:
            raise ValueError(f"Duplicate claim id {claim.id!r}")
        _REGISTRY[claim.id] = claim


def all_claims() -> list[Claim]:
    """Every registered claim, ordered by assignment (handout order), question, registration."""
    for name in MODULES:
        importlib.import_module(name)
    order = {a: i for i, a in enumerate(ASSIGNMENTS)}
    indexed = list(enumerate(_REGISTRY.values()))
    indexed.sort(key=lambda p: (order[p[1].assignment], p[0]))
    return [c for _, c in indexed]


def claims_for(assignment: str) -> list[Claim]:
    """The claims of one assignment; an unknown assignment raises ``KeyError`` naming the valid
    ones."""
    if assignment not in ASSIGNMENTS:
        valid = ", ".join(ASSIGNMENTS)
        raise KeyError(f"Unknown assignment {assignment!r}; expected one of {valid}")
    return [c for c in all_claims() if c.assignment == assignment]


def get(claim_id: str) -> Claim:
    """Look a claim up by id."""
    all_claims()
    try:
        return _REGISTRY[claim_id]
    except KeyError:
        raise KeyError(f"Unknown claim {claim_id!r}") from None
