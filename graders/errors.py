"""The few exceptions of the grading engine.

Two families are kept apart: a `StudentError` is a property of the submission (a wrong answer,
a missing function, a notebook that is not JSON) and its message is shown to the student; a
`GraderError` is a bug or misconfiguration of ours and is reported as an autograder error.
"""


class StudentError(AssertionError):
    """The submission is wrong or unusable; the message is written for the student."""


class PartialCredit(StudentError):
    """Some sub-checks of a test failed: the test earns `fraction` of its points."""

    def __init__(self, fraction: float, message: str):
        super().__init__(message)
        self.fraction = fraction


class NotGradable(StudentError):
    """The grader cannot measure this here (say, its data is not installed): the test is left out
    of the total (max_score 0), neither zero nor full marks, and the message tells staff why."""


class GraderError(RuntimeError):
    """The grader itself is broken or misconfigured (never the student's fault)."""
