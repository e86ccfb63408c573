"""The fixtures of grader tests, registered for every grading run (`-p graders.fixtures`):

- `submission`: the executed notebook that answers the test's question (once per run);
- `rng`: inputs drawn from the run's secret seed, never from the notebook;
- `setting`: a test-only knob (GradingPlugin.settings);
- `_scan_gate` (automatic): a question whose code uses a forbidden API earns nothing.
"""

import zlib

import numpy as np
import pytest

from graders.errors import GraderError, StudentError
from graders.plugin import RUN, NotebookUnusable


@pytest.fixture(scope="session")
def _submissions(request):
    """Executed notebooks by name; the run closes them all at the end."""
    run = request.config.stash[RUN]
    yield run.submissions
    run.close()


@pytest.fixture
def submission(request, _submissions):
    """The notebook that answers this test's question, executed once for the whole run."""
    run = request.config.stash[RUN]
    question = run.assignment.question(request.node.get_closest_marker("graded").args[0])
    name = run.assignment.notebook_of(question)
    found = run.execute(name)
    if isinstance(found, StudentError):
        raise NotebookUnusable(name)
    if isinstance(found, Exception):
        raise GraderError(f"{name} could not be graded: {type(found).__name__}") from found
    found.session.question = question.id  # its calls count against this question's budget
    return found


@pytest.fixture
def setting(request):
    """`setting(name, default)`: a test-only knob of this run (see GradingPlugin.settings)."""
    settings = request.config.stash[RUN].settings
    return lambda name, default: settings.get(name, default)


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
