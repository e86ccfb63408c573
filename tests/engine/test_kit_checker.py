"""The student kit: its installer's Python check, its front end, and checks from a notebook cell."""

import importlib.util
import json
import os
import pty
import re
import subprocess
import sys
import threading
import time
import types
from pathlib import Path

import nbformat
import pytest

from graders import notebook_check
from graders.assignments import load_assignment
from graders.staff.kit import build_kit
from graders.staff.kit_install import pip_command, python_problem
from graders.staff.solve import solution_notebook


def test_an_old_python_is_refused_at_once_with_what_to_do(tmp_path):
    kit = build_kit(load_assignment("csci5527_hw3"), tmp_path / "kit")
    fake_old = ("import sys; sys.version_info = (3, 10, 4, 'final', 0); "
                f"exec(open({str(kit / 'install.py')!r}).read(), "
                f"{{'__name__': '__main__', '__file__': {str(kit / 'install.py')!r}}})")
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", fake_old], capture_output=True, text=True,
                         timeout=60)
    assert time.monotonic() - started < 5  # no download, no build: the first thing it does
    assert run.returncode == 1
    assert "needs Python 3.11 or newer; this is Python 3.10" in run.stderr
    assert python_problem((3, 11)) is None and python_problem((3, 13)) is None


def test_the_kit_installs_the_cpu_torch_build_unless_asked_and_a_front_end(tmp_path):
    kit = build_kit(load_assignment("csci5527_hw3"), tmp_path / "kit")
    assert "--extra-index-url" in pip_command(False, str(kit))
    assert "--extra-index-url" not in pip_command(True, str(kit))
    pyproject = (kit / "checker" / "pyproject.toml").read_text()
    assert '"jupyterlab' in pyproject and 'py-modules = ["dlgrade_check"]' in pyproject
    assert "python3 install.py --gpu" in (kit / "README.md").read_text()


def _main_module(tmp_path, source: str, monkeypatch) -> None:
    """Make `source` the running kernel's __main__ (inspect.getsource needs a real file)."""
    path = tmp_path / "kernel_main.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("kernel_main", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setitem(sys.modules, "__main__", module)


def _saved(tmp_path, nb) -> Path:
    path = tmp_path / "hw3.ipynb"
    nbformat.write(nb, path)
    return path


def test_save_first_when_the_kernel_holds_an_unsaved_edit(tmp_path, monkeypatch):
    nb = nbformat.read(load_assignment("csci5527_hw3").template, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell("def xcorr1d(x, y):\n    return x\n"))
    path = _saved(tmp_path, nb)
    _main_module(tmp_path, "def xcorr1d(x, y):\n    return x\n", monkeypatch)
    assert notebook_check.unsaved_definitions(path, ["xcorr1d", "yx_from_xy"]) == []
    _main_module(tmp_path, "def xcorr1d(x, y):\n    return y  # edited, not saved\n", monkeypatch)
    assert notebook_check.unsaved_definitions(path, ["xcorr1d"]) == ["xcorr1d"]
    assert notebook_check.check("p2a", path) == 2


def test_the_notebook_is_found_from_the_session_or_the_folder(tmp_path, monkeypatch):
    nb = nbformat.read(load_assignment("csci5527_hw3").template, as_version=4)
    path = _saved(tmp_path, nb)
    monkeypatch.setenv("JPY_SESSION_NAME", "somewhere/hw3.ipynb")
    assert notebook_check.find_notebook(tmp_path) == path  # by name, in the kernel's folder
    monkeypatch.delenv("JPY_SESSION_NAME")
    assert notebook_check.find_notebook(tmp_path) == path  # the one that names its assignment
    (tmp_path / "copy.ipynb").write_text(path.read_text())
    with pytest.raises(LookupError, match="could not tell which notebook"):
        notebook_check.find_notebook(tmp_path)


@pytest.mark.slow
def test_a_cell_check_gives_the_verdicts_of_dlgrade_check(tmp_path, monkeypatch, capsys):
    hw3 = load_assignment("csci5527_hw3")
    path = _saved(tmp_path, solution_notebook(hw3))
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))  # nothing edited
    started = time.monotonic()
    code = notebook_check.check("p2a", path)
    in_cell = capsys.readouterr().out
    print(f"in-notebook check('p2a'): {time.monotonic() - started:.1f} s")
    progress, tty = pty.openpty()  # the terminal's stderr: where the live progress line goes
    terminal = subprocess.run([sys.executable, "-m", "graders.cli", "check", str(path),
                               "--question", "p2a"], stdout=subprocess.PIPE, stderr=tty,
                              text=True, timeout=600)
    os.close(tty)
    shown = _read_all(progress)
    assert code == terminal.returncode == 0
    assert in_cell.strip() == terminal.stdout.strip()
    assert "P2(a)" in in_cell and "P2(b)" not in in_cell
    cells = sum(c["cell_type"] == "code" and bool("".join(c["source"]).strip())
                for c in json.loads(path.read_text())["cells"])
    assert f"hw3.ipynb: 0 of {cells} code cells run" in shown
    assert f"hw3.ipynb: {cells} of {cells} code cells run" in shown
    assert re.search(r"(\d+) of \1 checks done", shown)
    assert "code cells run" not in in_cell  # the cell's checker has no terminal: no display


def _read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the terminal's other end is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(fd)
    return b"".join(chunks).decode()


@pytest.mark.parametrize("assignment", ["csci5527_hw3", "comp499_a1"])
def test_a_check_never_starts_the_answer_checker_the_kit_lacks(assignment, monkeypatch, tmp_path):
    """The kit has no theory/: its public files must not make the grader import it (a student
    saw a ModuleNotFoundError traceback), while a grading with the hidden answer tests starts the
    checker's worker ahead, at the grader's priority, not the background imports' lower one."""
    from graders.harness import grade, grader_imports, start_answer_checker, test_files
    from theory import answers

    directory = load_assignment(assignment)
    assert grader_imports(test_files(directory, public_only=True))[1] is False
    assert grader_imports(test_files(directory, public_only=False))[1] is True
    niceness = []
    monkeypatch.setattr(answers, "shared_checker", lambda: types.SimpleNamespace(
        start=lambda: niceness.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))))
    missing = tmp_path / "missing.ipynb"  # no kernel starts; the grader's imports still run
    grade(directory, missing, public_only=True)
    grade(directory, missing)
    deadline = time.monotonic() + 30
    while not niceness and time.monotonic() < deadline:
        time.sleep(0.05)
    assert niceness == [os.getpriority(os.PRIO_PROCESS, threading.get_native_id())]
    monkeypatch.setitem(sys.modules, "theory.answers", None)  # as in the kit: not importable
    finished = threading.Thread(target=lambda: None)
    finished.start()
    start_answer_checker(finished)  # says nothing, raises nothing
    assert len(niceness) == 1
