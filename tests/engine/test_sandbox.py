"""The sandbox's parts: uid leases, killing every process of a uid, the reserved disk space."""

import json
import os
import subprocess
import sys
import time

import jsonschema
import pytest

from graders import sandbox
from graders.assignments import load_assignment
from graders.errors import GraderError
from graders.harness import _placeholder
from graders.results import RESERVE_BYTES, RESULTS_SCHEMA, reserve_space, write_results

root_only = pytest.mark.skipif(os.geteuid() != 0, reason="leasing a uid needs root")


def test_kernel_uids_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("DLGRADE_KERNEL_UIDS", "")
    assert sandbox.kernel_uids() is None
    if os.geteuid() != 0:
        return  # not root: never a sandbox, whatever the setting
    monkeypatch.setenv("DLGRADE_KERNEL_UIDS", "64100-64109")
    assert sandbox.kernel_uids() == range(64100, 64110)
    for bad in ("64100", "x-y", "5-3"):
        monkeypatch.setenv("DLGRADE_KERNEL_UIDS", bad)
        with pytest.raises(GraderError, match=f"Invalid DLGRADE_KERNEL_UIDS '{bad}'"):
            sandbox.kernel_uids()


@root_only
def test_concurrent_leases_get_different_uids_and_skip_real_accounts():
    first, second = sandbox.Lease(range(64000, 65000)), sandbox.Lease(range(64000, 65000))
    try:
        assert first.user.uid != second.user.uid
        held = first.user.uid
        first.release()
        again = sandbox.Lease(range(held, held + 1))  # free again once released
        again.release()
    finally:
        first.release()
        second.release()
    with pytest.raises(GraderError, match="no free kernel uid in 65534-65534"):
        sandbox.Lease(range(65534, 65535))  # nobody: an account, never leased nor killed


@root_only
def test_kill_all_ends_daemons_of_that_uid_only():
    mine, other = sandbox.Lease(range(64000, 65000)), sandbox.Lease(range(64000, 65000))
    daemon = ("import os, time\nif os.fork():\n    os._exit(0)\nos.setsid()\n"
              "time.sleep(60)")  # double fork + a session of its own; gone after 60 s anyway
    try:
        for lease in (mine, other):
            subprocess.run([sys.executable, "-c", daemon], user=lease.user.uid,
                           group=lease.user.gid, extra_groups=[], check=True)
        deadline = time.monotonic() + 10
        while not (sandbox.processes_of(range(mine.user.uid, mine.user.uid + 1))
                   and sandbox.processes_of(range(other.user.uid, other.user.uid + 1))):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        sandbox.kill_all(mine.user)
        assert sandbox.processes_of(range(mine.user.uid, mine.user.uid + 1)) == []
        assert sandbox.processes_of(range(other.user.uid, other.user.uid + 1)) != []
    finally:
        sandbox.kill_all(other.user)
        mine.release()
        other.release()


def test_the_reserve_makes_room_for_the_final_write(tmp_path):
    results = tmp_path / "results.json"
    reserve = reserve_space(results)
    assert reserve.stat().st_size == RESERVE_BYTES
    write_results(results, {"score": 1}, reserve)
    assert not reserve.exists() and json.loads(results.read_text()) == {"score": 1}


def test_the_placeholder_is_a_valid_results_file(tmp_path):
    assignment = load_assignment("csci5527_hw3")
    results = tmp_path / "results" / "results.json"
    reserve = _placeholder(assignment, results)
    written = json.loads(results.read_text())
    jsonschema.validate(written, RESULTS_SCHEMA)
    assert written["score"] == 0 and written["tests"][0]["name"] == "Grading did not finish"
    assert reserve is not None and reserve.exists()
