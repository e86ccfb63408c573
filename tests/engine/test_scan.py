import nbformat

from graders.assignments import Assignment, Question
from graders.scan import scan

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
