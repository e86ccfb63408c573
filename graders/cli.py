"""`dlgrade`: grade, check, solve, kit, autograder, list, theory.

Exit codes of `grade`: 0 the submission was graded (whatever its score; results.json written),
2 a usage error (unknown assignment, a path that does not exist), 3 the grader itself failed
(results.json is still written, with an "autograder error" entry). `check`: 0 every public check
passed, 1 some failed (or submitted weights are missing or stale), 2 a usage error.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from typing import NoReturn

from graders.assignments import available, load_assignment
from graders.errors import GraderError
from graders.weights import weights_problems

STAFF_MODULES = ("graders.solve", "graders.kit", "graders.package", "reference", "theory")

GRADE_EXIT_CODES = ("exit codes: 0 graded (whatever the score), 2 usage error, 3 the grader "
                    "itself failed (results.json still written)")
HELP = {
    "grade": "grade a notebook with all tests (hidden ones included) and write results.json",
    "check": "run the public checks on your notebook before you submit",
    "solve": "build the solution notebook from the template and reference/",
    "kit": "build the student kit: template + a checker with public tests only",
    "autograder": "build the zip to upload to Gradescope",
    "list": "list assignments, questions and points",
    "theory": "list, verify or typeset the pen-and-paper derivations",
}


class UsageError(Exception):
    """A command line that cannot be carried out (exit code 2, one line)."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="dlgrade", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    grade = commands.add_parser("grade", help=HELP["grade"], epilog=GRADE_EXIT_CODES)
    grade.add_argument("assignment")
    grade.add_argument("submission", type=Path, help="a notebook, or a folder holding one")
    grade.add_argument("--results", type=Path, help="where to write results.json")
    grade.add_argument("--seed", type=int, help="reuse a run's seed (staff reproducing a grade)")
    grade.add_argument("--graded-only", action="store_true",
                       help="skip cells tagged 'experiment' (plots, long explorations)")
    grade.add_argument("--json", action="store_true",
                       help="print results.json to stdout instead of the table")

    check = commands.add_parser("check", help=HELP["check"])
    check.add_argument("notebook", type=Path)

    for name in ("solve", "kit"):
        sub = commands.add_parser(name, help=HELP[name])
        sub.add_argument("assignment")
        sub.add_argument("-o", "--out", type=Path, required=True, help="output folder")

    zip_parser = commands.add_parser("autograder", help=HELP["autograder"])
    zip_parser.add_argument("assignment")
    zip_parser.add_argument("-o", "--out", type=Path, default=Path("autograder.zip"))
    zip_parser.add_argument("--data", type=Path,
                            help="a folder of test data sets (mnist/, chest_xray/, cifar10/): "
                                 "the test splits this assignment needs go into the zip")
    zip_parser.add_argument("--fetch", action="append", default=[], metavar="DATASET",
                            help="have setup.sh download this public test split (mnist, "
                                 "cifar10) when Gradescope builds the image")

    commands.add_parser("list", help=HELP["list"])
    commands.add_parser("theory", help=HELP["theory"], add_help=False)

    args, rest = parser.parse_known_args(argv)
    if args.command != "theory" and rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "theory":
            from theory.cli import main as theory_main

            return theory_main(rest)
        return COMMANDS[args.command](args)
    except (GraderError, UsageError) as err:
        print(f"dlgrade {args.command}: {err}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as err:
        if err.name not in STAFF_MODULES:
            raise
        print(f"dlgrade {args.command}: not part of the student kit (staff tools only)",
              file=sys.stderr)
        return 2


def _grade(args) -> NoReturn:
    from graders.harness import grade, grader_failed
    from graders.report import format_table

    assignment = load_assignment(args.assignment)
    _must_exist(args.submission)
    document = grade(assignment, args.submission, args.results, seed=args.seed,
                     graded_only=args.graded_only)
    print(json.dumps(document, indent=2) if args.json else format_table(document))
    missing = _notebooks_not_run(assignment, document)
    if missing:
        print(f"dlgrade grade: WARNING: {', '.join(missing)} of {assignment.id} were not graded "
              f"(their tests score 0); grade the folder that holds all of "
              f"{', '.join(assignment.notebooks)}", file=sys.stderr)
    _exit_now(3 if grader_failed(document) else 0)


def _must_exist(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"{path} does not exist")


def _notebooks_not_run(assignment, document: dict) -> list[str]:
    """The assignment's notebooks whose tests were not run (missing or unreadable)."""
    from graders.report import kind

    numbers = {t["number"] for t in document["tests"] if kind(t) == "not run"}
    return [name for name in assignment.notebooks
            if any(assignment.notebook_of(q) == name for q in assignment.autograded
                   if q.number in numbers)]


def _exit_now(code: int) -> NoReturn:
    """Leave without the interpreter's slow teardown of torch (~1.5 s): results.json is already
    written atomically, the kernel is shut down, and nothing else is pending."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _check(args) -> int:
    from graders.harness import grade
    from graders.report import format_table

    _must_exist(args.notebook)
    assignment_id, notebook = _declared(args.notebook)
    assignment = load_assignment(assignment_id)
    document = grade(assignment, args.notebook, public_only=True,
                     notebooks=(notebook or assignment.notebook,))
    print(format_table(document, show_points=False))
    failed = [t for t in document["tests"] if t["status"] == "failed"]
    problems = weights_problems(args.notebook)
    for problem in problems:
        print(f"weights: {problem}")
    return 1 if failed or problems else 0


def _declared(notebook: Path) -> tuple[str, str]:
    """(assignment id, notebook name) from the notebook's metadata."""
    try:
        declared = json.loads(notebook.read_text())["metadata"]["dlgrade"]
        return declared["assignment"], declared.get("notebook", "")
    except (OSError, ValueError, KeyError, TypeError):
        raise GraderError(
            f"{notebook} does not say which assignment it is (metadata dlgrade.assignment); "
            "start from the template notebook you were given"
        ) from None


def _solve(args) -> int:
    from graders.solve import write_solution

    for path in write_solution(load_assignment(args.assignment), args.out):
        print(path)
    return 0


def _kit(args) -> int:
    from graders.kit import build_kit

    print(build_kit(load_assignment(args.assignment), args.out))
    return 0


def _autograder(args) -> int:
    from graders.package import build_autograder_zip

    if args.data is not None:
        _must_exist(args.data)
    print(build_autograder_zip(load_assignment(args.assignment), args.out, data=args.data,
                               fetch=tuple(args.fetch)))
    return 0


def _list(args) -> int:
    for assignment_id in available():
        assignment = load_assignment(assignment_id)
        print(f"{assignment.id}: {assignment.title} ({assignment.points:g} autograded points)")
        for q in assignment.questions:
            kind = "manual" if q.manual else f"{q.points:g} pt"
            print(f"  {q.number:<6} {q.id:<14} {kind:<8} {q.title}")
    return 0


COMMANDS = {"grade": _grade, "check": _check, "solve": _solve, "kit": _kit,
            "autograder": _autograder, "list": _list}

if __name__ == "__main__":
    sys.exit(main())
