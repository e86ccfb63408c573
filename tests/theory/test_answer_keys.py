"""Answer keys: each is proved by theory or checked against reference/, the solution notebook
types it, the blank template and wrong texts lose the cell's points (no kernel needed: answer
cells are read from the notebook's text)."""

from __future__ import annotations

import nbformat
import numpy as np
import pytest
import sympy as sp

from graders.answer_cells import answer_cells, grade_key
from graders.assignments import load_assignment
from graders.errors import StudentError
from graders.staff.solve import solution_notebook
from reference import least_squares, xcorr
from theory import comp499_jacobian_cost as cost
from theory.algebra import same
from theory.answer_build import build, evaluate_matrix_formula
from theory.answer_keys import KEYS, key_for
from theory.claims import get

WRONG = {  # key -> texts a student could plausibly type, each wrong
    "p2a_value": ["[27, 27, 33, 27, 14, 4]", "[4, 14, 27, 33, 27]", "[12, 26, 27, 33, 27, 27]"],
    "q2e_counts": [
        f"[(1 + P)*{cost.PRIMAL}, (1 + D)*{cost.PRIMAL}]",  # the two modes swapped
        f"[(1 + D)*{cost.PRIMAL}, P*{cost.PRIMAL}]",  # two conventions mixed
        "[D*K*L, P*K*L]",
    ],
    "q5a_minimizer": ["X^T y", "inv(X X^T) X y", "(X^T X)^(-1) y^T X", "inv(X^T X) X^T y / 2"],
    "q2a_i": ["1", "3"],
    "q2a_ii": ["nn.L1Loss", "CrossEntropyLoss"],
    "q2a_iii": ["Weight Decay", "Weight Decay, SGD optimizer, Dropout", "SGD optimizer, Adam"],
    "q3a": ["mu^2", "d*mu", "d*mu^2 + sigma^2", "0"],
    "q3b": ["d^2", "sqrt(d)", "1"],
    "q3c": ["sqrt(d)", "1/d", "d"],
    "q5b_i": ["qk^2", "qk^2 + 1", "(qk + 1)^2 / 2"],
    "q6b_answer": ["layernorm", "groupnorm"],
}


@pytest.fixture(scope="module")
def solutions():
    ids = sorted({k.assignment for k in KEYS})
    return {a: solution_notebook(load_assignment(a)) for a in ids}


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.question)
def test_every_key_has_a_question_a_cell_and_a_claim(key):
    assignment = load_assignment(key.assignment)
    question = assignment.question(key.question)
    assert question.points > 0 and not question.manual
    template = nbformat.read(assignment.template_of(
        assignment.notebook_of(question)), as_version=4)
    assert key.question in answer_cells(template)
    if key.claim:  # closed forms are proved; choices are explained in theory.written
        assert get(key.claim).prove()
    else:
        assert key.choices, key  # a choice or a selection


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.question)
def test_the_solution_types_the_key_and_earns_the_points(key, solutions):
    nb = solutions[key.assignment]
    assert key.expected in answer_cells(nb)[key.question]
    grade_key(nb, key, seed=1)


@pytest.mark.parametrize("key", KEYS, ids=lambda k: k.question)
def test_the_blank_template_and_wrong_texts_lose_the_points(key, solutions):
    assignment = load_assignment(key.assignment)
    blank = nbformat.read(assignment.template_of(
        assignment.notebook_of(assignment.question(key.question))), as_version=4)
    with pytest.raises(StudentError, match="no answer typed"):
        grade_key(blank, key, seed=2)
    nb = solutions[key.assignment]
    cell = next(c for c in nb.cells if c.metadata.get("dlgrade", {}).get("answer") == key.question)
    for text in WRONG[key.question]:
        cell.source = f"answer = {text!r}"
        with pytest.raises(StudentError, match=key.question):
            grade_key(nb, key, seed=3)


def test_p2a_value_is_the_reference_cross_correlation():
    value = xcorr.xcorr1d(np.array([3.0, 2.0, 1.0]), np.array([4.0, 6.0, 3.0, 9.0]))
    assert build(key_for("csci5527_hw3", "p2a_value").expected, {}) == [int(v) for v in value]


def test_q2e_counts_are_theory_s_and_each_convention_is_its_own_count():
    key = key_for("comp499_a1", "q2e_counts")
    names = {n: sp.Symbol(n, positive=True, integer=True) for n in "DKPL"}
    D, K, P = names["D"], names["K"], names["P"]
    seeds = (K * D**2, P**2 * K)  # the products with the identity seeds I_D and I_P
    conventions = [(cost.FORWARD, cost.REVERSE),
                   (cost.FORWARD - cost.PRIMAL, cost.REVERSE - cost.PRIMAL),
                   (cost.FORWARD - seeds[0], cost.REVERSE - seeds[1]),
                   (cost.FORWARD - cost.PRIMAL - seeds[0], cost.REVERSE - cost.PRIMAL - seeds[1])]
    for text, (fwd, rev) in zip((key.expected, *key.alternatives), conventions):
        typed = build(text, names)
        assert same(typed[0], fwd) and same(typed[1], rev), text


def test_q5a_minimizer_is_least_squares():
    rng = np.random.default_rng(0)
    text = key_for("comp499_a1", "q5a_minimizer").expected
    for n, d in [(7, 3), (5, 5), (9, 2)]:
        X, y = rng.integers(-9, 10, (n, d)), rng.integers(-9, 10, (n, 1))
        got = evaluate_matrix_formula(text, {"X": sp.Matrix(X), "y": sp.Matrix(y)})
        want = least_squares.ls_minimizer(X.astype(float), y[:, 0].astype(float))
        np.testing.assert_allclose(np.array(got, dtype=float)[:, 0], want, rtol=1e-9)
