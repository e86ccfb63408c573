"""The sandbox decision for every test that runs a student kernel.

As root with a Python that `nobody` can run (the .venv setup.sh builds as root, Gradescope's
image), student kernels run sandboxed as that account, exactly as on Gradescope. Anywhere else
the tests opt out explicitly (DLGRADE_KERNEL_USER=""), so the engine's "no sandbox" warning never
fires under `filterwarnings = error`; tests that need the sandbox ask for `sandboxed`.
"""

import os
import warnings

import pytest

from graders import kernel
from graders.errors import GraderError


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
