"""Wall time and peak memory of grading the csci5527_hw3 solution, against a plain nbclient run.

    python benchmarks/bench_grading.py [--python PATH] [--notebook NAME] [--repeats 3] [--json OUT]

`--python` picks the interpreter (a venv's bin/python, not resolved through its symlink) whose
`dlgrade` grades and whose kernel runs the notebook, so torch builds can be compared, e.g.
`--python /work/venv-cpu/bin/python`. This script itself needs psutil (numpy is optional).

What one invocation does, on the solution notebook(s) built by `write_solution` into a temp dir
(`--notebook NAME`, repeatable; default the assignment's first notebook, hw3.ipynb = P2 and P3):

1. Memory runs (untimed, they also warm the page cache): one `dlgrade grade` and one plain
   nbclient execution while a sampler walks the process tree (the command, its children,
   recursively) and reads every process's RSS every --interval seconds and its PSS and USS
   (/proc/PID/smaps_rollup) as often as that allows: smaps_rollup costs 20-40 ms per process
   that maps the CUDA build of torch, too much for the timed runs. Reading them also holds the
   process's memory-map lock, so these runs are 2-3x slower: their wall time is no timing.
2. Timed runs: --repeats interleaved pairs (grade, plain, grade, plain, ...) sampled for RSS only,
   so the sampler's cost is small and the same for both. Medians and their ratio are reported
   (target: grade / plain <= 1.3), with the CPU time (user + sys) of the whole tree from wait4(),
   which includes the kernel (reaped by its parent) and moves much less than wall time when
   others load the machine.
3. Breakdown (skip with --no-breakdown): medians of the pieces the time is spent on (interpreter
   start, `import torch`, the grader process's imports, the kernel user check, kernel start to
   idle, the notebook's import cell in a fresh kernel).

Memory figures, summed over the tree at each sample, peak over the run (MiB = 2**20 bytes):
- RSS sum: counts a page once per process that maps it, so the torch/numpy libraries mapped by
  both the grader and the kernel are counted twice. An upper bound.
- PSS sum: each shared page split among the processes mapping it, so pages shared inside the tree
  count once in total. In a container, where nothing else runs, this is the estimate of what its
  memory cgroup charges (each page once). On a shared machine it reads low: a page that a process
  outside the tree also maps (someone else's torch from the same venv) is only partly counted.
- USS sum: pages private to one process. A lower bound.
- anon + max file: sum of anonymous RSS plus the largest single file-backed RSS; a cheap estimate
  of the same thing as PSS, sampled at the RSS rate.
- distinct resident pages (root and numpy only; memory runs, about once a second): the physical
  pages of /proc/PID/pagemap of the tree's processes, each counted once: exactly the mapped memory
  a cgroup holding only this tree would be charged, whatever else runs on the machine (page cache
  of files read but not mapped, and kernel memory, come on top). The figure to hold against a
  container's limit; PSS sum is its stand-in where it is missing. Sampled about once a second,
  it can miss a sub-second spike, which the RSS-rate figures would show.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

try:  # for the exact count of distinct resident pages (root only); optional
    import numpy as np
except ImportError:
    np = None

ASSIGNMENT = "csci5527_hw3"
REPO = Path(__file__).resolve().parent.parent
MIB = 2**20
TARGET_RATIO = 1.3
TARGET_MIB = 768

PAGE = os.sysconf("SC_PAGE_SIZE")
PLAIN_NBCLIENT = (  # `jupyter execute NB...`: each notebook in turn, in a fresh kernel
    "import sys, nbformat, nbclient\n"
    "for p in sys.argv[1:]:\n"
    "    nb = nbformat.read(p, 4)\n"
    "    nbclient.NotebookClient(nb, timeout=600, kernel_name='python3').execute()"
)

BUILD_SOLUTION = """
import json, sys
from pathlib import Path
from graders.assignments import load_assignment
from graders.staff.solve import write_solution
assignment = load_assignment(sys.argv[1])
written = write_solution(assignment, sys.argv[2])
written = [written] if isinstance(written, (str, Path)) else list(written)
names = list(getattr(assignment, "notebooks", [assignment.notebook]))
print(json.dumps({"main": assignment.notebook, "templates": names,
                  "written": [str(p) for p in written]}))
"""

KERNEL_START = """
import json, sys, time
import nbformat
from jupyter_client.manager import start_new_kernel
nb = nbformat.read(sys.argv[1], 4)
first = next(c.source for c in nb.cells if c.cell_type == "code" and c.source.strip())
t0 = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
t1 = time.perf_counter()
reply = kc.execute_interactive(first, timeout=300, output_hook=lambda msg: None)
t2 = time.perf_counter()
kc.stop_channels()
km.shutdown_kernel(now=True)
print(json.dumps({"kernel_ready": t1 - t0, "import_cell": t2 - t1,
                  "status": reply["content"]["status"]}))
"""

GRADER_IMPORTS = """
import importlib, pkgutil, sys
import graders.cli, graders.harness, graders.plugin, graders.submission, pytest
package = importlib.import_module("graders." + sys.argv[1])
for info in pkgutil.iter_modules(package.__path__):  # what pytest's collection imports
    if info.name.startswith("test_"):
        importlib.import_module(f"{package.__name__}.{info.name}")
"""


# -- sampling the process tree ---------------------------------------------------------------------
def resident_frames(pid: int):
    """Physical frame numbers of `pid`'s resident pages, from /proc/PID/pagemap (needs root).

    Reading the pagemap walks the whole address space: 0.2-0.5 s for a process with the CUDA
    build of torch (4 GB of mappings), so this is sampled about once a second.
    """
    frames = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb", buffering=0) as pm:
        for line in maps:
            start, end = (int(x, 16) for x in line.split(maxsplit=1)[0].split("-"))
            if start >= 1 << 47:  # [vsyscall]
                continue
            pm.seek(start // PAGE * 8)
            entries = np.frombuffer(pm.read((end - start) // PAGE * 8), dtype=np.uint64)
            present = entries[(entries >> np.uint64(63)) == 1]  # swapped pages: none here
            frames.append(present & np.uint64((1 << 55) - 1))
    return np.concatenate(frames) if frames else np.zeros(0, np.uint64)


def distinct_resident_bytes(pids) -> int | None:
    """Resident bytes of the processes together, each physical page counted once (or None)."""
    if np is None or os.geteuid() != 0:
        return None
    frames = []
    for pid in pids:
        try:
            frames.append(resident_frames(pid))
        except (OSError, ValueError):  # gone meanwhile
            continue
    if not frames:
        return None
    frames = np.concatenate(frames)
    if len(frames) and not frames.any():  # frame numbers hidden (no CAP_SYS_ADMIN)
        return None
    return len(np.unique(frames)) * PAGE


@dataclass
class ProcTrack:
    pid: int
    proc: psutil.Process
    first_seen: float
    last_seen: float
    role: str = "other"
    user: str = "?"
    cmd: str = ""
    peak_rss: int = 0
    peak_pss: int = 0
    peak_uss: int = 0


@dataclass
class Sample:
    t: float
    rss: dict[int, int]
    file: dict[int, int]
    pss: dict[int, int] = field(default_factory=dict)
    uss: dict[int, int] = field(default_factory=dict)
    distinct: int | None = None


class TreeSampler(threading.Thread):
    """Samples the memory of `root_pid` and its descendants until stop() is called."""

    def __init__(self, root_pid: int, interval: float = 0.02, tree_every: float = 0.1,
                 full: bool = False, distinct_every: float = 1.0):
        super().__init__(daemon=True)
        self.root_pid = root_pid
        self.interval = interval
        self.tree_every = tree_every
        self.full = full
        self.distinct_every = distinct_every
        self.start_time = time.monotonic()
        self.procs: dict[int, ProcTrack] = {}
        self.samples: list[Sample] = []
        self.cpu_seconds = 0.0
        self._halt = threading.Event()
        self._live: list[ProcTrack] = []

    def stop(self) -> None:
        self._halt.set()
        self.join()

    def _refresh_tree(self, now: float) -> None:
        try:
            root = psutil.Process(self.root_pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.Error:
            procs = []
        live = []
        for p in procs:
            track = self.procs.get(p.pid)
            if track is None:
                track = self.procs[p.pid] = ProcTrack(p.pid, p, now, now)
            try:  # re-read: a child caught between fork and exec still shows the parent's cmdline
                cmdline = p.cmdline()
                user = p.username()
            except psutil.Error:
                continue
            live.append(track)
            if not cmdline:  # a zombie, about to be reaped
                continue
            track.cmd, track.user = " ".join(cmdline)[:160], user
            if p.pid == self.root_pid:
                track.role = "grader"
            elif any("ipykernel_launcher" in part for part in cmdline):
                track.role = "kernel"
        self._live = live

    def run(self) -> None:
        cpu0 = time.thread_time()
        last_tree = last_distinct = -1.0
        while not self._halt.is_set():
            tick = time.monotonic()
            now = tick - self.start_time
            if now - last_tree >= self.tree_every:
                self._refresh_tree(now)
                last_tree = now
            sample = Sample(now, {}, {})
            for track in self._live:
                try:
                    mem = track.proc.memory_full_info() if self.full else track.proc.memory_info()
                except psutil.Error:
                    continue
                track.last_seen = now
                sample.rss[track.pid] = mem.rss
                sample.file[track.pid] = mem.shared  # RssFile + RssShmem
                track.peak_rss = max(track.peak_rss, mem.rss)
                if self.full:
                    sample.pss[track.pid] = mem.pss
                    sample.uss[track.pid] = mem.uss
                    track.peak_pss = max(track.peak_pss, mem.pss)
                    track.peak_uss = max(track.peak_uss, mem.uss)
            if self.full and sample.rss and now - last_distinct >= self.distinct_every:
                sample.distinct = distinct_resident_bytes(sample.rss)
                last_distinct = now
            if sample.rss:
                self.samples.append(sample)
            self._halt.wait(max(0.0, self.interval - (time.monotonic() - tick)))
        self.cpu_seconds = time.thread_time() - cpu0

    # -- summaries ---------------------------------------------------------------------------------
    def roles(self) -> dict[int, str]:
        return {pid: t.role for pid, t in self.procs.items()}

    def summary(self) -> dict:
        roles = self.roles()
        out: dict = {"samples": len(self.samples)}
        if len(self.samples) > 1:
            span = self.samples[-1].t - self.samples[0].t
            out["mean_interval_ms"] = round(1000 * span / (len(self.samples) - 1), 1)
        out["sampler_cpu_s"] = round(self.cpu_seconds, 2)

        def peak(values_of, pick=lambda pid: True):
            best, at = 0, None
            for s in self.samples:
                values = values_of(s)
                total = sum(v for pid, v in values.items() if pick(pid))
                if total > best:
                    best, at = total, s
            return best, at

        metrics = {"rss": lambda s: s.rss}
        if self.full:
            metrics.update(pss=lambda s: s.pss, uss=lambda s: s.uss)
        totals = {}
        for name, values_of in metrics.items():
            best, at = peak(values_of)
            totals[f"{name}_sum_mib"] = round(best / MIB, 1)
            if at is not None:
                totals[f"{name}_sum_at_s"] = round(at.t, 2)
                totals[f"{name}_sum_split_mib"] = {
                    role: round(sum(v for pid, v in values_of(at).items() if roles[pid] == role)
                                / MIB, 1)
                    for role in ("grader", "kernel", "other")}
            for role in ("grader", "kernel", "other"):
                best_role, _ = peak(values_of, lambda pid, role=role: roles[pid] == role)
                totals.setdefault("by_role_mib", {}).setdefault(role, {})[name] = round(
                    best_role / MIB, 1)
        est = max((sum(s.rss[p] - s.file[p] for p in s.rss) + max(s.file.values())
                   for s in self.samples), default=0)
        totals["anon_plus_max_file_mib"] = round(est / MIB, 1)
        distinct = [s for s in self.samples if s.distinct is not None]
        if distinct:
            at = max(distinct, key=lambda s: s.distinct)
            totals["distinct_mib"] = round(at.distinct / MIB, 1)
            totals["distinct_at_s"] = round(at.t, 2)
            totals["distinct_samples"] = len(distinct)
        out.update(totals)
        out["processes"] = [
            {"pid": t.pid, "role": t.role, "user": t.user, "cmd": t.cmd,
             "seen_s": [round(t.first_seen, 2), round(t.last_seen, 2)],
             "peak_rss_mib": round(t.peak_rss / MIB, 1),
             **({"peak_pss_mib": round(t.peak_pss / MIB, 1),
                 "peak_uss_mib": round(t.peak_uss / MIB, 1)} if self.full else {})}
            for t in self.procs.values() if t.peak_rss]
        kernels = [t for t in self.procs.values() if t.role == "kernel" and t.peak_rss]
        if kernels:
            out["kernel_first_seen_s"] = round(min(t.first_seen for t in kernels), 2)
            out["kernel_last_seen_s"] = round(max(t.last_seen for t in kernels), 2)
            out["kernels"] = len(kernels)
        return out


# -- running things -------------------------------------------------------------------------------
def run_sampled(cmd: list[str], cwd: Path, log: Path, *, full: bool, interval: float) -> dict:
    """Run `cmd`, sampling its process tree; return wall time and the memory summary."""
    with open(log, "wb") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, interval=interval, full=full)
        sampler.start()
        # wait4: the rusage of the command and of every descendant it reaped (the kernel, too)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        sampler.stop()
    if code != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(cmd)} exited with {code}:\n{tail}")
    result = {"wall_s": round(wall, 3), "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
              "max_rss_one_process_mib": round(usage.ru_maxrss * 1024 / MIB, 1),
              **sampler.summary()}
    if "kernel_last_seen_s" in result:
        result["after_kernel_s"] = round(wall - result["kernel_last_seen_s"], 2)
    return result


def grade_command(python: str) -> list[str]:
    script = Path(python).parent / "dlgrade"
    head = [str(script)] if script.exists() else [python, "-m", "graders.cli"]
    return [*head, "grade", ASSIGNMENT]


def timed(cmd: list[str], repeats: int, cwd: Path, **kwargs) -> list[float]:
    times = []
    for _ in range(repeats):
        t0 = time.monotonic()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, **kwargs)
        times.append(time.monotonic() - t0)
    return times


def kernel_user() -> int | None:
    """A uid like those `dlgrade grade` runs kernels as (graders.sandbox leases one of
    DLGRADE_KERNEL_UIDS per grading): the range's last, the one a grading takes last."""
    spec = os.environ.get("DLGRADE_KERNEL_UIDS", "64000-64999")
    if os.geteuid() != 0 or not spec:
        return None
    return int(spec.split("-")[-1])


def med(xs) -> float:
    return round(statistics.median(xs), 3)


def breakdown(python: str, notebook: Path, cwd: Path, repeats: int) -> dict:
    """Median seconds of the pieces a grading run is made of."""
    out = {
        "python_startup": med(timed([python, "-c", "pass"], repeats, cwd)),
        "import_torch": med(timed([python, "-c", "import torch"], repeats, cwd)),
        "grader_imports": med(timed([python, "-c", GRADER_IMPORTS, ASSIGNMENT], repeats, cwd)),
    }
    uid = kernel_user()
    if uid is not None:  # graders.sandbox.can_run_python, once per grading process
        out["kernel_user_check"] = med(timed(
            [python, "-c", "import ipykernel"], repeats, Path("/"), user=uid, group=uid,
            extra_groups=[], env={"PATH": "/usr/bin"}))
    ready, imports = [], []
    for _ in range(repeats):
        res = subprocess.run([python, "-c", KERNEL_START, str(notebook)], cwd=cwd, check=True,
                             capture_output=True, text=True)
        figures = json.loads(res.stdout.strip().splitlines()[-1])
        ready.append(figures["kernel_ready"])
        imports.append(figures["import_cell"])
    out["kernel_start_to_idle"] = med(ready)
    out["kernel_import_cell"] = med(imports)
    return out


# -- report ---------------------------------------------------------------------------------------
def row(label: str, grade, plain, fmt: str = ".0f") -> str:
    cells = [format(v, fmt) if isinstance(v, int | float) else str(v) for v in (grade, plain)]
    return f"{label:<36}{cells[0]:>12}{cells[1]:>12}"


def fmt_mem_table(mem: dict[str, dict]) -> list[str]:
    g, p = mem["grade"], mem["plain"]
    lines = [row("peak memory (MiB)", "grade", "plain"),
             row("RSS sum (pages counted per process)", g["rss_sum_mib"], p["rss_sum_mib"]),
             row("PSS sum (shared pages split)", g["pss_sum_mib"], p["pss_sum_mib"]),
             row("USS sum (private pages only)", g["uss_sum_mib"], p["uss_sum_mib"]),
             row("anon sum + largest file RSS", g["anon_plus_max_file_mib"],
                 p["anon_plus_max_file_mib"]),
             row("distinct resident pages (~1/s)", g.get("distinct_mib", "n/a"),
                 p.get("distinct_mib", "n/a"))]
    for role in ("grader", "kernel", "other"):
        cells = []
        for run in (g, p):
            r = run["by_role_mib"][role]
            cells.append(f"{r['rss']:.0f} / {r['pss']:.0f}" if r["rss"] else "-")
        lines.append(row(f"  {role} alone: RSS / PSS peak", *cells))
    for name, run in mem.items():
        split = run.get("pss_sum_split_mib", {})
        lines.append(f"  at the {name} PSS-sum peak (t = {run.get('pss_sum_at_s', 0):.1f} s): "
                     + ", ".join(f"{k} {v:.0f}" for k, v in split.items() if v))
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose dlgrade and kernel are measured "
                             "(default: this one)")
    parser.add_argument("--notebook", action="append",
                        help="which of the assignment's notebooks to grade, by template name "
                             "(repeatable; default: its first, hw3.ipynb); several are graded as "
                             "a folder and executed one after the other by the plain run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of each command")
    parser.add_argument("--interval", type=float, default=0.02, help="sampling interval, seconds")
    parser.add_argument("--no-breakdown", action="store_true", help="skip the time breakdown")
    parser.add_argument("--json", type=Path, help="save all figures here")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error(f"--repeats must be >= 1, not {args.repeats}")
    python = os.path.abspath(args.python)  # not resolved: a venv's python is a symlink

    version = subprocess.run(
        [python, "-c", "import sys, torch; print(sys.version.split()[0], torch.__version__)"],
        check=True, capture_output=True, text=True).stdout.split()
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        work = Path(tmp)
        os.chmod(work, 0o755)  # the kernel user must reach the notebook's folder
        built = json.loads(subprocess.run(
            [python, "-c", BUILD_SOLUTION, ASSIGNMENT, str(work / "solutions")], cwd=REPO,
            check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1])
        solutions = dict(zip(built["templates"], map(Path, built["written"]), strict=True))
        chosen = args.notebook or [built["main"]]
        unknown = sorted(set(chosen) - set(solutions))
        if unknown:
            parser.error(f"{ASSIGNMENT} has no notebook {', '.join(unknown)}; it has "
                         f"{', '.join(solutions)}")
        submission = work / "submission"
        submission.mkdir(mode=0o755)
        notebooks = []
        for name in chosen:
            notebooks.append(submission / solutions[name].name)
            notebooks[-1].write_bytes(solutions[name].read_bytes())
            os.chmod(notebooks[-1], 0o644)
        notebook = notebooks[0]
        graded = notebook if len(notebooks) == 1 else submission  # one file, as the brief has it
        results = work / "results.json"
        commands = {
            "grade": [*grade_command(python), str(graded), "--results", str(results)],
            "plain": [python, "-c", PLAIN_NBCLIENT, *map(str, notebooks)],
        }
        print(f"python {python}: CPython {version[0]}, torch {version[1]}")
        print(f"notebooks: {', '.join(chosen)} (solutions; {ASSIGNMENT} has "
              f"{', '.join(solutions)})")
        print(f"grade: {' '.join(commands['grade'])}")
        print("plain: python -c \"nbclient.NotebookClient(nb, timeout=600, "
              "kernel_name='python3').execute()\"\n")

        load_before = os.getloadavg()
        def measure(name: str, log: str, full: bool) -> dict:
            results.unlink(missing_ok=True)
            run = run_sampled(commands[name], work, work / log, full=full, interval=args.interval)
            if name == "grade":
                document = json.loads(results.read_text())
                run["score"] = document["score"]
                run["autograder_error"] = any(t["name"].startswith("Autograder error")
                                              for t in document["tests"])
                run["results"] = document
            return run

        mem = {}
        for name in commands:  # first: memory (and page-cache warm-up)
            print(f"memory run: {name} ...", flush=True)
            mem[name] = measure(name, f"{name}-mem.log", full=True)
        document = mem["grade"].pop("results")
        score = f"{document['score']:g} / " + \
            f"{sum(t['max_score'] for t in document['tests']):g}"
        lost = [t["name"] for t in document["tests"] if t.get("score", 0) < t.get("max_score", 0)]

        runs: dict[str, list[dict]] = {"grade": [], "plain": []}
        for i in range(args.repeats):  # interleaved, so a busy neighbour hits both alike
            for name in commands:
                print(f"timed run {i + 1}/{args.repeats}: {name} ...", flush=True)
                run = measure(name, f"{name}-{i}.log", full=False)
                if run.pop("results", None) and run["score"] != mem["grade"]["score"]:
                    print(f"  scored {run['score']:g}, not {mem['grade']['score']:g}"
                          + (" (autograder error)" if run["autograder_error"] else "")
                          + ": left out of the medians", flush=True)
                runs[name].append(run)
        parts = None if args.no_breakdown else (print("breakdown ...", flush=True)
                                                or breakdown(python, notebook, work, args.repeats))

    load = {"before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}
    # a grade that scored differently (the tree changed under the run, say) is not comparable
    usable = {name: [r for r in rs if r.get("score", mem["grade"]["score"])
                     == mem["grade"]["score"]] or rs for name, rs in runs.items()}
    medians = {name: {key: statistics.median([r[key] for r in rs if key in r] or [math.nan])
                      for key in ("wall_s", "cpu_s", "kernel_first_seen_s", "kernel_last_seen_s",
                                  "after_kernel_s", "rss_sum_mib", "sampler_cpu_s")}
               for name, rs in usable.items()}
    ratio = medians["grade"]["wall_s"] / medians["plain"]["wall_s"]
    g, p = medians["grade"], medians["plain"]
    best = {n: min(r["wall_s"] for r in rs) for n, rs in usable.items()}
    all_runs = {n: ", ".join(f"{r['wall_s']:.1f}" for r in rs) for n, rs in runs.items()}
    life = {n: m["kernel_last_seen_s"] - m["kernel_first_seen_s"] for n, m in medians.items()}

    verdict = "ok" if ratio <= TARGET_RATIO else "OVER"
    lines = [f"\nscore of the solution: {score}"
             + (f" (not full marks: {len(lost)} tests, e.g. {lost[0]!r}: the questions of "
                "notebooks not given score 0)" if lost else ""), "",
             row(f"wall time, median of {args.repeats} (s)", "grade", "plain"),
             row("total", g["wall_s"], p["wall_s"], ".2f"),
             row("  start -> kernel process seen", g["kernel_first_seen_s"],
                 p["kernel_first_seen_s"], ".2f"),
             row("  kernel alive", life["grade"], life["plain"], ".2f"),
             row("  kernel gone -> exit", g["after_kernel_s"], p["after_kernel_s"], ".2f"),
             row("CPU time, user + sys, whole tree", g["cpu_s"], p["cpu_s"], ".2f"),
             f"  every run (s): grade {all_runs['grade']}; plain {all_runs['plain']}"
             + (f" ({len(runs['grade']) - len(usable['grade'])} grade runs left out: "
                "another score)" if len(usable["grade"]) < len(runs["grade"]) else ""),
             f"ratio grade / plain: {ratio:.2f} (target <= {TARGET_RATIO}: {verdict}); "
             f"of the fastest runs: {best['grade'] / best['plain']:.2f}; "
             f"of CPU times: {g['cpu_s'] / p['cpu_s']:.2f}",
             row("RSS-sum peak, timed runs (MiB)", g["rss_sum_mib"], p["rss_sum_mib"]),
             ""]
    lines += fmt_mem_table(mem)
    for label, key in (("distinct resident", "distinct_mib"), ("PSS sum", "pss_sum_mib"),
                       ("RSS sum", "rss_sum_mib")):
        if key in mem["grade"]:
            peak = mem["grade"][key]
            lines.append(f"grade peak, {label}: {peak:.0f} MiB (target <= {TARGET_MIB} MiB: "
                         f"{'ok' if peak <= TARGET_MIB else 'OVER'})")
    lines.append(f"sampling: {mem['grade'].get('mean_interval_ms')} ms apart with PSS, "
                 f"{statistics.median(r.get('mean_interval_ms', 0) for r in runs['grade'])} ms "
                 "RSS only")
    lines.append("\nprocesses of the grade memory run:")
    for proc in mem["grade"]["processes"]:
        lines.append(f"  {proc['role']:<7}{proc['user']:<8} {proc['seen_s'][0]:>5.1f}-"
                     f"{proc['seen_s'][1]:<5.1f}s  RSS {proc['peak_rss_mib']:>5.0f}  "
                     f"PSS {proc['peak_pss_mib']:>5.0f}  USS {proc['peak_uss_mib']:>5.0f}  "
                     f"{proc['cmd'][:70]}")
    if parts:
        lines.append(f"\n{'breakdown, median of ' + str(args.repeats) + ' (s)':<34}")
        for key, value in parts.items():
            lines.append(f"  {key:<32}{value:>8.2f}")
    lines.append(f"\nload average (1, 5, 15 min) before {load['before']}, after {load['after']}, "
                 f"{load['cpus']} CPUs: timings are only comparable on a quiet machine")
    print("\n".join(lines))

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "python": python, "python_version": version[0], "torch": version[1],
            "assignment": ASSIGNMENT, "notebooks": chosen, "score": score,
            "tests_not_full": lost, "commands": commands,
            "repeats": args.repeats, "median": medians, "ratio": round(ratio, 3),
            "ratio_of_fastest": round(best["grade"] / best["plain"], 3),
            "target_ratio": TARGET_RATIO, "target_mib": TARGET_MIB,
            "load_average": load, "memory_runs": mem, "timed_runs": runs, "breakdown": parts,
        }, indent=2))
        print(f"\nsaved {args.json}")


if __name__ == "__main__":
    main()
