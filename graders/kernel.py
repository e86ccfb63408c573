"""Execute a student's notebook in a fresh kernel, then call its functions with the grader's inputs.

The kernel is untrusted. It runs in the sandbox (graders/sandbox.py: as root, a uid of its own,
a private home, limits, and every process it started killed at the end), with a scrubbed
environment. Values travel as plain data only: the grader writes arguments as `.npy`/JSON into
a per-call directory, the kernel writes results the same way, and graders.codec checks the reply
before reading it without pickle. What the kernel sends as messages is checked and capped by
graders.kernel_output.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client import AsyncKernelManager
from jupyter_core.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from graders import font_cache
from graders.codec import AsTorch, Ref, check_status, decode, encode, write_new
from graders.errors import GraderError, StudentError
from graders.kernel_output import PROBE_MIME
from graders.kernel_output import CappedClient as _CappedClient
from graders.results import code_span
from graders.sandbox import Limits, Sandbox

# AsTorch and Ref are defined in graders.codec; graders import them from here with the session
__all__ = ["AsTorch", "CellRun", "KernelSession", "Limits", "Ref"]

PROBE_SOURCE = (Path(__file__).parent / "kernel_probe.py").read_text()
GPU_SOURCE = (Path(__file__).parent / "kernel_gpu.py").read_text()  # exact CUDA numerics
KEPT_ENV = ("CUDA_VISIBLE_DEVICES", "NVIDIA_VISIBLE_DEVICES", "LD_LIBRARY_PATH", "TORCH_HOME",
            "OMP_NUM_THREADS", "MKL_NUM_THREADS", "TZ")


@dataclass
class CellRun:
    """What happened to one code cell: status is ok, error, timeout, died or skipped."""

    index: int
    status: str
    message: str = ""


class _KernelManager(AsyncKernelManager):
    """Starts the kernel behind the sandbox's prelude (its limits) and hands it the connection
    file (mode 0600), which only its uid (and root) can read."""

    sandbox: Sandbox | None = None

    def write_connection_file(self, **kwargs) -> None:
        super().write_connection_file(**kwargs)
        self.sandbox.give(Path(self.connection_file))

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        return self.sandbox.command(super().format_kernel_cmd(extra_arguments))


@dataclass
class KernelSession:
    """A notebook and the kernel that runs it; restarts the kernel when student code kills it."""

    nb: nbformat.NotebookNode
    limits: Limits = field(default_factory=Limits)
    skip_tags: tuple[str, ...] = ()
    cells: list[CellRun] = field(default_factory=list)
    restarts: int = 0
    question: str = ""  # the question whose time budget the calls are charged to

    def __post_init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="dlgrade-"))
        os.chmod(self.root, 0o711)
        try:
            self.sandbox = Sandbox(self.root, self.limits)
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise
        self.user = self.sandbox.user
        self.home = self.sandbox.home
        font_cache.seed(self.home / ".matplotlib", self.sandbox.give)  # its MPLCONFIGDIR
        self.io_root = self.root / "io"
        self.io_root.mkdir(mode=0o711)
        self.spent: dict[str, float] = {}  # seconds of calls per question ("" = the whole run)
        self.client = None
        self.truncated_at_close = False
        self.scratch = len(self.nb.cells)  # grader-written cells run at this index
        self.nb.cells.append(nbformat.v4.new_code_cell(""))

    # -- kernel life cycle -------------------------------------------------------------------
    def _start_kernel(self, spawned: Callable[[], None] | None = None) -> None:
        """Start a kernel in the sandbox; `spawned()` is called once its process exists, before
        it is ready."""
        connection_file = self.root / f"kernel-{secrets.token_hex(4)}.json"
        km = _KernelManager(kernel_name="python3", connection_file=str(connection_file))
        km.sandbox = self.sandbox
        # the kernel's own stdout/stderr are not the grader's: what student code writes to
        # file descriptors 1 and 2 must never reach results or the terminal
        launch = {"env": self._kernel_env(), "cwd": str(self.home),
                  "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
                  **self.sandbox.launch_options()}
        client = _CappedClient(self.nb, km=km, timeout=self.limits.cell_timeout,
                               allow_errors=True, startup_timeout=120,
                               extra_arguments=["--HistoryManager.enabled=False"])
        client.max_output_bytes = self.limits.max_output_bytes
        if self.client is not None:
            client.kept_bytes = self.client.kept_bytes
            client.truncated = self.client.truncated
        client.start_new_kernel(**launch)
        self.sandbox.join(km.provisioner.pid)  # before any student code runs
        if spawned is not None:
            spawned()
        client.start_new_kernel_client()
        self.client = client
        self._run_source(f"{PROBE_SOURCE}\n{GPU_SOURCE}\n"
                         f"__dlgrade_cap_output__({self.limits.max_output_bytes})",
                         self.limits.call_timeout)

    def _kernel_env(self) -> dict[str, str]:
        env = {key: os.environ[key] for key in KEPT_ENV if key in os.environ}
        env.update(
            PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            HOME=str(self.home),
            IPYTHONDIR=str(self.home / ".ipython"),
            MPLCONFIGDIR=str(self.home / ".matplotlib"),
            MPLBACKEND="module://matplotlib_inline.backend_inline",  # plots become outputs
            LANG="C.UTF-8",
            PYTHONDONTWRITEBYTECODE="1",
            PYDEVD_DISABLE_FILE_VALIDATION="1",
            **self.sandbox.env(),
        )
        return env

    def close(self) -> None:
        """Stop the kernel and everything it started; then free its uid and files."""
        try:
            if self.client is not None:
                self.truncated_at_close = self.client.truncated
                self._stop_kernel()
            self.client = None
        finally:
            try:
                self.sandbox.close()
            finally:
                shutil.rmtree(self.root, ignore_errors=True)

    def _stop_kernel(self) -> None:
        self.sandbox.clean()  # a sandboxed kernel is killed at once, with all its children
        if self.client.km is not None:
            self.client._cleanup_kernel()

    def _restart(self, replay: list[int]) -> None:
        """A fresh kernel that re-runs the cells that succeeded before (within the budget)."""
        self.restarts += 1
        if self.client is not None:
            self._stop_kernel()
        self._start_kernel()
        for index in replay:
            self._run_cell(index, self.limits.cell_timeout)

    def _run_cell(self, index: int, timeout: float):
        self.client.timeout = max(1, int(timeout))
        return self.client.execute_cell(self.nb.cells[index], index)

    def _interrupt(self) -> bool:
        """Stop a cell that ran too long; True if the kernel answers again afterwards.

        The client's channels are renewed too: nbclient leaves the timed-out cell's output
        listener behind, and it would swallow the next cells' outputs.
        """
        run_sync(self.client.km.interrupt_kernel)()
        self.client.kc.stop_channels()
        self.client.kc = self.client.km.client()  # no waiting: a kernel that ignores the
        self.client.kc.start_channels()          # interrupt is found out by _responsive()
        self.client.kc.allow_stdin = False
        return self._responsive()

    def _responsive(self) -> bool:
        probe = nbformat.v4.new_code_cell("pass")
        self.client.timeout = 15
        try:
            self.client.execute_cell(probe, self.scratch)
            return True
        except (CellTimeoutError, DeadKernelError):
            return False

    # -- running the notebook ----------------------------------------------------------------
    def run_notebook(self, progress: Callable[[int, int], None] | None = None) -> list[CellRun]:
        """Execute every code cell once; one broken cell costs only what depends on it.
        `progress(done, total)` is told as soon as the kernel process exists (0 done), before
        each code cell and at the end."""
        code = [i for i, cell in enumerate(self.nb.cells[: self.scratch])
                if cell.cell_type == "code" and cell.source.strip()]
        self._start_kernel(None if progress is None else lambda: progress(0, len(code)))
        started = time.monotonic()
        succeeded: list[int] = []
        for done, index in enumerate(code):
            if progress is not None:
                progress(done, len(code))
            cell = self.nb.cells[index]
            tags = set(cell.metadata.get("tags", []))
            if tags & set(self.skip_tags):
                self.cells.append(CellRun(index, "skipped", "skipped in graded-only mode"))
                continue
            left = self.limits.notebook_budget - (time.monotonic() - started)
            if left <= 0:
                self.cells.append(CellRun(index, "skipped", "the notebook's time budget ran out"))
                continue
            timeout = min(self.limits.cell_timeout, left)
            self.cells.append(self._execute(index, timeout, succeeded))
            if self.cells[-1].status == "ok":
                succeeded.append(index)
        if progress is not None:
            progress(len(code), len(code))
        return self.cells

    def _execute(self, index: int, timeout: float, succeeded: list[int]) -> CellRun:
        cell = self.nb.cells[index]
        try:
            self._run_cell(index, timeout)
        except CellTimeoutError:
            if not self._interrupt():
                self._recover(succeeded)
            return CellRun(index, "timeout", f"the cell ran longer than {timeout:.0f} s")
        except DeadKernelError:
            self._recover(succeeded)
            return CellRun(index, "died", "the kernel died while running this cell")
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if errors:
            return CellRun(index, "error", code_span(f"{errors[0].ename}: {errors[0].evalue}", 500))
        return CellRun(index, "ok")

    def _recover(self, succeeded: list[int]) -> None:
        if self.restarts >= self.limits.max_restarts:
            raise StudentError(
                f"the kernel died or hung {self.restarts + 1} times; grading stopped there"
            )
        self._restart(succeeded)

    @property
    def output_truncated(self) -> bool:
        return self.client.truncated if self.client else self.truncated_at_close

    # -- probing the student's functions -----------------------------------------------------
    def call(self, name: str, *args, code: str | None = None, timeout: float | None = None,
             **kwargs):
        """Call the student's `name(*args, **kwargs)` in the kernel and return plain data.

        Arguments: numpy arrays (sent as arrays), `AsTorch(array)` (sent as a torch tensor),
        `Ref(name)` (a kernel global), or JSON values. With `code`, the grader-written function
        `code` is called as `code(name_object, *args, **kwargs)` instead.
        Raises StudentError when the name is missing, the call raises, times out or kills the
        kernel, or the result is not plain data.
        """
        if self.client is None:
            raise GraderError("the kernel is not running")
        io_dir = self.io_root / secrets.token_hex(8)
        io_dir.mkdir(mode=0o700)
        spec = {"name": name, "code": code,
                "args": [encode(io_dir, arg, f"a{i}") for i, arg in enumerate(args)],
                "kwargs": {k: encode(io_dir, v, f"k_{k}") for k, v in kwargs.items()}}
        write_new(io_dir / "call.json", json.dumps(spec).encode())
        if self.user:  # handed to the kernel only once the grader's files are in place
            os.chown(io_dir, self.user.uid, self.user.gid)
        timeout, started = self._call_timeout(name, timeout), time.monotonic()
        try:
            reply = self._run_probe(io_dir, name, timeout)
            status = check_status(reply, name)
            if status["status"] == "missing":
                raise StudentError(f"{name} is not defined in the notebook")
            if status["status"] == "raised":
                if status["error"] == "NotImplementedError":
                    raise StudentError(f"{name} is not implemented yet (it raises "
                                       "NotImplementedError)")
                raise StudentError(f"{name} raised {code_span(status['error'])}")
            return decode(io_dir, status["result"], self.limits.max_result_bytes, name)
        finally:
            self._charge(time.monotonic() - started)
            shutil.rmtree(io_dir, ignore_errors=True)

    def _call_timeout(self, name: str, timeout: float | None) -> float:
        """This call's time limit: its own, cut to what the question's and the run's budgets
        for calls have left."""
        budgets = {self.question: self.limits.question_calls, "": self.limits.run_calls}
        for key, budget in budgets.items():
            if self.spent.get(key, 0.0) >= budget:
                whose = "this question" if key else "the whole run"
                raise StudentError(f"{name} was not called: the calls for {whose} used up their "
                                   f"time budget ({budget:.0f} s)")
        left = min(budget - self.spent.get(key, 0.0) for key, budget in budgets.items())
        return min(timeout or self.limits.call_timeout, left)

    def _charge(self, seconds: float) -> None:
        for key in {self.question, ""}:
            self.spent[key] = self.spent.get(key, 0.0) + seconds

    def _run_probe(self, io_dir: Path, name: str, timeout: float) -> dict:
        try:
            cell = self._run_source(  # TF32 off first: the checks' tolerances assume exact float32
                f"__dlgrade_exact_cuda__()\n__dlgrade_probe__({str(io_dir)!r})", timeout)
        except CellTimeoutError:
            if not self._interrupt():
                self._restart_for_probes()
            raise StudentError(f"{name} did not return within {timeout:.0f} s") from None
        except DeadKernelError:
            self._restart_for_probes()
            raise StudentError(f"{name} killed the kernel (it exited or crashed)") from None
        replies = [out.data[PROBE_MIME] for out in cell.outputs
                   if out.output_type == "display_data" and PROBE_MIME in out.get("data", {})]
        if not replies:
            errors = [out for out in cell.outputs if out.output_type == "error"]
            detail = f" ({code_span(errors[0].ename, 200)})" if errors else ""
            raise StudentError(f"calling {name} gave no result{detail}")
        return replies[-1]

    def _restart_for_probes(self) -> None:
        if self.restarts >= self.limits.max_restarts:
            raise StudentError("the kernel died too many times; no more calls are made")
        replay = [run.index for run in self.cells if run.status == "ok"]
        self._restart(replay)

    def _run_source(self, source: str, timeout: float) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell(source)
        self.client.timeout = max(1, int(timeout))
        self.client.execute_cell(cell, self.scratch)
        return cell


def kernel_function(source: str, name: str) -> str:
    """An expression for `KernelSession.call(..., code=...)` that evaluates, in the kernel, to
    the function `name` that the grader-written `source` defines; `__student__` there is the
    notebook's namespace."""
    return (f"(lambda ns: (exec({source!r}, ns), ns[{name!r}])[1])"
            "({'__student__': globals()})")
