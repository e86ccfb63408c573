"""The pytest plugin that turns grader tests into Gradescope results.

Grader tests are plain pytest functions marked with `@graded(question, points, name)`. They use
two fixtures: `submission` (the notebook that answers the question, executed once per run) and
`rng` (inputs drawn from the run's secret seed). Each test's outcome becomes one results.json
entry: a pass earns its points, a `StudentError` earns none (a `PartialCredit` earns its
fraction, a `NotGradable` is left out of the total), and any other exception is an autograder
error, shown as such, with the traceback kept for staff.
"""

import traceback
import zlib
from dataclasses import dataclass

import numpy as np
import pytest

from graders.assignments import Assignment
from graders.errors import GraderError, NotGradable, PartialCredit, StudentError
from graders.kernel import Limits
from graders.results import TestResult
from graders.submission import Submission

graded = pytest.mark.graded
RUN = pytest.StashKey["GradingPlugin"]()


@dataclass
class Outcome:
    """What happened to one test: the exception of its first failing phase, if any."""

    question: str
    points: float
    name: str
    error: BaseException | None = None
    trace: str = ""


class GradingPlugin:
    """Registered by the harness for one grading run."""

    def __init__(self, assignment: Assignment, notebook, seed: int, limits: Limits,
                 graded_only: bool = False, notebooks: tuple[str, ...] | None = None,
                 questions: tuple[str, ...] | None = None):
        self.assignment = assignment
        self.notebook = notebook
        self.seed = seed
        self.limits = limits
        self.graded_only = graded_only
        self.notebooks = notebooks or assignment.notebooks  # the ones this run grades
        self.questions = questions  # None: all of them
        self.outcomes: dict[str, Outcome] = {}
        self.submissions: dict[str, Submission | Exception] = {}

    # -- pytest hooks ------------------------------------------------------------------------
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "graded(question, points, name): a graded test")
        config.stash[RUN] = self

    def pytest_collection_modifyitems(self, session, config, items):
        kept, dropped = [], []
        for item in items:
            marker = item.get_closest_marker("graded")
            if marker is None:
                raise GraderError(f"{item.nodeid} has no @graded marker")
            question = self.assignment.question(marker.args[0])
            notebook = self.assignment.notebook_of(question)
            if notebook not in self.notebooks or (self.questions
                                                   and question.id not in self.questions):
                dropped.append(item)
                continue
            kept.append((self.assignment.notebooks.index(notebook), item))
            self.outcomes[item.nodeid] = Outcome(question.id, float(marker.args[1]),
                                                 marker.args[2])
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = [item for _, item in sorted(kept, key=lambda pair: pair[0])]  # stable

    def summary(self) -> str:
        """What happened to each executed notebook's cells."""
        parts = []
        for name, submission in self.submissions.items():
            if isinstance(submission, Submission):
                text = submission.execution_summary()
                parts.append(f"{name}: {text}" if len(self.assignment.notebooks) > 1 else text)
        return "\n".join(parts)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        outcome = self.outcomes[item.nodeid]
        if call.excinfo is not None and outcome.error is None:
            outcome.error = call.excinfo.value
            outcome.trace = "".join(traceback.format_exception(call.excinfo.value))
        return report

    # -- results -----------------------------------------------------------------------------
    def results(self) -> list[TestResult]:
        """One entry per test, in question order, plus a hidden entry for any grader fault."""
        order = {q.id: i for i, q in enumerate(self.assignment.questions)}
        entries, faults = [], []
        for nodeid, outcome in sorted(self.outcomes.items(),
                                      key=lambda kv: order[kv[1].question]):
            question = self.assignment.question(outcome.question)
            score, message = _score(outcome)
            held_back = isinstance(outcome.error, NotGradable)
            if message is None:
                faults.append(f"{nodeid}\n{outcome.trace}")
                message = "autograder error in this test (not your fault); staff can see why"
            entries.append(TestResult(
                name=f"{question.number} {question.title}: {outcome.name}",
                number=question.number, score=round(score, 6),
                max_score=0.0 if question.extra_credit or held_back else outcome.points,
                output=message, status="passed" if outcome.error is None or held_back
                else "failed"))
        if faults:
            entries.append(TestResult(
                name="Autograder error details (staff only)", score=0, max_score=0,
                output="\n\n".join(faults), visibility="hidden"))
        return entries


def _score(outcome: Outcome) -> tuple[float, str | None]:
    """(score, message for the student); message None means a grader fault."""
    error = outcome.error
    if error is None:
        return outcome.points, "passed"
    if isinstance(error, PartialCredit):
        return outcome.points * error.fraction, str(error)
    if isinstance(error, StudentError):
        return 0.0, str(error)
    return 0.0, None


# -- fixtures (this module is also registered as a plugin: `-p graders.plugin`) -------------------
@pytest.fixture(scope="session")
def _submissions(request):
    """Executed notebooks by name; the run closes them all at the end."""
    run = request.config.stash[RUN]
    yield run.submissions
    for submission in run.submissions.values():
        if isinstance(submission, Submission):
            submission.close()


@pytest.fixture
def submission(request, _submissions):
    """The notebook that answers this test's question, executed once for the whole run.

    One kernel runs at a time: tests are ordered by notebook, and moving on to the next notebook
    shuts the previous kernel down. A notebook that cannot be loaded fails each of its tests
    with the same message.
    """
    run = request.config.stash[RUN]
    question = run.assignment.question(request.node.get_closest_marker("graded").args[0])
    name = run.assignment.notebook_of(question)
    if name not in _submissions:
        for other in _submissions.values():
            if isinstance(other, Submission):
                other.close()
        try:
            _submissions[name] = Submission(run.notebook, run.assignment, run.limits,
                                            run.graded_only, name)
        except Exception as err:  # kept, so a notebook that cannot run is tried only once
            _submissions[name] = err
    found = _submissions[name]
    if isinstance(found, StudentError):
        raise StudentError(str(found))
    if isinstance(found, Exception):
        raise GraderError(f"{name} could not be graded: {type(found).__name__}") from found
    found.session.question = question.id  # its calls count against this question's budget
    return found


@pytest.fixture
def rng(request):
    """Inputs for this test, drawn from the run's secret seed (never from the notebook)."""
    seed = request.config.stash[RUN].seed
    return np.random.default_rng([seed, zlib.crc32(request.node.nodeid.encode())])


@pytest.fixture(autouse=True)
def _scan_gate(request, submission):
    """A question whose code uses a forbidden API or our packages earns nothing: the static scan
    decides before its tests, the run-time check while they run (Submission.call records the
    forbidden calls, charged to the question they live in; every test of that question then
    fails with that message, whatever partial credit it had counted, also those run before)."""
    question = request.node.get_closest_marker("graded").args[0]
    findings = submission.findings.get(question, []) + submission.runtime_findings.get(question, [])
    if findings:
        raise StudentError("this question earns no points: " + "; ".join(findings))
    submission.grading = question
    yield
    submission.grading = None
    for outcome in request.config.stash[RUN].outcomes.values():
        found = submission.runtime_findings.get(outcome.question)
        if found:
            outcome.error = StudentError("this question earns no points: " + "; ".join(found))
