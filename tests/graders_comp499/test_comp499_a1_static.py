"""comp499_a1 without a kernel: the template and its solution, the static scan per question, the
method-call check of the hidden tests, and the student kit (fast: no notebook is executed)."""

import ast
import types

import nbformat
import pytest

from graders.assignments import load_assignment
from graders.comp499_a1.common import check_figure
from graders.comp499_a1.mistakes import MISTAKES as WRONG
from graders.errors import StudentError
from graders.kernel import CellRun
from graders.scan import scan
from graders.staff.kit import build_kit
from graders.staff.solve import solution_notebook
from tests.graders_comp499.notebooks import replace_cells

A1 = load_assignment("comp499_a1")


@pytest.fixture(scope="module")
def solution():
    return solution_notebook(A1)


def test_points_follow_the_handout():
    manual = {q.id for q in A1.questions if q.manual}
    assert manual == {"q1a", "q2e", "q3_why", "q4e"}
    assert A1.points == 93 - 5 - 2 - 2  # written parts by hand; 5(c) is extra credit on top
    assert [q.id for q in A1.autograded if q.extra_credit] == ["q5c"]
    per_question = {q.id: q.points for q in A1.autograded}
    assert per_question == {"q1b": 8, "q1c": 8, "q1d": 5, "q2b": 5, "q2c": 12, "q2d": 4,
                            "q3_xnor": 3, "q3_tent": 4, "q3_soft": 4, "q4a": 5, "q4b": 2,
                            "q4c": 8, "q4d": 8, "q5a": 2, "q5b": 3, "q5c": 4,
                            "q2e_counts": 2, "q5a_minimizer": 1}  # answer cells


def test_solution_cells_are_the_reference_source_once(solution):
    graded = [c for c in solution.cells if "dlgrade" in c.metadata]
    code = "\n\n".join(c.source for c in graded)
    tree = ast.parse(code)
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
    assert len(names) == len(set(names)), "a helper was pasted twice"
    assert "import reference" not in code and "from reference" not in code
    assert "NotImplementedError" not in code


def test_the_solution_has_no_scan_findings(solution):
    assert scan(solution, A1.autograded) == {}


FORBIDDEN = {  # question: (its graded cell, rewritten with a forbidden API; what the scan says)
    "q1b": ('''
class Net(nn.Module):
    pass


def net_forward(params, x):
    return Net()


def logcosh_cost(y_hat, y):
    return y


def net_gradients(params, x, y):
    return torch.autograd.grad(logcosh_cost(net_forward(params, x), y), list(params.values()))
''', ("uses torch.autograd.grad, which 1.2 forbids", "uses torch.nn.Module, which 1.2 forbids")),
    "q1c": ('''
def numerical_gradient(f, x, eps=1e-6):
    return torch.autograd.gradcheck(f, (x,), eps=eps)
''', ("uses torch.autograd.gradcheck, which 1.3 forbids",)),
    "q2b": ('''
def mlp_forward(weights, x):
    return x


def jacobian_reverse(weights, x):
    return torch.func.jacfwd(lambda v: mlp_forward(weights, v))(x)
''', ("uses torch.func.jacfwd, which 2.2 forbids",)),
    "q2c": ('''
from torch.func import jacrev


def jacobian_forward(weights, x):
    return jacrev(lambda v: mlp_forward(weights, v))(x)
''', ("uses torch.func.jacrev, which 2.3 forbids",)),
    "q5a": ('''
def ls_gradient(X, w, y):
    return X.T @ (X @ w - y)


def ls_minimizer(X, y):
    return np.linalg.lstsq(X, y)[0]
''', ("uses numpy.linalg.lstsq, which 5.1 forbids",)),
}


@pytest.mark.parametrize("question", sorted(FORBIDDEN))
def test_forbidden_apis_cost_their_question(solution, question):
    source, says = FORBIDDEN[question]
    findings = scan(replace_cells(solution, {question: source}), A1.autograded)
    assert list(findings) == [question]
    for fragment in says:
        assert any(fragment in reason for reason in findings[question]), findings


def test_a_backward_call_costs_forward_mode_but_not_reverse_mode(solution):
    wrong = WRONG["forward_mode_calls_backward"]
    findings = scan(replace_cells(solution, {wrong.question: wrong.source}), A1.autograded)
    assert list(findings) == ["q2c"]
    assert "uses .backward, which 2.3 forbids" in findings["q2c"][0]


def test_the_kit_holds_the_public_checks_only(tmp_path):
    kit = build_kit(A1, tmp_path / "kit")
    package = kit / "checker" / "graders" / "comp499_a1"
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py", "assignment.py", "test_public.py", "test_public_answers.py"]
    imports = {node.module for node in ast.walk(ast.parse((package / "test_public.py").read_text()))
               if isinstance(node, ast.ImportFrom)}
    assert imports <= {"contextlib", "graders.compare", "graders.errors", "graders.kernel",
                       "graders.plugin"}
    template = nbformat.read(kit / "a1.ipynb", as_version=4)
    assert template.metadata["dlgrade"]["assignment"] == "comp499_a1"


def _figure_submission(tmp_path, status, *, submitted_image, run_image=False,
                       kernel=("Figure", [4, 4])):
    """A stand-in Submission whose cell 1 makes `fig_stats_init` (cell 0 imports)."""
    def notebook(image):
        cell = nbformat.v4.new_code_cell("fig_stats_init = plot_layer_statistics(stats)")
        if image:
            cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBO"})]
        return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch"), cell])

    path = tmp_path / "a1.ipynb"
    nbformat.write(notebook(submitted_image), path)
    executed = notebook(run_image)
    return types.SimpleNamespace(
        nb=executed, assignment=A1, notebook="a1.ipynb", path=path,
        session=types.SimpleNamespace(scratch=len(executed.cells)),
        cells=[CellRun(0, "ok"), CellRun(1, status)],
        call=lambda name, code: list(kernel))


@pytest.mark.parametrize("status", ["skipped", "timeout"])
def test_a_figure_cell_that_did_not_run_is_judged_by_the_submitted_image(tmp_path, status):
    check_figure(_figure_submission(tmp_path, status, submitted_image=True), "fig_stats_init",
                 min_axes=2, min_lines_per_axes=4)
    with pytest.raises(StudentError, match="did not run here .* shows no image"):
        check_figure(_figure_submission(tmp_path, status, submitted_image=False),
                     "fig_stats_init", min_axes=2, min_lines_per_axes=4)


def test_a_figure_that_ran_must_be_a_figure_with_its_lines_and_shown(tmp_path):
    def check(**kwargs):
        check_figure(_figure_submission(tmp_path, "ok", **kwargs), "fig_stats_init",
                     min_axes=2, min_lines_per_axes=4)

    check(submitted_image=False, run_image=True)
    with pytest.raises(StudentError, match="expected a matplotlib Figure, got Axes"):
        check(submitted_image=True, run_image=True, kernel=("Axes", []))
    with pytest.raises(StudentError, match=r"got 2 plot\(s\) with \[4, 3\] lines"):
        check(submitted_image=True, run_image=True, kernel=("Figure", [4, 3]))
    with pytest.raises(StudentError, match="displays an image"):
        check(submitted_image=False, run_image=False)
