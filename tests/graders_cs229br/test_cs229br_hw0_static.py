"""cs229br_hw0 without a kernel: points, the solution built from reference/, `dlgrade list`,
the student kit, the autograder zip, and the lazy imports of faiss and open_clip."""

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat

from graders.assignments import load_assignment
from graders.cli import main
from graders.staff.kit import build_kit
from graders.staff.package import build_autograder_zip
from graders.staff.solve import solution_notebook

HW0 = load_assignment("cs229br_hw0")
ROOT = Path(__file__).parents[2]


def test_points_are_ours_and_total_100():
    manual = {q.id: q.points for q in HW0.questions if q.manual}
    assert manual == {"q11": 10, "q12w": 6, "q13": 10, "q21w": 4, "q22": 8, "q23w": 6}
    assert HW0.points + sum(manual.values()) == 100


def test_the_solution_fills_every_graded_cell_from_reference():
    template = nbformat.read(HW0.template, as_version=4)
    solution = solution_notebook(HW0)
    for before, after in zip(template.cells, solution.cells):
        if before.metadata.get("dlgrade", {}).get("solution"):
            assert after.source != before.source
            assert "NotImplementedError" not in after.source


def test_list_kit_and_autograder_include_it(tmp_path, capsys):
    assert main(["list"]) == 0
    assert "cs229br_hw0" in capsys.readouterr().out
    kit = build_kit(HW0, tmp_path / "kit")
    package = kit / "checker" / "graders" / "cs229br_hw0"
    assert sorted(p.name for p in package.iterdir()) == [
        "__init__.py", "assignment.py", "test_public.py"]
    assert (kit / "hw0.ipynb").is_file()
    with zipfile.ZipFile(build_autograder_zip(HW0, tmp_path / "autograder.zip")) as archive:
        names = archive.namelist()
    assert "ASSIGNMENT" in names
    assert any(name.endswith("graders/cs229br_hw0/test_q23.py") for name in names)


def test_faiss_and_open_clip_are_imported_lazily():
    code = ("import sys, graders.harness, reference.clip_search, reference.clip_probe; "
            "import graders.cs229br_hw0.common; "
            "print(sorted(m for m in ('faiss', 'open_clip') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "[]"
    for path in ("reference/clip_search.py", "graders/cs229br_hw0/test_q23.py"):
        tree = ast.parse((ROOT / path).read_text())
        top = {a.name for node in tree.body if isinstance(node, ast.Import) for a in node.names}
        assert not top & {"faiss", "open_clip"}, path
