"""Command line of the theory package (wired as ``dlgrade theory ...``).

    theory                        list every claim and whether its derivation proves
    theory --verify [--only ID]   re-prove every claim and run its numeric check; exit 1 on failure
    theory ASSIGNMENT --latex [-o FILE] [--verify]
                                  LaTeX of that assignment's derivations and answers
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from theory.claims import ASSIGNMENTS, Claim, all_claims, claims_for

HELP_VERIFY = "re-prove every claim and run its numeric cross-check; exit status 1 if any fails"
HELP_LATEX = "write a LaTeX document of the assignment's derivations and answers"
HELP_OUT = "file to write the LaTeX to (default: standard output)"
HELP_ONLY = "restrict to claims whose id contains this text (repeatable)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dlgrade theory", description=__doc__.split("\n\n")[0])
    p.add_argument("assignment", nargs="?", choices=ASSIGNMENTS, help="assignment id")
    p.add_argument("--verify", action="store_true", help=HELP_VERIFY)
    p.add_argument("--latex", action="store_true", help=HELP_LATEX)
    p.add_argument("-o", "--output", type=Path, help=HELP_OUT)
    p.add_argument("--only", action="append", default=[], metavar="TEXT", help=HELP_ONLY)
    return p


def _select(args: argparse.Namespace) -> list[Claim]:
    claims = claims_for(args.assignment) if args.assignment else all_claims()
    if args.only:
        claims = [c for c in claims if any(s in c.id for s in args.only)]
    return claims


def _verify(claims: list[Claim], *, numeric: bool, out) -> int:
    failures = 0
    start = time.perf_counter()
    for claim in claims:
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
        failures += not ok
        print(f"{line} [{time.perf_counter() - t0:.1f}s]", file=out)
        if result is not None and not result.ok and result.failed is not None:
            print(f"    failing step: {result.failed.text}", file=out)
    total = time.perf_counter() - start
    print(f"{len(claims) - failures} passed, {failures} failed ({total:.1f}s)", file=out)
    return 1 if failures else 0


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
    claims = _select(args)
    if not claims:
        print("dlgrade theory: no claim matches", file=sys.stderr)
        return 2
    return _verify(claims, numeric=args.verify, out=sys.stdout)


if __name__ == "__main__":
    raise SystemExit(main())
