import ast
import dataclasses
import inspect
import os
import subprocess
import sys
import zipfile

import nbformat
import pytest

import reference.norm
import reference.xcorr
from graders.answer_cells import answer_text
from graders.assignments import available, load_assignment
from graders.errors import StudentError
from graders.notebook import defined_names, parse_cell
from graders.staff.kit import build_kit
from graders.staff.package import build_autograder_zip, memory_advice
from graders.staff.solve import solution_notebook

REFERENCE_MODULES = [reference.xcorr, reference.norm]


def _graded_cells(nb):
    return [c for c in nb.cells if "dlgrade" in c.metadata]


def _function_bodies(module):
    """Each top-level function's source without its def line and docstring."""
    tree = ast.parse(inspect.getsource(module))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            yield node.name, "\n".join(ast.unparse(stmt) for stmt in body)


@pytest.mark.parametrize("assignment_id", available())
def test_templates_hold_stubs_and_solutions_define_every_graded_name(assignment_id):
    assignment = load_assignment(assignment_id)
    for notebook in assignment.notebooks:
        template = nbformat.read(assignment.template_of(notebook), as_version=4)
        declared = template.metadata["dlgrade"]
        assert declared["assignment"] == assignment.id
        assert declared.get("notebook", assignment.notebook) == notebook
        answered_here = [q for q in assignment.autograded if assignment.notebook_of(q) == notebook]
        for cell in _graded_cells(template):
            question = cell.metadata["dlgrade"].get("question")
            assert question is None or question in {q.id for q in answered_here}
            answer = cell.metadata["dlgrade"].get("answer")
            if answer:  # an answer cell: its question is here and nothing is typed yet
                assert any(answer == q.id or answer.startswith(q.id + "_")  # or one part of it
                           for q in answered_here), answer
                with pytest.raises(StudentError, match="no answer typed"):
                    answer_text(template, answer)
                continue
            assert "NotImplementedError" in cell.source  # the template holds no solution
        solved = solution_notebook(assignment, notebook)
        defined = set().union(*(defined_names(parse_cell(c.source)) for c in solved.cells
                                if c.cell_type == "code" and parse_cell(c.source)))
        for question in answered_here:
            missing = set(question.functions) - defined
            assert not missing, f"{question.id}: the solution defines no {missing}"


def test_solution_cells_hold_the_reference_source_once():
    nb = solution_notebook(load_assignment("csci5527_hw3"))
    code = "\n".join(c.source for c in _graded_cells(nb))
    tree = ast.parse(code)  # the pasted cells are valid Python together
    names = [n.name for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert len(names) == len(set(names)), "a helper was pasted twice"
    pasted = {n.name: ast.dump(n) for n in tree.body if isinstance(n, ast.FunctionDef)}
    for module in REFERENCE_MODULES:
        for node in ast.parse(inspect.getsource(module)).body:
            if isinstance(node, ast.FunctionDef):
                assert pasted.get(node.name) == ast.dump(node), f"{node.name} differs or is missing"
    assert "import reference" not in code and "from reference" not in code


def test_the_kit_holds_no_solution_and_no_hidden_test(tmp_path):
    assignment = load_assignment("csci5527_hw3")
    kit = build_kit(assignment, tmp_path / "kit")
    files = [p for p in kit.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "hw3.ipynb" in names and "test_public.py" in names
    assert not {"test_p2.py", "test_p3.py", "solve.py", "xcorr.py", "norm.py"} & names
    assert not any(part in ("reference", "theory") for p in files for part in p.parts)
    text = "\n".join(p.read_text() for p in files)
    for module in REFERENCE_MODULES:
        for name, body in _function_bodies(module):
            assert body not in text, f"the kit contains the body of {module.__name__}.{name}"
    assert '"torch==' in (kit / "checker" / "pyproject.toml").read_text()  # pinned like CI


def test_the_kit_checker_builds_as_a_package(tmp_path):
    kit = build_kit(load_assignment("csci5527_hw3"), tmp_path / "kit")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "wheel"), str(kit / "checker")], check=True)
    wheel = next((tmp_path / "wheel").glob("*.whl"))
    members = zipfile.ZipFile(wheel).namelist()
    assert "graders/csci5527_hw3/test_public.py" in members
    assert "graders/grading.ini" in members
    assert not any(m.startswith(("reference/", "theory/")) for m in members)


def test_the_kit_refuses_staff_commands(tmp_path):
    kit = build_kit(load_assignment("csci5527_hw3"), tmp_path / "kit")
    script = (
        "import sys\n"
        "sys.meta_path = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
        f"sys.path.insert(0, {str(kit / 'checker')!r})\n"
        "import importlib.util, graders\n"
        "assert importlib.util.find_spec('reference') is None, 'reference is importable'\n"
        f"assert graders.__file__.startswith({str(kit)!r})\n"
        "from graders.cli import main\n"
        "sys.exit(main(['solve', 'csci5527_hw3', '-o', 'x']))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         cwd=tmp_path, env={**os.environ, "PYTHONPATH": ""})
    assert run.returncode == 2, run.stderr
    assert "not part of the student kit" in run.stderr


def test_the_autograder_zip_has_what_gradescope_runs(tmp_path):
    out = build_autograder_zip(load_assignment("csci5527_hw3"), tmp_path / "autograder.zip")
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        assert {"setup.sh", "run_autograder", "pyproject.toml", "constraints.txt",
                "ASSIGNMENT", "graders/csci5527_hw3/test_p2.py", "reference/xcorr.py"} <= names
        assert archive.read("ASSIGNMENT").decode().strip() == "csci5527_hw3"
        mode = archive.getinfo("run_autograder").external_attr >> 16
        assert mode & 0o111, "run_autograder must stay executable"
        assert not any("__pycache__" in n for n in names)


def test_the_autograder_command_says_what_memory_gradescope_must_give(tmp_path):
    run = subprocess.run([sys.executable, "-m", "graders.cli", "autograder", "csci5527_hw3",
                          "-o", str(tmp_path / "a.zip")], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0 and (tmp_path / "a.zip").is_file()
    assert "csci5527_hw3 grades within Gradescope's default autograder memory (768 MB)" in (
        run.stderr)
    bigger = dataclasses.replace(load_assignment("csci5527_hw3"),
                                 memory=(1400, "the notebook loads VGG19"))
    assert memory_advice(bigger) == (
        "memory: csci5527_hw3 needs at least 1400 MB (the notebook loads VGG19); raise the "
        "autograder's memory in Gradescope's settings above the default 768 MB")
