"""The run-time check of forbidden APIs, run in this process on a stand-in notebook namespace
(the kernel runs the same source; tests/redteam grades notebooks end to end)."""

import json
import threading

import numpy as np
import pytest

from graders.assignments import Question, load_assignment
from graders.runtime_check import GUARD_SOURCE, charge, explain, guarded, recorded

A1 = load_assignment("comp499_a1")
HW3 = load_assignment("csci5527_hw3")
P2 = HW3.question("p2d").forbidden

NOTEBOOK = '''
import importlib
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.optim import Optimizer

_saved = np.correlate  # kept before the grader's call
TOOLS = {"c": F.conv2d}


def clean(x, y):
    return float(x @ y[:len(x)])


def by_getattr(x, y):
    return getattr(np, "corr" + "elate")(x, y, "full")


def by_saved(x, y):
    return _saved(x, y, "full")


def by_importlib(x, y):
    return importlib.import_module("scipy." + "signal").correlate(x, y)


def by_exec(x, y):
    scope = {}
    exec("import numpy\\ndef f(a, b):\\n    return numpy.convolve(a, b)", scope)
    return scope["f"](x, y)


def by_map(x, y):
    return list(map(TOOLS["c"], [torch.ones(1, 1, 3, 3)], [torch.ones(1, 1, 2, 2)]))


def by_method(x, y):
    w = torch.tensor(x, requires_grad=True)
    (w * w).sum().backward()
    return w.grad


def by_thread(x, y):
    import threading
    out = []
    worker = threading.Thread(target=lambda: out.append(np.convolve(x, y)))
    worker.start()
    worker.join()
    return out[0]


def switch_off(x, y):
    import sys
    sys.setprofile(None)
    return np.correlate(x, y)


def helper_in_another_cell(x, y):
    return by_saved(x, y)


class Momentum(Optimizer):
    def __init__(self, params, lr=0.1):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                p.add_(p.grad, alpha=-group["lr"])


def allowed(x, y):
    layer = torch.zeros(3, requires_grad=True)
    Momentum([layer]).step() if layer.grad is not None else None
    with torch.no_grad():
        h = torch.tanh(torch.as_tensor(x)) + 1
    with torch.enable_grad():
        pass
    weight = torch.empty(2, 3)
    nn.init.uniform_(weight, -0.1, 0.1)
    torch.fft.fft(torch.as_tensor(y))
    F.unfold(torch.ones(1, 1, 4, 4), 2)
    np.lib.stride_tricks.sliding_window_view(y, 2)
    return h


def mlp(v):
    return torch.tanh(torch.ones(4, 2, dtype=torch.float64) @ v)


def jac_forward(x):
    return torch.func.jacfwd(mlp)(x) + torch.autograd.functional.jacobian(
        mlp, x, strategy="forward-mode", vectorize=True)


def jac_reverse(x):
    return torch.autograd.functional.jacobian(mlp, x)


def fitted(X, y):
    from sklearn.linear_model import LinearRegression  # an estimator: a class, not a function
    return LinearRegression(fit_intercept=False).fit(X, y).coef_


def jac_jacrev(x):
    return torch.func.jacrev(mlp)(x)
'''


@pytest.fixture(scope="module")
def student():
    namespace = {"__name__": "__main__"}
    exec(NOTEBOOK, namespace)
    return namespace


def guard(student, entries, excused=()):
    """What the kernel does with `guarded(...)`: a fresh namespace holds the guard."""
    namespace = {}
    exec(GUARD_SOURCE, namespace)
    return namespace["__dlgrade_guard__"](list(entries), None, student, list(excused))


def verdict(student, entries, name, *args, excused=()):
    """The recorded calls of `name(*args)` as [(api, innermost function)], [] if none."""
    try:
        guard(student, entries, excused)(student[name], *args)
    except Exception as err:
        assert type(err).__name__ == "DlgradeForbiddenCall", err
        return [(r["api"], r["chain"][0] if r["chain"] else "") for r in json.loads(str(err))]
    return []


X, Y = np.arange(3.0), np.arange(4.0)


def test_a_clean_call_returns_its_value_and_leaves_no_hook(student):
    import sys

    assert guard(student, P2)(student["clean"], X, Y) == float(X @ Y[:3])
    assert sys.getprofile() is None and threading._profile_hook is None


@pytest.mark.parametrize(("name", "api"), [
    ("by_getattr", "numpy.correlate"),
    ("by_saved", "numpy.correlate"),
    ("by_importlib", "scipy.signal"),
    ("by_exec", "numpy.convolve"),
    ("by_map", "torch.conv2d"),  # the same object as torch.nn.functional.conv2d
    ("by_thread", "numpy.convolve"),
])
def test_dynamic_forbidden_calls_are_recorded(student, name, api):
    found = verdict(student, P2, name, X, Y)
    assert any(a == api and where.startswith(name) for a, where in found), found


def test_entering_a_forbidden_package_through_a_class_is_recorded(student):
    X, y = np.eye(3), np.ones(3)
    assert ("sklearn", "fitted") in verdict(student, A1.question("q5a").forbidden, "fitted", X, y)


def test_a_tensor_method_is_recorded(student):
    assert (".backward", "by_method") in verdict(student, ("torch.autograd", ".backward"),
                                                 "by_method", [1.0, 2.0], None)


def test_switching_the_recorder_off_is_recorded(student):
    found = verdict(student, P2, "switch_off", X, Y)
    assert found[0] == ("sys.setprofile (switching the grader's recorder off)", "switch_off")


def test_the_chain_names_the_callers_and_excused_functions_are_left_out(student):
    assert verdict(student, P2, "helper_in_another_cell", X, Y) == [("numpy.correlate",
                                                                     "by_saved")]
    assert verdict(student, P2, "helper_in_another_cell", X, Y, excused=["by_saved"]) == []


@pytest.mark.parametrize("question", [q for q in (*A1.autograded, *HW3.autograded)
                                      if q.forbidden and q.id != "q1b"])
def test_ordinary_code_is_not_a_forbidden_call(student, question):
    """no_grad, an Optimizer subclass, nn.init, fft, unfold: none is what a question forbids."""
    assert verdict(student, question.forbidden, "allowed", X, Y) == []


@pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated")  # torch's forward AD
def test_forward_mode_is_not_reverse_mode_but_a_reverse_jacobian_is(student):
    reverse_mode = A1.question("q2c").forbidden
    x = np.ones(2)
    assert verdict(student, reverse_mode, "jac_forward", student["torch"].from_numpy(x)) == []
    for name in ("jac_reverse", "jac_jacrev"):
        found = verdict(student, reverse_mode, name, student["torch"].from_numpy(x))
        assert ("torch.autograd.grad", name) in found, found
    forward = verdict(student, A1.question("q2b").forbidden, "jac_forward",
                      student["torch"].from_numpy(x))
    assert ("torch.func.jacfwd", "jac_forward") in forward  # and 2(b) asks for reverse mode


# -- the grader's side ----------------------------------------------------------------------------
XCORR2D = Question("p2d", "2.4", "xcorr2d", 1.0, ("xcorr2d",), ("numpy.correlate",))
GRADIENT = Question("p2e", "2.5", "gradient", 1.0, ("gradient_magnitude",), ("numpy.correlate",))


def test_the_verdict_is_read_back_as_data_only():
    message = 'xcorr2d raised DlgradeForbiddenCall: [{"api": "numpy.correlate", "chain": ["h"]}]'
    assert recorded(message) == [{"api": "numpy.correlate", "chain": ["h"]}]
    assert recorded(message + " (inputs of shapes [3], [4])") == recorded(message)
    assert recorded("xcorr2d raised ValueError: DlgradeForbiddenCall: [not json") is None
    assert recorded('DlgradeForbiddenCall: [{"api": 1, "chain": []}, {"api": "x"}]') == []
    assert "__dlgrade_guard__" in guarded(XCORR2D, None, {"h"}) and "['h']" in guarded(
        XCORR2D, None, {"h"})


def test_a_call_inside_another_questions_function_is_charged_there():
    findings: dict[str, list[str]] = {}
    record = {"api": "numpy.correlate", "chain": ["_flip", "xcorr2d", "gradient_magnitude"]}
    assert not charge(GRADIENT, "gradient_magnitude", [record], [XCORR2D, GRADIENT], findings)
    assert list(findings) == ["p2d"]
    assert findings["p2d"][0].startswith("xcorr2d called numpy.correlate (inside _flip)")
    own = {"api": "numpy.correlate", "chain": ["gradient_magnitude"]}
    assert charge(GRADIENT, "gradient_magnitude", [own], [XCORR2D, GRADIENT], findings)
    assert explain(GRADIENT, "gradient_magnitude", [own]) == findings["p2e"][0]
    assert "which 2.5 forbids" in findings["p2e"][0]
