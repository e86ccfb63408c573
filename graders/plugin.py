"""The pytest plugin that turns grader tests into Gradescope results.

Grader tests are plain pytest functions marked with `@graded(question, points, name)` (and
`visibility=` to override the assignment's setting for one test). Their fixtures are in
graders/fixtures.py (`submission`, `rng`, `setting`). Each test's outcome becomes one
results.json entry:

- passed: its points;
- failed: a `StudentError` earns none (a `PartialCredit` its fraction), with the message;
- not graded: a `NotGradable` (test data absent) earns none, status failed, output starting
  "Not graded:" with the reason; the question keeps its points in the total, so the total is
  always the handout's;
- not run: its notebook is missing or unreadable; the reason is said once, at the top;
- any other exception is an autograder error, shown as such, the traceback kept for staff.

Visibility: tests in test_public*.py are visible; the others ("hidden tests") get the
assignment's `hidden_visibility`, and whenever students can see them their messages drop what
the grader drew (see errors.drawn); staff get the full messages in a hidden entry.
"""

import fnmatch
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from graders.assignments import Assignment, Question
from graders.errors import (
    NOT_GRADED,
    GraderError,
    NotGradable,
    PartialCredit,
    StudentError,
    public_message,
    staff_message,
)
from graders.kernel import Limits
from graders.preload import import_on_first_word
from graders.results import VISIBILITIES, TestResult
from graders.submission import Submission

graded = pytest.mark.graded
RUN = pytest.StashKey["GradingPlugin"]()
PUBLIC_TESTS = "test_public*.py"
NOT_RUN = "Not run: "
FAULTS = "Autograder error details (staff only)"


class NotebookUnusable(StudentError):
    """The notebook of this test is missing or cannot be read: the test was not run."""

    def __init__(self, notebook: str):
        super().__init__(f"{NOT_RUN}{notebook} could not be graded (the reason is at the top "
                         "of the results)")


@dataclass
class Outcome:
    """What happened to one test: the exception of its first failing phase, if any."""

    question: str
    points: float
    name: str
    visibility: str
    redacted: bool  # a hidden test that students can see: drawn details are dropped
    error: BaseException | None = None
    trace: str = ""


class GradingPlugin:
    """Registered by the harness for one grading run.

    `settings` are test-only knobs a grader reads by name (say {"p1e.bar": 0.9}): the CLI never
    sets them, so a real grading always uses the handout's values.
    """

    def __init__(self, assignment: Assignment, notebook, seed: int, limits: Limits,
                 graded_only: bool = False, notebooks: tuple[str, ...] | None = None,
                 questions: tuple[str, ...] | None = None, settings: dict | None = None,
                 progress: Callable[[str], None] | None = None):
        self.assignment = assignment
        self.notebook = notebook
        self.seed = seed
        self.limits = limits
        self.graded_only = graded_only
        self.notebooks = notebooks or assignment.notebooks  # the ones this run grades
        self.questions = questions  # None: all of them
        self.settings = dict(settings or {})
        self.progress = progress  # a live display of where the run is (`dlgrade check`)
        self.outcomes: dict[str, Outcome] = {}
        self.submissions: dict[str, Submission | Exception] = {}
        self.importing: list[threading.Thread] = []  # imports made ahead (graders/preload.py)

    def execute(self, name: str) -> Submission | Exception:
        """The executed notebook `name` (or why it could not run), executed on first request.

        One kernel runs at a time: tests are ordered by notebook, and moving on to the next
        notebook shuts the previous kernel down. A notebook that is missing or cannot be loaded
        is tried once: its tests are marked as not run, and the summary says why once.
        """
        if name not in self.submissions:
            for other in self.submissions.values():
                if isinstance(other, Submission):
                    other.close()
            preload = tuple(sorted({module for q in self._selected() for module in q.preload
                                    if self.assignment.notebook_of(q) == name}))
            progress = import_on_first_word(self.progress, preload, self.importing)
            try:
                self.submissions[name] = Submission(self.notebook, self.assignment, self.limits,
                                                    self.graded_only, name, progress)
            except Exception as err:  # kept, so a notebook that cannot run is tried only once
                self.submissions[name] = err
        return self.submissions[name]

    def close(self) -> None:
        """Shut down every kernel this run started."""
        for executed in self.submissions.values():
            if isinstance(executed, Submission):
                executed.close()

    def execute_first(self) -> None:
        """Execute the first notebook this run is likely to need, before pytest starts (the
        harness imports the grader files' dependencies meanwhile, in a thread): the first of
        the needed ones that the submission holds and that runs. Collection drops it again if
        no selected test uses it."""
        needed = {self.assignment.notebook_of(q) for q in self._selected()}
        for name in self.notebooks:
            if name in needed and isinstance(self.execute(name), Submission):
                return

    def finish_imports(self) -> None:
        """Wait for the imports made ahead so far (pytest then imports on its own)."""
        for thread in self.importing:
            thread.join()

    def _selected(self) -> list[Question]:
        return [q for q in self.assignment.questions
                if not self.questions or q.id in self.questions]

    # -- pytest hooks ------------------------------------------------------------------------
    def pytest_configure(self, config):
        config.addinivalue_line("markers", "graded(question, points, name, visibility=None): "
                                "a graded test")
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
            self.outcomes[item.nodeid] = self._outcome(item, marker, question.id)
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        needed = {self.assignment.notebook_of(self.assignment.question(o.question))
                  for o in self.outcomes.values()}
        for name in [name for name in self.submissions if name not in needed]:
            executed = self.submissions.pop(name)  # executed ahead, but no selected test uses it
            if isinstance(executed, Submission):
                executed.close()
        items[:] = [item for _, item in sorted(kept, key=lambda pair: pair[0])]  # stable

    def _outcome(self, item, marker, question: str) -> Outcome:
        public = fnmatch.fnmatch(item.path.name, PUBLIC_TESTS)
        visibility = marker.kwargs.get("visibility") or (
            "visible" if public else self.assignment.hidden_visibility)
        if visibility not in VISIBILITIES:
            raise GraderError(f"{item.nodeid}: visibility {visibility!r} is not one of "
                              f"{VISIBILITIES}")
        return Outcome(question, float(marker.args[1]), marker.args[2], visibility,
                       redacted=not public and visibility != "hidden")

    def summary(self) -> str:
        """The results' top-level output: notebooks that could not be graded (once each), the
        questions not graded and why, then what happened to each executed notebook's cells."""
        problems, parts = [], []
        several = len(self.assignment.notebooks) > 1
        for name, submission in self.submissions.items():
            if isinstance(submission, StudentError):
                reason = str(submission).rstrip(".")
                problems.append(f"{name} was not graded: {reason}. Its tests were not run and "
                                "score 0.")
            elif isinstance(submission, Submission):
                text = submission.execution_summary()
                parts.append(f"{name}: {text}" if several else text)
        not_graded = [f"{NOT_GRADED}{self.assignment.question(o.question).number} "
                      f"{self.assignment.question(o.question).title}: {o.error}"
                      for o in self.outcomes.values() if isinstance(o.error, NotGradable)]
        return "\n".join([*problems, *dict.fromkeys(not_graded), *parts])

    def pytest_runtest_logfinish(self, nodeid, location):
        if self.progress is not None:
            done = list(self.outcomes).index(nodeid) + 1
            self.progress(f"{done} of {len(self.outcomes)} checks done")

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
        """One entry per test, in question order, plus hidden entries for staff: the full
        messages of redacted tests and any grader fault."""
        order = {q.id: i for i, q in enumerate(self.assignment.questions)}
        entries, faults, full = [], [], []
        for nodeid, outcome in sorted(self.outcomes.items(),
                                      key=lambda kv: order[kv[1].question]):
            question = self.assignment.question(outcome.question)
            score, message = _score(outcome)
            name = f"{question.number} {question.title}: {outcome.name}"
            if message is None:
                faults.append(f"{nodeid}\n{outcome.trace}")
                message = "autograder error in this test (not your fault); staff can see why"
            shown = public_message(message) if outcome.redacted else staff_message(message)
            if shown != staff_message(message):
                full.append(f"{name}\n{staff_message(message)}")
            entries.append(TestResult(
                name=name, number=question.number, score=round(score, 6),
                max_score=0.0 if question.extra_credit else outcome.points, output=shown,
                visibility=outcome.visibility,
                status="passed" if outcome.error is None else "failed"))
        if full:
            entries.append(TestResult(name="Full messages of hidden tests (staff only)", score=0,
                                      max_score=0, output="\n\n".join(full),
                                      visibility="hidden"))
        if faults:
            entries.append(TestResult(name=FAULTS, score=0, max_score=0,
                                      output="\n\n".join(faults), visibility="hidden"))
        return entries


def _score(outcome: Outcome) -> tuple[float, str | None]:
    """(score, message for the student); message None means a grader fault."""
    error = outcome.error
    if error is None:
        return outcome.points, "passed"
    if isinstance(error, NotGradable):
        return 0.0, f"{NOT_GRADED}{error}"
    if isinstance(error, PartialCredit):
        return outcome.points * error.fraction, str(error)
    if isinstance(error, StudentError):
        return 0.0, str(error)
    return 0.0, None
