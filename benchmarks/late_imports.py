"""What the grader imports late: modules each question's graders first import while they run,
after the notebook has executed. Those imports wait for nothing but cost the grading their time;
a question declares the slow ones in `Question.preload` (graders/preload.py imports them while
its notebook runs). Grades each assignment's solution (`dlgrade solve`) with no import made
ahead, each assignment in a process of its own.

    python benchmarks/late_imports.py [ASSIGNMENT ...] [--min-ms 50]

Per question: the top-level packages and the listed slow modules that appeared in sys.modules
during its tests (the first question to need them only), whether each is declared, and the time
of the tests that imported them.
"""

import argparse
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graders import harness
from graders.assignments import available, load_assignment
from graders.staff.solve import write_solution

SLOW = ("torch._dynamo", "sympy", "scipy.signal", "scipy.optimize", "sklearn", "open_clip",
        "faiss", "torchvision", "matplotlib")  # known to take 0.3-2 s each


class Recording(harness.GradingPlugin):
    """The grading plugin, noting what each test imported and how long it ran."""

    late: dict[str, dict] = {}

    def pytest_runtest_setup(self, item):
        self._question = item.get_closest_marker("graded").args[0]
        self._before, self._started = set(sys.modules), time.perf_counter()

    def pytest_runtest_teardown(self, item):
        new = set(sys.modules) - self._before
        shown = sorted({name.split(".")[0] for name in new if not name.startswith("_")}
                       | {name for name in new if name in SLOW})
        if shown:
            entry = self.late.setdefault(self._question, {"modules": set(), "seconds": 0.0})
            entry["modules"].update(shown)
            entry["seconds"] += time.perf_counter() - self._started


def report(assignment_id: str, min_ms: float) -> None:
    assignment = load_assignment(assignment_id)
    Recording.late = {}
    harness.GradingPlugin = Recording
    nothing_ahead = replace(assignment, questions=tuple(replace(q, preload=())
                                                        for q in assignment.questions))
    with tempfile.TemporaryDirectory() as folder:
        write_solution(assignment, Path(folder))
        document = harness.grade(nothing_ahead, Path(folder))
    print(f"{assignment_id}: {document['score']:g} / {assignment.points:g}")
    for question_id, entry in Recording.late.items():
        if entry["seconds"] * 1000 < min_ms:
            continue
        declared = set(assignment.question(question_id).preload)
        modules = ", ".join(f"{m}{' (declared)' if m in declared else ''}"
                            for m in sorted(entry["modules"]))
        print(f"  {question_id:14s} {entry['seconds']:5.2f} s of tests that imported: {modules}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", default=None)
    parser.add_argument("--min-ms", type=float, default=50.0,
                        help="leave out questions whose importing tests ran less (ms)")
    args = parser.parse_args()
    if len(args.assignments) == 1:
        report(args.assignments[0], args.min_ms)
        return
    for assignment_id in args.assignments or available():  # what one loads, another would miss
        subprocess.run([sys.executable, __file__, assignment_id, "--min-ms", str(args.min_ms)],
                       check=True)


if __name__ == "__main__":
    main()
