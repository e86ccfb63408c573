import json

import nbformat
import pytest

from graders.errors import StudentError
from graders.notebook import defined_names, load_notebook, parse_cell


def _write(tmp_path, content, name="nb.ipynb"):
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_a_valid_notebook_loads_with_string_sources(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1\ny = 2")])
    path = tmp_path / "ok.ipynb"
    nbformat.write(nb, path)
    assert load_notebook(path).cells[0].source == "x = 1\ny = 2"


@pytest.mark.parametrize(("content", "message"), [
    ("this is not json {", "not a Jupyter notebook \\(not valid JSON"),
    ([1, 2, 3], "JSON but not a Jupyter notebook"),
    ({"cells": [], "nbformat": 3, "metadata": {}}, "notebook format 3; only format 4"),
    ({"cells": [{"cell_type": "code"}], "nbformat": 4, "nbformat_minor": 5, "metadata": {}},
     "is not a valid notebook"),
])
def test_unreadable_notebooks_say_why(tmp_path, content, message):
    with pytest.raises(StudentError, match=message):
        load_notebook(_write(tmp_path, content))


def test_a_notebook_without_code_is_refused(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# answers"),
                                         nbformat.v4.new_code_cell("  ")])
    path = tmp_path / "empty.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(StudentError, match="no code to grade"):
        load_notebook(path)


def test_missing_and_binary_files(tmp_path):
    with pytest.raises(StudentError, match="no notebook"):
        load_notebook(tmp_path / "absent.ipynb")
    path = tmp_path / "binary.ipynb"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(StudentError, match="not valid JSON"):
        load_notebook(path)


def test_parse_cell_ignores_magics_and_reports_syntax_errors():
    tree = parse_cell("%matplotlib inline\n!pip install x\ndef f():\n    return 1")
    assert defined_names(tree) == {"f"}
    assert parse_cell("def broken(:") is None


def test_defined_names_covers_functions_classes_assignments_and_imports():
    tree = parse_cell("import numpy as np\nfrom math import tau\nclass A: pass\n"
                      "def f(): pass\nx, (y, z) = 1, (2, 3)\nw: int = 4")
    assert defined_names(tree) == {"np", "tau", "A", "f", "x", "y", "z", "w"}
