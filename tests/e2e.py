"""Session fixtures for grading an assignment's notebooks end to end, made here once for all the
assignments: each tests/graders_*/conftest.py names its fixtures with these factories, e.g.

    GRADE = Grader("comp499_a1", seed=499)
    a1, grade_nb = assignment(GRADE), grading(GRADE)
    solution, solution_doc, blank_doc = solution_and_blank(GRADE)

Every fixture is session-scoped, so each notebook is graded once per test session.
"""

import copy
import dataclasses
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest

from graders.assignments import Assignment, Question, load_assignment
from graders.harness import grade
from graders.staff.solve import solution_notebook
from tests.conftest import checked_results


@dataclasses.dataclass(frozen=True)
class Grader:
    """`Grader(id, seed=..., env={...}, **defaults)(nb, directory, **grade_kwargs)`: grade a
    notebook with the assignment's grader and return its checked results.json.

    `nb` is a NotebookNode (written as `name`, by default the assignment's notebook), raw bytes
    (written as is: a broken upload) or an existing path (a notebook or a submission folder).
    results.json goes to `results` (default DIR/results/results.json) and must validate against
    Gradescope's schema, equal grade()'s return value and show the student no traceback. `env`
    (the grader's, then the call's) is set while grading; `timeout` (seconds) grades in a
    subprocess that is killed if it runs longer, for notebooks that could hang the grader.
    """

    assignment_id: str
    seed: int
    env: dict[str, str] = dataclasses.field(default_factory=dict)
    defaults: dict = dataclasses.field(default_factory=dict)

    @property
    def assignment(self) -> Assignment:
        return load_assignment(self.assignment_id)

    def __call__(self, nb, directory: Path, *, name: str | None = None,
                 results: Path | None = None, timeout: float | None = None,
                 env: dict[str, str] | None = None, **grade_kwargs) -> dict:
        directory = Path(directory)
        if isinstance(nb, Path):
            path = nb
        else:
            path = directory / (name or self.assignment.notebook)
            if isinstance(nb, bytes):
                path.write_bytes(nb)
            else:
                nbformat.write(nb, path)
        results = results or directory / "results" / "results.json"
        grade_kwargs = {**self.defaults, **grade_kwargs}
        with pytest.MonkeyPatch.context() as mp:
            for variable, value in {**self.env, **(env or {})}.items():
                mp.setenv(variable, value)
            if timeout is not None:
                self._in_subprocess(path, results, timeout, grade_kwargs)
                return checked_results(results)
            returned = grade(self.assignment, path, results, seed=self.seed, **grade_kwargs)
        return checked_results(results, returned)

    def _in_subprocess(self, notebook: Path, results: Path, timeout: float,
                       grade_kwargs: dict) -> None:
        if "limits" in grade_kwargs:
            grade_kwargs = {**grade_kwargs, "limits": dataclasses.asdict(grade_kwargs["limits"])}
        args = [sys.executable, "-c", _GRADE_SCRIPT, self.assignment_id, str(notebook),
                str(results), str(self.seed), json.dumps(grade_kwargs)]
        # The kernel's folders go to a temporary folder of their own (one the kernel user can
        # enter), removed afterwards even if the grader had to be killed.
        scratch = Path(tempfile.mkdtemp(prefix="dlgrade-test-"))
        scratch.chmod(0o711)
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   env={**os.environ, "TMPDIR": str(scratch)},
                                   start_new_session=True)
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the kernel exits when its parent is gone
            output, _ = process.communicate()
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if process.returncode == -signal.SIGKILL:
            pytest.fail(f"grading did not finish within {timeout:.0f} s", pytrace=False)
        assert process.returncode == 0, output.decode(errors="replace")[-5000:]


_GRADE_SCRIPT = """
import json, sys
from pathlib import Path
from graders.assignments import load_assignment
from graders.harness import grade
from graders.kernel import Limits
assignment, notebook, results, seed, kwargs = sys.argv[1:]
kwargs = json.loads(kwargs)
if "limits" in kwargs:
    kwargs["limits"] = Limits(**kwargs["limits"])
grade(load_assignment(assignment), Path(notebook), Path(results), seed=int(seed), **kwargs)
"""


def _session(function: Callable) -> Callable:
    return pytest.fixture(scope="session")(function)


def assignment(grader: Grader) -> Callable:
    """Fixture: the assignment that `grader` grades."""
    return _session(lambda: grader.assignment)


def grading(grader: Grader) -> Callable:
    """Fixture: `grader` itself, a function of the notebook."""
    return _session(lambda: grader)


# -- scores and messages per question ------------------------------------------------------------
def question_scores(document: dict, questions: list[Question]) -> dict[str, float]:
    """{question id: summed score of its tests in results.json `document`}."""
    return {q.id: round(sum(t["score"] for t in document["tests"]
                            if t.get("number") == q.number), 6) for q in questions}


def question_outputs(document: dict, questions: list[Question]) -> dict[str, str]:
    """{question id: the outputs of its tests, one per line}."""
    return {q.id: "\n".join(t["output"] for t in document["tests"]
                            if t.get("number") == q.number) for q in questions}


def per_question(grader: Grader,
                 questions: Callable[[Assignment], list[Question]] = lambda a: a.autograded
                 ) -> tuple:
    """Fixtures `question_scores(doc)`, `question_outputs(doc)` (as the functions above, over
    `questions(assignment)`, by default the autograded ones) and `full_points` ({id: points})."""
    def graded() -> list[Question]:
        return questions(grader.assignment)

    return (_session(lambda: lambda document: question_scores(document, graded())),
            _session(lambda: lambda document: question_outputs(document, graded())),
            _session(lambda: {q.id: q.points for q in graded()}))


# -- the gradings every assignment's tests share -------------------------------------------------
def solution_and_blank(grader: Grader,
                       prepare: Callable[[nbformat.NotebookNode], nbformat.NotebookNode] | None
                       = None) -> tuple:
    """Fixtures: the solution notebook (`dlgrade solve`'s, passed through `prepare`), its
    graded results.json, and the graded results.json of the blank template."""
    def solution() -> nbformat.NotebookNode:
        nb = solution_notebook(grader.assignment)
        return prepare(nb) if prepare else nb

    def solution_doc(solution, tmp_path_factory) -> dict:
        return grader(solution, tmp_path_factory.mktemp("solution"))

    def blank_doc(tmp_path_factory) -> dict:
        template = nbformat.read(grader.assignment.template, as_version=4)
        return grader(template, tmp_path_factory.mktemp("blank"))

    return _session(solution), _session(solution_doc), _session(blank_doc)


class _Graded(dict):
    """{group: results.json}, each group's notebook graded on first use (a grading that fails
    fails every test that asks for it, as a failing fixture does, without grading again)."""

    def __init__(self, grade_group: Callable[[str], dict]):
        super().__init__()
        self._grade_group = grade_group
        self._failures: dict[str, BaseException] = {}

    def __missing__(self, group: str) -> dict:
        if group in self._failures:
            raise self._failures[group]
        try:
            self[group] = self._grade_group(group)
        except (Exception, pytest.fail.Exception) as failure:
            self._failures[group] = failure
            raise
        return self[group]


def group_docs(grader: Grader, variant: Callable[[nbformat.NotebookNode, str], object],
               **grade_kwargs) -> Callable:
    """Fixture `group_docs[group]`: the results.json of `variant(solution, group)` (the solution
    with the group's wrong answers in), each group graded once, when a test first asks for it."""
    def docs(solution, tmp_path_factory) -> _Graded:
        return _Graded(lambda group: grader(variant(copy.deepcopy(solution), group),
                                            tmp_path_factory.mktemp(group), **grade_kwargs))

    return _session(docs)


# -- what every assignment's end-to-end tests check ----------------------------------------------
def assert_no_grader_fault(document: dict) -> None:
    assert not [t for t in document["tests"] if "Autograder error" in t["name"]]


def assert_every_test_passes(document: dict, assignment: Assignment) -> None:
    """Each autograded question has tests in `document`, and every one of them passed."""
    graded = [t for t in document["tests"] if t["number"]]
    assert {t["number"] for t in graded} == {q.number for q in assignment.autograded}
    for test in graded:
        assert (test["status"], test["output"]) == ("passed", "passed"), test["name"]
    assert_no_grader_fault(document)


def assert_blank_scores_zero(blank_doc: dict, solution_doc: dict,
                             explained: Callable[[str], bool],
                             graded: Callable[[dict], bool] = lambda test: test["number"]
                             ) -> None:
    """The blank template earns 0 and no grader fault; it has the solution's tests, and each
    `graded` one failed with an output that `explained` accepts."""
    assert blank_doc["score"] == 0
    assert [t["name"] for t in blank_doc["tests"] if t["number"]] == [  # staff entries may differ
        t["name"] for t in solution_doc["tests"] if t["number"]]
    for test in blank_doc["tests"]:
        if graded(test):
            assert test["status"] == "failed" and test["score"] == 0, test["name"]
            assert explained(test["output"]), test
    assert_no_grader_fault(blank_doc)


def assert_says(output: str, fragments) -> None:
    """Every string of `fragments` is in `output`."""
    for fragment in fragments:
        assert fragment in output, output
