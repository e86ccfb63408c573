"""Wall-clock and CPU time of ``theory --verify`` (every proof and numeric check), cold start.

Each run is a fresh interpreter (imports of sympy and torch included), as a grader or CI would
start it. The budget is 60 s on the 2-core development machine; the exit status is 1 when the
median run exceeds it, or when verification itself fails.

    python benchmarks/bench_theory.py [--runs 3] [--budget 60]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once() -> tuple[float, float, int, str]:
    """(wall s, CPU s of the child, exit status, last line of its output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "theory.cli", "--verify"],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = proc.stdout.strip().splitlines() or [proc.stderr.strip()[-300:]]
    return wall, cpu, proc.returncode, lines[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold-start runs to time")
    parser.add_argument("--budget", type=float, default=60.0, help="seconds allowed (median)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"Invalid number of runs: {args.runs}")
    walls, status = [], 0
    print(f"theory --verify, {args.runs} cold runs, {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.2f}")
    for i in range(args.runs):
        wall, cpu, rc, last = run_once()
        walls.append(wall)
        status |= rc
        print(f"run {i + 1}: wall {wall:6.1f} s  cpu {cpu:6.1f} s  exit {rc}  | {last}")
    median = statistics.median(walls)
    print(f"median wall {median:.1f} s (budget {args.budget:g} s)")
    return 1 if status or median > args.budget else 0


if __name__ == "__main__":
    raise SystemExit(main())
