"""Lean installs: the extras an assignment needs travel in its autograder zip, an assignment that
needs no faiss grades without it, and the GPU-side pieces (kernel_gpu.py, gpu_check.sh)."""

import dataclasses
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from graders.assignments import GRADERS_DIR, available, load_assignment
from graders.staff.package import ROOT, build_autograder_zip

# installed first in a fresh interpreter: `import faiss` / `import open_clip` then fail as if the
# packages were not installed (they are in the dev venv)
BLOCKER = """
import importlib.abc, sys
class _Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("faiss", "open_clip"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, _Absent())
"""
# every assignment that does not ask for faiss and open_clip (the "search" extra)
LEAN_ASSIGNMENTS = [a for a in available() if "search" not in load_assignment(a).extras]


def _run_blocked(code: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCKER + code], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, **kwargs)


def _modules(folder: Path, package: str) -> list[str]:
    return [f"{package}.{p.stem}" for p in sorted(folder.glob("*.py")) if p.stem != "__init__"]


def test_every_assignments_extras_are_extras_of_the_package():
    optional = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    for assignment_id in available():
        assert set(load_assignment(assignment_id).extras) <= set(optional), assignment_id
    assert {"csci5527_hw3", "comp499_a1"} <= set(LEAN_ASSIGNMENTS)


@pytest.mark.parametrize("extras", [(), ("search",)])
def test_the_autograder_zip_names_the_assignments_extras(tmp_path, extras):
    assignment = dataclasses.replace(load_assignment("csci5527_hw3"), extras=extras)
    with zipfile.ZipFile(build_autograder_zip(assignment, tmp_path / "a.zip")) as archive:
        assert archive.read("EXTRAS").decode() == ",".join(extras) + "\n"
        assert archive.read("ASSIGNMENT").decode() == "csci5527_hw3\n"


def test_the_blocker_hides_faiss_and_open_clip():
    for name in ("faiss", "open_clip"):
        run = _run_blocked(f"import {name}")
        assert run.returncode == 1
        assert f"ModuleNotFoundError: No module named '{name}'" in run.stderr


def test_the_engine_and_lean_assignments_import_without_faiss():
    modules = _modules(GRADERS_DIR, "graders")
    for assignment_id in LEAN_ASSIGNMENTS:
        modules += _modules(GRADERS_DIR / assignment_id, f"graders.{assignment_id}")
    assert "graders.csci5527_hw3.test_p2" in modules and "graders.kernel" in modules
    run = _run_blocked(f"import importlib\nfor m in {modules!r}: importlib.import_module(m)")
    assert run.returncode == 0, run.stderr


@pytest.mark.slow
def test_check_of_the_blank_template_runs_without_faiss(tmp_path):
    notebook = tmp_path / "hw3.ipynb"
    shutil.copy(load_assignment("csci5527_hw3").template, notebook)
    tmp_path.chmod(0o755)  # the sandboxed kernel reads the notebook
    run = _run_blocked("from graders.cli import main\n"
                       f"sys.exit(main(['check', {str(notebook)!r}]))")
    assert run.returncode == 1, run.stderr  # its checks fail on the blank template: not a crash
    assert "Traceback" not in run.stderr
    assert "p2" in run.stdout.lower()


KERNEL_GPU = (GRADERS_DIR / "kernel_gpu.py").read_text()


def test_kernel_gpu_never_imports_torch():
    code = f"import sys\n{KERNEL_GPU}\n__dlgrade_exact_cuda__()\nprint('torch' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert run.stdout.split() == ["False"], run.stderr


def test_kernel_gpu_turns_tf32_off_once_torch_is_imported():
    code = (f"import torch\n{KERNEL_GPU}\n"
            "b = torch.backends\n"
            "b.cuda.matmul.allow_tf32 = b.cudnn.allow_tf32 = b.cudnn.benchmark = True\n"
            "b.cudnn.deterministic = False\n"
            "__dlgrade_exact_cuda__()\n"
            "print(b.cuda.matmul.allow_tf32, b.cudnn.allow_tf32, b.cudnn.deterministic,"
            " b.cudnn.benchmark)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.stdout.split() == ["False", "False", "True", "False"], run.stderr


@pytest.mark.parametrize("nvidia_smi", ["absent", "failing"])
def test_gpu_check_says_there_is_no_gpu_and_exits_0(tmp_path, nvidia_smi):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if nvidia_smi == "failing":  # installed, but no driver or no device
        (bin_dir / "nvidia-smi").write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
        (bin_dir / "nvidia-smi").chmod(0o755)
    for tool in ("bash", "head", "dirname", "env"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    run = subprocess.run([str(ROOT / "benchmarks" / "gpu_check.sh")], capture_output=True,
                         text=True, timeout=30, env={**os.environ, "PATH": str(bin_dir)})
    assert run.returncode == 0, run.stderr
    assert "no GPU here" in run.stdout
    assert "assignment" not in run.stdout  # it did not start grading
