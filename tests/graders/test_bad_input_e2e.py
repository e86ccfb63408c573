"""Bad submissions: each still yields a schema-valid results.json with a message a student can act
on, and never a traceback (the `grade_nb` fixture checks both for every run).

Unloadable uploads start no kernel and take a second or two; the `slow` tests grade a notebook
in a kernel (about 2.5 minutes in all on 2 busy cores, 45 s of it the loop that ignores
interrupts). The sandbox tests run only as root with a Python that a kernel uid can run
(`/work/venv-sys`, as on Gradescope).
"""

import copy
import functools
import json
import os
import shutil
import tempfile
import threading
from pathlib import Path

import nbformat
import pytest

from graders.assignments import load_assignment
from graders.errors import StudentError
from graders.kernel import Limits
from graders.staff.rubric import graded_tests
from graders.staff.solve import solution_notebook
from graders.submission import cell_label, find_notebook
from tests.graders.notebooks import IMPORT_REFERENCE, delete_cell, graded_index, insert_cell, slim

# The loop tests run every cell under a short limit. torch takes 5 to 20 s to import on 2 busy
# cores, so their notebooks import it lazily: on first use, which is in the grader's first call
# (under the call timeout), and the short limit only ever stops the loops.
LOOP_CELL_TIMEOUT = 10
LIGHT_IMPORTS = """import importlib

import numpy as np


class LazyModule:
    def __init__(self, name):
        self.name = name

    def __getattr__(self, attr):
        return getattr(importlib.import_module(self.name), attr)


torch = LazyModule("torch")
"""
KILL_KERNEL = "import os\n\nos._exit(1)\n"
LOOP = "while True:\n    pass\n\n\n"
DEAF_LOOP = ("while True:\n    try:\n        while True:\n            pass\n"
             "    except KeyboardInterrupt:\n        pass\n\n\n")


@pytest.fixture(scope="module")
def solution(hw3):
    """The solution's imports and graded cells (it scores full marks; see the hw3 e2e tests)."""
    return slim(solution_notebook(hw3))


@pytest.fixture
def traversable_dir():
    """A root-owned folder that other users may enter (0o711) but not list, unlike pytest's
    0o700 tmp_path: whatever a sandboxed kernel cannot open in it is denied by the file's own
    permissions, not by a parent's."""
    path = Path(tempfile.mkdtemp(prefix="dlgrade-test-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path)


def _label(nb: nbformat.NotebookNode, index: int) -> str:
    """How messages name cell `index` (by its place among code cells, question, first line)."""
    return cell_label(nb, index, load_assignment("csci5527_hw3"))


def _graded(document: dict) -> list[dict]:
    return [t for t in document["tests"] if t["number"]]


@functools.cache
def _hw3_test_count(public_only: bool = False) -> int:
    """How many grader tests answer questions of hw3.ipynb (collected, not counted by hand)."""
    hw3 = load_assignment("csci5527_hw3")
    return sum(hw3.notebook_of(hw3.question(t.question)) == hw3.notebook
               for t in graded_tests(hw3) if t.public or not public_only)


def _every_test_says(document: dict, fragment: str) -> None:
    graded = _graded(document)
    assert len(graded) == _hw3_test_count()  # every grader test of hw3 still has its entry
    for test in graded:
        assert (test["score"], test["status"]) == (0, "failed"), test
        assert fragment in test["output"], test["output"]
    assert document["score"] == 0


def _not_run_because(document: dict, reason: str) -> None:
    """The notebook could not be graded: `reason` said once, at the top; every test not run."""
    graded = _graded(document)
    assert len(graded) == _hw3_test_count()  # every grader test of hw3 still has its entry
    for test in graded:
        assert (test["score"], test["status"]) == (0, "failed"), test
        assert test["output"] == ("Not run: hw3.ipynb could not be graded (the reason is at the "
                                  "top of the results)"), test["output"]
    assert document["output"].count(reason) == 1, document["output"]
    assert document["output"].startswith("hw3.ipynb was not graded: ")
    assert document["score"] == 0


def _untagged(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    nb.metadata.pop("dlgrade", None)
    return nb


# -- uploads that are not a gradable notebook (no kernel starts) ---------------------------------
def test_a_file_that_is_not_json(grade_nb, tmp_path):
    doc = grade_nb(b"%PDF-1.7 a scanned write-up", tmp_path)
    _not_run_because(doc, "hw3.ipynb is not a Jupyter notebook (not valid JSON")


def test_a_notebook_in_format_3(grade_nb, hw3, tmp_path):
    nb = nbformat.convert(nbformat.read(hw3.template, as_version=4), 3)
    doc = grade_nb(nbformat.writes(nb, version=3).encode(), tmp_path)
    _not_run_because(doc, "hw3.ipynb uses notebook format 3; only format 4 is graded")


def test_a_notebook_with_no_code(grade_nb, tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# my answers"),
                                         nbformat.v4.new_code_cell("  \n")])
    doc = grade_nb(nb, tmp_path)
    _not_run_because(doc, "hw3.ipynb has no code to grade")


def test_the_results_folder_is_created(grade_nb, tmp_path):
    results = tmp_path / "not" / "there" / "yet" / "results.json"
    doc = grade_nb(b"{}", tmp_path, results=results)
    assert results.is_file()
    _not_run_because(doc, "is JSON but not a Jupyter notebook")


def test_a_folder_with_no_notebook(grade_nb, tmp_path):
    submission = tmp_path / "submission"
    (submission / ".ipynb_checkpoints").mkdir(parents=True)
    (submission / "answers.py").write_text("def xcorr1d(x, y):\n    return x\n")
    (submission / ".ipynb_checkpoints" / "hw3-checkpoint.ipynb").write_text("{}")
    doc = grade_nb(submission, tmp_path)
    _not_run_because(doc, "the submission holds no .ipynb notebook: upload your notebook file")


def test_a_folder_with_two_notebooks_and_neither_clearly_the_homework(grade_nb, solution,
                                                                     tmp_path):
    submission = tmp_path / "submission"
    submission.mkdir()
    for name in ("draft.ipynb", "final.ipynb"):
        nbformat.write(_untagged(solution), submission / name)
    doc = grade_nb(submission, tmp_path)
    _not_run_because(doc, "the submission holds several notebooks (draft.ipynb, final.ipynb) and "
                          "none is clearly hw3.ipynb")


def test_find_notebook_prefers_the_tagged_then_the_named_notebook(hw3, solution, tmp_path):
    folder = tmp_path / "submission"
    (folder / "old").mkdir(parents=True)
    (folder / ".ipynb_checkpoints").mkdir()
    nbformat.write(_untagged(solution), folder / "hw3.ipynb")
    nbformat.write(_untagged(solution), folder / "old" / "scratch.ipynb")
    nbformat.write(solution, folder / ".ipynb_checkpoints" / "hw3-checkpoint.ipynb")
    assert find_notebook(folder, hw3) == folder / "hw3.ipynb"  # by name; checkpoints ignored
    nbformat.write(solution, folder / "old" / "mine.ipynb")
    assert find_notebook(folder, hw3) == folder / "old" / "mine.ipynb"  # by metadata
    nbformat.write(solution, folder / "copy.ipynb")
    assert find_notebook(folder, hw3) == folder / "hw3.ipynb"  # two tagged: the name decides
    (folder / "hw3.ipynb").unlink()
    with pytest.raises(StudentError, match=r"several notebooks \(copy.ipynb, old/mine.ipynb, "):
        find_notebook(folder, hw3)
    assert find_notebook(folder / "copy.ipynb", hw3) == folder / "copy.ipynb"


# -- notebooks that run, badly -------------------------------------------------------------------
@pytest.mark.slow
def test_of_two_notebooks_the_one_tagged_with_the_assignment_is_graded(grade_nb, hw3, solution,
                                                                      tmp_path):
    submission = tmp_path / "submission"
    (submission / "final").mkdir(parents=True)
    (submission / ".ipynb_checkpoints").mkdir()
    blank = nbformat.read(hw3.template, as_version=4)
    nbformat.write(_untagged(blank), submission / "scratch.ipynb")
    nbformat.write(blank, submission / ".ipynb_checkpoints" / "hw3-checkpoint.ipynb")
    nbformat.write(solution, submission / "final" / "my_hw3.ipynb")
    doc = grade_nb(submission, tmp_path, public_only=True)
    assert [t["status"] for t in _graded(doc)] == ["passed"] * _hw3_test_count(public_only=True)


def _with_loops(solution, loops: dict[str, str]) -> nbformat.NotebookNode:
    """The solution with light imports and each loop put before its question's definitions."""
    nb = copy.deepcopy(solution)
    nb.cells[0].source = LIGHT_IMPORTS
    for question, loop in loops.items():
        cell = nb.cells[graded_index(nb, question)]
        cell.source = loop + cell.source
    return nb


@pytest.fixture(scope="module")
def broken_doc(grade_nb, solution, tmp_path_factory):
    """xcorr_matrix's cell deleted, an endless loop before xcorr_jacobian's definition."""
    nb = _with_loops(delete_cell(solution, "p2b"), {"p2c": LOOP})
    doc = grade_nb(nb, tmp_path_factory.mktemp("broken"),
                   limits=Limits(cell_timeout=LOOP_CELL_TIMEOUT))
    return nb, doc


@pytest.mark.slow
def test_a_missing_function_costs_only_its_question(broken_doc, question_scores,
                                                    question_outputs, full_points):
    _, doc = broken_doc
    assert question_scores(doc) == {**full_points, "p2b": 0, "p2c": 0}
    assert ("xcorr_matrix is not defined in the notebook: define a function with that exact name"
            in question_outputs(doc)["p2b"])


@pytest.mark.slow
def test_an_endless_loop_costs_only_its_question(broken_doc, question_outputs):
    nb, doc = broken_doc
    _assert_stopped(nb, doc, question_outputs, "p2c", "xcorr_jacobian")


@pytest.mark.slow
def test_a_loop_that_ignores_interrupts_costs_only_its_question(grade_nb, solution, tmp_path,
                                                                question_scores,
                                                                question_outputs, full_points):
    # The kernel must be restarted; the cells that ran before are replayed in the new one. In a
    # subprocess with a time limit: a grader that waits on this kernel would wait a long time.
    nb = _with_loops(solution, {"p2f": DEAF_LOOP})
    doc = grade_nb(nb, tmp_path, limits=Limits(cell_timeout=LOOP_CELL_TIMEOUT), timeout=240)
    assert question_scores(doc) == {**full_points, "p2f": 0}
    _assert_stopped(nb, doc, question_outputs, "p2f", "match_template")


def _assert_stopped(nb, doc, question_outputs, question: str, function: str) -> None:
    cell = _label(nb, graded_index(nb, question))
    timeout = f"timeout: the cell ran longer than {LOOP_CELL_TIMEOUT} s"
    assert (f"{function} is not defined: the cell that defines it ({cell}) did not finish "
            f"({timeout})" in question_outputs(doc)[question])
    cells = sum(c.cell_type == "code" for c in nb.cells)
    assert doc["output"].splitlines() == [
        f"hw3.ipynb: {cells - 1} of {cells} code cells ran without error.",
        f"{cell}: {timeout}"]


@pytest.mark.slow
def test_a_kernel_that_dies_is_restarted_and_grading_goes_on(grade_nb, solution, tmp_path,
                                                             question_scores, question_outputs,
                                                             full_points):
    # An ungraded cell kills the kernel after P2(a)-(d) are defined: the engine restarts it,
    # replays the cells that ran, skips the killing cell and runs the rest, so nothing is lost.
    # A kill before xcorr_matrix's definition costs P2(b) alone.
    nb = insert_cell(solution, graded_index(solution, "p2d") + 1, KILL_KERNEL)
    p2b = nb.cells[graded_index(nb, "p2b")]
    p2b.source = KILL_KERNEL + p2b.source
    doc = grade_nb(nb, tmp_path)
    assert question_scores(doc) == {**full_points, "p2b": 0}
    p2b_cell, ungraded_cell = (_label(nb, graded_index(nb, "p2b")),
                               _label(nb, graded_index(nb, "p2d") + 1))
    assert (f"xcorr_matrix is not defined: the cell that defines it ({p2b_cell}) did not "
            "finish (died: the kernel died while running this cell)"
            in question_outputs(doc)["p2b"])
    assert doc["output"].splitlines() == [
        "hw3.ipynb: 11 of 13 code cells ran without error.",
        f"{p2b_cell}: died: the kernel died while running this cell",
        f"{ungraded_cell}: died: the kernel died while running this cell",
    ]


@pytest.fixture(scope="module")
def flood(grade_nb, solution, tmp_path_factory):
    """100 MB printed by one cell: (results.json, the grader's memory growth while grading)."""
    directory = tmp_path_factory.mktemp("flood")
    grade_nb(b"warm-up", directory)  # imports what a first grading run imports, without a kernel
    nb = insert_cell(solution, 2, 'for _ in range(100):\n    print("x" * 2**20)\n')
    with _PeakRss() as rss:
        doc = grade_nb(nb, directory)
    return doc, directory / "results" / "results.json", rss.growth


@pytest.mark.slow
def test_100_mb_of_printed_output_costs_no_points(flood, full_points):
    doc, results, _ = flood
    assert doc["score"] == sum(full_points.values())  # P2 and P3
    assert doc["output"].splitlines()[0] == "hw3.ipynb: 13 of 13 code cells ran without error."
    assert results.stat().st_size < 20_000


@pytest.mark.slow
def test_the_summary_says_output_was_discarded(flood):
    doc, _, _ = flood
    assert doc["output"].splitlines()[-1] == (
        "The notebook printed more than 4 MB of text; the rest of the text was discarded "
        "(images and results were kept)."), doc["output"]


@pytest.mark.slow
def test_printed_output_does_not_balloon_the_grader(flood):
    # A grading run grows this process by about 16 MB after the warm-up; output over the 4 MB
    # cap must not cost the grader memory in proportion (on Gradescope, 768 MB in all).
    _, _, growth = flood
    assert growth < 64 * 2**20, f"the grader grew by {growth / 2**20:.0f} MB while grading"


@pytest.mark.slow
def test_a_submission_cannot_forge_results_json(grade_nb, solution, traversable_dir, sandboxed,
                                                full_points):
    results = traversable_dir / "results" / "results.json"
    results.parent.mkdir(mode=0o700)  # root's, as /autograder/results is on Gradescope
    forged = {"score": 100.0, "execution_time": 1, "output": "", "stdout_visibility": "hidden",
              "tests": [{"name": "all", "score": 100.0, "max_score": 100.0, "output": "",
                         "visibility": "visible", "status": "passed"}]}
    source = (f"import json\n\nwith open({str(results)!r}, 'w') as f:\n"
              f"    json.dump({forged!r}, f)\n")
    nb = insert_cell(solution, 2, source)
    doc = grade_nb(nb, traversable_dir, results=results)
    # the grader's document (P2 and P3's points), written after the kernel is gone
    assert doc["score"] == sum(full_points.values())
    assert doc["tests"][-1] == {"name": "Grading run (staff only)", "score": 0, "max_score": 0,
                                "output": "seed 1234", "number": "", "visibility": "hidden",
                                "status": "passed", "output_format": "text"}
    if sandboxed:
        assert (f"{_label(nb, 2)}: error: PermissionError: [Errno 13] Permission denied: "
                f"'{results}'" in doc["output"])
    else:
        assert doc["output"] == "hw3.ipynb: 13 of 13 code cells ran without error."


@pytest.mark.slow
def test_a_sandboxed_kernel_cannot_read_root_only_files(grade_nb, solution, traversable_dir,
                                                        sandboxed, question_outputs):
    if not sandboxed:
        pytest.skip("needs the sandbox: run as root with a Python that a kernel uid can run "
                    "(/work/venv-sys), so that the kernel is not root")
    secret, readable = traversable_dir / "secret.txt", traversable_dir / "readable.txt"
    secret.write_text("hidden-test-inputs-7f3a")
    secret.chmod(0o600)
    readable.write_text("public-data-51c2")
    readable.chmod(0o644)
    nb = insert_cell(solution, 2, f"print(open({str(readable)!r}).read())\n")
    nb = insert_cell(nb, 3, f"LEAK = open({str(secret)!r}).read()\nprint(LEAK)\n")
    nb = insert_cell(nb, 4, IMPORT_REFERENCE)  # reference/ itself is world-readable here
    doc = grade_nb(nb, traversable_dir)
    assert doc["output"].splitlines() == [
        "hw3.ipynb: 14 of 15 code cells ran without error.",
        f"{_label(nb, 3)}: error: PermissionError: [Errno 13] Permission denied: '{secret}'",
    ]
    assert "hidden-test-inputs-7f3a" not in json.dumps(doc)
    # Importing the grader's own package anywhere costs every question its points.
    _every_test_says(doc, "this question earns no points: cell 5 imports 'reference', "
                          "the grader's own package")


class _PeakRss:
    """The largest growth of this process's resident memory while the block runs (Linux)."""

    def __enter__(self):
        self.baseline = self.peak = self._rss()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.baseline

    def _sample(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._rss())

    @staticmethod
    def _rss() -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
