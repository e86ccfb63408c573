"""Cgroups for one grading's kernel: a memory and a pids limit on it and all its children.

Made under the grader's own cgroup in each hierarchy that has the controller (cgroup v1: one
hierarchy per controller, as this machine mounts them; v2: one unified hierarchy, where the
parent must hand the controllers down). Where the grader cannot write there (a Docker container
without a delegated cgroup), nothing is made and the sandbox falls back to rlimits.
"""

import os
import secrets
import time
from pathlib import Path


class Cgroups:
    """A memory and a pids cgroup for one kernel (`memory` bytes, `processes` tasks), made
    under the grader's own cgroups where the grader may write there."""

    def __init__(self, memory: int, processes: int):
        self.dirs: list[Path] = []
        name = f"dlgrade-{os.getpid()}-{secrets.token_hex(4)}"
        for mount, own, controller in _cgroup_mounts():
            knobs = _knobs(mount / own.lstrip("/"), controller, memory, processes)
            if not knobs:
                continue
            path = mount / own.lstrip("/") / name
            _remove_stale(path.parent)
            try:
                path.mkdir()
            except OSError:
                continue
            try:
                for knob, value in knobs.items():
                    if (path / knob).exists():
                        (path / knob).write_text(str(value))
                self.dirs.append(path)
            except OSError:
                path.rmdir()

    @property
    def limits_memory(self) -> bool:
        return any((d / "memory.max").exists() or (d / "memory.limit_in_bytes").exists()
                   for d in self.dirs)

    @property
    def limits_processes(self) -> bool:
        return any((d / "pids.max").exists() for d in self.dirs)

    def join(self, pid: int) -> None:
        for path in self.dirs:
            (path / "cgroup.procs").write_text(str(pid))

    def members(self) -> list[int]:
        pids = set()
        for path in self.dirs:
            try:
                pids.update(int(p) for p in (path / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(pids)

    def remove(self) -> None:
        for path in self.dirs:
            for _ in range(50):  # the last tasks leave a moment after their SIGKILL
                try:
                    path.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.02)
        self.dirs = []


def _remove_stale(parent: Path) -> None:
    """Remove the empty cgroups that graders no longer running left (a grader killed outright)."""
    for path in parent.glob("dlgrade-*-*"):
        if not Path("/proc", path.name.split("-")[1]).exists():
            try:
                path.rmdir()
            except OSError:
                pass


def _cgroup_mounts(writable: bool = True) -> list[tuple[Path, str, str]]:
    """(mount point, the grader's own cgroup there, "memory", "pids" or "unified") of each
    cgroup hierarchy that can limit memory or processes (and that the grader can write)."""
    own = {}
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(",") if controllers else ["unified"]:
            own[controller] = path
    found = []
    for line in Path("/proc/self/mounts").read_text().splitlines():
        _, mount, kind, options = line.split()[:4]
        if kind == "cgroup2" and "unified" in own:
            found.append((Path(mount), own["unified"], "unified"))
        elif kind == "cgroup":
            found += [(Path(mount), own[c], c) for c in ("memory", "pids")
                      if c in options.split(",") and c in own]
    return [(m, p, c) for m, p, c in found
            if not writable or os.access(m / p.lstrip("/"), os.W_OK)]


def _knobs(parent: Path, controller: str, memory: int, processes: int) -> dict[str, int]:
    """The limit files to write in a new child of `parent` (their order matters)."""
    if controller == "memory":  # v1; memsw (memory + swap) only where swap accounting is on
        return {"memory.limit_in_bytes": memory,
                "memory.memsw.limit_in_bytes": memory}
    if controller == "pids":
        return {"pids.max": processes}
    wanted = [c for c in ("memory", "pids") if c in _words(parent / "cgroup.controllers")]
    try:  # v2: children get a controller only where the parent hands it down
        (parent / "cgroup.subtree_control").write_text(" ".join(f"+{c}" for c in wanted))
    except OSError:
        return {}
    knobs = {}
    if "memory" in wanted:
        knobs.update({"memory.max": memory, "memory.swap.max": 0})
    if "pids" in wanted:
        knobs["pids.max"] = processes
    return knobs


def memory_ceiling() -> int | None:
    """The memory limit of the grader's own cgroup (a container's), if it has one: found at
    the grader's path, or at the mount's root where a container sees only its own cgroup."""
    ceilings = []
    for mount, own, controller in _cgroup_mounts(writable=False):
        knob = "memory.limit_in_bytes" if controller == "memory" else "memory.max"
        for folder in (mount / own.lstrip("/"), mount):
            words = _words(folder / knob)
            if words and words[0].isdigit():
                ceilings.append(int(words[0]))
    return min(ceilings, default=None)


def _words(path: Path) -> list[str]:
    try:
        return path.read_text().split()
    except OSError:
        return []
