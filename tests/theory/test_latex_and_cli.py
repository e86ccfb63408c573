"""LaTeX output (static structure always; compilation where a TeX toolchain exists) and the CLI."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest
import sympy as sp

from theory import claims, cli
from theory.algebra import Step
from theory.claims import ASSIGNMENTS, Outcome, claims_for, get
from theory.latex import render, structure_problems

TEX = next((t for t in ("pdflatex", "lualatex", "xelatex") if shutil.which(t)), None)


@pytest.fixture(scope="module")
def documents() -> dict[str, str]:
    return {a: render(a) for a in ASSIGNMENTS}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_document_is_structurally_valid(documents, assignment) -> None:
    doc = documents[assignment]
    assert structure_problems(doc) == []
    assert doc.startswith(r"\documentclass")
    for claim in claims_for(assignment):
        assert claim.id.replace("_", r"\_") in doc  # every claim has its section
        assert claim.answer in doc


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (r"\begin{document} {x \end{document}", "unclosed"),
        (r"\begin{document} x} \end{document}", "unmatched"),
        (r"\begin{document}\begin{enumerate}\end{itemize}\end{document}", "innermost"),
        (r"\begin{document} \[ x \end{document}", "display"),
        (r"\begin{document} $x \end{document}", "odd number"),
        (r"\section{x}", "missing"),
    ],
)
def test_structure_check_catches_broken_documents(broken, problem) -> None:
    assert any(problem in p for p in structure_problems(broken))


def test_escaped_braces_and_dollars_do_not_count() -> None:
    doc = r"\begin{document} \{ \$ 50\% \\ \end{document}"
    assert structure_problems(doc) == []


@pytest.mark.skipif(TEX is None, reason="no TeX engine (pdflatex, lualatex or xelatex) on PATH")
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_document_compiles(documents, assignment, tmp_path) -> None:
    (tmp_path / "doc.tex").write_text(documents[assignment], encoding="utf-8")
    run = subprocess.run(
        [TEX, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )
    errors = [line for line in run.stdout.splitlines() if line.startswith("!")]
    assert run.returncode == 0 and (tmp_path / "doc.pdf").exists(), errors or run.stdout[-2000:]


def test_cli_writes_latex_to_a_file(tmp_path, capsys) -> None:
    out = tmp_path / "csci.tex"
    assert cli.main(["csci5527_hw3", "--latex", "-o", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert structure_problems(text) == []
    assert r"4,14,27,33,27,27" in text
    assert "wrote" in capsys.readouterr().err


def test_cli_latex_needs_an_assignment(capsys) -> None:
    assert cli.main(["--latex"]) == 2
    assert "needs an assignment" in capsys.readouterr().err


def test_cli_lists_every_claim_with_status(capsys) -> None:
    assert cli.main([]) == 0
    out = capsys.readouterr().out
    for claim in claims_for("csci5527_hw3") + claims_for("comp499_a1"):
        assert claim.id in out
    assert "proved" in out and " 0 failed" in out


def test_cli_verify_passes_and_reports(capsys) -> None:
    assert cli.main(["--verify", "--only", "csci5527_hw3", "--only", "q3_"]) == 0
    out = capsys.readouterr().out
    assert "numeric ok" in out and "6 claims passed, 0 failed" in out


def _swap(monkeypatch, claim_id: str, **changes) -> None:
    """Replace one registered claim (and forget cached proofs) for the duration of a test."""
    monkeypatch.setattr(claims, "_STEPS", {})
    monkeypatch.setattr(claims, "_PROOFS", {})
    monkeypatch.setitem(claims._REGISTRY, claim_id,
                        dataclasses.replace(get(claim_id), **changes))


def test_cli_verify_fails_when_a_check_fails(monkeypatch, capsys) -> None:
    _swap(monkeypatch, "csci5527_hw3.p2b_matrix_cw",
          check=lambda: Outcome(False, "forced failure"))
    assert cli.main(["--verify", "--only", "p2b_matrix_cw"]) == 1
    out = capsys.readouterr().out
    assert "numeric FAILED: forced failure" in out and "1 failed" in out


def test_cli_reports_a_failing_proof(monkeypatch, capsys) -> None:
    bad = Step("one equals two", sp.Integer(1), sp.Integer(2))
    _swap(monkeypatch, "comp499_a1.q3_xnor", derivation=lambda: [bad])
    assert cli.main(["--only", "q3_xnor"]) == 1
    out = capsys.readouterr().out
    assert "FAILED at step 1" in out and "failing step: one equals two" in out


def test_cli_reports_a_crashing_check(monkeypatch, capsys) -> None:
    def boom() -> Outcome:
        raise RuntimeError("kaput")

    _swap(monkeypatch, "comp499_a1.q3_tent", check=boom)
    assert cli.main(["--verify", "--only", "q3_tent"]) == 1
    assert "numeric ERROR RuntimeError: kaput" in capsys.readouterr().out


def test_cli_rejects_unknown_selection(capsys) -> None:
    assert cli.main(["--only", "no-such-claim"]) == 2
    with pytest.raises(SystemExit):
        cli.main(["not_an_assignment"])
