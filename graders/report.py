"""Results as a table for the terminal: one line per question, then what failed and why."""

from itertools import groupby


def format_table(document: dict, show_points: bool = True) -> str:
    """Per question (tests sharing a number): score or pass/fail, then each failure's message."""
    visible = [t for t in document["tests"] if t["visibility"] != "hidden"]
    lines = []
    for number, tests in groupby(visible, key=lambda t: t.get("number", "")):
        tests = list(tests)
        passed = all(t["status"] == "passed" for t in tests)
        title = tests[0]["name"].split(": ")[0] if number else tests[0]["name"]
        if show_points:
            score = sum(t["score"] for t in tests)
            points = sum(t["max_score"] for t in tests)
            lines.append(f"{'ok  ' if passed else 'FAIL'} {score:>5g}/{points:<4g} {title}")
        else:
            lines.append(f"{'ok  ' if passed else 'FAIL'} {title}")
        for test in tests:
            if test["status"] == "failed":
                lines.append(f"       {test['name'].split(': ', 1)[-1]}")
                lines.extend(f"         {line}" for line in test["output"].splitlines())
    if show_points:
        total = sum(t["max_score"] for t in document["tests"])
        lines.append(f"total: {document['score']:g} / {total:g}")
    if document["output"]:
        lines += ["", document["output"]]
    return "\n".join(lines)
