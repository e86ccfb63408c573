"""The student kit: the template notebook(s) plus an installable checker with the public tests only.

The checker is the engine (graders/ without graders/staff/) and, for the one assignment, its
definition, its public test files and the modules they import. It holds no `reference/`, no
`theory/` and no hidden test: the public tests get their expected values from numpy, scipy and
torch.
"""

import ast
import shutil
from pathlib import Path

from graders.assignments import GRADERS_DIR, Assignment
from graders.harness import PUBLIC_TESTS

KIT_PYPROJECT = """\
[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "dlgrade-check-{assignment}"
version = "0.1.0"
description = "Public checks for {title}"
requires-python = ">=3.11"
dependencies = [{dependencies}]

[project.scripts]
dlgrade = "graders.cli:main"

[tool.setuptools]
packages = ["graders", "graders.{assignment}"]
py-modules = ["dlgrade_check"]

[tool.setuptools.package-data]
graders = ["*.ini"]
"""

KIT_DEPENDENCIES = ("numpy", "scipy", "torch", "torchvision", "nbformat", "nbclient",
                    "ipykernel", "jupyter-client", "pytest", "matplotlib", "mlxtend",
                    "safetensors", "jupyterlab")

KIT_README = """\
# Checking {notebook} before you submit

Install once (Python 3.11 or newer; PyTorch's CPU build, which is all the checks need):

    python3 install.py

(`python3 install.py --gpu` installs PyTorch's default CUDA build instead, for training on a GPU.)
Then, in a terminal:

    dlgrade check {notebook}                 # every public check
    dlgrade check {notebook} --question p2a  # one question's

or in a cell of the notebook itself (save the notebook first):

    from dlgrade_check import check
    check("p2a")

The checks run your saved notebook in a fresh kernel and call your functions on small public
inputs. Passing them does not guarantee full marks: the autograder calls the same functions on
other inputs it draws when it grades. `jupyter lab` opens the notebook.
"""

KIT_SHIM = '''"""In a notebook: `from dlgrade_check import check; check("p2a")`."""

from graders.notebook_check import check

__all__ = ["check"]
'''
INSTALLER = Path(__file__).with_name("kit_install.py")


def build_kit(assignment: Assignment, out_dir: Path) -> Path:
    """Write the kit for `assignment` into `out_dir` and return that folder."""
    out_dir = Path(out_dir)
    package = out_dir / "checker" / "graders"
    (package / assignment.id).mkdir(parents=True, exist_ok=True)
    for path in GRADERS_DIR.iterdir():
        if path.is_file() and path.suffix in {".py", ".ini"}:  # the engine; not graders/staff/
            shutil.copy2(path, package / path.name)
    for path in public_modules(assignment):
        shutil.copy2(path, package / assignment.id / path.name)
    for notebook in assignment.notebooks:
        shutil.copy2(assignment.template_of(notebook), out_dir / notebook)
    dependencies = ", ".join(f'"{name}{_pin(name)}"' for name in KIT_DEPENDENCIES)
    (out_dir / "checker" / "pyproject.toml").write_text(KIT_PYPROJECT.format(
        assignment=assignment.id, title=assignment.title, dependencies=dependencies))
    (out_dir / "README.md").write_text(KIT_README.format(notebook=assignment.notebook))
    (out_dir / "checker" / "dlgrade_check.py").write_text(KIT_SHIM)
    shutil.copy2(INSTALLER, out_dir / "install.py")
    return out_dir


def public_modules(assignment: Assignment) -> list[Path]:
    """The assignment's files a student's check needs: __init__, assignment.py, the public tests
    and, transitively, the assignment's modules they import (never a hidden test)."""
    wanted = [assignment.directory / n for n in ("__init__.py", "assignment.py")]
    wanted += sorted(assignment.directory.glob(PUBLIC_TESTS))
    found: list[Path] = []
    while wanted:
        path = wanted.pop()
        if path in found or not path.is_file():
            continue
        found.append(path)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                prefix = f"graders.{assignment.id}"
                if node.module == prefix:
                    wanted += [assignment.directory / f"{a.name}.py" for a in node.names]
                elif node.module.startswith(prefix + "."):
                    wanted.append(assignment.directory / f"{node.module.split('.')[2]}.py")
    return sorted(p for p in found if not p.name.startswith("test_") or
                  p.match(PUBLIC_TESTS))


def _pin(name: str) -> str:
    """The version pinned in constraints.txt, so students check with the grader's numerics."""
    constraints = GRADERS_DIR.parent / "constraints.txt"
    if constraints.is_file():
        for line in constraints.read_text().splitlines():
            package, _, version = line.partition("==")
            if package.strip().lower().replace("_", "-") == name:
                return f"=={version.strip()}"
    return ""
