"""The class report renders in a real browser (headless Chromium): its plots load and show."""

import json
import shutil
import subprocess

import matplotlib.image
import nbformat
import numpy as np
import pytest

from graders.assignments import load_assignment
from graders.results import TestResult, results_document
from graders.staff.batch import Entry
from graders.staff.class_report import write_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _stored_class(hw3, root):
    entries, records = [], {}
    for k in range(6):
        entry_id = f"student{k}"
        folder = root / entry_id
        folder.mkdir()
        nb = nbformat.read(hw3.template, as_version=4)
        nbformat.write(nb, folder / "hw3.ipynb")
        tests = [TestResult(name=f"{q.number} {q.title}: hidden", number=q.number,
                            score=q.points * ((k + i) % 2), max_score=q.points,
                            status="passed" if (k + i) % 2 else "failed",
                            output="passed" if (k + i) % 2 else f"{q.id}: <b>wrong</b>")
                 for i, q in enumerate(hw3.autograded)]
        (folder / "results.json").write_text(json.dumps(results_document(tests, 1.0 + k)))
        entries.append(Entry(entry_id, folder, entry_id))
        records[entry_id] = {"status": "graded", "seconds": 10.0 + k, "score": 0}
    records["student5"] = {"status": "failed", "seconds": None, "reason": "grading took longer"}
    return entries, records


def test_report_lists_failures_escapes_student_text_and_flags_trouble(tmp_path):
    hw3 = load_assignment("csci5527_hw3")
    entries, records = _stored_class(hw3, tmp_path)
    page = write_report(hw3, entries, records, tmp_path).read_text()
    assert page.count("data:image/png;base64,") == 3
    assert "wrong" in page and "<b>" not in page  # student text is never markup here
    assert "student5" in page.split("Timeouts, dead kernels")[1]
    assert "No pair of submissions shares enough code" in page  # unchanged templates only


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (setup.sh installs it as "
                                              "root)")
def test_report_renders_in_headless_chromium(tmp_path):
    hw3 = load_assignment("csci5527_hw3")
    entries, records = _stored_class(hw3, tmp_path)
    page = write_report(hw3, entries, records, tmp_path)
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                    "--hide-scrollbars", "--window-size=1200,2400", f"--screenshot={shot}",
                    page.as_uri()], check=True, capture_output=True, timeout=120)
    pixels = matplotlib.image.imread(shot)[..., :3]
    # matplotlib's default bar colour (#1f77b4) appears only if the inlined plots decoded
    bars = np.all(np.abs(pixels - np.array([0x1F, 0x77, 0xB4]) / 255) < 0.06, axis=-1)
    assert bars.sum() > 2000
