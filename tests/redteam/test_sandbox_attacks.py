"""Hostile notebooks against the sandbox: daemons, snooping, bombs, a full disk, slow calls.

Each attack is graded end to end on a toy assignment (two one-point questions, `add` and `mul`,
graded in a folder of its own so that a grading takes seconds) with limits set low, and must
end with a valid results.json, no score above the honest one, the honest scores of the questions
it does not touch, and no process of a kernel uid left. Every bomb is bounded by itself (a hard
count, a sleep, a timeout) in case a limit failed: the machine running the tests is shared.
Set DLGRADE_REDTEAM_TABLE=FILE to write the table of what each attack did (JSON lines).
"""

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import numpy as np
import pytest

from graders import cgroups, sandbox
from graders.assignments import Assignment, Question
from graders.harness import grade
from graders.kernel import KernelSession, Limits
from graders.results import write_results
from tests.conftest import checked_results

pytestmark = pytest.mark.slow  # every test here runs a kernel, most grade end to end
HONEST = ["import numpy as np", "def add(a, b):\n    return a + b",
          "def mul(a, b):\n    return a * b"]
HONEST_SCORES = {"1": 1.0, "2": 1.0}
LOW = Limits(cell_timeout=30, call_timeout=10, memory=256 * 2**20, processes=64,
             file_size=8 * 2**20, open_files=128)
GRADER_TESTS = '''
import numpy as np
from graders.errors import StudentError
from graders.plugin import graded


@graded("q1", 1.0, "add")
def test_add(submission, rng):
    for _ in range(3):
        a, b = rng.normal(size=4), rng.normal(size=4)
        if not np.allclose(submission.call("add", a, b), a + b):
            raise StudentError("add: wrong sum")


@graded("q2", 1.0, "mul")
def test_mul(submission, rng):
    a, b = rng.normal(size=4), rng.normal(size=4)
    if not np.allclose(submission.call("mul", a, b), a * b):
        raise StudentError("mul: wrong product")
'''


@dataclasses.dataclass(frozen=True)
class Toy(Assignment):
    """An assignment whose graders live in a folder of the test's."""

    folder: str = ""

    @property
    def directory(self) -> Path:
        return Path(self.folder)


@pytest.fixture(scope="module", autouse=True)
def _needs_sandbox(sandboxed):
    if not sandboxed:
        pytest.skip("the sandbox needs root and a Python that a kernel uid can run "
                    "(tests/conftest.py decides; CI runs as root)")


@pytest.fixture(scope="module")
def toy(tmp_path_factory) -> Toy:
    folder = tmp_path_factory.mktemp("toy")
    (folder / "test_toy.py").write_text(GRADER_TESTS)
    questions = (Question("q1", "1", "add", 1.0, ("add",)),
                 Question("q2", "2", "mul", 1.0, ("mul",)))
    return Toy("toy", "Toy", "toy.ipynb", questions, folder=str(folder))


@pytest.fixture(scope="module")
def table():
    rows = []
    yield rows
    if os.environ.get("DLGRADE_REDTEAM_TABLE"):
        with open(os.environ["DLGRADE_REDTEAM_TABLE"], "a") as f:
            f.writelines(json.dumps(row) + "\n" for row in rows)


@pytest.fixture
def attack(toy, tmp_path, table, request, leased):
    """`attack(cells, limits, results=None)`: grade HONEST + `cells`; check the invariants;
    return {question number: score} and the results document."""

    def run(cells: list[str], limits: Limits = LOW, results: Path | None = None):
        path = tmp_path / "toy.ipynb"
        nbformat.write(nbformat.v4.new_notebook(
            cells=[nbformat.v4.new_code_cell(c) for c in HONEST + cells]), path)
        results = results or tmp_path / "results" / "results.json"
        with _PeakRss() as peak:
            started = time.monotonic()
            returned = grade(toy, path, results, seed=7, limits=limits)
            seconds = time.monotonic() - started
        document = checked_results(results, returned)
        scores = {t["number"]: t["score"] for t in document["tests"] if t.get("number")}
        assert all(scores[q] <= HONEST_SCORES[q] for q in HONEST_SCORES)
        assert leased and _processes_of(leased) == [], "a process outlived its grading"
        table.append({"attack": request.node.name.removeprefix("test_"),
                      "score": document["score"], "honest": sum(HONEST_SCORES.values()),
                      "valid": True, "grader_peak_rss_mib": round(peak.mib),
                      "seconds": round(seconds, 1)})
        return scores, document

    return run


class _PeakRss:
    """The peak resident memory of this (the grader's) process while the block runs."""

    def __enter__(self):
        self.mib, self.done = 0.0, threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        return self

    def _sample(self):
        while not self.done.wait(0.05):
            rss = os.sysconf("SC_PAGE_SIZE") * int(Path("/proc/self/statm").read_text().split()[1])
            self.mib = max(self.mib, rss / 2**20)

    def __exit__(self, *exc):
        self.done.set()
        self.thread.join()


@pytest.fixture
def leased(monkeypatch) -> set[int]:
    """The uids this test's gradings lease (other gradings may run on the machine meanwhile)."""
    uids, lease = set(), sandbox.Lease.__init__

    def recording(self, *args):
        lease(self, *args)
        uids.add(self.user.uid)

    monkeypatch.setattr(sandbox.Lease, "__init__", recording)
    return uids


def _processes_of(uids: set[int]) -> list[int]:
    return [pid for uid in uids for pid in sandbox.processes_of(range(uid, uid + 1))]


def test_honest_notebook_scores_full_marks(attack):
    scores, _ = attack([])
    assert scores == HONEST_SCORES


DAEMON = '''
import glob, json, os, signal, sys, time
from jupyter_client import BlockingKernelClient
if os.fork():
    os._exit(0)
os.setsid()  # a session of its own, reparented to init: outside the kernel's process group
end, seen = time.time() + 90, set()  # bounded: gone after 90 s whatever happens
KERNEL_UIDS = set(range(%d, %d))  # other gradings' kernels only: the machine is shared
while time.time() < end:
    files = glob.glob("/tmp/dlgrade-*/kernel-*.json")
    for pid in os.listdir("/proc"):
        try:
            args = open(f"/proc/{pid}/cmdline").read().split("\\0")
            files.append(args[args.index("-f") + 1])
            if os.stat(f"/proc/{pid}").st_uid in KERNEL_UIDS - {os.getuid()}:
                os.kill(int(pid), signal.SIGSTOP)
        except (OSError, ValueError, IndexError):
            pass
    for name in set(files) - seen:
        try:
            if os.stat(name).st_uid not in KERNEL_UIDS - {os.getuid()}:
                continue
            info = json.load(open(name))
        except (OSError, ValueError):
            continue
        seen.add(name)
        client = BlockingKernelClient()
        client.load_connection_info(info)
        client.start_channels()
        client.execute("def add(a, b):\\n    return a - b")  # the takeover
    time.sleep(0.1)
'''


def test_daemon_cannot_reach_the_next_grading(attack):
    uids = sandbox.kernel_uids()
    daemon = DAEMON % (uids.start, uids.stop)
    launch = (f"import subprocess, sys\nsubprocess.Popen([sys.executable, '-c', {daemon!r}],"
              " start_new_session=True).wait()\nimport time\ntime.sleep(2)")
    scores, _ = attack([launch])  # the daemon's own grading: it is killed on close
    assert scores == HONEST_SCORES
    scores, _ = attack([])  # the next grading runs undisturbed
    assert scores == HONEST_SCORES


SNOOP = '''
def snoop():
    import glob, os
    found = {}
    for pid in os.listdir("/proc"):
        try:
            args = open(f"/proc/{pid}/cmdline").read().split("\\0")
            if "ipykernel_launcher" not in args or int(pid) == os.getpid():
                continue
            path = args[args.index("-f") + 1]
        except (OSError, ValueError):
            continue
        tries = {"connection file": lambda: open(path).read(),
                 "environ": lambda: open(f"/proc/{pid}/environ").read(),
                 "memory maps": lambda: open(f"/proc/{pid}/maps").read(),
                 "cwd": lambda: os.listdir(f"/proc/{pid}/cwd"),
                 "signal": lambda: os.kill(int(pid), 0)}
        for home in glob.glob(os.path.dirname(path) + "/home"):
            tries["home"] = lambda: os.listdir(home)
        for what, attempt in tries.items():
            try:
                attempt()
                found[f"{pid} {what}"] = "read"
            except OSError:
                found[f"{pid} {what}"] = "denied"
    return found
'''


def test_kernels_cannot_snoop_on_each_other(leased):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in HONEST])
    victim = KernelSession(nb, LOW)
    spy = KernelSession(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(SNOOP)]), LOW)
    try:
        victim.run_notebook()
        spy.run_notebook()
        assert victim.user.uid != spy.user.uid  # two gradings never share a uid
        found = spy.call("snoop")
        tried = {key.split(" ", 1)[1] for key in found}
        assert {"connection file", "environ", "home", "signal"} <= tried  # it found the victim
        assert "read" not in found.values(), found
        np.testing.assert_array_equal(victim.call("add", np.ones(2), np.ones(2)), [2.0, 2.0])
    finally:
        spy.close()
        victim.close()
    assert leased and _processes_of(leased) == []


def test_memory_bomb_is_contained(attack):
    bomb = textwrap.dedent("""
        import subprocess, sys
        hog = "x = bytearray(200 * 2**20); import time; time.sleep(10)"
        children = [subprocess.Popen([sys.executable, "-c", hog]) for _ in range(4)]
        for child in children:
            child.wait(timeout=30)
    """)
    scores, _ = attack([bomb])
    assert scores == HONEST_SCORES


def test_fork_bomb_is_contained(attack):
    bomb = textwrap.dedent("""
        import os, time
        def tree(depth):
            for _ in range(6):  # at most 6 + 36 + 216 processes, each gone within 15 s
                try:
                    pid = os.fork()
                except OSError:
                    return
                if pid == 0:
                    if depth < 3:
                        tree(depth + 1)
                    time.sleep(15)
                    os._exit(0)
        tree(1)
    """)
    scores, _ = attack([bomb])
    assert scores == HONEST_SCORES


def test_huge_file_stops_at_the_file_size_limit(attack):
    writer = textwrap.dedent("""
        import os
        with open(os.path.expanduser("~/huge"), "wb") as f:
            for _ in range(64):  # 64 MB at most, over the 8 MB limit
                f.write(b"x" * 2**20)
    """)
    scores, document = attack([writer])
    assert scores == HONEST_SCORES
    assert "File too large" in document["output"]


def test_too_many_open_files_stay_in_the_kernel(attack):
    opener = textwrap.dedent("""
        import subprocess, sys
        hold = ("import time\\nfiles = []\\nfor _ in range(100000):\\n    try:\\n"
                "        files.append(open('/dev/null'))\\n    except OSError:\\n        break\\n"
                "time.sleep(5)")
        for child in [subprocess.Popen([sys.executable, "-c", hold]) for _ in range(3)]:
            child.wait(timeout=30)
    """)
    scores, _ = attack([opener])
    assert scores == HONEST_SCORES


def test_shared_memory_does_not_outlive_the_grading(attack, leased):
    leak = textwrap.dedent("""
        import ctypes, os, tempfile
        libc = ctypes.CDLL(None)
        segment = libc.shmget(0, 16 * 2**20, 0o1000 | 0o600)  # IPC_PRIVATE, IPC_CREAT
        queue = libc.msgget(0, 0o1000 | 0o600)
        leftover = tempfile.NamedTemporaryFile(dir="/dev/shm", delete=False)
        assert segment >= 0 and queue >= 0
    """)
    scores, document = attack([leak])
    assert scores == HONEST_SCORES and "4 of 4 code cells ran" in document["output"]
    uids = leased
    for kind in ("shm", "msg"):
        rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()[1:]
        assert not [row for row in rows if int(row.split()[7]) in uids], rows
    assert not [p for p in Path("/dev/shm").iterdir() if p.lstat().st_uid in uids]


def test_slow_calls_run_into_the_time_budgets(attack):
    slow_add = "import time\ndef add(a, b):\n    time.sleep(1.5)\n    return a + b"
    # three calls of add, each under the 2 s a call may take: 4.5 s in all
    per_question = dataclasses.replace(LOW, call_timeout=2, question_calls=2.5, run_calls=60)
    scores, document = attack([slow_add], per_question)
    assert scores == {"1": 0.0, "2": 1.0}  # add is cut off at 2.5 s; mul keeps its point
    assert "add did not return within 1 s" in document["tests"][0]["output"]
    whole_run = dataclasses.replace(LOW, call_timeout=2, question_calls=60, run_calls=4)
    scores, document = attack([slow_add], whole_run)
    assert scores == {"1": 0.0, "2": 0.0}  # the run's 4 s are gone before mul is called
    assert "mul was not called: the calls for the whole run used up their time budget" in (
        document["tests"][1]["output"])


def test_full_disk_cannot_stop_the_final_write(attack):
    disk = Path(tempfile.mkdtemp(prefix="dlgrade-disk-"))
    disk.chmod(0o711)  # the kernel's uid may enter it
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0711", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        disk.rmdir()
        pytest.skip("cannot mount a tmpfs here (needs CAP_SYS_ADMIN) to fill a disk")
    try:
        public = disk / "public"
        public.mkdir()
        public.chmod(0o1777)  # a world-writable folder on the disk that holds results.json
        filler = (f"def mul(a, b):\n    with open({str(public / 'fill')!r}, 'ab', 0) as f:\n"
                  "        for _ in range(64):\n            try:\n"
                  "                f.write(b'x' * 2**18)\n"
                  "            except OSError:\n                break\n    return a * b")
        results = disk / "results" / "results.json"
        limits = dataclasses.replace(LOW, file_size=64 * 2**20)
        scores, document = attack([filler], limits, results=results)
        assert scores == HONEST_SCORES  # the final write found the room reserved for it
        _fill(disk / "rest")  # the room it used: without it, the write fails
        with pytest.raises(OSError):
            write_results(disk / "results" / "again.json", document)
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)
        shutil.rmtree(disk, ignore_errors=True)


def _fill(path: Path) -> None:
    with open(path, "wb", buffering=0) as f:
        for _ in range(64):
            try:
                f.write(b"x" * 2**18)
            except OSError:
                return


LIMIT_PROBES = '''
import os, subprocess, sys, time

def hog():  # a child that wants 300 MB, over the 256 MB limit
    return subprocess.run([sys.executable, "-c", "x = bytearray(300 * 2**20)"],
                          capture_output=True, timeout=60).returncode

def forks():
    children = []
    for _ in range(200):  # a hard bound, over the limit of 64
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(3)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)
    return len(children)

def big_file():
    with open(os.path.expanduser("~/big"), "wb", 0) as f:
        for _ in range(64):  # 64 MB at most, over the limit of 8
            try:
                f.write(b"x" * 2**20)
            except OSError:
                break
    return os.path.getsize(os.path.expanduser("~/big"))

def open_files():
    files = []
    for _ in range(10000):  # a hard bound, over the limit of 128
        try:
            files.append(open("/dev/null"))
        except OSError:
            break
    for f in files:
        f.close()
    return len(files)

def oom_score_adj():
    return int(open("/proc/self/oom_score_adj").read())
'''


@pytest.mark.parametrize("how", ["cgroups", "rlimits"])
def test_limits_hold_inside_the_kernel(how, monkeypatch, leased):
    if how == "rlimits":  # as in a container where the grader cannot make cgroups
        monkeypatch.setattr(cgroups, "_cgroup_mounts", lambda writable=True: [])
    elif not cgroups._cgroup_mounts():
        pytest.skip("the grader cannot make cgroups here (the rlimits case runs)")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(LIMIT_PROBES)])
    session = KernelSession(nb, LOW)
    assert bool(session.sandbox.cgroups.dirs) == (how == "cgroups")
    try:
        session.run_notebook()
        assert session.call("hog") != 0  # OOM-killed in its cgroup, or MemoryError
        assert 0 < session.call("forks") < LOW.processes
        assert session.call("big_file") == LOW.file_size
        assert 0 < session.call("open_files") < LOW.open_files
        assert session.call("oom_score_adj") == 1000
        np.testing.assert_array_equal(session.call("hog", code="lambda f: 7"), 7)  # still alive
    finally:
        session.close()
    assert leased and _processes_of(leased) == []
