"""Coverage of the handouts' written questions: every question has an entry, every entry answers
a question, explanations have key points, and the listings and the rubric show them."""

from __future__ import annotations

import re

import pytest

from graders import cli as dlgrade_cli
from theory import cli
from theory.answer_keys import key_for
from theory.claims import ASSIGNMENTS, all_claims, get
from theory.latex import render, structure_problems
from theory.written import explanations, written_questions


def _referenced() -> set[str]:
    return {ref for q in written_questions() for ref in q.answered_by}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_handout_has_written_questions(assignment):
    assert written_questions(assignment)


def test_every_claim_and_explanation_answers_a_written_question():
    refs = _referenced()
    assert {c.id for c in all_claims()} <= refs
    assert {e.id for e in explanations()} <= refs


def test_every_reference_resolves_within_its_assignment():
    by_id = {e.id: e for e in explanations()}
    for q in written_questions():
        for ref in q.answered_by:
            if ref.startswith("answer:"):
                assert key_for(q.assignment, ref.split(":", 1)[1])
            elif ref in by_id:
                assert by_id[ref].assignment == q.assignment
            else:
                assert get(ref).assignment == q.assignment, ref


def test_explanations_have_an_answer_and_key_points():
    for entry in explanations():
        assert len(entry.answer) > 40 and entry.key_points, entry.id
        assert all(len(p) > 10 for p in entry.key_points), entry.id


def test_the_written_points_match_the_handouts_totals():
    cmu = [q for q in written_questions("cmu10605_hw5") if q.points]
    assert sum(float(q.points) for q in cmu) == 50  # "Written Section [50 Points]"
    comp = {q.label: int(re.match(r"\d+", q.points).group()) for q in
            written_questions("comp499_a1")}
    assert comp["1(a)"] + comp["2(e)"] + comp["4(e)"] == 11  # the written-only parts


@pytest.mark.parametrize(("entry", "words"), [  # the list of missing answers
    ("cs229br_hw0.q2_4_better_query", ("mean", "normalized", "training")),
    ("eecs182_hw7.p5a_similarity", ("non-negative", "denominator")),
    ("eecs182_hw7.p6b_batchnorm_accumulation", ("batch norm", "layer norm")),
    ("csci5527_hw3.p2e_gradient_magnitude", ("Yes", "border")),
    ("csci5527_hw3.p3_eps", ("dividing by zero",)),
    ("comp499_a1.q4e_findings", ("Xavier", "saturates", "vanishing")),
])
def test_the_missing_answers_are_there(entry, words):
    text = next(e for e in explanations() if e.id == entry).answer
    for word in words:
        assert word.lower() in text.lower(), (entry, word)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_rubric_typesets_the_explanations(assignment):
    doc = render(assignment)
    assert structure_problems(doc) == []
    for entry in explanations(assignment):
        assert entry.id.replace("_", r"\_") in doc


def test_cli_lists_explanations_and_the_written_questions(capsys):
    assert cli.main(["--only", "q2_4"]) == 0
    out = capsys.readouterr().out
    assert "cs229br_hw0.q2_4_better_query" in out and "explanation: 3 key points" in out
    assert cli.main(["--written"]) == 0
    out = capsys.readouterr().out
    for assignment in ASSIGNMENTS:
        assert f"{assignment}: written questions" in out
    assert "answer cell q5a_minimizer" in out and "10 pt" in out


def test_dlgrade_list_shows_the_written_questions_of_all_five(capsys):
    assert dlgrade_cli.main(["list"]) == 0
    out = capsys.readouterr().out
    for assignment in ASSIGNMENTS:
        assert f"{assignment}: written questions" in out
