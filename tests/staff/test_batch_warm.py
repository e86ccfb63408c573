"""Grader processes forked from a warm template (graders/staff/warm.py): what the template
imports, and that a grader killed mid-run leaves no process of its kernel's uid behind."""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import nbformat
import pytest

from graders import sandbox
from graders.assignments import load_assignment
from graders.staff import batch
from graders.staff.warm import preload, reap_orphans, run_grader

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="leasing a uid needs root")
# a student cell that records its pids, starts a daemon in a session of its own, then hangs
HANG = """import json, os, signal, subprocess
daemon = subprocess.Popen(["sleep", "300"], start_new_session=True)
with open({marker!r} + ".tmp", "w") as f:
    json.dump([os.getpid(), daemon.pid], f)
os.rename({marker!r} + ".tmp", {marker!r})
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""


def test_the_template_imports_what_the_grader_files_import():
    modules = preload("csci5527_hw3")
    for name in ("torch", "pytest", "graders.harness", "reference.norm", "reference.xcorr",
                 "theory.answer_keys", "scipy.signal", "graders.csci5527_hw3.probes"):
        assert name in modules
    assert not any(name.startswith("tests") or name.startswith(".") for name in modules)


def test_a_grader_killed_mid_run_is_a_failure_not_its_placeholder(monkeypatch, tmp_path):
    def killed(assignment_id, submission, results, seed, timeout, log):
        results.write_text('{"score": 0.0, "tests": []}')  # the harness's placeholder stands
        log.write_text("out of memory")
        return -9

    monkeypatch.setattr(batch, "run_grader", killed)
    with pytest.raises(batch.GradingFailed, match="exited -9 before its results: out of memory"):
        batch.grade_one("csci5527_hw3", str(tmp_path / "hw3.ipynb"), str(tmp_path), 1, 60.0)
    assert not (tmp_path / ".grader-stderr").exists()


def _sleeper(uid: int) -> subprocess.Popen:
    return subprocess.Popen(["sleep", "60"], user=uid, group=uid, extra_groups=[])


@pytest.mark.parametrize("cores, jobs, threads", [(2, 1, "2"), (2, 2, "1"), (16, 4, "4"),
                                                   (2, 8, "1")])
def test_local_workers_share_the_cores_among_their_kernels(monkeypatch, cores, jobs, threads):
    """Dask gives each worker one thread per numeric library, which the kernels inherit: a lone
    worker's kernel then computed on one core of two (1.4x a plain run per submission)."""
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert batch.thread_counts(jobs) == {"OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads,
                                         "OPENBLAS_NUM_THREADS": threads}


@root_only
def test_reap_orphans_ends_the_uids_no_grading_holds():
    held, dropped = sandbox.Lease(range(64000, 65000)), sandbox.Lease(range(64000, 65000))
    alive = _sleeper(held.user.uid)
    orphan = _sleeper(dropped.user.uid)
    try:
        dropped.release()  # as when its grader is killed: the flock goes with the process
        reap_orphans()
        assert orphan.wait(timeout=10) == -9
        assert alive.poll() is None  # a live grading's kernel is left alone
    finally:
        sandbox.kill_all(held.user)
        held.release()
        alive.wait()


@pytest.mark.slow
def test_a_grader_past_its_timeout_leaves_nothing_of_its_kernel(sandboxed):
    if not sandboxed:
        pytest.skip("needs the sandbox (root): a kernel's leftovers are found by its uid")
    hw3 = load_assignment("csci5527_hw3")
    shared = Path(tempfile.mkdtemp(prefix="warm-test-"))  # the kernel's uid writes here
    try:
        shared.chmod(0o1777)
        marker = shared / "pids.json"
        nb = nbformat.v4.new_notebook(metadata=nbformat.read(hw3.template, 4).metadata)
        nb.cells = [nbformat.v4.new_code_cell(HANG.format(marker=str(marker)))]
        nbformat.write(nb, shared / "hw3.ipynb")
        started = time.monotonic()
        with pytest.raises(TimeoutError, match="longer than 40 s"):
            run_grader(hw3.id, shared / "hw3.ipynb", shared / "results.json", 1, 40.0,
                       shared / "stderr.txt")
        assert time.monotonic() - started < 55  # killed at once, leftovers reaped
        assert marker.is_file(), "the hanging cell never ran: raise the timeout"
        kernel, daemon = map(int, marker.read_text().strip("[]").split(","))
        for pid in (kernel, daemon):
            state = Path(f"/proc/{pid}/stat")
            assert not state.exists() or state.read_text().split(") ")[1].startswith("Z"), pid
    finally:
        shutil.rmtree(shared, ignore_errors=True)

