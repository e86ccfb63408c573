"""The student kernel's sandbox: a uid of its own, a private home, limits, and a clean end.

As root, each grading leases a numeric uid from DLGRADE_KERNEL_UIDS (`first-last`, default
64000-64999; no passwd entry is needed) by flock'ing a lock file, so two gradings on one machine
never share one. The kernel runs as that uid in a 0700 home, in a memory and a pids cgroup of its
own where the grader can make them (cgroup v1 or v2), else under RLIMIT_DATA and RLIMIT_NPROC
(per uid, hence per grading), always with RLIMIT_FSIZE, RLIMIT_NOFILE and oom_score_adj 1000.
On close every process of the uid is killed, `kill(-1)` from that uid so that a fork loop cannot
outrun it, and checked gone; files it left in /tmp, /var/tmp and /dev/shm and its System V IPC
objects are removed; only then is the lease released. DLGRADE_KERNEL_UIDS="" opts out (the
kernel runs as the grader's user).
"""

import ctypes
import fcntl
import os
import pwd
import resource
import shutil
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from graders.cgroups import Cgroups, memory_ceiling
from graders.errors import GraderError

MIB = 2**20
DEFAULT_UIDS = "64000-64999"
LOCK_DIR = Path("/run/dlgrade-uids")
SHARED_TMP = (Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"))
KILL_ALL = "import os, signal; os.kill(-1, signal.SIGKILL)"  # every process of its own uid
KILL_DEADLINE_S = 20.0
IPC_RMID = 0
GRADER_SHARE = 320 * MIB  # the grader's own peak with the CPU build of torch, and a margin
PRELUDE = """import ctypes, os, resource, sys
for pair in sys.argv[1].split(","):
    kind, value = map(int, pair.split("="))
    hard = resource.getrlimit(kind)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(kind, (value, value))
try:
    with open("/proc/self/oom_score_adj", "w") as f:
        f.write("1000")
except OSError:
    pass
ctypes.CDLL(None).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
os.execvp(sys.argv[2], sys.argv[2:])
"""


@dataclass(frozen=True)
class Limits:
    """Limits on one grading's kernel (seconds, bytes, counts); the grader itself has none.

    `memory` holds the kernel and all its children together where a memory cgroup can be made,
    else each process alone (RLIMIT_DATA); None means what the machine (or the container's
    memory cgroup) leaves after GRADER_SHARE for the grader: 448 MiB in Gradescope's default
    768 MB container. An assignment whose notebook trains a model sets more (in a container that
    has it). `processes` counts the tasks (threads included) of the kernel's uid or cgroup.
    `question_calls` / `run_calls` bound the total time of the grader's calls for one question /
    the whole run, on top of `call_timeout` for each call.
    """

    cell_timeout: float = 120.0
    notebook_budget: float = 480.0
    call_timeout: float = 60.0
    question_calls: float = 240.0
    run_calls: float = 900.0
    max_output_bytes: int = 4 * MIB
    max_result_bytes: int = 256 * MIB
    max_restarts: int = 3
    memory: int | None = None
    processes: int = 512
    file_size: int = 512 * MIB
    open_files: int = 1024


@dataclass(frozen=True)
class KernelUser:
    """The unprivileged uid (and gid, the same number) one grading's kernel runs as."""

    uid: int
    gid: int

    @property
    def name(self) -> str:
        return f"dlgrade-{self.uid}"


def kernel_uids() -> range | None:
    """The uids kernels may lease, or None when the kernel runs as the grader's own user."""
    spec = os.environ.get("DLGRADE_KERNEL_UIDS", DEFAULT_UIDS)
    if os.geteuid() != 0 or not spec:
        return None
    try:
        first, last = (int(part) for part in spec.split("-"))
    except ValueError:
        raise GraderError(f"Invalid DLGRADE_KERNEL_UIDS {spec!r}: expected FIRST-LAST") from None
    if not 0 < first <= last < 2**31:
        raise GraderError(f"Invalid DLGRADE_KERNEL_UIDS {spec!r}: need 0 < FIRST <= LAST")
    return range(first, last + 1)


def kernel_memory(limits: Limits) -> int:
    """The kernel's memory limit in bytes: `limits.memory`, or what the grader leaves free."""
    if limits.memory is not None:
        return limits.memory
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    total = min(total, memory_ceiling() or total)
    return max(total - GRADER_SHARE, 256 * MIB)


def can_run_python(user: KernelUser) -> bool:
    """Whether `user` can start this Python and read ipykernel (found and opened, not imported:
    this runs before every kernel start, so it must take milliseconds, not the ~0.2 s of an
    import).

    One answer holds for every uid without a group or a passwd entry, so it is asked once per
    process, as the uid of the first lease (any other uid may be another grading's)."""
    if sys.executable not in _PYTHON_RUNS:
        try:
            _PYTHON_RUNS[sys.executable] = subprocess.run(
                [sys.executable, "-c", FINDS_IPYKERNEL], user=user.uid, group=user.gid,
                extra_groups=[], cwd="/", env={"PATH": "/usr/bin"}, capture_output=True,
                timeout=60).returncode == 0
        except (OSError, subprocess.SubprocessError):
            _PYTHON_RUNS[sys.executable] = False
    return _PYTHON_RUNS[sys.executable]


_PYTHON_RUNS: dict[str, bool] = {}
FINDS_IPYKERNEL = ("import importlib.util, pathlib\n"
                   "folder = pathlib.Path(importlib.util.find_spec('ipykernel').origin).parent\n"
                   "open(folder / 'kernelapp.py').close()")


class Lease:
    """A uid from `uids` held by this process (an flock on its lock file) until `release()`."""

    def __init__(self, uids: range):
        self.fd: int | None = None
        LOCK_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = LOCK_DIR.lstat()
        if info.st_uid != 0 or info.st_mode & 0o077 or not LOCK_DIR.is_dir():
            raise GraderError(f"{LOCK_DIR} must be a directory of root's, mode 0700")
        for uid in uids:
            if _has_passwd_entry(uid):
                continue
            fd = os.open(LOCK_DIR / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            self.fd, self.user = fd, KernelUser(uid, uid)
            try:  # a grader that died without closing leaves processes: ours to end now
                kill_all(self.user)
                return
            except GraderError:
                os.close(fd)
        raise GraderError(f"no free kernel uid in {uids.start}-{uids.stop - 1}")

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the file drops the flock
            self.fd = None


def _has_passwd_entry(uid: int) -> bool:
    try:
        pwd.getpwuid(uid)
        return True
    except KeyError:
        return False


def processes_of(uids: range) -> list[int]:
    """Pids of the live (not zombie) processes whose real, effective or saved uid is in
    `uids`."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            status = Path(entry.path, "status").read_text()
        except OSError:
            continue  # gone meanwhile
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        ids = [int(word) for word in fields.get("Uid", "").split()[:3]]
        if any(i in uids for i in ids) and not fields.get("State", "").strip().startswith("Z"):
            found.append(int(entry.name))
    return found


def kill_all(user: KernelUser, cgroups: Cgroups | None = None) -> None:
    """SIGKILL every process of `user` (and of `cgroups`), until /proc shows none of them.

    `kill(-1)` sent from the uid itself reaches all of them at once, new children included, so
    a fork loop or a double-forked daemon in a session of its own cannot slip through.
    """
    deadline = time.monotonic() + KILL_DEADLINE_S
    while True:
        alive = processes_of(range(user.uid, user.uid + 1))
        alive += cgroups.members() if cgroups else []
        if not alive:
            return
        if time.monotonic() > deadline:
            raise GraderError(f"processes {alive[:10]} of uid {user.uid} survived SIGKILL")
        for pid in alive:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        try:
            subprocess.run([sys.executable, "-I", "-S", "-c", KILL_ALL], user=user.uid,
                           group=user.gid, extra_groups=[], cwd="/", env={}, timeout=10,
                           capture_output=True)
        except (OSError, subprocess.SubprocessError):
            pass  # the loop checks /proc again and the direct kills above still work
        time.sleep(0.02)


class Sandbox:
    """Where, as whom and under which limits one grading's kernel runs: start each kernel with
    `command` and `launch_options`, `join` it to the cgroups, `close` at the end."""

    def __init__(self, root: Path, limits: Limits):
        self.root, self.limits = root, limits
        self.home = root / "home"
        self.home.mkdir(mode=0o700)
        self.lease = self.cgroups = None
        uids = kernel_uids()
        if uids is not None:
            self.lease = Lease(uids)
            if not can_run_python(self.lease.user):
                self._no_python()
        if self.lease is not None:
            os.chown(self.home, self.user.uid, self.user.gid)
            self.cgroups = Cgroups(kernel_memory(limits), limits.processes)

    @property
    def user(self) -> KernelUser | None:
        return self.lease.user if self.lease else None

    def _no_python(self) -> None:
        self.lease.release()
        self.lease = None
        message = (f"the kernel uids cannot run {sys.executable}: install dlgrade with a "
                   "Python that other users can read (setup.sh does this)")
        if Path("/autograder").is_dir():
            raise GraderError(message)
        warnings.warn(f"{message}; the student kernel runs as root, without a sandbox",
                      stacklevel=3)

    def give(self, path: Path) -> None:
        """Hand `path` (a file or folder the grader made) to the kernel's uid."""
        if self.user:
            os.chown(path, self.user.uid, self.user.gid)

    def launch_options(self) -> dict:
        """Popen arguments that start the kernel as the leased uid (none without a sandbox)."""
        if not self.user:
            return {}
        return {"user": self.user.uid, "group": self.user.gid, "extra_groups": []}

    def env(self) -> dict[str, str]:
        """The kernel's USER (its uid has no passwd entry to look up) and TMPDIR."""
        if not self.user:
            return {"TMPDIR": str(self.home)}
        return {"USER": self.user.name, "LOGNAME": self.user.name, "TMPDIR": str(self.home)}

    def command(self, argv: list[str]) -> list[str]:
        """The kernel's command line, behind a prelude that sets its rlimits, its
        oom_score_adj (1000: the kernel goes first when memory runs out) and no_new_privs
        (setuid programs give it nothing), then execs it. In the child itself, so that no
        capability is needed (Docker does not give CAP_SYS_RESOURCE)."""
        memory = self.cgroups is not None and self.cgroups.limits_memory
        processes = self.cgroups is not None and self.cgroups.limits_processes
        rlimits = {resource.RLIMIT_FSIZE: self.limits.file_size,
                   resource.RLIMIT_NOFILE: self.limits.open_files}
        if not memory:
            rlimits[resource.RLIMIT_DATA] = kernel_memory(self.limits)
        if not processes and self.user:  # per uid: only a leased uid makes it per grading
            rlimits[resource.RLIMIT_NPROC] = self.limits.processes
        spec = ",".join(f"{kind}={value}" for kind, value in rlimits.items())
        return [sys.executable, "-I", "-S", "-c", PRELUDE, spec, *argv]

    def join(self, pid: int) -> None:
        """Put the just-started kernel `pid` in the grading's cgroups (before any student code
        runs: its children follow it there). Its oom_score_adj of 1000 is set again from here:
        a grader with CAP_SYS_RESOURCE so makes 1000 the least the kernel may set itself."""
        _set_oom_score_adj(pid, 1000)
        if self.cgroups:
            self.cgroups.join(pid)

    def clean(self) -> None:
        """Kill every process the kernel left (before a restart, and on close)."""
        if self.user:
            kill_all(self.user, self.cgroups)

    def close(self) -> None:
        """End every process, remove what the uid left behind, then free the uid."""
        if self.lease is None:
            return
        try:
            self.clean()
            for folder in SHARED_TMP:
                _remove_files_of(self.user.uid, folder)
            _remove_ipc_of(self.user.uid)
            self.cgroups.remove()
        finally:
            self.lease.release()
            self.lease = None


def _remove_files_of(uid: int, folder: Path) -> None:
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.stat(follow_symlinks=False).st_uid != uid:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
        except OSError:
            pass


def _remove_ipc_of(uid: int) -> None:
    """Remove the System V shared memory, queues and semaphores the uid made: they outlive
    their processes (and hold memory)."""
    libc = ctypes.CDLL(None, use_errno=True)
    remove = {"shm": lambda i: libc.shmctl(i, IPC_RMID, None),
              "msg": lambda i: libc.msgctl(i, IPC_RMID, None),
              "sem": lambda i: libc.semctl(i, 0, IPC_RMID)}
    for kind, rmid in remove.items():
        try:
            header, *rows = Path(f"/proc/sysvipc/{kind}").read_text().splitlines()
        except (OSError, ValueError):
            continue
        names = header.split()
        for row in rows:
            fields = dict(zip(names, row.split()))
            if str(uid) in (fields.get("uid"), fields.get("cuid")):
                rmid(int(row.split()[1]))  # the id column: shmid, msqid or semid


def _set_oom_score_adj(pid: int | str, value: int) -> int | None:
    """Set a process's oom_score_adj; the value it had, or None where that is not allowed."""
    path = Path(f"/proc/{pid}/oom_score_adj")
    try:
        before = int(path.read_text())
        path.write_text(str(value))
        return before
    except OSError:
        return None


def protect_grader() -> int | None:
    """oom_score_adj -1000 for this (the grader's) process; returns the value to restore."""
    return _set_oom_score_adj("self", -1000)


def unprotect_grader(before: int | None) -> None:
    if before is not None:
        _set_oom_score_adj("self", before)
