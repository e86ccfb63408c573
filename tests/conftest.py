"""The sandbox decision for every test that runs a student kernel.

As root with a Python that `nobody` can run (the .venv setup.sh builds as root, Gradescope's
image), student kernels run sandboxed as that account, exactly as on Gradescope. Anywhere else
the tests opt out explicitly (DLGRADE_KERNEL_USER=""), so the engine's "no sandbox" warning never
fires under `filterwarnings = error`; tests that need the sandbox ask for `sandboxed`.
"""

import json
import os
import warnings
from pathlib import Path

import jsonschema
import pytest

from graders import kernel
from graders.errors import GraderError
from graders.results import RESULTS_SCHEMA


def _sandbox_possible() -> bool:
    if os.geteuid() != 0:
        return False
    try:
        user = kernel.KernelUser.lookup("nobody")
    except GraderError:
        return False
    return kernel._can_run_python(user)


@pytest.fixture(scope="session", autouse=True)
def sandboxed() -> bool:
    """Whether the student kernel runs as an unprivileged user in this test session."""
    with pytest.MonkeyPatch.context() as mp:
        if _sandbox_possible():
            mp.delenv("DLGRADE_KERNEL_USER", raising=False)
        else:
            mp.setenv("DLGRADE_KERNEL_USER", "")
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a silent fallback to no sandbox would be a bug here
            user = kernel.default_kernel_user()
        yield user is not None


def checked_results(path: Path, returned: dict | None = None) -> dict:
    """The results.json at `path`, after checking it: Gradescope's schema, the document grade()
    returned (when there is one), and no raw traceback anywhere a student looks."""
    written = json.loads(Path(path).read_text())
    jsonschema.validate(written, RESULTS_SCHEMA)
    if returned is not None:
        assert written == returned
    visible = [written["output"]] + [t["output"] for t in written["tests"]
                                     if t["visibility"] != "hidden"]
    for text in visible:
        assert "Traceback" not in text and 'File "' not in text, text
    return written
