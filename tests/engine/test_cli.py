"""`dlgrade` as a user types it: usage errors in one line, exit codes, --json. Each case runs the
real command in a subprocess (a few seconds each; one starts a kernel)."""

import json
import subprocess
import sys

import nbformat

CLI = [sys.executable, "-m", "graders.cli"]


def _run(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300, cwd=cwd)


def test_a_path_that_does_not_exist_is_a_usage_error_in_one_line(tmp_path):
    graded = _run("grade", "csci5527_hw3", str(tmp_path / "nothere"))
    assert (graded.returncode, graded.stdout) == (2, "")
    assert graded.stderr == f"dlgrade grade: {tmp_path / 'nothere'} does not exist\n"
    checked = _run("check", "nothere.ipynb", cwd=tmp_path)
    assert (checked.returncode, checked.stderr) == (2, "dlgrade check: nothere.ipynb does not "
                                                       "exist\n")
    assert not (tmp_path / "results.json").exists()


def test_json_prints_the_results_and_missing_notebooks_are_said_loudly(tmp_path):
    notebook = tmp_path / "hw3.ipynb"
    notebook.write_text('{"cells": [')  # cut short
    results = tmp_path / "results.json"
    run = _run("grade", "csci5527_hw3", str(notebook), "--json", "--results", str(results))
    assert run.returncode == 0  # graded (with 0 points): the grader did its job
    document = json.loads(run.stdout)
    assert document == json.loads(results.read_text())
    assert document["output"].count("hw3.ipynb is not a Jupyter notebook") == 1
    assert document["output"].count("hw3_p1.ipynb is not in the submission") == 1
    assert run.stderr == (
        "dlgrade grade: WARNING: hw3.ipynb, hw3_p1.ipynb, hw3_p4.ipynb of csci5527_hw3 were not "
        "graded (their tests score 0); grade the folder that holds all of hw3.ipynb, "
        "hw3_p1.ipynb, hw3_p4.ipynb\n")


def test_grade_exits_3_when_the_grader_itself_failed(tmp_path):
    notebook = tmp_path / "hw3.ipynb"
    notebook.write_text("{}")
    code = ("import graders.harness as h\n"
            "def boom(*a, **k):\n    raise RuntimeError('bug')\n"
            "h.pytest.main = boom\n"
            "from graders.cli import main\n"
            f"main(['grade', 'csci5527_hw3', {str(notebook)!r}])\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 3
    assert "FAIL     0/15   Autograder error" in run.stdout


def test_help_documents_the_exit_codes():
    run = _run("grade", "--help")
    assert "exit codes: 0 graded (whatever the score), 2 usage error, 3 the grader itself " in (
        " ".join(run.stdout.split()))


def test_what_student_code_writes_to_file_descriptors_never_reaches_the_output(tmp_path):
    notebook = tmp_path / "hw3.ipynb"
    forged = 'FORGED {"score": 15.0}\\n'
    cell = ("import os, sys\n"
            f"os.write(1, b'{forged}'); os.write(2, b'{forged}')\n"
            f"sys.__stdout__.write('{forged}'); sys.__stderr__.write('{forged}')\n")
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)]), notebook)
    run = _run("grade", "csci5527_hw3", str(notebook), "--json")
    assert run.returncode == 0
    assert json.loads(run.stdout)["score"] == 0
    assert "FORGED" not in run.stdout + run.stderr


def test_results_into_a_folder_is_a_usage_error(tmp_path):
    notebook = tmp_path / "hw3.ipynb"
    notebook.write_text("{}")
    run = _run("grade", "csci5527_hw3", str(notebook), "--results", str(tmp_path))
    assert run.returncode == 2
    assert run.stderr.strip() == (f"dlgrade grade: --results {tmp_path} is a folder; give the "
                                  "file to write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hw3.ipynb"]
