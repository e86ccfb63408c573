"""The Gradescope autograder zip: setup.sh, run_autograder, the package, the assignment id, the
extras (pyproject optional dependencies) its image installs, and, when staff give a data folder,
the test splits the assignment's trained-model questions need.

A data folder holds one subfolder per data set (graders.datasets: mnist/, chest_xray/, cifar10/);
only the test split's files go into the zip, under data/, which setup.sh installs as
/autograder/data. Public data sets can instead be fetched by setup.sh at image build time
(`fetch`: written to the zip's FETCH_DATA file).
"""

import importlib
import sys
import zipfile
from pathlib import Path

from graders.assignments import GRADERS_DIR, Assignment
from graders.datasets import DATASETS, split_files
from graders.errors import GraderError

ROOT = GRADERS_DIR.parent
TOP_FILES = ("setup.sh", "run_autograder", "pyproject.toml", "constraints.txt", "README.md")
PACKAGES = ("graders", "reference", "theory")
FETCHABLE = ("mnist", "cifar10")  # public: setup.sh can download them (chest X-rays: Kaggle login)
EXECUTABLE = 0o100755 << 16
REGULAR = 0o100644 << 16
GRADESCOPE_MEMORY_MIB = 768  # an autograder's memory unless staff raise it


def data_sets_of(assignment: Assignment) -> tuple[str, ...]:
    """The data sets the assignment's trained-model questions are measured on."""
    return getattr(importlib.import_module(f"graders.{assignment.id}.assignment"), "TEST_DATA", ())


def build_autograder_zip(assignment: Assignment, out: Path, data: Path | None = None,
                         fetch: tuple[str, ...] = ()) -> Path:
    """Write the zip Gradescope expects (files at its top level) and return its path."""
    out = Path(out)
    bad = [name for name in fetch if name not in FETCHABLE]
    if bad:
        raise GraderError(f"cannot fetch {', '.join(bad)}; setup.sh fetches {', '.join(FETCHABLE)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in TOP_FILES:
            mode = EXECUTABLE if name in ("setup.sh", "run_autograder") else REGULAR
            _add(archive, ROOT / name, name, mode)
        for package in PACKAGES:
            for path in sorted((ROOT / package).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    _add(archive, path, str(path.relative_to(ROOT)), REGULAR)
        _write(archive, "ASSIGNMENT", assignment.id + "\n")
        _write(archive, "EXTRAS", ",".join(assignment.extras) + "\n")
        if fetch:
            _write(archive, "FETCH_DATA", "\n".join(fetch) + "\n")
        if data is not None:
            _bundle(archive, assignment, Path(data), fetch)
    return out


def memory_advice(assignment: Assignment) -> str:
    """What the Gradescope assignment's memory setting must be, in one line for staff."""
    if assignment.memory is None:
        return (f"memory: {assignment.id} grades within Gradescope's default autograder memory "
                f"({GRADESCOPE_MEMORY_MIB} MB)")
    needed, why = assignment.memory
    return (f"memory: {assignment.id} needs at least {needed} MB ({why}); raise the autograder's "
            f"memory in Gradescope's settings above the default {GRADESCOPE_MEMORY_MIB} MB")


def _bundle(archive: zipfile.ZipFile, assignment: Assignment, data: Path,
            fetch: tuple[str, ...]) -> None:
    """The test splits found in `data`; a warning on stderr for each one that is missing."""
    for name in data_sets_of(assignment):
        files = split_files(name, data)
        if not files:
            if name not in fetch:
                print(f"warning: {data / name} does not hold {DATASETS[name].what}; its "
                      "questions will be reported as not graded", file=sys.stderr)
            continue
        for path in files:
            _add(archive, path, f"data/{path.relative_to(data).as_posix()}", REGULAR)
        size = sum(p.stat().st_size for p in files)
        print(f"bundled {name}: {len(files)} files, {size / 2**20:.1f} MB", file=sys.stderr)


def _write(archive: zipfile.ZipFile, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = REGULAR
    archive.writestr(info, text)


def _add(archive: zipfile.ZipFile, path: Path, name: str, mode: int) -> None:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, path.read_bytes())
