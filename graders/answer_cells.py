"""Answer cells: closed-form and choice answers that students type as strings in the notebook.

An answer cell is a code cell of the template whose metadata names its question,
`{"dlgrade": {"answer": "<question id>"}}`, and whose source assigns one string literal:

    answer_p2a = "[1, 2, 3]"

The grader reads that text from the submitted notebook with `ast` (the kernel's copy of it is
never consulted, and the text is never executed or evaluated in the grader): closed forms go to
theory's answer checker, which parses them with an allow-list in a worker process, with the
run's seed for any random points it needs; choices are compared as normalized words. The
expected answers of the templates' cells live in theory.answer_keys (`grade_key`), where
`dlgrade solve` also finds what to type in the solution notebook.
"""

import ast

import nbformat

from graders.errors import GraderError, StudentError
from graders.notebook import parse_cell

MAX_ANSWER_CHARS = 2000


# the functions here that send answers to theory's checker (the grader starts its worker early
# when a grader file imports one of them)
USE_THE_CHECKER = ("grade_closed_form", "grade_key")


def answer_cells(nb: nbformat.NotebookNode) -> dict[str, str]:
    """Question id -> the source of its answer cell (the first one, if a student duplicated it)."""
    found: dict[str, str] = {}
    for cell in nb.cells:
        declared = cell.get("metadata", {}).get("dlgrade", {})
        question = declared.get("answer") if isinstance(declared, dict) else None
        if cell.cell_type == "code" and isinstance(question, str):
            found.setdefault(question, cell.source)
    return found


def answer_text(nb: nbformat.NotebookNode, question_id: str) -> str:
    """The string the student assigned in the answer cell of `question_id`.

    Raises StudentError when the cell is missing, holds no string literal, or is still blank.
    """
    source = answer_cells(nb).get(question_id)
    if source is None:
        raise StudentError(f"the answer cell for {question_id} is missing: copy it back from the "
                           "template (its metadata marks it) and type your answer there")
    tree = parse_cell(source)
    strings = [] if tree is None else [
        node.value.value for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)]
    if not strings:
        raise StudentError(f"the answer cell for {question_id} must assign your answer as a "
                           'string, e.g. answer = "3/11"')
    text = strings[0].strip()
    if text in ("", "...", "?"):
        raise StudentError(f"no answer typed in the answer cell for {question_id}")
    if len(text) > MAX_ANSWER_CHARS:
        raise StudentError(f"the answer for {question_id} is over {MAX_ANSWER_CHARS} characters")
    return text


def grade_closed_form(nb: nbformat.NotebookNode, question_id: str, expected, *, symbols=None,
                      label: str | None = None, seed: int | None = None,
                      tolerance: float | None = None, symmetry=None, alternatives=()) -> None:
    """Pass if the answer equals `expected` (theory.answers syntax, sympy, list or Matrix).

    seed: the run's secret seed (pass it: random points, if the checker needs them, come from
    it). tolerance: relative tolerance of a numeric answer (decimals then accepted). symmetry: an
    invariant to compare instead of the entries (see theory.answers). alternatives: other
    expected answers that are equally right (another convention of the handout).
    """
    from theory.answers import check_answer

    text = answer_text(nb, question_id)
    verdicts = []
    for option in (expected, *alternatives):
        verdicts.append(check_answer(text, option, symbols=symbols, label=label or question_id,
                                     seed=seed, tolerance=tolerance, symmetry=symmetry))
        if verdicts[-1].ok or verdicts[-1].status != "incorrect":
            break
    if verdicts[-1].status == "error":
        raise GraderError(f"the answer checker failed on {question_id}: {verdicts[-1].message}")
    if not verdicts[-1].ok:
        raise StudentError(verdicts[-1].message if verdicts[-1].status != "incorrect"
                           else verdicts[0].message)


def normalize_choice(text: str) -> str:
    """'(B) ' -> 'b', ' LayerNorm' -> 'layernorm': case, spaces and brackets do not matter."""
    return "".join(ch for ch in text.lower() if ch.isalnum() or ch in ",+-.")


def grade_choice(nb: nbformat.NotebookNode, question_id: str, correct, choices) -> None:
    """Pass if the answer is one of `correct`; an answer outside `choices` is told the options.

    `correct` and `choices` are iterables of strings, compared after `normalize_choice`."""
    text = answer_text(nb, question_id)
    options = {normalize_choice(c): c for c in choices}
    given = normalize_choice(text)
    if given not in options:
        raise StudentError(f"{question_id}: {text[:80]!r} is not one of the choices "
                           f"({', '.join(options.values())})")
    if given not in {normalize_choice(c) for c in correct}:
        raise StudentError(f"{question_id}: {options[given]!r} is not the right choice")


def grade_selection(nb: nbformat.NotebookNode, question_id: str, correct, choices) -> None:
    """Pass if the answer, options separated by commas, selects exactly the `correct` options."""
    options = {normalize_choice(c): c for c in choices}
    text = answer_text(nb, question_id)
    given = {normalize_choice(p) for p in text.replace(";", ",").split(",") if p.strip()}
    unknown = sorted(given - set(options))
    if unknown:
        raise StudentError(f"{question_id}: {', '.join(unknown)[:80]!r} is not among the options "
                           f"({', '.join(options.values())})")
    if given != {normalize_choice(c) for c in correct}:
        raise StudentError(f"{question_id}: {', '.join(options[g] for g in sorted(given))} is "
                           "not the right selection")


def grade_key(nb: nbformat.NotebookNode, key, *, seed: int | None = None) -> None:
    """Grade the answer cell of `key` (a theory.answer_keys.AnswerKey): a choice, a selection
    (several options, comma-separated) or a closed form, the key's alternatives accepted as
    equally right."""
    if key.select_all:
        grade_selection(nb, key.question, key.expected.split(","), key.choices)
    elif key.choices:
        grade_choice(nb, key.question, (key.expected, *key.alternatives), key.choices)
    else:
        grade_closed_form(nb, key.question, key.expected, symbols=key.symbols, seed=seed,
                          tolerance=key.tolerance, symmetry=key.symmetry,
                          alternatives=key.alternatives)
