"""Wall time and peak memory of grading solution notebooks, against a plain nbclient run.

    python benchmarks/bench_grading.py [--python PATH] [--assignment ID] [--notebook NAME]
                                       [--all] [--repeats 3] [--breakdown] [--json OUT]

`--python` picks the interpreter (a venv's bin/python, not resolved through its symlink) whose
`dlgrade` grades and whose kernel runs the notebook, so torch builds can be compared. This script
itself needs psutil (numpy for the exact memory figure). Which notebooks: `--assignment ID`
(default csci5527_hw3) with `--notebook NAME` (repeatable: several are graded as one folder and
run one after the other by the plain run; default the assignment's main notebook), or `--all`:
every notebook of every assignment, each graded alone (the questions of an assignment's other
notebooks then score 0, quickly), with one summary table at the end.

For each grading, on the solution notebook(s) that `write_solution` builds into a temp dir:
1. Memory runs (untimed; they also warm the page cache): one `dlgrade grade` and one plain nbclient
   execution, sampled in full by grading_memory.py (RSS, PSS, USS, distinct resident pages).
2. Timed runs: --repeats interleaved pairs (grade, plain, ...), RSS sampled only. Medians and their
   ratio (target: grade / plain <= 1.3), CPU time of the whole tree (from wait4(), kernel included;
   it moves much less than wall time when others load the machine), and the others' share of the
   machine's CPU meanwhile: a ratio taken while others used the CPU is flagged "loaded".
   `--repeats 0` measures memory only.
3. `--breakdown`: medians of the pieces the time is spent on (interpreter start, `import torch`,
   the grader process's imports, the kernel-user check, kernel start to idle, the notebook's first
   code cell in a fresh kernel).
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
import time
from pathlib import Path

from grading_memory import run_sampled
from grading_report import LOADED_SHARE, detail, summary

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ASSIGNMENT = "csci5527_hw3"

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
import graders.cli, graders.fixtures, graders.harness, graders.plugin, graders.submission, pytest
package = importlib.import_module("graders." + sys.argv[1])
for info in pkgutil.iter_modules(package.__path__):  # what pytest's collection imports
    if info.name.startswith("test_"):
        importlib.import_module(f"{package.__name__}.{info.name}")
"""

LIST_ASSIGNMENTS = """
import json
from graders.assignments import available
print(json.dumps(available()))
"""

def run_json(python: str, script: str, *args: str) -> object:
    """The JSON that `python -c script args` prints last."""
    out = subprocess.run([python, "-c", script, *args], cwd=REPO, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def grade_command(python: str, assignment: str) -> list[str]:
    script = Path(python).parent / "dlgrade"
    head = [str(script)] if script.exists() else [python, "-m", "graders.cli"]
    return [*head, "grade", assignment]


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


def breakdown(python: str, assignment: str, notebook: Path, cwd: Path, repeats: int) -> dict:
    """Median seconds of the pieces a grading run is made of."""
    out = {
        "python_startup": med(timed([python, "-c", "pass"], repeats, cwd)),
        "import_torch": med(timed([python, "-c", "import torch"], repeats, cwd)),
        "grader_imports": med(timed([python, "-c", GRADER_IMPORTS, assignment], repeats, cwd)),
    }
    uid = kernel_user()
    if uid is not None:  # graders.sandbox.can_run_python, once per grading process
        check = subprocess.run([python, "-c", "import graders.sandbox as s; "
                                "print(s.FINDS_IPYKERNEL)"], cwd=REPO, check=True,
                               capture_output=True, text=True).stdout
        out["kernel_user_check"] = med(timed(
            [python, "-c", check], repeats, Path("/"), user=uid, group=uid,
            extra_groups=[], env={"PATH": "/usr/bin"}))
    ready, imports = [], []
    for _ in range(repeats):
        figures = run_json(python, KERNEL_START, str(notebook))
        ready.append(figures["kernel_ready"])
        imports.append(figures["import_cell"])
    out["kernel_start_to_idle"] = med(ready)
    out["kernel_import_cell"] = med(imports)
    return out


def measure(python: str, assignment: str, names: list[str], notebooks: list[Path], work: Path,
            args: argparse.Namespace) -> dict:
    """Memory runs, then interleaved timed runs, of grading `notebooks` (the solutions of the
    templates `names`) and of running them."""
    graded = notebooks[0] if len(notebooks) == 1 else notebooks[0].parent
    results = work / "results.json"
    commands = {"grade": [*grade_command(python, assignment), str(graded),
                          "--results", str(results)],
                "plain": [python, "-c", PLAIN_NBCLIENT, *map(str, notebooks)]}

    def run(name: str, log: str, full: bool) -> dict:
        results.unlink(missing_ok=True)
        figures = run_sampled(commands[name], work, work / log, full=full,
                              interval=args.interval)
        if name == "grade":
            document = json.loads(results.read_text())
            figures["score"] = document["score"]
            figures["tests"] = document["tests"]
        return figures

    mem = {}
    for name in commands:  # first: memory (and page-cache warm-up)
        print(f"  memory run: {name} ...", flush=True)
        mem[name] = run(name, f"{name}-mem.log", full=True)
    tests = mem["grade"].pop("tests")
    full_score = mem["grade"]["score"]
    runs: dict[str, list[dict]] = {"grade": [], "plain": []}
    for i in range(args.repeats):  # interleaved, so a busy neighbour hits both alike
        for name in commands:
            print(f"  timed run {i + 1}/{args.repeats}: {name} ...", flush=True)
            figures = run(name, f"{name}-{i}.log", full=False)
            if figures.pop("tests", None) is not None and figures["score"] != full_score:
                print(f"  scored {figures['score']:g}, not {full_score:g}: left out of the "
                      "medians", flush=True)
            runs[name].append(figures)
    record = {"assignment": assignment, "notebooks": names,
              "commands": commands, "repeats": args.repeats, "memory_runs": mem,
              "timed_runs": runs,
              "score": f"{full_score:g} / {sum(t['max_score'] for t in tests):g}",
              "tests_not_full": [t["name"] for t in tests
                                 if t.get("score", 0) < t.get("max_score", 0)]}
    if args.repeats:
        # a grade that scored differently (the tree changed under the run, say) is not comparable
        usable = {name: [r for r in rs if r.get("score", full_score) == full_score] or rs
                  for name, rs in runs.items()}
        record["median"] = {
            name: {key: statistics.median([r[key] for r in rs if key in r] or [math.nan])
                   for key in ("wall_s", "cpu_s", "others_cpu_share", "kernel_first_seen_s",
                               "kernel_last_seen_s", "after_kernel_s", "rss_sum_mib")}
            for name, rs in usable.items()}
        best = {n: min(r["wall_s"] for r in rs) for n, rs in usable.items()}
        record["ratio"] = record["median"]["grade"]["wall_s"] / \
            record["median"]["plain"]["wall_s"]
        record["ratio_of_fastest"] = best["grade"] / best["plain"]
        record["loaded"] = any(r["others_cpu_share"] > LOADED_SHARE
                               for rs in runs.values() for r in rs)
    if args.breakdown:
        print("  breakdown ...", flush=True)
        record["breakdown"] = breakdown(python, assignment, notebooks[0], work,
                                        max(args.repeats, 1))
    return record


def targets(python: str, args: argparse.Namespace, parser) -> list[tuple[str, list[str] | None]]:
    """(assignment, notebook names or None for its main one), one per grading to measure."""
    if not args.all:
        return [(args.assignment, args.notebook)]
    if args.notebook:
        parser.error("--all measures every notebook: --notebook goes with --assignment")
    return [(a, None) for a in run_json(python, LIST_ASSIGNMENTS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter whose dlgrade and kernel are measured "
                             "(default: this one)")
    parser.add_argument("--assignment", default=DEFAULT_ASSIGNMENT)
    parser.add_argument("--notebook", action="append",
                        help="which of the assignment's notebooks to grade, by template name "
                             "(repeatable: graded together as a folder; default its main one)")
    parser.add_argument("--all", action="store_true",
                        help="every notebook of every assignment, each graded alone")
    parser.add_argument("--repeats", type=int, default=3,
                        help="timed pairs of runs (0: memory only)")
    parser.add_argument("--interval", type=float, default=0.02, help="sampling interval, seconds")
    parser.add_argument("--breakdown", action="store_true", help="time the pieces, too")
    parser.add_argument("--json", type=Path, help="save all figures here")
    args = parser.parse_args()
    if args.repeats < 0:
        parser.error(f"--repeats must be >= 0, not {args.repeats}")
    python = os.path.abspath(args.python)  # not resolved: a venv's python is a symlink
    version = subprocess.run(
        [python, "-c", "import sys, torch; print(sys.version.split()[0], torch.__version__)"],
        check=True, capture_output=True, text=True).stdout.split()
    print(f"python {python}: CPython {version[0]}, torch {version[1]}")
    print("plain: python -c \"nbclient.NotebookClient(nb, timeout=600, "
          "kernel_name='python3').execute()\"", flush=True)

    load_before = os.getloadavg()
    records = []
    for assignment, chosen in targets(python, args, parser):
        with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
            work = Path(tmp)
            os.chmod(work, 0o755)  # the kernel user must reach the notebook's folder
            built = run_json(python, BUILD_SOLUTION, assignment, str(work / "solutions"))
            solutions = dict(zip(built["templates"], map(Path, built["written"]), strict=True))
            unknown = sorted(set(chosen or []) - set(solutions))
            if unknown:
                parser.error(f"{assignment} has no notebook {', '.join(unknown)}; it has "
                             f"{', '.join(solutions)}")
            gradings = [chosen] if chosen else \
                [[name] for name in solutions] if args.all else [[built["main"]]]
            for names in gradings:
                submission = work / f"submission-{len(records)}"
                submission.mkdir(mode=0o755)
                notebooks = []
                for name in names:
                    notebooks.append(submission / solutions[name].name)
                    notebooks[-1].write_bytes(solutions[name].read_bytes())
                    os.chmod(notebooks[-1], 0o644)
                print(f"{assignment}: {', '.join(names)}", flush=True)
                records.append(measure(python, assignment, names, notebooks, work, args))
                print("\n".join(detail(records[-1])), flush=True)

    load = {"before": [round(x, 2) for x in load_before],
            "after": [round(x, 2) for x in os.getloadavg()], "cpus": os.cpu_count()}
    print(f"\npython {python}: CPython {version[0]}, torch {version[1]}")
    print("\n".join(summary(records)))
    print(f"\nload average (1, 5, 15 min) before {load['before']}, after {load['after']}, "
          f"{load['cpus']} CPUs: timings are only comparable on a quiet machine")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "python": python, "python_version": version[0], "torch": version[1],
            "load_average": load, "gradings": records}, indent=2))
        print(f"saved {args.json}")


if __name__ == "__main__":
    main()
