"""The grader's side of the run-time check of forbidden APIs (the kernel's side is kernel_guard.py).

While a question that forbids APIs is graded, each call into the notebook runs inside
`__dlgrade_guard__`, sent as source with the call (into a namespace of its own, so a notebook
cannot define a fake guard). A forbidden call recorded there costs the question being graded,
with a message naming the function and the API, unless it happened inside a function that
another question grades and forbids it too (P2(e) calling the `xcorr2d` of P2(d)): then that
question is charged,
and the call is made again without those functions' calls counting. A mistake is charged once,
where it lives.
"""

import json
import re
from pathlib import Path

from graders.assignments import Question

GUARD_SOURCE = (Path(__file__).parent / "kernel_guard.py").read_text()
SLOWDOWN = 3  # the recorder makes Python-heavy code up to ~3x slower: its calls get that much time
VERDICT = re.compile(r"DlgradeForbiddenCall: (\[.*?\}\])", re.DOTALL)  # text may follow


def guarded(question: Question, code: str | None, excused: set[str]) -> str:
    """The `code=` expression for KernelSession.call that runs `code` (or the plain call) under
    the guard. `excused`: notebook functions whose forbidden calls are charged elsewhere."""
    return (f"(lambda ns: (exec({GUARD_SOURCE!r}, ns), ns['__dlgrade_guard__'])[1])({{}})"
            f"({list(question.forbidden)!r}, {code!r}, globals(), {sorted(excused)!r})")


def recorded(message: str) -> list[dict] | None:
    """The forbidden calls a guarded call reported (in its exception's text), or None."""
    match = VERDICT.search(message)
    if match is None:
        return None
    try:
        records = json.loads(match.group(1))
    except ValueError:
        return None
    if not isinstance(records, list):
        return None
    return [{"api": r["api"][:120], "chain": [str(n)[:80] for n in r["chain"][:8]]}
            for r in records if isinstance(r, dict) and isinstance(r.get("api"), str)
            and isinstance(r.get("chain"), list)]


def owner(record: dict, question: Question, owners: dict[str, Question]) -> tuple[Question, str]:
    """(question, function) a recorded call is charged to: the innermost graded function on the
    stack when its own question forbids that API too (`xcorr2d` called by P2(e)'s
    `gradient_magnitude` is P2(d)'s), else the question being graded."""
    for name in (n.split(".")[0] for n in record["chain"]):
        found = owners.get(name)
        if name in question.functions or found is None:
            continue
        if record["api"] in found.forbidden:
            return found, name
    return question, ""


def explain(question: Question, name: str, records: list[dict]) -> str:
    """What the student reads: which function called which forbidden API."""
    calls = []
    for record in records:
        where = record["chain"][0] if record["chain"] else name
        calls.append(f"{record['api']}" + (f" (inside {where})" if where != name else ""))
    return (f"{name} called {', '.join(calls)} while it was graded, which {question.number} "
            "forbids (the grader records what your code runs, however it is reached)")


def excused(question: Question, questions: list[Question], findings: dict[str, list],
            runtime_findings: dict[str, list[str]]) -> set[str]:
    """Notebook functions whose forbidden calls another question is charged for already (by the
    scan: the functions its findings name; at run time: its graded functions)."""
    return ({f.function for q, found in findings.items() if q != question.id
             for f in found if getattr(f, "function", "")}
            | {f for q in questions if q.id != question.id and q.id in runtime_findings
               for f in q.functions})


def charge(question: Question, name: str, records: list[dict], questions: list[Question],
           runtime_findings: dict[str, list[str]]) -> bool:
    """Add each recorded call to `runtime_findings` of the question it lives in; True if that is
    `question` (the one graded) for any of them."""
    owners = {f: q for q in reversed(questions) for f in q.functions}
    by_owner: dict[str, tuple[Question, str, list[dict]]] = {}
    for record in records:
        found, function = owner(record, question, owners)
        by_owner.setdefault(found.id, (found, function or name, []))[2].append(record)
    for found, function, found_records in by_owner.values():
        runtime_findings.setdefault(found.id, []).append(explain(found, function, found_records))
    return question.id in by_owner
