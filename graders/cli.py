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

STAFF_MODULES = ("graders.staff", "reference", "theory", "dask", "distributed")

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
    "batch": "grade a whole class on Dask: per-submission results, a CSV and a class report",
    "rubric": "the TA rubric of an assignment: tests, expected answers, rubric items, mistakes",
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
    check.add_argument("--question", action="append", metavar="ID",
                       help="only this question's checks (repeatable; ids: dlgrade list)")

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

    batch = commands.add_parser("batch", help=HELP["batch"])
    batch.add_argument("assignment")
    batch.add_argument("directory", type=Path,
                       help="notebooks, per-student folders, or a Gradescope export")
    batch.add_argument("--out", type=Path, help="where results go (default DIRECTORY/batch-out)")
    batch.add_argument("--jobs", type=int, default=2, help="local Dask workers (default 2)")
    batch.add_argument("--scheduler", help="address of an existing Dask scheduler")
    batch.add_argument("--force", action="store_true", help="regrade submissions already graded")
    batch.add_argument("--retry-failed", action="store_true",
                       help="grade again the submissions that failed (timed out, crashed)")
    batch.add_argument("--timeout", type=float, default=1800.0,
                       help="seconds one submission may take (default 1800)")
    batch.add_argument("--seed", type=int, default=0, help="the batch's seed (default 0)")
    batch.add_argument("--gpu", action="store_true",
                       help="one GPU per submission (Dask worker resources)")

    rubric = commands.add_parser("rubric", help=HELP["rubric"])
    rubric.add_argument("assignment")
    rubric.add_argument("--format", default="md", help="md (default), tex, pdf or json")
    rubric.add_argument("-o", "--out", type=Path, help="write to this file (default: stdout)")

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
    if args.results is not None and args.results.is_dir():
        raise UsageError(f"--results {args.results} is a folder; give the file to write")
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
    from graders.report import LiveLine, format_table

    _must_exist(args.notebook)
    assignment_id, notebook = _declared(args.notebook)
    assignment = load_assignment(assignment_id)
    questions = tuple(assignment.question(q).id for q in args.question or ())
    if questions:
        notebook = assignment.notebook_of(assignment.question(questions[0]))
    live = LiveLine(sys.stderr)
    try:
        document = grade(assignment, args.notebook, public_only=True,
                         notebooks=(notebook or assignment.notebook,),
                         questions=questions or None, progress=live)
    finally:
        live.clear()
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
    from graders.staff.solve import write_solution

    for path in write_solution(load_assignment(args.assignment), args.out):
        print(path)
    return 0


def _kit(args) -> int:
    from graders.staff.kit import build_kit

    print(build_kit(load_assignment(args.assignment), args.out))
    return 0


def _autograder(args) -> int:
    from graders.staff.package import build_autograder_zip, memory_advice

    if args.data is not None:
        _must_exist(args.data)
    assignment = load_assignment(args.assignment)
    print(build_autograder_zip(assignment, args.out, data=args.data, fetch=tuple(args.fetch)))
    print(memory_advice(assignment), file=sys.stderr)
    return 0


def _batch(args) -> int:
    from graders.staff.batch import run_batch

    if args.jobs < 1:
        raise GraderError(f"Invalid --jobs {args.jobs}: at least 1")
    records = run_batch(load_assignment(args.assignment), args.directory,
                        args.out or args.directory / "batch-out", jobs=args.jobs,
                        scheduler=args.scheduler, force=args.force,
                        retry_failed=args.retry_failed, timeout=args.timeout,
                        seed=args.seed, gpu=args.gpu)
    return 0 if all(r.get("status") == "graded" for r in records) else 1


def _rubric(args) -> int:
    from graders.staff.rubric import write_rubric

    text = write_rubric(args.assignment, args.format, args.out)
    print(args.out or text if args.format != "pdf" else text)
    return 0


def _list(args) -> int:
    for assignment_id in available():
        assignment = load_assignment(assignment_id)
        print(f"{assignment.id}: {assignment.title} ({assignment.points:g} autograded points)")
        for q in assignment.questions:
            kind = "manual" if q.manual else f"{q.points:g} pt"
            print(f"  {q.number:<6} {q.id:<14} {kind:<8} {q.title}")
    try:  # the written questions of all five handouts; the student kit holds no theory/
        from theory.written import listing
    except ModuleNotFoundError:
        return 0
    print(listing())
    return 0


COMMANDS = {"grade": _grade, "check": _check, "solve": _solve, "kit": _kit,
            "autograder": _autograder, "list": _list, "batch": _batch,
            "rubric": _rubric}

if __name__ == "__main__":
    sys.exit(main())
