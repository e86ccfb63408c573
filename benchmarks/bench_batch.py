"""Throughput of `dlgrade batch` with 1 and 2 workers against plain nbclient runs.

Grades N copies of csci5527_hw3's hw3.ipynb solution (each its own submission) with a LocalCluster
of 1 and then 2 workers, and runs the same notebook N times with plain nbclient, one after the
other. Prints submissions per minute, the scaling ratio (2 workers / 1 worker) and the
per-submission cost of a batch against a bare nbclient run of the same notebook, and the load
average before and after (the figures mean little on a busy machine).

    python benchmarks/bench_batch.py [--copies 6]
"""

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from graders.assignments import load_assignment
from graders.staff.batch import run_batch
from graders.staff.solve import solution_notebook


def _class_folder(copies: int) -> Path:
    hw3 = load_assignment("csci5527_hw3")
    root = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    nb = solution_notebook(hw3)
    for k in range(copies):
        (root / f"s{k:03d}").mkdir()
        nbformat.write(nb, root / f"s{k:03d}" / "hw3.ipynb")
    return root


def _batch_seconds(folder: Path, jobs: int) -> float:
    out = Path(tempfile.mkdtemp(prefix="bench-out-"))
    started = time.perf_counter()
    run_batch(load_assignment("csci5527_hw3"), folder, out, jobs=jobs, progress=lambda _: None)
    seconds = time.perf_counter() - started
    shutil.rmtree(out)
    return seconds


def _plain_seconds(folder: Path, copies: int) -> float:
    started = time.perf_counter()
    for k in range(copies):
        nb = nbformat.read(folder / f"s{k:03d}" / "hw3.ipynb", as_version=4)
        NotebookClient(nb, timeout=600, allow_errors=True).execute()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=6)
    args = parser.parse_args()
    before = os.getloadavg()
    folder = _class_folder(args.copies)
    plain = _plain_seconds(folder, args.copies)
    one = _batch_seconds(folder, 1)
    two = _batch_seconds(folder, 2)
    per_plain = plain / args.copies
    print(f"{args.copies} submissions of hw3.ipynb (solution)")
    print(f"plain nbclient, one after another: {plain:.1f} s ({per_plain:.1f} s each)")
    for jobs, seconds in ((1, one), (2, two)):
        print(f"batch, {jobs} worker(s): {seconds:.1f} s, {args.copies / seconds * 60:.1f} "
              f"submissions/min, {seconds / args.copies / per_plain:.2f}x a plain run each")
    print(f"scaling 2 workers / 1 worker: {one / two:.2f}")
    print("load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}, after: {:.1f} {:.1f} {:.1f}"
          .format(*before, *os.getloadavg()))
    shutil.rmtree(folder)


if __name__ == "__main__":
    main()
