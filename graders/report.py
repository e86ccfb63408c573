"""Results as a table for the terminal."""


def format_table(document: dict, show_points: bool = True) -> str:
    """One line per visible test (score or pass/fail), then the total and the run's notes."""
    lines = []
    for test in document["tests"]:
        if test["visibility"] == "hidden":
            continue
        mark = "ok  " if test["status"] == "passed" else "FAIL"
        score = f"{test['score']:>5g}/{test['max_score']:<4g}" if show_points else ""
        lines.append(f"{mark} {score} {test['name']}")
        if test["status"] == "failed":
            lines.extend(f"           {line}" for line in test["output"].splitlines())
    if show_points:
        total = sum(t["max_score"] for t in document["tests"])
        lines.append(f"total: {document['score']:g} / {total:g}")
    if document["output"]:
        lines.append("")
        lines.append(document["output"])
    return "\n".join(lines)
