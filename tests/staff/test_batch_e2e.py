"""`dlgrade batch` end to end: a class of 8 csci5527_hw3 submissions on a LocalCluster of 2
workers, with a hanging, a malformed and two copied submissions, and a worker killed mid-run."""

import csv
import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import nbformat
import pytest

from graders.assignments import load_assignment
from graders.staff.batch import run_batch, submission_seed
from graders.staff.solve import solution_notebook
from tests.graders.notebooks import replace_cells, slim

pytestmark = pytest.mark.slow
TIMEOUT = 75.0  # per submission: the hanging one is stopped by it (twice: one retry)

COPY = '''
def xcorr2d(Z1, Z2):
    import numpy as np
    h, w = Z1.shape
    H, W = Z2.shape
    padded = np.zeros((H + 2 * (h - 1), W + 2 * (w - 1)))
    padded[h - 1:h - 1 + H, w - 1:w - 1 + W] = Z2
    out = np.zeros((H + h - 1, W + w - 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(padded[r:r + h, c:c + w] * Z1)
    return out
'''
DISGUISED_COPY = '''
def xcorr2d(kernel, image):
    """2-D cross-correlation, my own loops."""
    import numpy as np
    kh, kw = kernel.shape
    ih, iw = image.shape
    big = np.zeros((ih + 2 * (kh - 1), iw + 2 * (kw - 1)))   # zero padding
    big[kh - 1:kh - 1 + ih, kw - 1:kw - 1 + iw] = image
    res = np.zeros((ih + kh - 1, iw + kw - 1))
    for i in range(res.shape[0]):
        for j in range(res.shape[1]):
            res[i, j] = np.sum(big[i:i + kh, j:j + kw] * kernel)
    return res
'''
WRONG_BATCH_NORM = ("def batch_norm(X, eps=0.1):\n"  # normalizes over the wrong axes
                    "    mean = X.mean(axis=-1, keepdims=True)\n"
                    "    return (X - mean) / (X.var(axis=-1, keepdims=True) + eps) ** 0.5\n")
HANG = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"


@pytest.fixture(scope="module")
def hw3():
    return load_assignment("csci5527_hw3")


@pytest.fixture(scope="module")
def classroom(hw3, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("class")
    template = nbformat.read(hw3.template, as_version=4)
    solution = slim(solution_notebook(hw3))
    hanging = nbformat.v4.new_notebook(metadata=template.metadata)
    hanging.cells = [nbformat.v4.new_code_cell(HANG)]
    notebooks = {
        "solution": solution, "blank": template, "hanging": hanging,
        "wrong_norm": replace_cells(solution, {"p3_batch": WRONG_BATCH_NORM}),
        "copy_a": replace_cells(template, {"p2d": COPY}),
        "copy_b": replace_cells(template, {"p2d": DISGUISED_COPY}),
        "own_norms": replace_cells(template, {"p3_batch": _own_batch_norm()}),
    }
    for name, nb in notebooks.items():
        folder = root / name
        folder.mkdir()
        nbformat.write(nb, folder / "hw3.ipynb")
    (root / "malformed.ipynb").write_text("{ this is not json")
    return root


def _own_batch_norm() -> str:
    return ("def batch_norm(X, eps=1e-5):  # X: (H, W, C, N), a torch tensor\n"
            "    mean = X.mean(dim=(0, 1, 3), keepdim=True)\n"
            "    var = ((X - mean) ** 2).mean(dim=(0, 1, 3), keepdim=True)\n"
            "    return (X - mean) / (var + eps) ** 0.5\n")


def test_batch_grades_the_class_survives_a_dead_worker_and_resumes(hw3, classroom, tmp_path):
    from dask.distributed import Client, LocalCluster

    out = tmp_path / "out"
    lines = []
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        pids = list(client.run(os.getpid).values())
        killed = threading.Event()

        def progress(line):
            lines.append(line)
            if line.startswith("[1/") and not killed.is_set():
                killed.set()
                os.kill(pids[0], signal.SIGKILL)  # its nanny restarts it; its task is redone

        records = run_batch(hw3, classroom, out, scheduler=cluster.scheduler_address,
                            timeout=TIMEOUT, seed=5, progress=progress)
    assert killed.is_set()
    by_id = {r["id"]: r for r in records}
    assert len(by_id) == 8  # nothing lost
    assert by_id["hanging"]["status"] == "failed" and "longer than" in by_id["hanging"]["reason"]
    assert all(r["status"] == "graded" for i, r in by_id.items() if i != "hanging")
    for entry_id in by_id:  # every submission has a valid results.json, even the failed one
        json.loads((out / entry_id / "results.json").read_text())
    with (out / "scores.csv").open() as f:
        rows = {row["submission"]: row for row in csv.DictReader(f)}
    assert float(rows["solution"]["score"]) == 8.5
    assert float(rows["blank"]["score"]) == 0.0
    assert float(rows["malformed"]["score"]) == 0.0
    assert float(rows["wrong_norm"]["score"]) == 8.0
    assert float(rows["copy_a"]["score"]) == float(rows["copy_b"]["score"]) == 1.0

    # the CSV equals a single `dlgrade grade` with the submission's seed
    single = tmp_path / "single.json"
    subprocess.run([sys.executable, "-m", "graders.cli", "grade", hw3.id,
                    str(classroom / "wrong_norm"), "--results", str(single),
                    "--seed", str(submission_seed(5, "wrong_norm"))],
                   check=False, capture_output=True, timeout=300)
    assert json.loads(single.read_text())["score"] == float(rows["wrong_norm"]["score"])
    assert float(rows["own_norms"]["score"]) == 0.5

    report = (out / "report.html").read_text()
    assert report.count("data:image/png;base64,") >= 3
    leads = report.split("Similar submissions")[1].split("<h3>")[1:]
    assert leads[0].startswith("100% alike: copy_a and copy_b, xcorr2d")

    again = run_batch(hw3, classroom, out, jobs=1, timeout=TIMEOUT, seed=5,
                      progress=lines.append)
    assert "8 submissions, 8 already graded, 0 to grade" in lines
    assert again == records
