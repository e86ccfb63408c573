import nbformat
import pytest

from graders.assignments import Assignment, Question
from graders.errors import StudentError
from graders.submission import find_notebook

TWO = Assignment("demo", "demo", "main.ipynb", (
    Question("q1", "1", "one", 1.0, ("f",)),
    Question("q2", "2", "two", 1.0, ("g",), notebook="extra.ipynb"),
), other_notebooks=("extra.ipynb",))


def _write(folder, name, declared=None):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])
    if declared is not None:
        nb.metadata["dlgrade"] = declared
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def test_questions_know_their_notebook():
    assert TWO.notebooks == ("main.ipynb", "extra.ipynb")
    assert [TWO.notebook_of(q) for q in TWO.questions] == ["main.ipynb", "extra.ipynb"]


def test_metadata_wins_over_file_names(tmp_path):
    main = _write(tmp_path, "whatever.ipynb", {"assignment": "demo"})
    extra = _write(tmp_path, "main.ipynb", {"assignment": "demo", "notebook": "extra.ipynb"})
    assert find_notebook(tmp_path, TWO, "main.ipynb") == main
    assert find_notebook(tmp_path, TWO, "extra.ipynb") == extra


def test_file_names_match_when_metadata_is_missing(tmp_path):
    _write(tmp_path, "main.ipynb")
    extra = _write(tmp_path / "sub", "extra.ipynb")
    assert find_notebook(tmp_path, TWO, "extra.ipynb") == extra


def test_a_lone_unmarked_notebook_is_the_main_one_only(tmp_path):
    lone = _write(tmp_path, "my work.ipynb")
    assert find_notebook(tmp_path, TWO) == lone
    assert find_notebook(lone, TWO) == lone
    with pytest.raises(StudentError, match=r"extra.ipynb is not in the submission \(found: my"):
        find_notebook(tmp_path, TWO, "extra.ipynb")


def test_a_file_declared_as_another_notebook_is_not_taken_for_the_main_one(tmp_path):
    extra = _write(tmp_path, "p1.ipynb", {"assignment": "demo", "notebook": "extra.ipynb"})
    with pytest.raises(StudentError, match="main.ipynb is not in the submission"):
        find_notebook(extra, TWO, "main.ipynb")


def test_ambiguous_and_empty_submissions_say_what_was_found(tmp_path):
    with pytest.raises(StudentError, match="holds no .ipynb notebook"):
        find_notebook(tmp_path, TWO)
    _write(tmp_path, "a.ipynb")
    _write(tmp_path, "b.ipynb")
    _write(tmp_path / ".ipynb_checkpoints", "a-checkpoint.ipynb")
    with pytest.raises(StudentError, match=r"several notebooks \(a.ipynb, b.ipynb\)"):
        find_notebook(tmp_path, TWO)
