"""LaTeX document of the derivations and answers of one assignment.

Uses only ``amsmath`` and ``amssymb``. Each claim becomes a section: statement, the checked steps
(the reason in words, then the equation), the answer, notes, and what the numeric check compares.
Each explanation entry becomes a section with its expected answer and its rubric items.
Equations too long to read are shown by their simplified side only.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from theory.algebra import ProofResult, Step
from theory.claims import Claim, Outcome, claims_for
from theory.written import Explanation, explanations

MAX_DISPLAY = 700  # characters of LaTeX in one displayed equation

TITLES = {
    "cs229br_hw0": "CS 229br Homework 0: theory questions",
    "eecs182_hw7": "EECS 182 Homework 7: autoencoders and attention",
    "csci5527_hw3": "CSCI 5527 Homework 3: cross-correlation",
    "cmu10605_hw5": "10-405/605 Homework 5: backpropagation",
    "comp499_a1": "COMP 499/691 Assignment 1: gradients, Jacobians, small networks",
}

_PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\usepackage{amssymb}
\allowdisplaybreaks
\setlength{\emergencystretch}{3em}
\sloppy
"""


def escape_text(text: str) -> str:
    """Escape characters that are special in LaTeX text mode."""
    repl = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}"}
    return "".join(repl.get(ch, ch) for ch in text)


def step_display(step: Step) -> str:
    """The displayed equation of a step, shortened when sympy's form is unreadably long."""
    full = step.latex()
    if len(full) <= MAX_DISPLAY:
        return full
    from sympy import latex

    rhs = latex(step.rhs)
    if len(rhs) <= MAX_DISPLAY:
        return r"\text{(sympy's expression, simplified)}=" + rhs
    return r"\text{(expression too long to display; checked by sympy)}"


def _steps_block(steps: Iterable[Step], result: ProofResult | None) -> str:
    lines = [r"\begin{enumerate}"]
    for i, step in enumerate(steps):
        mark = ""
        if result is not None and not result.ok and i == result.steps:
            mark = r" \textbf{(this step FAILED)}"
        lines.append(rf"\item {step.text}{mark}")
        lines.append(r"\[" + step_display(step) + r"\]")
    lines.append(r"\end{enumerate}")
    return "\n".join(lines)


def render_claim(claim: Claim, *, result: ProofResult | None = None,
                 outcome: Outcome | None = None) -> str:
    """One claim as a LaTeX section (body only)."""
    steps = claim.steps()
    parts = [
        rf"\section*{{{escape_text(claim.question)}: {claim.title}}}",
        rf"\noindent\texttt{{{escape_text(claim.id)}}}",
        r"\paragraph{Claim.} " + claim.statement,
        r"\paragraph{Derivation.} Each step below is checked by sympy.",
        _steps_block(steps, result),
        r"\paragraph{Answer.} " + claim.answer,
    ]
    if claim.note:
        parts.append(r"\paragraph{Note.} " + claim.note)
    check = r"\paragraph{Numeric check.} " + claim.check_text
    if outcome is not None:
        verdict = "passed" if outcome.ok else "FAILED"
        check += rf" Result: {verdict} ({escape_text(outcome.detail)})."
    parts.append(check)
    return "\n\n".join(parts)


def render_explanation(entry: Explanation) -> str:
    """One explanation entry as a LaTeX section: expected answer, then the rubric items."""
    items = "\n".join(rf"\item {escape_text(point)}" for point in entry.key_points)
    parts = [
        rf"\section*{{{escape_text(entry.question)}: {escape_text(entry.title)}}}",
        rf"\noindent\texttt{{{escape_text(entry.id)}}}",
        r"\paragraph{Expected answer.} " + escape_text(entry.answer),
        r"\paragraph{Key points (rubric items).}" + "\n" + r"\begin{itemize}" + "\n" + items
        + "\n" + r"\end{itemize}",
    ]
    if entry.also_right:
        parts.append(r"\paragraph{Also right.} " + escape_text(entry.also_right))
    return "\n\n".join(parts)


def render(assignment: str, *, verify: bool = False) -> str:
    """Full LaTeX document for one assignment (its proved claims, then the expected answers of
    its explanation questions); with ``verify`` the proof and check results are included."""
    body = []
    for claim in claims_for(assignment):
        result = claim.prove() if verify else None
        outcome = claim.check() if verify else None
        body.append(render_claim(claim, result=result, outcome=outcome))
    body.extend(render_explanation(e) for e in explanations(assignment))
    title = escape_text(TITLES.get(assignment, assignment))
    return (
        _PREAMBLE
        + rf"\title{{{title}}}" + "\n"
        + r"\author{dlgrade: derivations checked by sympy}"
        + "\n" + r"\date{}" + "\n"
        + r"\begin{document}" + "\n" + r"\maketitle" + "\n\n"
        + "\n\n".join(body)
        + "\n\n" + r"\end{document}" + "\n"
    )


# --------------------------------------------------------------------------- validation


def structure_problems(doc: str) -> list[str]:
    """Static checks a LaTeX document must pass: balanced braces (escaped ones ignored),
    matching begin/end pairs, balanced \\[ \\] and an even number of unescaped $."""
    problems = []
    stripped = re.sub(r"\\[\\{}$%&#_]", "", doc)  # drop escaped specials and \\ line breaks
    stripped = re.sub(r"(?<!\\)%.*", "", stripped)  # comments
    depth = 0
    for n, ch in enumerate(stripped):
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            problems.append(f"unmatched '}}' near: {stripped[max(0, n - 40):n + 1]!r}")
            depth = 0
    if depth:
        problems.append(f"{depth} unclosed '{{'")
    stack: list[str] = []
    for kind, env in re.findall(r"\\(begin|end)\{([^}]*)\}", stripped):
        if kind == "begin":
            stack.append(env)
        elif not stack or stack.pop() != env:
            problems.append(f"\\end{{{env}}} does not close the innermost environment")
    problems += [f"\\begin{{{env}}} never closed" for env in stack]
    opens, closes = stripped.count(r"\["), stripped.count(r"\]")
    if opens != closes:
        problems.append(f"{opens} display openings \\[ but {closes} closings \\]")
    if stripped.count("$") % 2:
        problems.append("odd number of '$'")
    if r"\begin{document}" not in doc or not doc.rstrip().endswith(r"\end{document}"):
        problems.append("missing \\begin{document} or \\end{document}")
    return problems
