"""Every registered claim proves and passes its numeric check; the registry covers the handouts."""

from __future__ import annotations

import pytest

from theory.claims import ASSIGNMENTS, Claim, all_claims, claims_for, get, register

CLAIMS = all_claims()

# handout parts the brief asks for: assignment -> question labels that must have a claim
COVERAGE = {
    "cs229br_hw0": {"Q1.1", "Q1.2", "Q1.3 (1)", "Q1.3 (2)"},
    "eecs182_hw7": {"1(b)", "2(b)", "3(a)-(c)", "5(b)", "5(c), 5(d)"},
    "csci5527_hw3": {"P2(a)", "P2(b)", "P2(c)"},
    "cmu10605_hw5": {"1.1(a)-(c)", "1.2(a), (c)", "1.2(b), (d)"},
    "comp499_a1": {"1(a)", "2(e)", "3.1", "3.2", "3.3", "5(a)-(c)"},
}


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_proves(claim: Claim) -> None:
    result = claim.prove()
    assert result.ok, f"{claim.id}: step {result.steps + 1} fails: {result.failed}"
    assert result.steps >= 1


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda c: c.id)
def test_claim_numeric_check(claim: Claim) -> None:
    outcome = claim.check()
    assert outcome.ok, f"{claim.id}: {outcome.detail}"
    assert outcome.detail


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_requested_part_has_a_claim(assignment: str) -> None:
    questions = {c.question for c in claims_for(assignment)}
    assert COVERAGE[assignment] <= questions, COVERAGE[assignment] - questions


def test_claim_ids_are_unique_and_prefixed() -> None:
    ids = [c.id for c in CLAIMS]
    assert len(ids) == len(set(ids))
    for c in CLAIMS:
        assert c.id.startswith(c.assignment + ".")
        assert c.statement and c.answer and c.check_text


def test_registry_rejects_a_second_claim_under_a_taken_id() -> None:
    taken = CLAIMS[0]
    clone = Claim(**{**taken.__dict__, "title": "another"})
    with pytest.raises(ValueError, match="Duplicate claim id"):
        register(clone)


def test_claim_must_name_a_known_assignment() -> None:
    fields = {**CLAIMS[0].__dict__, "assignment": "hw99", "id": "hw99.x"}
    with pytest.raises(ValueError, match="Invalid assignment 'hw99'"):
        Claim(**fields)


def test_lookup_errors_name_the_valid_choices() -> None:
    with pytest.raises(KeyError, match="cs229br_hw0"):
        claims_for("nope")
    with pytest.raises(KeyError, match="Unknown claim"):
        get("nope.nope")
    assert get(CLAIMS[0].id) is CLAIMS[0]


def test_typo_note_on_the_confidence_level() -> None:
    note = get("cs229br_hw0.q1_1_finite_class").note
    assert "0.99" in note and "typo" in note
