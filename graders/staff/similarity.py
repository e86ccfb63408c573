"""Leads for a person to check: submissions whose graded functions are suspiciously alike.

Each graded function is normalized before comparing: comments, docstrings and formatting go (the
AST is unparsed), and every name the student chose (variables, parameters, helpers) becomes a
placeholder in order of first use, so renaming and reformatting change nothing. The code is cut
into overlapping 6-token shingles; shingles of the template's own version of the function are
removed (every student's unchanged scaffolding would match otherwise), and two submissions are
compared by the Jaccard similarity of what remains. A high score is a lead, never a verdict.
"""

import ast
import builtins
import io
import tokenize
from dataclasses import dataclass
from itertools import combinations

import nbformat

from graders.notebook import parse_cell

SHINGLE = 6
MIN_SHINGLES = 8  # functions shorter than this (after removing the template) are not compared
KEPT_NAMES = set(dir(builtins)) | {"self", "np", "torch", "nn", "F", "math", "scipy"}


@dataclass(frozen=True)
class Pair:
    """Two submissions and how alike their graded functions are (0..1)."""

    score: float
    first: str
    second: str
    function: str
    first_source: str
    second_source: str


def graded_functions(nb: nbformat.NotebookNode, names: set[str]) -> dict[str, str]:
    """Source of each top-level function or class in `names` that the notebook defines."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = parse_cell(cell.source)
        for node in tree.body if tree else []:
            if isinstance(node, ast.FunctionDef | ast.ClassDef) and node.name in names:
                found[node.name] = ast.get_source_segment(cell.source, node) or ""
    return found


def normalized_tokens(source: str) -> list[str]:
    """The code's tokens with docstrings, comments, layout and chosen names taken out."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return []
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(body, list) and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            body[:1] = [] if len(body) > 1 else [ast.Pass()]
    try:
        text = ast.unparse(tree)
    except (RecursionError, ValueError):
        return []
    placeholders: dict[str, str] = {}
    tokens = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.NAME and not _keyword(tok.string) \
                    and tok.string not in KEPT_NAMES:
                tokens.append(placeholders.setdefault(tok.string, f"v{len(placeholders)}"))
            elif tok.type in (tokenize.NAME, tokenize.OP, tokenize.NUMBER, tokenize.STRING):
                tokens.append(tok.string)
    except (tokenize.TokenError, SyntaxError):
        return []
    return tokens


def _keyword(word: str) -> bool:
    import keyword

    return keyword.iskeyword(word)


def shingles(tokens: list[str]) -> set[tuple[str, ...]]:
    return {tuple(tokens[i:i + SHINGLE]) for i in range(max(0, len(tokens) - SHINGLE + 1))}


def similar_pairs(notebooks: dict[str, nbformat.NotebookNode], template: nbformat.NotebookNode,
                  names: set[str], top: int = 20) -> list[Pair]:
    """The `top` most alike (submission, submission, function) triples, best first."""
    baseline = {name: shingles(normalized_tokens(src))
                for name, src in graded_functions(template, names).items()}
    prints: dict[str, dict[str, tuple[set, str]]] = {}
    for sub_id, nb in notebooks.items():
        prints[sub_id] = {}
        for name, source in graded_functions(nb, names).items():
            own = shingles(normalized_tokens(source)) - baseline.get(name, set())
            if len(own) >= MIN_SHINGLES:
                prints[sub_id][name] = (own, source)
    pairs = []
    for a, b in combinations(sorted(prints), 2):
        for name in prints[a].keys() & prints[b].keys():
            (sa, src_a), (sb, src_b) = prints[a][name], prints[b][name]
            score = len(sa & sb) / len(sa | sb)
            pairs.append(Pair(score, a, b, name, src_a, src_b))
    pairs.sort(key=lambda p: (-p.score, p.first, p.second, p.function))
    return pairs[:top]
