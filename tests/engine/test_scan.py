import nbformat
import pytest

from graders.assignments import Assignment, Question
from graders.scan import Rule, scan

ASSIGNMENT = Assignment("demo", "demo", "demo.ipynb", (
    Question("q1", "1", "correlation", 1.0, ("xcorr2d",), ("scipy.signal", "numpy.correlate")),
    Question("q2", "2", "norm", 1.0, ("norm",), ("torch.nn.functional.layer_norm",)),
    Question("w", "3w", "written", 0.0, manual=True),
))


def _nb(*sources):
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_a_clean_notebook_has_no_findings():
    nb = _nb("import numpy as np\nimport scipy.signal",
             "def xcorr2d(a, b):\n    return np.zeros(1)",
             "print(scipy.signal.correlate2d(b, a))  # a check beside the function is fine")
    assert scan(nb, ASSIGNMENT.autograded) == {}


def test_forbidden_call_through_an_alias_costs_only_its_question():
    nb = _nb("import scipy.signal as ss", "def xcorr2d(a, b):\n    return ss.correlate2d(b, a)",
             "def norm(x):\n    return x")
    findings = scan(nb, ASSIGNMENT.autograded)
    assert list(findings) == ["q1"]
    assert "xcorr2d (cell 2) uses scipy.signal.correlate2d, which 1 forbids" in findings["q1"][0]


def test_forbidden_names_imported_directly_or_through_helpers_are_found():
    nb = _nb("from scipy.signal import correlate2d as c",
             "def helper(a, b):\n    return c(b, a)",
             "def xcorr2d(a, b):\n    return helper(a, b)",
             "import torch.nn.functional as F\nnorm = lambda x: F.layer_norm(x, x.shape)")
    findings = scan(nb, ASSIGNMENT.autograded)
    assert "scipy.signal.correlate2d" in findings["q1"][0]
    assert "torch.nn.functional.layer_norm" in findings["q2"][0]


def test_numpy_prefix_does_not_match_longer_names():
    nb = _nb("import numpy as np", "def xcorr2d(a, b):\n    return np.correlate_not(a)")
    assert scan(nb, ASSIGNMENT.autograded) == {}


def test_importing_the_graders_packages_costs_every_question_at_top_level():
    nb = _nb("import reference.xcorr as r", "def xcorr2d(a, b):\n    return r.xcorr2d(a, b)")
    findings = scan(nb, ASSIGNMENT.autograded)
    assert set(findings) == {"q1", "q2"}
    assert "imports 'reference'" in findings["q2"][0]


def test_importing_inside_a_function_costs_that_question():
    nb = _nb("def norm(x):\n    mod = __import__('graders')\n    return x",
             "def xcorr2d(a, b):\n    import importlib\n"
             "    return importlib.import_module('theory')")
    findings = scan(nb, ASSIGNMENT.autograded)
    assert "imports 'graders'" in findings["q2"][0]
    assert "imports 'theory'" in findings["q1"][0]


def test_cells_that_do_not_parse_are_skipped():
    nb = _nb("def xcorr2d(a, b) return", "%timeit 1 + 1")
    assert scan(nb, ASSIGNMENT.autograded) == {}


def test_locals_of_a_function_do_not_pull_in_unrelated_cells():
    nb = _nb("import scipy.signal",
             "def xcorr2d(a, b):\n    out = a\n    for row in b:\n        out = out + row\n"
             "    return out",
             "out = scipy.signal.correlate2d(b, a)  # a check that reuses the name `out`")
    assert scan(nb, ASSIGNMENT.autograded) == {}


def test_free_names_still_pull_in_the_definitions_they_use():
    nb = _nb("import numpy as np", "corr = np.correlate",
             "def xcorr2d(a, b):\n    return corr(a, b)")
    assert "numpy.correlate" in scan(nb, ASSIGNMENT.autograded)["q1"][0]


def test_a_forbidden_method_matches_on_any_object():
    demo = Assignment("demo", "demo", "demo.ipynb", (
        Question("q", "1", "forward mode", 1.0, ("jvp",), (".backward",)),))
    nb = _nb("def jvp(f, x):\n    y = f(x)\n    y.sum().backward()\n    return x.grad")
    assert "uses .backward" in scan(nb, demo.autograded)["q"][0]
    assert scan(_nb("def jvp(f, x):\n    return f.backward_compatible(x)"), demo.autograded) == {}


# -- names resolved by scope ---------------------------------------------------------------------
def test_a_local_parameter_or_attribute_called_signal_is_not_the_module():
    nb = _nb("from scipy import signal\nimport numpy as np",
             "def xcorr2d(a, b):\n    signal = np.flip(a)\n    return signal.sum() * b",
             "def norm(signal):\n    return signal / signal.std()",
             "def helper(self):\n    return self.signal.correlate2d()")
    assert scan(nb, ASSIGNMENT.autograded) == {}


def test_a_global_alias_is_still_the_module_and_a_local_import_is_resolved_too():
    nb = _nb("from scipy import signal",
             "def xcorr2d(a, b):\n    return signal.correlate2d(b, a)",
             "def norm(x):\n    import torch.nn.functional as G\n"
             "    return G.layer_norm(x, x.shape)")
    findings = scan(nb, ASSIGNMENT.autograded)
    assert "xcorr2d (cell 2) uses scipy.signal.correlate2d" in findings["q1"][0]
    assert "norm (cell 3) uses torch.nn.functional.layer_norm" in findings["q2"][0]


def test_getattr_with_a_literal_name_is_a_use():
    nb = _nb("import numpy as np", "def xcorr2d(a, b):\n    return getattr(np, 'correlate')(a, b)")
    assert "uses numpy.correlate" in scan(nb, ASSIGNMENT.autograded)["q1"][0]


# -- a mistake is charged once, where it lives ----------------------------------------------------
CHAINED = Assignment("demo", "demo", "demo.ipynb", (
    Question("d", "2.4", "xcorr2d", 1.0, ("xcorr2d",), ("scipy.signal",)),
    Question("e", "2.5", "gradient magnitude", 1.0, ("gradient_magnitude",), ("scipy.signal",)),
))


def test_a_forbidden_call_costs_the_function_it_is_in_not_the_questions_that_call_it():
    nb = _nb("import scipy.signal as ss",
             "def _flip(z):\n    return ss.correlate2d(z, z)",
             "def xcorr2d(a, b):\n    return _flip(a)",
             "def gradient_magnitude(y):\n    return xcorr2d(y, y) ** 2")
    findings = scan(nb, CHAINED.autograded)
    assert list(findings) == ["d"]
    assert findings["d"][0].function == "_flip"  # the run-time check excuses it elsewhere


def test_a_helper_of_the_question_itself_is_still_followed():
    nb = _nb("import scipy.signal as ss", "def _g(y):\n    return ss.convolve2d(y, y)",
             "def gradient_magnitude(y):\n    return _g(y)")
    assert list(scan(nb, CHAINED.autograded)) == ["e"]


# -- switched-off self-checks ---------------------------------------------------------------------
AUTOGRAD = Assignment("demo", "demo", "demo.ipynb", (
    Question("b", "1.2", "by hand", 1.0, ("net_gradients",), ("torch.autograd", ".backward")),))


def test_a_self_check_behind_a_flag_set_to_false_once_is_not_scanned():
    nb = _nb("import torch\nCHECK_WITH_AUTOGRAD = False",
             "def net_gradients(p, x, y):\n    g = 2 * x\n"
             "    if CHECK_WITH_AUTOGRAD:\n        (x * x).sum().backward()\n"
             "        assert torch.allclose(g, torch.autograd.grad(x.sum(), x)[0])\n    return g",
             "def other(p, x, y, check=False):\n    if check and x.numel():\n"
             "        x.sum().backward()\n    return x")
    assert scan(nb, AUTOGRAD.autograded) == {}
    with_default = _nb("def net_gradients(p, x, y, check=False):\n    if check:\n"
                       "        x.sum().backward()\n    return x")
    assert scan(with_default, AUTOGRAD.autograded) == {}


def test_a_flag_that_is_switched_on_anywhere_or_the_else_branch_is_scanned():
    body = ("def net_gradients(p, x, y):\n    if CHECK:\n        x.sum().backward()\n"
            "    return x")
    for flag_cells in (["CHECK = False", "CHECK = True"], ["CHECK = False", "CHECK += 1"],
                       ["CHECK = 1"], ["CHECK = False\ndef on():\n    global CHECK\n"]):
        assert "uses .backward" in scan(_nb(*flag_cells, body), AUTOGRAD.autograded)["b"][0]
    orelse = ("def net_gradients(p, x, y):\n    if False:\n        pass\n    else:\n"
              "        x.backward()")
    assert "uses .backward" in scan(_nb(orelse), AUTOGRAD.autograded)["b"][0]


# -- exemptions -----------------------------------------------------------------------------------
def test_an_exemption_accepts_the_call_with_that_keyword_only():
    forward = Assignment("demo", "demo", "demo.ipynb", (Question(
        "c", "2.3", "forward mode", 1.0, ("jacobian_forward",),
        ("torch.autograd.functional[strategy=forward-mode]", "torch.func.jacrev")),))
    ok = _nb("import torch\nfrom torch.autograd.functional import jacobian",
             "def jacobian_forward(w, x):\n    f = lambda v: w @ v\n"
             "    a = torch.func.jacfwd(f)(x)\n"
             "    return jacobian(f, x, strategy='forward-mode', vectorize=True) + a")
    assert scan(ok, forward.autograded) == {}
    reverse = _nb("import torch", "def jacobian_forward(w, x):\n"
                  "    return torch.autograd.functional.jacobian(lambda v: w @ v, x)")
    assert "uses torch.autograd.functional.jacobian" in scan(reverse, forward.autograded)["c"][0]
    with pytest.raises(ValueError, match="invalid forbidden entry"):
        Rule.parse("torch.autograd[strategy]")


# -- parser bombs ---------------------------------------------------------------------------------
def test_a_cell_too_deep_to_read_costs_only_the_questions_it_defines():
    bomb = "def xcorr2d(a, b):\n    return " + "+".join(["1"] * 100_000)
    findings = scan(_nb(bomb, "def norm(x):\n    return x"), ASSIGNMENT.autograded)
    assert list(findings) == ["q1"]
    assert "cell 1 (nested too deeply or too large) could not be read" in findings["q1"][0]
    assert "xcorr2d cannot be checked" in findings["q1"][0]
