"""Command line of the theory package (wired as ``dlgrade theory ...``).

    theory [ASSIGNMENT]           list every entry (proved claims and whether they prove,
                                  explanations with their key points) of every assignment
    theory --verify [--only ID]   re-prove every claim and run its numeric check; exit 1 on failure
    theory --written [ASSIGNMENT] the written questions of the handouts, their points, and
                                  which entries answer them
    theory ASSIGNMENT --latex [-o FILE] [--verify]
                                  LaTeX of that assignment's derivations and expected answers
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from theory.claims import ASSIGNMENTS, Claim, all_claims, claims_for
from theory.written import Explanation, explanations, listing

HELP_VERIFY = "re-prove every claim and run its numeric cross-check; exit status 1 if any fails"
HELP_LATEX = "write a LaTeX document of the assignment's derivations and answers"
HELP_OUT = "file to write the LaTeX to (default: standard output)"
HELP_ONLY = "restrict to entries whose id contains this text (repeatable)"
HELP_WRITTEN = "list the written questions of the handouts with their points"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dlgrade theory", description=__doc__.split("\n\n")[0])
    p.add_argument("assignment", nargs="?", choices=ASSIGNMENTS, help="assignment id")
    p.add_argument("--verify", action="store_true", help=HELP_VERIFY)
    p.add_argument("--latex", action="store_true", help=HELP_LATEX)
    p.add_argument("-o", "--output", type=Path, help=HELP_OUT)
    p.add_argument("--only", action="append", default=[], metavar="TEXT", help=HELP_ONLY)
    p.add_argument("--written", action="store_true", help=HELP_WRITTEN)
    return p


def _select(args: argparse.Namespace) -> tuple[list[Claim], list[Explanation]]:
    claims = claims_for(args.assignment) if args.assignment else all_claims()
    entries = explanations(args.assignment)
    if args.only:
        claims = [c for c in claims if any(s in c.id for s in args.only)]
        entries = [e for e in entries if any(s in e.id for s in args.only)]
    return claims, entries


def _verify(claims: list[Claim], entries: list[Explanation], *, numeric: bool, out) -> int:
    """One line per entry, assignment by assignment: claims (proved, and checked numerically
    with ``numeric``), then explanations. Returns the exit status (1 if a claim fails)."""
    failures = 0
    start = time.perf_counter()
    for assignment in ASSIGNMENTS:
        for claim in (c for c in claims if c.assignment == assignment):
            failures += not _verify_one(claim, numeric, out)
        for entry in (e for e in entries if e.assignment == assignment):
            print(f"{entry.id:<45} {entry.question:<12} explanation: "
                  f"{len(entry.key_points)} key points", file=out)
    total = time.perf_counter() - start
    print(f"{len(claims) - failures} claims passed, {failures} failed ({total:.1f}s); "
          f"{len(entries)} explanations", file=out)
    return 1 if failures else 0


def _verify_one(claim: Claim, numeric: bool, out) -> bool:
    t0 = time.perf_counter()
    try:
        result = claim.prove()
        proof = "proved" if result.ok else f"FAILED at step {result.steps + 1}"
    except Exception as exc:
        result, proof = None, f"ERROR {type(exc).__name__}: {exc}"
    line = f"{claim.id:<45} {claim.question:<12} {proof}"
    ok = result is not None and result.ok
    if numeric:
        try:
            outcome = claim.check()
            ok = ok and outcome.ok
            line += f"; numeric {'ok' if outcome.ok else 'FAILED'}: {outcome.detail}"
        except Exception as exc:
            ok = False
            line += f"; numeric ERROR {type(exc).__name__}: {exc}"
    print(f"{line} [{time.perf_counter() - t0:.1f}s]", file=out)
    if result is not None and not result.ok and result.failed is not None:
        print(f"    failing step: {result.failed.text}", file=out)
    return ok


def main(argv: list[str] | None = None) -> int:
    """Entry point; ``argv`` are the arguments after ``theory``."""
    args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
    if args.latex:
        if not args.assignment:
            print("dlgrade theory: --latex needs an assignment, one of " + ", ".join(ASSIGNMENTS),
                  file=sys.stderr)
            return 2
        from theory.latex import render

        doc = render(args.assignment, verify=args.verify)
        if args.output:
            args.output.write_text(doc, encoding="utf-8")
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(doc)
        return 0
    if args.written:
        print(listing(args.assignment))
        return 0
    claims, entries = _select(args)
    if not claims and not entries:
        print("dlgrade theory: no entry matches", file=sys.stderr)
        return 2
    return _verify(claims, entries, numeric=args.verify, out=sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
