"""What the student kit costs: its install, its size, and a check run from inside the notebook.

    python benchmarks/bench_kit.py [ASSIGNMENT] [--question p2a] [--repeats 3] [--base-python P]
        [--gpu] [--torch V] [--torchvision V] [--cpu-index URL] [--pip-constraint FILE]
        [--keep] [--json OUT]

Run from the repository root with the project's interpreter (it builds the kit and the solution
with `graders.cli`). For ASSIGNMENT (default csci5527_hw3):
1. `dlgrade kit`, a fresh venv of --base-python (default: the base interpreter of `python3` on
   PATH, never a venv's), and the wall time of `venv/bin/python install.py`, the whole install;
   then the venv's size (apparent sizes as `du -sb`, MiB = 2**20) and how many distributions it
   holds (importlib.metadata, pip included);
2. the solution of the main notebook, saved as the student's file, executed and saved by nbclient
   run with the venv's python (so the kernel is the venv's ipykernel); in that kernel the cell
   `from dlgrade_check import check; check(QUESTION)` is timed (median of --repeats), and so is
   `venv/bin/dlgrade check NB --question QUESTION` in a terminal; all passed when every one
   returned 0 (check() returns the checker's exit code).

Stand-ins where PyTorch's CPU index is out of reach, each printed as SUBSTITUTED: --torch and
--torchvision rewrite the kit's pins in checker/pyproject.toml (--torch alone unpins torchvision,
so pip picks the one that fits); --cpu-index rewrites install.py's index URL (pip retries an
unreachable one, ~7 s per package); --pip-constraint reaches install.py's pip as PIP_CONSTRAINT.
On the development machine (torch 2.13.0+cpu lies in /opt/wheels):

    .venv/bin/python benchmarks/bench_kit.py --torch 2.13.0 --torchvision 0.28.0 \\
        --cpu-index file:///opt/wheels

The temporary folder (kit, venv, notebooks: ~1.5 GiB with the CPU build) is deleted unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Run by the kit venv's python: its nbclient starts the kernel with that same python.
NOTEBOOK_SESSION = r'''
import html, json, re, sys, time
from pathlib import Path
import nbformat
from nbclient import NotebookClient

path, question, repeats = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
nb = nbformat.read(path, as_version=4)
client = NotebookClient(nb, timeout=1800, kernel_name="python3",
                        resources={"metadata": {"path": str(path.parent)}})
with client.setup_kernel():
    start = time.perf_counter()
    for index, cell in enumerate(nb.cells):
        client.execute_cell(cell, index)
    run_all = time.perf_counter() - start
    nbformat.write(nb, path)
    prefix_cell = nbformat.v4.new_code_cell("import sys; print(sys.prefix)")
    check_cell = nbformat.v4.new_code_cell(f"from dlgrade_check import check\ncheck({question!r})")
    nb.cells += [prefix_cell, check_cell]
    kernel_prefix = client.execute_cell(prefix_cell, len(nb.cells) - 2).outputs[0]["text"]
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        outputs = client.execute_cell(check_cell, len(nb.cells) - 1).outputs
        seconds = time.perf_counter() - start
        data = {o["output_type"]: o["data"] for o in outputs if "data" in o}
        shown = re.sub("<[^>]+>", "", data["display_data"]["text/html"])  # check()'s <pre>
        runs.append({"seconds": seconds, "shown": html.unescape(shown).strip(),
                     "returned": int(data["execute_result"]["text/plain"])})
print(json.dumps({"run_all_s": run_all, "kernel_prefix": kernel_prefix.strip(), "runs": runs}))
'''

VENV_REPORT = r'''
import importlib.metadata, json, sys
dists = {d.metadata["Name"].lower(): d.version for d in importlib.metadata.distributions()}
try:
    import torchvision  # noqa: F401
    torchvision_import = "ok"
except Exception as err:
    torchvision_import = f"fails: {type(err).__name__}: {err}".splitlines()[0]
print(json.dumps({"python": sys.version.split()[0], "dists": dists,
                  "torchvision_import": torchvision_import}))
'''


def run(command: list, **kwargs) -> subprocess.CompletedProcess:
    """Run `command`, output captured; exit with its output when it fails."""
    proc = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, command))}\n"
                 f"{(proc.stdout + proc.stderr)[-3000:]}")
    return proc


def base_interpreter(python: str) -> str:
    """The interpreter behind `python` (the base one when `python` belongs to a venv)."""
    code = "import sys; print(getattr(sys, '_base_executable', '') or sys.executable)"
    return run([python, "-c", code]).stdout.strip()


def substitute_pins(pyproject: Path, torch: str | None, torchvision: str | None) -> list[str]:
    """Rewrite the kit's torch/torchvision pins; one line per change."""
    text = pyproject.read_text()
    notes = []
    if torch and not torchvision:
        torchvision = ""  # unpinned: pip picks the torchvision that requires this torch
    for name, version in (("torch", torch), ("torchvision", torchvision)):
        if version is None:
            continue
        old = re.search(rf'"{name}(==[^"]*)?"', text)
        new = f'"{name}=={version}"' if version else f'"{name}"'
        text = text.replace(old.group(0), new)
        notes.append(f"checker/pyproject.toml: {old.group(0)} -> {new}")
    pyproject.write_text(text)
    return notes


def substitute_cpu_index(installer: Path, url: str) -> str:
    """Point install.py's PyTorch CPU index at `url`."""
    text = installer.read_text()
    old = re.search(r'^CPU_INDEX = "([^"]*)"', text, re.M)
    installer.write_text(text.replace(old.group(0), f'CPU_INDEX = "{url}"'))
    return f"install.py: CPU_INDEX {old.group(1)} -> {url}"


def size_mib(folder: Path) -> float:
    """Apparent size of the files under `folder` (hard links once), as `du -sb`, in MiB."""
    seen, total = set(), 0
    for directory, _, files in os.walk(folder):
        for name in files:
            stat = os.lstat(os.path.join(directory, name))
            if (stat.st_dev, stat.st_ino) not in seen:
                seen.add((stat.st_dev, stat.st_ino))
                total += stat.st_size
    return total / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="csci5527_hw3")
    parser.add_argument("--question", default="p2a", help="question to check")
    parser.add_argument("--repeats", type=int, default=3, help="timed checks of each kind")
    parser.add_argument("--base-python", default="python3", help="interpreter of the venv")
    parser.add_argument("--gpu", action="store_true", help="install.py --gpu (CUDA torch)")
    parser.add_argument("--torch", metavar="VERSION", help="rewrite the kit's torch pin")
    parser.add_argument("--torchvision", metavar="VERSION", help="rewrite its torchvision pin")
    parser.add_argument("--cpu-index", metavar="URL", help="rewrite install.py's CPU index")
    parser.add_argument("--pip-constraint", type=Path, metavar="FILE",
                        help="PIP_CONSTRAINT for install.py's pip")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the figures as JSON")
    args = parser.parse_args()
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench_kit_"))
    try:
        figures = measure(args, work)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    figures["load_average"] = {"before": load_before, "after": os.getloadavg()}
    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if figures["all_passed"] else 1


def measure(args, work: Path) -> dict:
    """Build, install and check in `work`; the figures as a dict."""
    dlgrade = [sys.executable, "-m", "graders.cli"]
    kit, venv, folder = work / "kit", work / "venv", work / "student"
    run(dlgrade + ["kit", args.assignment, "-o", kit], cwd=ROOT)
    solution = Path(run(dlgrade + ["solve", args.assignment, "-o", work / "solution"],
                        cwd=ROOT).stdout.split()[0])  # the main notebook's comes first
    substituted = substitute_pins(kit / "checker" / "pyproject.toml", args.torch, args.torchvision)
    if args.cpu_index:
        substituted.append(substitute_cpu_index(kit / "install.py", args.cpu_index))
    env = dict(os.environ)
    if args.pip_constraint:
        env["PIP_CONSTRAINT"] = str(args.pip_constraint.resolve())
        substituted.append(f"PIP_CONSTRAINT={env['PIP_CONSTRAINT']}")
    for line in substituted:
        print(f"SUBSTITUTED (not what a student gets): {line}")

    base = base_interpreter(args.base_python)
    run([base, "-m", "venv", venv])
    python = venv / "bin" / "python"
    start = time.perf_counter()
    run([python, kit / "install.py"] + (["--gpu"] if args.gpu else []), cwd=kit, env=env)
    install_s = time.perf_counter() - start
    report = json.loads(run([python, "-c", VENV_REPORT]).stdout)

    folder.mkdir()
    notebook = folder / solution.name.replace("_solution.ipynb", ".ipynb")
    shutil.copy2(solution, notebook)
    session = json.loads(run([python, "-c", NOTEBOOK_SESSION, notebook, args.question,
                              args.repeats], cwd=folder).stdout.splitlines()[-1])
    if Path(session["kernel_prefix"]).resolve() != venv.resolve():
        sys.exit(f"the kernel ran in {session['kernel_prefix']}, not in the kit's venv {venv}")
    terminal = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        proc = subprocess.run([venv / "bin" / "dlgrade", "check", notebook, "--question",
                               args.question], cwd=folder, capture_output=True)
        terminal.append({"seconds": time.perf_counter() - start, "returned": proc.returncode})
    checks = session["runs"] + terminal
    return {
        "assignment": args.assignment, "question": args.question, "notebook": notebook.name,
        "base_python": f"{base} ({report['python']}, pip {report['dists']['pip']})",
        "gpu": args.gpu, "substituted": substituted, "install_s": install_s,
        "venv_mib": size_mib(venv), "distributions": len(report["dists"]),
        "torch": report["dists"].get("torch"), "torchvision": report["dists"].get("torchvision"),
        "torchvision_import": report["torchvision_import"],
        "notebook_run_all_s": session["run_all_s"],
        "check_in_notebook_s": [r["seconds"] for r in session["runs"]],
        "check_terminal_s": [r["seconds"] for r in terminal],
        "returned": [r["returned"] for r in checks],
        "all_passed": all(r["returned"] == 0 for r in checks),
        "verdicts": session["runs"][-1]["shown"],
    }


def print_table(figures: dict) -> None:
    """The figures, one per line, then the verdicts check() showed."""
    load = {when: "/".join(f"{x:.2f}" for x in values)
            for when, values in figures["load_average"].items()}
    rows = {
        "assignment / question": "{assignment} / {question} ({notebook})".format(**figures),
        "base python": figures["base_python"] + (", install.py --gpu" if figures["gpu"] else ""),
        "substituted": "; ".join(figures["substituted"]) or "nothing",
        "torch / torchvision": "{torch} / {torchvision} (import torchvision: "
                               "{torchvision_import})".format(**figures),
        "install.py wall": f"{figures['install_s']:.1f} s",
        "venv size": f"{figures['venv_mib']:,.0f} MiB, {figures['distributions']} distributions",
        "notebook, all cells": f"{figures['notebook_run_all_s']:.1f} s",
        "check() in notebook": seconds(figures["check_in_notebook_s"]),
        "dlgrade check (terminal)": seconds(figures["check_terminal_s"]),
        "all verdicts passed": f"{figures['all_passed']} (exit codes {figures['returned']})",
        "load average 1/5/15": f"before {load['before']}, after {load['after']}",
    }
    for name, value in rows.items():
        print(f"{name:<24}  {value}")
    print(f"\ncheck({figures['question']!r}) showed:\n{figures['verdicts']}")


def seconds(times: list[float]) -> str:
    """Median and all runs of a timing."""
    runs = ", ".join(f"{t:.2f}" for t in times)
    return f"median {statistics.median(times):.2f} s (runs: {runs})"


if __name__ == "__main__":
    sys.exit(main())
