"""One grading run: pytest over an assignment's graders, always ending in a valid results.json."""

import ast
import contextlib
import io
import logging
import secrets
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import pytest

from graders.answer_cells import USE_THE_CHECKER
from graders.assignments import Assignment
from graders.errors import GraderError
from graders.plugin import FAULTS, PUBLIC_TESTS, GradingPlugin
from graders.preload import import_quietly, in_background
from graders.results import (
    TestResult,
    is_special,
    reserve_space,
    results_document,
    write_results,
)
from graders.sandbox import Limits, protect_grader, unprotect_grader


def grade(assignment: Assignment, notebook: Path, results_path: Path | None = None, *,
          public_only: bool = False, seed: int | None = None, limits: Limits | None = None,
          graded_only: bool = False, notebooks: tuple[str, ...] | None = None,
          questions: tuple[str, ...] | None = None, settings: dict | None = None,
          progress: Callable[[str], None] | None = None) -> dict:
    """Grade `notebook` and return (and write, if `results_path` is given) results.json.

    `notebook` is a file or a folder of the student's notebooks; `notebooks` limits the run to
    some of the assignment's notebooks (a student checking one file), `questions` to some of its
    questions (a student checking one question). `settings` are test-only knobs (see
    GradingPlugin); a real grading never passes them. `progress` is told, in a few words,
    which cell runs and how many checks are done (a live display; results do not depend on it).

    The document is written in a `finally`: a crash of the grader itself still yields a valid
    file, with a visible "autograder error" entry and a hidden traceback for staff. The first
    notebook executes while a thread imports what the grader files need. Before
    grading starts, a placeholder results.json is written (what Gradescope shows if the grader is
    killed outright) and disk space is reserved for the final write; the grader asks the OOM
    killer to spare it (the kernel goes first).
    """
    started = time.monotonic()
    seed = secrets.randbits(63) if seed is None else seed
    reserve = _placeholder(assignment, results_path) if results_path is not None else None
    oom_score_adj = protect_grader()
    kernel_exists = threading.Event()  # the grader's imports wait for it (see below)

    def told(text: str) -> None:
        kernel_exists.set()  # the first word comes once the first kernel process exists
        if progress is not None:
            progress(text)

    plugin = GradingPlugin(assignment, Path(notebook), seed, limits or assignment.limits,
                           graded_only, notebooks, questions, settings, told)
    log = io.StringIO()
    tests: list[TestResult] = []
    output = ""
    try:
        paths = test_files(assignment, public_only)
        names, checks_closed_forms = grader_imports(paths)
        # the grader's imports overlap the kernel's start and the notebook's run, from the moment
        # the kernel process exists: earlier, their hold on the GIL slows the way there
        def import_once_the_kernel_exists() -> None:
            kernel_exists.wait()
            import_quietly(names)

        imports = in_background(import_once_the_kernel_exists)
        if checks_closed_forms:  # a thread of its own: it must not inherit the imports' priority
            threading.Thread(target=start_answer_checker, args=(imports,), daemon=True).start()
        args = [*map(str, paths), "-c", str(Path(__file__).parent / "grading.ini"),
                "--rootdir", str(assignment.directory), "-q", "--import-mode=importlib",
                "-p", "graders.fixtures"]
        with contextlib.redirect_stdout(log), _quiet_kernel_logs():
            plugin.execute_first()
            kernel_exists.set()  # also when no notebook ran
            imports.join()
            plugin.finish_imports()
            code = pytest.main(args, plugins=[plugin])
        if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            raise GraderError(f"pytest stopped with {code!r}")
        tests = plugin.results()
        output = plugin.summary()
    except BaseException as err:
        tests = [
            TestResult(name="Autograder error", score=0, max_score=assignment.points,
                       status="failed",
                       output=f"The autograder failed ({type(err).__name__}); this is not your "
                              "fault. Staff have the details and will regrade."),
            TestResult(name=FAULTS, score=0, max_score=0,
                       visibility="hidden",
                       output=f"{traceback.format_exc()}\npytest log:\n{log.getvalue()[-20000:]}"),
        ]
        if not isinstance(err, Exception):
            raise
    finally:
        plugin.close()
        tests.append(TestResult(name="Grading run (staff only)", score=0, max_score=0,
                                visibility="hidden", output=f"seed {seed}"))
        document = results_document(tests, time.monotonic() - started, output)
        unprotect_grader(oom_score_adj)
        if results_path is not None:
            write_results(results_path, document, reserve)
    return document


def _placeholder(assignment: Assignment, results_path: Path) -> Path | None:
    """Write the results.json that stands if grading never finishes; reserve room for the real
    one. Returns the reserve (None where the disk is already too full for either). A special
    file (/dev/stdout, a FIFO) gets only the final document."""
    if is_special(results_path):
        return None
    unfinished = TestResult(
        name="Grading did not finish", score=0, max_score=assignment.points, status="failed",
        output="The autograder stopped before it could record your results; this is not your "
               "fault. Staff will regrade.")
    try:
        write_results(results_path, results_document([unfinished], 0.0))
    except OSError:
        pass  # the final write still tries, into the space reserved below if any
    return reserve_space(results_path)


def grader_imports(paths: list[Path]) -> tuple[list[str], bool]:
    """The modules the grader files import at their top (torch, reference/, ...), for the grader
    to import while the notebook runs, and whether a grader file checks closed-form answers
    (never one of a student's kit, which has no theory/)."""
    names, checks_closed_forms = [], False
    for path in paths:
        try:
            tree = ast.parse(path.read_text())
        except (OSError, SyntaxError, ValueError):
            continue  # pytest says what is wrong with it
        for node in tree.body:
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.append(node.module)
                checks_closed_forms |= (node.module == "graders.answer_cells" and any(
                    alias.name in USE_THE_CHECKER for alias in node.names))
    return list(dict.fromkeys(names)), checks_closed_forms


def start_answer_checker(after: threading.Thread) -> None:
    """Start the answer checker's worker (it imports sympy, ~1 s) once the thread `after` is done,
    at the grader's priority: a worker at the background imports' lower one could be starved into
    timeouts on a busy machine. Best effort: the first check starts it again and reports."""
    after.join()
    try:
        from theory.answers import shared_checker

        shared_checker().start()
    except Exception:
        pass


def test_files(assignment: Assignment, public_only: bool) -> list[Path]:
    """The grader files of `assignment` (only the public ones for a student's check)."""
    pattern = PUBLIC_TESTS if public_only else "test_*.py"
    paths = sorted(assignment.directory.glob(pattern))
    if not paths:
        raise GraderError(f"no grader files {pattern} in {assignment.directory}")
    return paths


@contextlib.contextmanager
def _quiet_kernel_logs():
    """nbclient logs every cell timeout and dead kernel at ERROR; the results already say it."""
    loggers = [logging.getLogger(name) for name in ("traitlets", "asyncio")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels):
            logger.setLevel(level)


def grader_failed(document: dict) -> bool:
    """Whether the grader itself failed somewhere in this run (a bug of ours, not the student's)."""
    return any(t["name"] == FAULTS for t in document["tests"])
