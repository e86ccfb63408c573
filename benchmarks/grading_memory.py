"""Memory of a command's process tree, sampled from /proc while it runs (bench_grading.py's).

Figures, summed over the tree at each sample, peak over the run (MiB = 2**20 bytes):
- RSS sum: counts a page once per process that maps it, so the torch/numpy libraries mapped by
  both the grader and the kernel are counted twice. An upper bound.
- PSS sum: each shared page split among the processes mapping it, so pages shared inside the tree
  count once in total. On a shared machine it reads low: a page that a process outside the tree
  also maps (someone else's torch from the same venv) is only partly counted.
- USS sum: pages private to one process. A lower bound.
- anon + max file: sum of anonymous RSS plus the largest single file-backed RSS; a cheap estimate
  of the same thing as PSS, sampled at the RSS rate.
- distinct resident pages (root and numpy only; full runs, about once a second): the physical
  pages of /proc/PID/pagemap of the tree's processes, each counted once: exactly the mapped memory
  a cgroup holding only this tree would be charged, whatever else runs on the machine. The figure
  to hold against a container's limit. Sampled about once a second, it can miss a sub-second
  spike, which the RSS-rate figures would show.

PSS and USS come from /proc/PID/smaps_rollup, 20-40 ms per process that maps the CUDA build of
torch and holding the process's memory-map lock: only in "full" runs, whose wall time is no timing.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

try:  # for the exact count of distinct resident pages (root only); optional
    import numpy as np
except ImportError:
    np = None

MIB = 2**20
PAGE = os.sysconf("SC_PAGE_SIZE")


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
def busy_cpu_seconds() -> float:
    """CPU seconds every core of the machine has spent busy since boot."""
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def run_sampled(cmd: list[str], cwd: Path, log: Path, *, full: bool, interval: float) -> dict:
    """Run `cmd`, sampling its process tree; return wall time, CPU time and the memory summary.

    `others_cpu_share`: the machine's busy CPU time during the run that was not the command's
    (nor this sampler's), as a share of all cores' time: above ~0.1 others loaded the machine.
    """
    with open(log, "wb") as out:
        busy0 = busy_cpu_seconds()
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, interval=interval, full=full)
        sampler.start()
        # wait4: the rusage of the command and of every descendant it reaped (the kernel, too)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - t0
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        sampler.stop()
        busy = busy_cpu_seconds() - busy0
    if code != 0:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{' '.join(cmd)} exited with {code}:\n{tail}")
    cpu = usage.ru_utime + usage.ru_stime
    others = max(0.0, busy - cpu - sampler.cpu_seconds) / (wall * (os.cpu_count() or 1))
    result = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3),
              "others_cpu_share": round(others, 3),
              "max_rss_one_process_mib": round(usage.ru_maxrss * 1024 / MIB, 1),
              **sampler.summary()}
    if "kernel_last_seen_s" in result:
        result["after_kernel_s"] = round(wall - result["kernel_last_seen_s"], 2)
    return result
