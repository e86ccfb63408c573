"""Gradescope's results.json: the schema, safe text, and an atomic writer.

Text that came from student code is inert in results.json: control characters (ANSI escapes
included) are removed everywhere; tests declare `output_format` "md" (our messages are Markdown)
and student text that entered a message through `code_span` is shown as code, so HTML, Markdown
or a fake "passed" line cannot render as ours; other text gets its HTML and link syntax escaped.
Outputs are capped per test and the whole file stays under MAX_RESULTS_BYTES.
"""

import json
import os
import re
import stat
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
OUTPUT_FORMATS = ("text", "md")
MAX_TEST_OUTPUT = 32_000  # characters per test
MAX_RESULTS_BYTES = 2**20  # the whole results.json (Gradescope's and PrairieLearn's viewers)
OPEN, CLOSE = "\ue000", "\ue001"  # private-use marks around student text inside our messages
CONTROL = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-_]?)"
                     r"|[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ue000-\ue003]")
PLAIN = re.compile(r"[A-Za-z0-9 .,:;'\"=+\-/%@{}?()]*")  # nothing Markdown or HTML would read

RESULTS_SCHEMA = {
    "type": "object",
    "required": ["score", "execution_time", "output", "stdout_visibility", "tests"],
    "properties": {
        "score": {"type": "number", "minimum": 0},
        "execution_time": {"type": "number", "minimum": 0},
        "output": {"type": "string"},
        "stdout_visibility": {"enum": list(VISIBILITIES)},
        "output_format": {"enum": list(OUTPUT_FORMATS)},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "score", "max_score", "output", "visibility", "status"],
                "properties": {
                    "name": {"type": "string"},
                    "number": {"type": "string"},
                    "score": {"type": "number", "minimum": 0},
                    "max_score": {"type": "number", "minimum": 0},
                    "output": {"type": "string"},
                    "visibility": {"enum": list(VISIBILITIES)},
                    "status": {"enum": ["passed", "failed"]},
                    "output_format": {"enum": list(OUTPUT_FORMATS)},
                },
            },
        },
    },
}


@dataclass
class TestResult:
    """One entry of results.json's `tests` list; `output` is Markdown ("md") or plain "text"."""

    __test__ = False  # a result, not a pytest test class

    name: str
    score: float
    max_score: float
    output: str = ""
    number: str = ""
    visibility: str = "visible"
    status: str = "passed"
    output_format: str = ""  # "" = "md" for what students see, "text" for staff-only entries

    def __post_init__(self):
        self.output_format = self.output_format or (
            "text" if self.visibility == "hidden" else "md")


def clean(text: str) -> str:
    """`text` without ANSI escapes, control characters (newline and tab kept) or bidi overrides."""
    return CONTROL.sub("", str(text).replace("\r\n", "\n"))


def code_span(text: str, limit: int = 2_000) -> str:
    """Student text to put inside one of our messages: shown verbatim (as code when it holds
    anything Markdown or HTML would read), never as markup; at most `limit` characters."""
    text = clean(text)
    if len(text) > limit:
        text = f"{text[:limit]} [{len(text) - limit} more characters cut]"
    return f"{OPEN}{text}{CLOSE}"


def markdown(text: str) -> str:
    """A message as Markdown: marked student text as code, the rest with HTML and links inert."""
    parts = re.split(f"{OPEN}(.*?){CLOSE}", str(text), flags=re.S)
    out = []
    for i, part in enumerate(parts):
        part = clean(part)
        line_start = not out or out[-1].endswith("\n")
        out.append(_as_code(part) if i % 2 else _inert(part, line_start))
    return "".join(out)


def plain(text: str) -> str:
    """A message as plain text: marked student text kept on one line (newlines shown as \\n), so
    that it cannot add lines that look like ours."""
    parts = re.split(f"{OPEN}(.*?){CLOSE}", str(text), flags=re.S)
    return "".join(clean(part).replace("\n", "\\n") if i % 2 else clean(part)
                   for i, part in enumerate(parts))


def _as_code(text: str) -> str:
    if PLAIN.fullmatch(text):
        return text
    fence = "`" * (1 + max((len(run) for run in re.findall("`+", text)), default=0))
    if "\n" not in text:
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{fence}{pad}{text}{pad}{fence}"
    fence = fence if len(fence) >= 3 else "```"
    return f"\n{fence}text\n{text}\n{fence}\n"


def _inert(text: str, line_start: bool = True) -> str:
    """Our own text, in which unmarked student text may hide: tags, entities, links, headings
    and quotes are escaped; lists and emphasis stay Markdown."""
    text = re.sub(r"&(?=#|\w+;)", "&amp;", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    text = text.replace("](", "\\](")
    guard = "" if line_start else "."  # the text continues a line: its start is no line start
    return re.sub(r"(?m)^( {0,3})([#>=]|-{3,})", r"\1\\\2", guard + text)[len(guard):]


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}\n[{len(text) - limit} more characters cut by the grader]"


def results_document(tests: list[TestResult], execution_time: float, output: str = "") -> dict:
    """The whole results.json as a dict; the total is the sum of the test scores.

    Every output is made safe for its format and capped (MAX_TEST_OUTPUT per test, the longest
    ones cut further until the file fits MAX_RESULTS_BYTES); the run's summary is plain text.
    """
    entries = []
    for test in tests:
        entry = asdict(test)
        safe = markdown(test.output) if test.output_format == "md" else plain(test.output)
        entry["output"] = _cut(safe, MAX_TEST_OUTPUT)
        entries.append(entry)
    document = {
        "score": round(sum(t.score for t in tests), 6),
        "execution_time": round(execution_time, 3),
        "output": _cut(plain(output), MAX_TEST_OUTPUT),
        "output_format": "text",
        "stdout_visibility": "hidden",
        "tests": entries,
    }
    holders = [document, *entries]
    while len(json.dumps(document)) > MAX_RESULTS_BYTES:
        longest = max(holders, key=lambda h: len(json.dumps(h["output"])))
        longest["output"] = _cut(longest["output"], len(longest["output"]) // 2)
    return document


RESERVE_BYTES = 4 * 2**20  # more than the largest results.json the package writes


def is_special(path: Path) -> bool:
    """Whether `path` exists and is no regular file (/dev/null, /dev/stdout, a FIFO): written in
    place, never replaced (as root, a rename over /dev/null makes it a plain file)."""
    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False


def reserve_space(path: Path) -> Path | None:
    """Hold RESERVE_BYTES of disk beside `path`, so that the final write finds room even when
    a submission has filled the disk; None where even that cannot be had."""
    reserve = Path(path).parent / f".{Path(path).name}.reserve"
    try:
        fd = os.open(reserve, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    except OSError:
        return None
    try:
        os.posix_fallocate(fd, 0, RESERVE_BYTES)
        return reserve
    except OSError:
        os.unlink(reserve)
        return None
    finally:
        os.close(fd)


def write_results(path: Path, document: dict, reserve: Path | None = None) -> None:
    """Write `document` to `path` atomically (a reader never sees half a file), first freeing
    the space `reserve_space` held (the old file stays whole if the write fails); a special
    file is written in place."""
    path = Path(path)
    text = json.dumps(document, indent=2)
    if is_special(path):
        with open(path, "w") as f:
            f.write(text)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    if reserve is not None:
        reserve.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".results-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
