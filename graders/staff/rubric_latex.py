"""The TA rubric as LaTeX (and PDF where a TeX engine exists): see graders/staff/rubric.py."""

import shutil
import subprocess
import tempfile
from pathlib import Path

from graders.errors import GraderError
from graders.staff.rubric import Entry, points_label, readable_latex

UNICODE_TEX = {"⋆": r"$\star$", "≤": r"$\le$", "≥": r"$\ge$", "×": r"$\times$", "−": "-",
               "…": "...", "→": r"$\to$", "≈": r"$\approx$", "·": r"$\cdot$", "λ": r"$\lambda$",
               "σ": r"$\sigma$", "μ": r"$\mu$", "η": r"$\eta$", "ε": r"$\varepsilon$",
               "–": "--", "—": "---", "’": "'", "“": "``", "”": "''", "√": r"$\surd$"}


def tex_text(text: str) -> str:
    """Plain text (test names, answers in words) for LaTeX's text mode, Unicode included."""
    from theory.latex import escape_text

    return "".join(UNICODE_TEX.get(ch, ch if ch.isascii() else "?")
                   for ch in escape_text(text))


def to_latex(title: str, entries: list[Entry]) -> str:
    esc = tex_text

    body = [r"\documentclass[11pt]{article}", r"\usepackage[T1]{fontenc}",
            r"\usepackage{amsmath,amssymb}",
            r"\usepackage[margin=2cm]{geometry}", r"\sloppy", r"\begin{document}",
            rf"\section*{{Rubric: {esc(title)}}}"]
    for e in entries:
        heading = f"{e.number} {e.title} ({points_label(e.points)}, {e.kind})"
        body.append(rf"\subsection*{{{esc(heading)}}}")
        items = [rf"\item \textbf{{{t.points:g} pt}}: {esc(t.checks)}"
                 + (" (partial credit)" if t.partial_credit else "") for t in e.tests]
        if e.answers:
            body.append(r"\paragraph{Expected answer.} " + "\n\n".join(
                text if is_latex else esc(text) for text, is_latex in e.answers))
        items += [rf"\item{{}} [{esc(p)} pt] {esc(i)}" if p else rf"\item {esc(i)}"
                  for i, p in e.rubric_items]
        items += [rf"\item Also right: {esc(a)}" for a in e.also_right]
        items += [rf"\item Mistake: {esc(m.what)} ({esc(m.deduction)})"
                  + (rf". The student reads: \texttt{{{esc(m.message)}}}" if m.message else "")
                  for m in e.mistakes]
        if items:
            body += [r"\begin{itemize}", *items, r"\end{itemize}"]
    body.append(r"\end{document}")
    return readable_latex("\n".join(body)) + "\n"


def to_pdf(title: str, entries: list[Entry], out: Path) -> Path:
    engine = shutil.which("pdflatex") or shutil.which("xelatex")
    if engine is None:
        raise GraderError("no TeX engine (pdflatex) here: use --format tex or md, or install "
                          "texlive-latex-base")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "rubric.tex").write_text(to_latex(title, entries))
        run = subprocess.run([engine, "-interaction=nonstopmode", "-halt-on-error",
                              "rubric.tex"], cwd=tmp, capture_output=True, timeout=300)
        if run.returncode != 0:
            raise GraderError("the rubric's LaTeX did not compile:\n"
                              + run.stdout.decode(errors="replace")[-2000:])
        shutil.copy(Path(tmp) / "rubric.pdf", out)
    return out
