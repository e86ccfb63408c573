"""Hidden tests of EECS 182 HW7's answer cells: the choices of Q2(a) and Q6(b), and the closed
forms of Q3(a)-(c) and Q5(b)(i), read as text and checked by theory's answer checker."""

from graders.answer_cells import answer_text, grade_choice, grade_closed_form, normalize_choice
from graders.errors import StudentError
from graders.plugin import graded
from theory.eecs182_attention import SCALE, d_sym

SYMBOLS = {"d": {"positive": True, "integer": True}, "mu": {"real": True},
           "sigma": {"positive": True}}
OPTIMIZATION_NEEDS = {"weightdecay": "Weight Decay", "dropout": "Dropout",
                      "layernorm": "Layer Norm", "batchnorm": "Batch Norm",
                      "sgdoptimizer": "SGD optimizer"}


@graded("q2a_i", 1.0, "the number of linear layers")
def test_layers(submission):
    grade_choice(submission.nb, "q2a_i", ["2"], ["0", "1", "2", "3"])


@graded("q2a_ii", 1.0, "the loss function")
def test_loss(submission):
    grade_choice(submission.nb, "q2a_ii", ["nn.MSELoss", "MSELoss"],
                 ["nn.L1Loss", "nn.MSELoss", "nn.CrossEntropyLoss", "L1Loss", "MSELoss",
                  "CrossEntropyLoss"])


@graded("q2a_iii", 1.0, "what optimizing (3) exactly needs (select all)")
def test_needs(submission):
    text = answer_text(submission.nb, "q2a_iii")
    given = {normalize_choice(part) for part in text.replace(";", ",").split(",") if part.strip()}
    unknown = given - set(OPTIMIZATION_NEEDS)
    if unknown:
        raise StudentError(f"q2a_iii: {', '.join(sorted(unknown))} is not one of the options "
                           f"({', '.join(OPTIMIZATION_NEEDS.values())})")
    if given != {"weightdecay", "sgdoptimizer"}:
        raise StudentError(f"q2a_iii: {', '.join(OPTIMIZATION_NEEDS[g] for g in sorted(given))} "
                           "is not the right selection")


@graded("q3a", 1.0, "E[q^T k]")
def test_mean(submission):
    grade_closed_form(submission.nb, "q3a", "d*mu**2", symbols=SYMBOLS)


@graded("q3b", 1.0, "Var(q^T k) for mu = 0, sigma = 1")
def test_variance(submission):
    grade_closed_form(submission.nb, "q3b", d_sym, symbols=SYMBOLS)


@graded("q3c", 1.0, "the scale s")
def test_scale(submission):
    grade_closed_form(submission.nb, "q3c", SCALE, symbols=SYMBOLS)


@graded("q5b_i", 1.0, "the quadratic kernel's similarity")
def test_similarity(submission):
    grade_closed_form(submission.nb, "q5b_i", "(qk + 1)**2", symbols={"qk": {"real": True}})


@graded("q6b_answer", 1.0, "which normalization fails the accumulation test")
def test_normalization(submission):
    grade_choice(submission.nb, "q6b_answer", ["batchnorm"], ["batchnorm", "layernorm"])
