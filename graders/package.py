"""The Gradescope autograder zip: setup.sh, run_autograder, the package, the assignment id and
the extras (pyproject optional dependencies) its image installs."""

import zipfile
from pathlib import Path

from graders.assignments import GRADERS_DIR, Assignment

ROOT = GRADERS_DIR.parent
TOP_FILES = ("setup.sh", "run_autograder", "pyproject.toml", "constraints.txt", "README.md")
PACKAGES = ("graders", "reference", "theory")
EXECUTABLE = 0o100755 << 16
REGULAR = 0o100644 << 16


def build_autograder_zip(assignment: Assignment, out: Path) -> Path:
    """Write the zip Gradescope expects (files at its top level) and return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in TOP_FILES:
            mode = EXECUTABLE if name in ("setup.sh", "run_autograder") else REGULAR
            _add(archive, ROOT / name, name, mode)
        for package in PACKAGES:
            for path in sorted((ROOT / package).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    _add(archive, path, str(path.relative_to(ROOT)), REGULAR)
        for name, text in (("ASSIGNMENT", assignment.id), ("EXTRAS", ",".join(assignment.extras))):
            info = zipfile.ZipInfo(name)
            info.external_attr = REGULAR
            archive.writestr(info, text + "\n")
    return out


def _add(archive: zipfile.ZipFile, path: Path, name: str, mode: int) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())
