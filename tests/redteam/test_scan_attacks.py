"""Forbidden APIs reached where the static scan cannot see them, and correct code that the scan
used to charge for what it is not.

Three gradings (about 2 minutes in all on 2 busy cores): hw3.ipynb with seven hidden forbidden
calls in seven questions (each costs exactly its question), hw3.ipynb with correct-but-different
functions that each lost points before (each keeps them), and the comp499_a1 questions 1(b),
2(b), 2(c) and 5(a) with both kinds. The
P1 and P4 cases were lost to the static scan alone; they are checked on the solution notebooks
without a kernel.
"""

from pathlib import Path

import nbformat
import pytest

from graders.assignments import load_assignment
from graders.harness import grade
from graders.plugin import FAULTS
from graders.scan import scan
from graders.staff.solve import solution_notebook
from tests.conftest import checked_results
from tests.graders.notebooks import insert_cell, replace_cells, slim
from tests.graders_hw3_p1p4.notebooks import replace_cell_with, replace_definitions

HW3 = load_assignment("csci5527_hw3")
A1 = load_assignment("comp499_a1")
SEED = 8

# -- hidden forbidden calls (hw3.ipynb) ---------------------------------------------------------
ATTACKS = {
    "p2a": '''
def xcorr1d(x, y):
    return getattr(np, "corr" + "elate")(y, x, "full")  # a name the scan cannot read


def yx_from_xy(xy):
    return xy[::-1].copy()
''',
    "p2b": '''
def xcorr_matrix(w, n):  # what the scan reads; the exec below replaces it
    return np.zeros((len(w) + n - 1, n))


exec("def xcorr_matrix(w, n):\\n"
     "    import numpy\\n"
     "    return numpy.stack([numpy.convolve(numpy.eye(n)[j], w[::-1]) for j in range(n)], 1)")
''',
    "p2c": '''
def xcorr_jacobian(w, x):
    wt = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    xt = torch.as_tensor(x, dtype=torch.float64)
    m, n = len(w), len(x)
    rows = []
    for k in range(m + n - 1):
        out = sum((wt[i] * xt[i + k - m + 1] for i in range(m) if 0 <= i + k - m + 1 < n),
                  torch.zeros((), dtype=torch.float64))
        wt.grad = None
        if out.requires_grad:
            getattr(out, "back" + "ward")()  # a method of the tensor, named at run time
        rows.append(torch.zeros(m, dtype=torch.float64) if wt.grad is None else wt.grad.clone())
    return torch.stack(rows).numpy()
''',
    "p2d": '''
import importlib


def xcorr2d(Z1, Z2):
    return importlib.import_module("scipy." + "sig" + "nal").correlate2d(Z2, Z1, mode="full")
''',
    "p2g": '''
TOOLS = {}
TOOLS.update(c=getattr(F, "con" + "v2d"))  # the original, saved before the grader's call


def xcorr_multichannel(X, Y):
    h, w, _ = X.shape
    x = torch.from_numpy(Y).permute(2, 0, 1)[None]
    k = torch.from_numpy(X).permute(2, 0, 1)[None]
    return list(map(TOOLS["c"], [x], [k], [None], [1], [(h - 1, w - 1)]))[0][0, 0].numpy()
''',
    "p3_batch": '''
def batch_norm(x, eps=1e-5):
    return globals()["_bn_" + "helper"](x, eps)  # a helper in another cell, found by a string
''',
    "p3_layer": '''
def layer_norm(x, eps=1e-5):
    import sys
    sys.setprofile(None)  # the grader's recorder, switched off
    H, W, C, N = x.shape
    nchw = x.permute(3, 2, 0, 1)
    return getattr(F, "layer" + "_norm")(nchw, (C, H, W), eps=eps).permute(2, 3, 1, 0)
''',
}
BN_HELPER = '''
def _bn_helper(x, eps):
    return torch.nn.functional.batch_norm(x.permute(3, 2, 0, 1), None, None, training=True,
                                          eps=eps).permute(2, 3, 1, 0)
'''
CAUGHT = {"p2a": "xcorr1d called numpy.correlate", "p2b": "called numpy.convolve",
          "p2c": "xcorr_jacobian called .backward", "p2d": "called scipy.signal",
          "p2g": "xcorr_multichannel called torch.", "p3_batch": "(inside _bn_helper)",
          "p3_layer": "sys.setprofile (switching the grader's recorder off)"}

# -- correct code that lost points before (hw3.ipynb) -------------------------------------------
HONEST = {
    "p2a": '''
def xcorr1d(x, y):
    signal = np.pad(np.asarray(y, dtype=float), len(x) - 1)  # a local, not scipy.signal
    return np.array([signal[k:k + len(x)] @ x for k in range(len(signal) - len(x) + 1)])


def yx_from_xy(xy):
    return np.flip(xy).copy()
''',
    "p2c": '''
def xcorr_jacobian(w, x, check=False):
    m, n = len(w), len(x)
    J = np.zeros((m + n - 1, m))
    for k in range(m + n - 1):
        for i in range(m):
            if 0 <= i + k - m + 1 < n:
                J[k, i] = x[i + k - m + 1]
    if check:  # an optional self-check with autograd, off unless asked for
        auto = torch.autograd.functional.jacobian(
            lambda v: torch.as_tensor(J) @ v, torch.as_tensor(np.asarray(w, dtype=float)))
        assert np.allclose(auto.numpy(), J)
    with torch.no_grad():  # not autograd
        return torch.as_tensor(J).numpy()
''',
    "p2d": '''
CHECK_AGAINST_SCIPY = False


def xcorr2d(Z1, Z2):
    n1, n2 = Z1.shape
    padded = np.pad(np.asarray(Z2, dtype=float), ((n1 - 1, n1 - 1), (n2 - 1, n2 - 1)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (n1, n2))
    out = np.einsum("ijkl,kl->ij", windows, Z1)
    if CHECK_AGAINST_SCIPY:
        assert np.allclose(out, scipy.signal.correlate2d(Z2, Z1, mode="full"))
    return out
''',
}
SCIPY_IMPORT = "from scipy import signal  # the import scipy's documentation uses"


def _grade(assignment, nb, directory: Path, name: str, notebooks=None) -> dict:
    path = directory / name
    nbformat.write(nb, path)
    results = directory / "results.json"
    document = checked_results(results, grade(assignment, path, results, seed=SEED,
                                              notebooks=notebooks))
    for test in document["tests"]:  # none of these gradings may fail in the grader itself
        if test["name"] == FAULTS:
            pytest.fail(f"the grader failed:\n{test['output'][-4000:]}")
    return document


def _scores(assignment, document: dict) -> dict[str, float]:
    return {q.id: round(sum(t["score"] for t in document["tests"] if t["number"] == q.number), 6)
            for q in assignment.autograded if any(t["number"] == q.number
                                                  for t in document["tests"])}


def _outputs(assignment, document: dict) -> dict[str, str]:
    return {q.id: "\n".join(t["output"] for t in document["tests"] if t["number"] == q.number)
            for q in assignment.autograded}


@pytest.fixture(scope="module")
def hw3_solution():
    return slim(solution_notebook(HW3))


@pytest.fixture(scope="module")
def attacked(hw3_solution, tmp_path_factory):
    nb = insert_cell(replace_cells(hw3_solution, ATTACKS), 1, BN_HELPER)
    return _grade(HW3, nb, tmp_path_factory.mktemp("attacked"), "hw3.ipynb", (HW3.notebook,))


@pytest.fixture(scope="module")
def honest(hw3_solution, tmp_path_factory):
    nb = insert_cell(replace_cells(hw3_solution, HONEST), 1, SCIPY_IMPORT)
    return _grade(HW3, nb, tmp_path_factory.mktemp("honest"), "hw3.ipynb", (HW3.notebook,))


def test_the_attacks_hide_from_the_scan(hw3_solution):
    nb = insert_cell(replace_cells(hw3_solution, ATTACKS), 1, BN_HELPER)
    questions = [q for q in HW3.autograded if HW3.notebook_of(q) == HW3.notebook]
    assert scan(nb, questions) == {}


@pytest.mark.slow
def test_each_hidden_forbidden_call_costs_exactly_its_question(attacked):
    scores = _scores(HW3, attacked)
    full = {q.id: q.points for q in HW3.autograded if q.id in scores}
    assert scores == {q: 0 if q in ATTACKS else p for q, p in full.items()}
    outputs = _outputs(HW3, attacked)
    for question, says in CAUGHT.items():
        assert says in outputs[question], outputs[question]
        assert "earns no points" in outputs[question]
    # gradient_magnitude and match_template run the hidden scipy call of xcorr2d: P2(d) is
    # charged for it once, and they keep their points
    assert "scipy" not in outputs["p2e"] + outputs["p2f"]


@pytest.mark.slow
def test_correct_code_that_looks_forbidden_keeps_its_points(honest):
    scores = _scores(HW3, honest)
    assert scores == {q.id: q.points for q in HW3.autograded if q.id in scores}
    assert set(scores) == {q.id for q in HW3.autograded if HW3.notebook_of(q) == HW3.notebook}


# -- P1 and P4: what the handout allows (static: these cost points before the scan's fix) --------
COMPARISON = '''    "Adam": lambda params: Adam(params, lr=1e-3),
    "torch.optim.Adam, for comparison": lambda params: torch.optim.Adam(params, lr=1e-3),
'''
SKLEARN_METRICS = '''
def balanced_accuracy(labels, predictions):
    from sklearn.metrics import balanced_accuracy_score

    return balanced_accuracy_score(labels, predictions)


def average_precision(labels, scores):
    import sklearn.metrics

    return sklearn.metrics.average_precision_score(labels, scores)
'''


def test_comparing_with_built_in_optimizers_and_sklearn_metrics_cost_nothing():
    p1, p4 = (solution_notebook(HW3, name) for name in HW3.other_notebooks)
    p1 = replace_cell_with(p1, "SETTINGS = {", next(
        c.source for c in p1.cells if "SETTINGS = {" in c.source).replace(
            COMPARISON.splitlines(keepends=True)[0], COMPARISON))
    assert "torch.optim.Adam(params" in "".join(c.source for c in p1.cells)
    for nb, name in ((p1, HW3.other_notebooks[0]), (replace_definitions(p4, SKLEARN_METRICS),
                                                    HW3.other_notebooks[1])):
        assert scan(nb, [q for q in HW3.autograded if HW3.notebook_of(q) == name]) == {}
    # the optimizer classes themselves still may not use them
    wrapped = replace_definitions(p1, '''
class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps))
        self.inner = torch.optim.Adam(self.param_groups, lr=lr, betas=betas, eps=eps)
''')
    findings = scan(wrapped, [q for q in HW3.autograded if q.notebook == HW3.other_notebooks[0]])
    assert list(findings) == ["p1d"]


# -- comp499_a1: forward mode, switched-off self-checks, and a hidden solver --------------------
A1_VARIANTS = {
    "q1b": '''
CHECK_WITH_AUTOGRAD = False  # switch on to compare with autograd while developing


def net_forward(params, x):
    return torch.tanh(x @ params["W1"].T + params["b1"]) @ params["w2"] + params["b2"]


def logcosh_cost(y_hat, y):
    return torch.log(torch.cosh(y_hat - y)).mean()


def net_gradients(params, x, y):
    W1, b1, w2, b2 = params["W1"], params["b1"], params["w2"], params["b2"]
    n = x.shape[0]
    h = torch.tanh(x @ W1.T + b1)
    t = torch.tanh(h @ w2 + b2 - y)
    u = t[:, None] * (1 - h**2) * w2
    grads = {"W1": u.T @ x / n, "b1": u.sum(0) / n, "w2": h.T @ t / n, "b2": t.sum() / n,
             "x": u @ W1 / n}
    if CHECK_WITH_AUTOGRAD:
        leaves = {k: v.clone().requires_grad_() for k, v in params.items()}
        logcosh_cost(net_forward(leaves, x), y).backward()
        assert all(torch.allclose(grads[k], leaves[k].grad) for k in leaves)
    return grads
''',
    "q2c": '''
def jacobian_forward(weights, x):
    return torch.func.jacfwd(lambda v: mlp_forward(weights, v))(x)
''',
    "q5a": '''
def ls_gradient(X, w, y):
    return X.T @ (X @ w - y)


def ls_minimizer(X, y):
    return getattr(np.linalg, "lst" + "sq")(X, y, rcond=None)[0]  # a solver, named at run time
''',
}


@pytest.mark.slow
def test_comp499_forward_mode_and_switched_off_checks_keep_points_a_hidden_solver_does_not(
        tmp_path):
    solution = solution_notebook(A1)
    kept = ("q1b", "q2b", "q2c", "q5a")  # and the imports: the rest would only cost time
    solution.cells = [c for i, c in enumerate(solution.cells) if i == 1
                      or c.metadata.get("dlgrade", {}).get("question") in kept]
    nb = replace_cells(solution, A1_VARIANTS)
    assert list(scan(nb, A1.autograded)) == []
    document = _grade(A1, nb, tmp_path, "a1.ipynb")
    scores = _scores(A1, document)
    assert {q: scores[q] for q in kept} == {"q1b": 8, "q2b": 5, "q2c": 12, "q5a": 0}
    assert "ls_minimizer called numpy.linalg.lstsq" in _outputs(A1, document)["q5a"]
