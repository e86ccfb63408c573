"""The class report of a batch: one static HTML page with its plots inlined as PNG images.

Score histograms (the class, and each question), the failure rate of each test, the most frequent
messages per test, the slowest submissions, those that timed out or killed their kernel, and the
similarity leads (graders/staff/similarity.py) with the two functions side by side.
"""

import base64
import html
import io
from collections import Counter, defaultdict
from pathlib import Path

import nbformat

from graders.assignments import Assignment
from graders.notebook import load_notebook
from graders.staff.similarity import similar_pairs
from graders.submission import find_notebook

TROUBLE = ("did not return", "killed the kernel", "ran longer", "time budget", "died",
           "could not be graded")
STYLE = """body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 8px;
text-align:left;vertical-align:top}pre{background:#f6f6f6;padding:8px;overflow-x:auto;
font-size:12px;max-height:400px}.pair{display:grid;grid-template-columns:1fr 1fr;gap:8px}
.note{background:#fff6d5;padding:8px;border-left:4px solid #e0b000}img{max-width:100%}"""


def write_report(assignment: Assignment, entries, records: dict, out: Path) -> Path:
    """Write OUT/report.html from the stored results of every submission; return its path."""
    from graders.staff.batch import load_results

    documents = {e.id: load_results(out, e.id) for e in entries}
    documents = {k: v for k, v in documents.items() if v}
    parts = [f"<h1>{_e(assignment.title)}: class report</h1>",
             f"<p>{len(entries)} submissions, {len(documents)} with results.</p>"]
    parts += _score_section(assignment, documents)
    parts += _test_section(documents)
    parts += _time_section(entries, records, documents)
    parts += _similarity_section(assignment, entries)
    page = (f"<!doctype html><html><head><meta charset='utf-8'><title>{_e(assignment.id)} "
            f"report</title><style>{STYLE}</style></head><body>{''.join(parts)}</body></html>")
    path = Path(out) / "report.html"
    path.write_text(page)
    return path


def _score_section(assignment: Assignment, documents: dict) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    totals = [d["score"] for d in documents.values()]
    by_question = defaultdict(list)
    for document in documents.values():
        per = defaultdict(float)
        for test in document["tests"]:
            if test.get("number"):
                per[test["number"]] += test["score"]
        for q in assignment.autograded:
            by_question[q.number].append(per.get(q.number, 0.0))
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(totals, bins=min(20, max(5, len(totals))), range=(0, max(assignment.points, 1e-9)))
    ax.set_xlabel(f"score (of {assignment.points:g})")
    ax.set_ylabel("submissions")
    fig.tight_layout()
    parts = ["<h2>Scores</h2>", _figure(fig, "Histogram of total scores")]
    questions = assignment.autograded
    cols = 4
    rows = (len(questions) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(12, 2.2 * rows), squeeze=False)
    for ax, q in zip(axes.flat, questions):
        ax.hist(by_question[q.number], bins=5, range=(0, max(q.points, 1e-9)))
        ax.set_title(f"{q.number} ({q.points:g} pt)", fontsize=9)
    for ax in list(axes.flat)[len(questions):]:
        ax.axis("off")
    fig.tight_layout()
    parts += ["<h3>Per question</h3>", _figure(fig, "Histograms of each question's score")]
    return parts


def _test_section(documents: dict) -> list[str]:
    import matplotlib.pyplot as plt

    failures, seen, messages = Counter(), Counter(), defaultdict(Counter)
    for document in documents.values():
        for test in document["tests"]:
            if test["max_score"] == 0 and test["visibility"] == "hidden":
                continue
            seen[test["name"]] += 1
            if test["status"] == "failed":
                failures[test["name"]] += 1
                messages[test["name"]][test["output"].splitlines()[0][:200]] += 1
    names = sorted(seen, key=lambda n: -failures[n] / seen[n])
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(names) + 1))
    ax.barh([n[:60] for n in names][::-1], [failures[n] / seen[n] for n in names][::-1])
    ax.set_xlabel("failure rate")
    ax.set_xlim(0, 1)
    fig.tight_layout()
    rows = "".join(
        f"<tr><td>{_e(n)}</td><td>{failures[n]}/{seen[n]}</td><td>"
        + "<br>".join(f"{c}&times; {_e(m)}" for m, c in messages[n].most_common(3)) + "</td></tr>"
        for n in names if failures[n])
    return ["<h2>Tests</h2>", _figure(fig, "Failure rate per test"),
            "<h3>Most frequent messages</h3><table><tr><th>test</th><th>failed</th>"
            f"<th>messages</th></tr>{rows}</table>"]


def _time_section(entries, records: dict, documents: dict) -> list[str]:
    timed = sorted((r.get("seconds") or 0, e.id) for e in entries if (r := records.get(e.id)))
    slow = "".join(f"<tr><td>{_e(i)}</td><td>{s:.1f} s</td></tr>" for s, i in timed[::-1][:10])
    trouble = []
    for entry in entries:
        record, document = records.get(entry.id) or {}, documents.get(entry.id)
        texts = [record.get("reason", "")] + ([document["output"]] + [
            t["output"] for t in document["tests"]] if document else [])
        hits = sorted({word for word in TROUBLE for text in texts if word in text})
        if record.get("status") == "failed" or hits:
            trouble.append(f"<tr><td>{_e(entry.id)}</td><td>{_e(record.get('status', '?'))}"
                           f"</td><td>{_e(', '.join(hits) or record.get('reason', ''))}</td></tr>")
    return ["<h2>Time</h2><h3>Slowest submissions</h3><table><tr><th>submission</th>"
            f"<th>grading time</th></tr>{slow}</table>",
            "<h3>Timeouts, dead kernels, failed gradings</h3><table><tr><th>submission</th>"
            f"<th>status</th><th>what</th></tr>{''.join(trouble)}</table>"]


def _similarity_section(assignment: Assignment, entries) -> list[str]:
    names = {name for q in assignment.autograded for name in q.functions}
    notebooks = {}
    for entry in entries:
        try:
            notebooks[entry.id] = load_notebook(find_notebook(entry.path, assignment))
        except Exception:  # a malformed submission has nothing to compare
            continue
    template = nbformat.read(assignment.template, as_version=4)
    pairs = similar_pairs(notebooks, template, names)
    rows = "".join(
        f"<h3>{p.score:.0%} alike: {_e(p.first)} and {_e(p.second)}, {_e(p.function)}</h3>"
        f"<div class='pair'><pre>{_e(p.first_source)}</pre><pre>{_e(p.second_source)}</pre></div>"
        for p in pairs)
    return ["<h2>Similar submissions</h2><p class='note'>A lead for a person to check, never a "
            "verdict: graded functions are compared after removing names, comments, layout and "
            "the template's own code. Short or standard solutions are alike by nature.</p>",
            rows or "<p>No pair of submissions shares enough code to list.</p>"]


def _figure(fig, alt: str) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    data = base64.b64encode(buffer.getvalue()).decode()
    return f"<img alt='{_e(alt)}' src='data:image/png;base64,{data}'>"


def _e(text) -> str:
    return html.escape(str(text), quote=True)

