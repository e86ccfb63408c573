"""Answer cells are read from the notebook's text, never executed, and checked by theory/."""

import nbformat
import pytest

from graders.answer_cells import answer_text, grade_choice, grade_closed_form
from graders.errors import StudentError


def _notebook(source: str | None, question: str = "q1") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_code_cell("x = 1"))
    if source is not None:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["dlgrade"] = {"answer": question}
        nb.cells.append(cell)
    return nb


def test_reads_the_string_without_running_it():
    nb = _notebook('import os; answer = "__import__(\'os\').system(\'x\')"')
    assert answer_text(nb, "q1") == "__import__('os').system('x')"


@pytest.mark.parametrize("source, fragment", [
    (None, "missing"), ("answer = 3", "as a string"), ('answer = ""', "no answer typed"),
    ("answer = (", "as a string"), ('answer = "' + "1" * 3000 + '"', "over 2000"),
])
def test_unusable_cells_are_the_students_error(source, fragment):
    with pytest.raises(StudentError, match=fragment):
        answer_text(_notebook(source), "q1")


def test_closed_form_is_checked_by_the_answer_checker():
    grade_closed_form(_notebook('a = "6/22"'), "q1", "3/11")
    with pytest.raises(StudentError):
        grade_closed_form(_notebook('a = "4/11"'), "q1", "3/11")


def test_choices_ignore_case_and_brackets():
    grade_choice(_notebook('a = " (B) "'), "q1", ["b"], ["a", "b", "c"])
    with pytest.raises(StudentError, match="not the right choice"):
        grade_choice(_notebook('a = "c"'), "q1", ["b"], ["a", "b", "c"])
    with pytest.raises(StudentError, match="not one of the choices"):
        grade_choice(_notebook('a = "z"'), "q1", ["b"], ["a", "b", "c"])
