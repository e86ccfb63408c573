"""The sandbox decision for every test that runs a student kernel.

As root with a Python that a leased kernel uid can run (the .venv setup.sh builds as root,
Gradescope's image), student kernels run in the sandbox (graders/sandbox.py), exactly as on
Gradescope. Anywhere else the tests opt out explicitly (DLGRADE_KERNEL_UIDS=""), so the engine's
"no sandbox" warning never fires under `filterwarnings = error`; tests that need the sandbox ask
for `sandboxed`.
"""

import json
from pathlib import Path

import jsonschema
import pytest

from graders import sandbox
from graders.results import RESULTS_SCHEMA


def _sandbox_possible() -> bool:
    uids = sandbox.kernel_uids()
    if uids is None:
        return False
    lease = sandbox.Lease(uids)
    try:
        return sandbox.can_run_python(lease.user)
    finally:
        lease.release()


@pytest.fixture(scope="session", autouse=True)
def sandboxed() -> bool:
    """Whether student kernels run in the sandbox (a leased uid, limits) in this test session."""
    with pytest.MonkeyPatch.context() as mp:
        if not _sandbox_possible():
            mp.setenv("DLGRADE_KERNEL_UIDS", "")
        yield sandbox.kernel_uids() is not None  # (a fallback would warn: an error here)


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
