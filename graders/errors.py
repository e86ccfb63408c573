"""The few exceptions of the grading engine, and the marking of drawn values in messages.

Two families are kept apart: a `StudentError` is a property of the submission (a wrong answer,
a missing function, a notebook that is not JSON) and its message is shown to the student; a
`GraderError` is a bug or misconfiguration of ours and is reported as an autograder error.
A `NotGradable` is neither: the grader cannot measure the question here (its test data is not
installed), and says so.

Messages of hidden tests must not show what the grader drew (shapes, learning rates, counts): a
student could read them as an oracle across resubmissions. A test wraps such details in
`drawn(...)`; the plugin shows students `public_message(text)` (the details dropped) and keeps
`staff_message(text)` (the details kept) for staff.
"""

import re

NOT_GRADED = "Not graded: "  # how a not-graded test's output starts in results.json
_OPEN, _CLOSE = "\ue002", "\ue003"  # private-use characters (not results.py's code-span marks)
_DRAWN = re.compile(f"{_OPEN}[^{_OPEN}{_CLOSE}]*{_CLOSE}")


class StudentError(AssertionError):
    """The submission is wrong or unusable; the message is written for the student."""


class PartialCredit(StudentError):
    """Some sub-checks of a test failed: the test earns `fraction` of its points."""

    def __init__(self, fraction: float, message: str):
        super().__init__(message)
        self.fraction = fraction


class NotGradable(StudentError):
    """The grader cannot measure this here (say, its test data is not installed): the test is
    reported as not graded (0 of its points, status failed, the reason shown); the assignment's
    total keeps its points, and staff regrade once the data is there."""


class GraderError(RuntimeError):
    """The grader itself is broken or misconfigured (never the student's fault)."""


def drawn(detail: str) -> str:
    """`detail` (say " for x of shape (3, 7)") marked as drawn by the grader: dropped from what
    students see of a hidden test, kept for staff. Use it for the `where` of a message."""
    return f"{_OPEN}{detail}{_CLOSE}" if detail else ""


def public_message(text: str) -> str:
    """`text` without its drawn details (what a student sees of a hidden test)."""
    return _DRAWN.sub("", text).replace(_OPEN, "").replace(_CLOSE, "")


def staff_message(text: str) -> str:
    """`text` with its drawn details kept and their marks removed."""
    return text.replace(_OPEN, "").replace(_CLOSE, "")
