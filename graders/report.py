"""Results as a table for the terminal: one line per question, then what failed and why.

A question's mark: `ok`, `FAIL`, `n/g` (not graded here: its test data is absent) or `n/r` (not
run: its notebook is missing or unreadable). The reasons for `n/g` and `n/r` are said once, under
the table, not under each test.
"""

from itertools import groupby

from graders.errors import NOT_GRADED
from graders.plugin import NOT_RUN


def kind(test: dict) -> str:
    """passed, failed, not graded or not run: what happened to one results.json entry."""
    if test["status"] == "passed":
        return "passed"
    if test["output"].startswith(NOT_GRADED):
        return "not graded"
    return "not run" if test["output"].startswith(NOT_RUN) else "failed"


MARKS = {"failed": "FAIL", "not graded": "n/g ", "not run": "n/r ", "passed": "ok  "}


def format_table(document: dict, show_points: bool = True) -> str:
    """Per question (tests sharing a number): score or pass/fail, then each failure's message."""
    visible = [t for t in document["tests"] if t["visibility"] != "hidden"]
    lines, not_graded = [], []
    for number, tests in groupby(visible, key=lambda t: t.get("number", "")):
        tests = list(tests)
        kinds = {kind(t) for t in tests}
        mark = MARKS[next(k for k in MARKS if k in kinds)]
        title = tests[0]["name"].split(": ")[0] if number else tests[0]["name"]
        if show_points:
            score = sum(t["score"] for t in tests)
            points = sum(t["max_score"] for t in tests)
            lines.append(f"{mark} {score:>5g}/{points:<4g} {title}")
        else:
            lines.append(f"{mark} {title}")
        for test in tests:
            if kind(test) == "failed":
                lines.append(f"       {test['name'].split(': ', 1)[-1]}")
                lines.extend(f"         {line}" for line in test["output"].splitlines())
            elif kind(test) == "not graded":
                not_graded.append(test)
    if show_points:
        total = sum(t["max_score"] for t in document["tests"])
        lines.append(f"total: {document['score']:g} / {total:g}")
    if not_graded:
        points = sum(t["max_score"] for t in not_graded)
        lines.append(f"{len(not_graded)} test(s) not graded here ({points:g} points held at 0 "
                     "until staff regrade); see the reasons below.")
    if document["output"]:
        lines += ["", document["output"]]
    return "\n".join(lines)


class LiveLine:
    """Progress on one terminal line, rewritten in place ("hw3.ipynb: 5 of 20 code cells run");
    silent when `stream` is not a terminal, so logs and captured output stay clean."""

    def __init__(self, stream):
        self.stream = stream
        self.shown = stream.isatty()
        self.width = 0

    def __call__(self, text: str) -> None:
        if self.shown:
            self.stream.write("\r" + text.ljust(self.width))
            self.stream.flush()
            self.width = len(text)

    def clear(self) -> None:
        if self.shown and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
