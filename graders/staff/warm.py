"""Grader processes forked from a warm template: a batch pays the grader's imports once per worker.

A grader started from scratch spends ~3 s of CPU importing torch, scipy, pytest, the engine and
the assignment's reference/ and theory/ modules before it grades anything. Here each Dask worker
starts, on its first submission, one multiprocessing forkserver that imports those modules and
nothing else; every submission is then graded by `graders.harness.grade` in a fresh child forked
from it. What a grading does stays in that child: the forkserver only ever receives the file
descriptors of a fork request (the child reads its arguments itself), so it holds no submission,
no kernel and no result, and no grader process or kernel is reused across students (the harness
starts each submission's kernel in a sandbox of its own, as `dlgrade grade` does).

The child leads a session of its own, so a timeout kills it with everything in its process
group; it also kills itself when the worker that asked for it dies. The kernel it started (a
session of its own, as a leased uid) exits when its parent is gone, and `reap_orphans` kills
whatever a killed grader's kernel uid still runs, after a grader that did not finish and before
each grading (a worker may have died with its grader). The forkserver's socket is root's, mode
0600: a sandboxed kernel, running as another uid, cannot reach it.
"""

import ast
import fcntl
import gc
import multiprocessing
import multiprocessing.connection
import os
import signal
import sys
import threading
from functools import cache
from pathlib import Path

from graders.assignments import load_assignment
from graders.errors import GraderError
from graders.sandbox import LOCK_DIR, KernelUser, kernel_uids, kill_all

PRELOAD = ("__main__", "numpy", "scipy", "torch", "pytest", "nbformat", "nbclient",
           "jupyter_client", "graders.harness", "graders.plugin", "graders.fixtures")
_STARTING = threading.Lock()


@cache
def preload(assignment_id: str) -> tuple[str, ...]:
    """The modules the forkserver imports: PRELOAD and every absolute import in the assignment's
    grader files (read from their import statements, never run; one that fails to import is
    skipped by the forkserver)."""
    modules = dict.fromkeys(PRELOAD)
    for path in sorted(load_assignment(assignment_id).directory.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules[node.module] = None  # `from reference import norm` may name a module:
                modules.update(dict.fromkeys(f"{node.module}.{a.name}" for a in node.names))
    return tuple(modules)


def run_grader(assignment_id: str, submission: Path, results: Path, seed: int, timeout: float,
               log: Path) -> int:
    """Grade `submission` into `results` in a fresh child of this worker's forkserver, its
    stderr in `log`; return the child's exit code (0 graded, 3 the grader failed, negative: the
    signal that ended it). Raises TimeoutError when it ran past `timeout` s (it is killed then,
    with its process group)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(preload(assignment_id)))  # used when it (re)starts
    reap_orphans()  # what a grader of a worker that died meanwhile may have left
    child = context.Process(target=_grade_here, name=f"dlgrade-{submission.name}",
                            args=(assignment_id, str(submission), str(results), seed, str(log)))
    _start(child)
    timed_out = False
    try:
        child.join(timeout)
        timed_out = child.exitcode is None
    finally:
        if child.exitcode is None:  # timed out, or this task was interrupted
            _kill_session(child)
            child.join()
        code = child.exitcode
        child.close()
        if code not in (0, 3):  # a grader that did not finish may have left its kernel running
            reap_orphans()
    if timed_out:
        raise TimeoutError(f"grading took longer than {timeout:g} s")
    return code


def _start(child: multiprocessing.Process) -> None:
    """Start `child`, also from a daemonic process (a Dask worker is one, and multiprocessing
    refuses children there because a daemon may be ended without ending them): ours end with
    their worker (see _die_with_parent), so the flag is lifted for the start only."""
    me = multiprocessing.current_process()
    with _STARTING:
        daemonic = me.daemon
        me.daemon = False
        try:
            child.start()
        finally:
            me.daemon = daemonic


def _kill_session(child: multiprocessing.Process) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:  # killed before its setsid: it has no group of its own yet
        child.kill()


def _grade_here(assignment_id: str, submission: str, results: str, seed: int,
                log: str) -> None:
    """In the forked child: a session of its own, stderr to `log`, one grading, then exit."""
    os.setsid()
    gc.freeze()  # what the template imported: no collection walks it again (~0.3 s a grading)
    _die_with_parent()
    for fd, path in ((1, os.devnull), (2, log)):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, fd)
        os.close(opened)
    from graders.harness import grade, grader_failed

    document = grade(load_assignment(assignment_id), Path(submission), Path(results), seed=seed)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(3 if grader_failed(document) else 0)  # skips torch's slow teardown (cli: the same)


def _die_with_parent() -> None:
    """Kill this child's process group as soon as the worker that started it is gone (its
    sentinel, a pipe the worker holds, reads end-of-file then)."""
    sentinel = multiprocessing.parent_process().sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os.killpg(0, signal.SIGKILL)

    threading.Thread(target=watch, name="dlgrade-parent-watch", daemon=True).start()


def reap_orphans() -> None:
    """Kill every process of a kernel uid that no grading holds: a grader killed mid-run drops
    its lease (an flock on the uid's lock file) with its life, and may leave its kernel and
    what that started."""
    uids = kernel_uids()
    if uids is None:
        return
    for lock in sorted(LOCK_DIR.glob("*.lock")):  # the uids leased on this machine so far
        if not lock.stem.isdigit() or int(lock.stem) not in uids:
            continue
        try:
            fd = os.open(lock, os.O_RDWR | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            kill_all(KernelUser(int(lock.stem), int(lock.stem)))  # at once when none is left
        except BlockingIOError:
            pass  # a live grading holds it
        except GraderError:
            pass  # survivors: the next lease of this uid kills them before its kernel starts
        finally:
            os.close(fd)
