"""The grader's side of the run-time check of forbidden APIs (the kernel's side is kernel_guard.py).

While a question that forbids APIs is graded, each call into the notebook runs inside
`__dlgrade_guard__`, sent as source with the call (into a namespace of its own, so a notebook
cannot define a fake guard). A forbidden call recorded there costs the question being graded,
with a message naming the function and the API, unless it happened inside a function whose
forbidden use the static scan has already charged to another question (P2(e) calling the
`xcorr2d` of P2(d)): a mistake is charged once, where it lives.
"""

import json
import re
from pathlib import Path

from graders.assignments import Question

GUARD_SOURCE = (Path(__file__).parent / "kernel_guard.py").read_text()
VERDICT = re.compile(r"DlgradeForbiddenCall: (\[.*\])", re.DOTALL)


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
    return [r for r in records if isinstance(r, dict)
            and isinstance(r.get("api"), str) and isinstance(r.get("where"), str)]


def explain(question: Question, name: str, records: list[dict]) -> str:
    """What the student reads: which function called which forbidden API."""
    calls = []
    for record in records:
        where = record["where"][:80]
        inside = f" (inside {where})" if where and where != name else ""
        calls.append(f"{record['api'][:120]}{inside}")
    return (f"{name} called {', '.join(calls)} while it was graded, which {question.number} "
            "forbids (the grader records what your code runs, however it is reached)")
