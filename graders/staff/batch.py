"""`dlgrade batch`: grade a whole class on Dask, resumably, with a CSV and a class report.

Each submission is graded as by `dlgrade grade`, in a fresh grader process of its own forked from a
warm template that already imported torch and the graders (graders/staff/warm.py), so it gets its
own kernel and sandbox as on Gradescope and a crash costs that submission only; scheduled by Dask: a
LocalCluster of `jobs` worker processes by default, or an existing scheduler (a dask-jobqueue
cluster on Slurm/PBS, say). Results are kept per submission as they finish:

    OUT/<submission id>/results.json   the same document `dlgrade grade` writes
    OUT/<submission id>/record.json    status, seed, time, and the hash of the graders used
    OUT/scores.csv                     one row per submission, rewritten atomically
    OUT/report.html                    the class report (graders/staff/class_report.py)

A rerun skips submissions already graded by the same graders (same hash) unless `force`; those
that failed (timed out twice, say) are tried again with `retry_failed`.
"""

import csv
import hashlib
import io
import json
import os
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from graders.assignments import GRADERS_DIR, Assignment
from graders.errors import GraderError
from graders.results import TestResult, results_document, write_results
from graders.staff.warm import run_grader

GRADESCOPE_METADATA = "submission_metadata.yml"
HASHED_PACKAGES = ("graders", "reference", "theory")


@dataclass(frozen=True)
class Entry:
    """One submission: a notebook file or a folder, and who submitted it."""

    id: str
    path: Path
    students: str


class GradingFailed(RuntimeError):
    """The grader timed out, crashed, or wrote no results (Dask retries it once)."""


def discover(directory: Path) -> list[Entry]:
    """The submissions in `directory`: a Gradescope export, per-student folders, or notebooks."""
    directory = Path(directory)
    if not directory.is_dir():
        raise GraderError(f"{directory} is not a folder of submissions")
    metadata = directory / GRADESCOPE_METADATA
    if metadata.is_file():
        return _gradescope_export(directory, metadata)
    entries = []
    for path in sorted(directory.iterdir()):
        if path.name.startswith(".") or path.name == "batch-out":
            continue
        if path.is_dir() and any(path.rglob("*.ipynb")):
            entries.append(Entry(path.name, path, path.name))
        elif path.suffix == ".ipynb":
            entries.append(Entry(path.stem, path, path.stem))
    if not entries:
        raise GraderError(f"{directory} holds no notebooks and no folders with notebooks")
    return entries


def _gradescope_export(directory: Path, metadata: Path) -> list[Entry]:
    try:
        data = yaml.safe_load(metadata.read_text()) or {}
    except (OSError, yaml.YAMLError) as err:
        raise GraderError(f"{metadata} could not be read: {err}") from None
    entries = []
    for folder, info in sorted(data.items()):
        submitters = (info or {}).get(":submitters") or (info or {}).get("submitters") or []
        names = ", ".join(str(s.get(":name") or s.get("name") or s.get(":email") or "?")
                          for s in submitters if isinstance(s, dict))
        if (directory / str(folder)).is_dir():
            entries.append(Entry(str(folder), directory / str(folder), names or str(folder)))
    return entries


def grader_hash(assignment: Assignment) -> str:
    """A hash of every file the grading depends on: engine, the assignment's graders, reference."""
    digest = hashlib.sha256(assignment.id.encode())
    root = GRADERS_DIR.parent
    for package in HASHED_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "staff" in path.relative_to(root).parts:
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def submission_seed(batch_seed: int, entry_id: str) -> int:
    """The seed one submission is graded with (`dlgrade grade --seed` repeats the run)."""
    return (batch_seed * 1_000_003 + zlib.crc32(entry_id.encode())) % 2**63


def thread_counts(jobs: int) -> dict[str, str]:
    """The environment of `jobs` local workers: their kernels share the machine's cores (a Dask
    worker otherwise sets one thread per numeric library, which leaves a lone worker's kernel
    one core of two)."""
    threads = str(max(1, (os.cpu_count() or 1) // jobs))
    return dict.fromkeys(("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"), threads)


def grade_one(assignment_id: str, path: str, out_dir: str, seed: int, timeout: float) -> dict:
    """Grade one submission (on a Dask worker) in a fresh grader process and return its record.

    The grader is forked from the worker's warm template (graders/staff/warm.py) and runs
    `graders.harness.grade` as `dlgrade grade` does. Raises GradingFailed when it timed out or
    did not finish (crashed, killed), so that Dask retries it.
    """
    results = Path(out_dir) / "results.json"
    log = Path(out_dir) / ".grader-stderr"
    results.unlink(missing_ok=True)
    started = time.monotonic()
    try:
        code = run_grader(assignment_id, Path(path), results, seed, timeout, log)
        if code not in (0, 3) or not results.is_file():  # killed: results.json is a placeholder
            tail = log.read_text(errors="replace")[-500:] if log.is_file() else ""
            raise GradingFailed(f"the grader exited {code} before its results: {tail}")
    except TimeoutError as err:
        raise GradingFailed(str(err)) from None
    finally:
        log.unlink(missing_ok=True)
    document = json.loads(results.read_text())
    return {"status": "graded", "score": document["score"], "seconds": time.monotonic() - started,
            "returncode": code}


def run_batch(assignment: Assignment, directory: Path, out: Path, *, jobs: int = 2,
              scheduler: str | None = None, force: bool = False, retry_failed: bool = False,
              timeout: float = 1800.0,
              seed: int = 0, gpu: bool = False,
              progress: Callable[[str], None] = print) -> list[dict]:
    """Grade every submission in `directory` into `out`; return one record per submission."""
    from dask.distributed import Client, LocalCluster, as_completed

    entries = discover(directory)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    current = grader_hash(assignment)
    records = {e.id: _stored_record(out / e.id) for e in entries}
    todo = [e for e in entries if force or records[e.id].get("grader_hash") != current
            or (retry_failed and records[e.id].get("status") != "graded")]
    progress(f"{len(entries)} submissions, {len(entries) - len(todo)} already graded, "
             f"{len(todo)} to grade")
    if todo:
        if scheduler:
            client = Client(scheduler)
        else:
            cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                   dashboard_address=None, env=thread_counts(jobs),
                                   resources={"GPU": 1} if gpu else None)
            client = Client(cluster)
        with client:
            futures = {}
            for entry in todo:
                (out / entry.id).mkdir(exist_ok=True)
                s = submission_seed(seed, entry.id)
                future = client.submit(grade_one, assignment.id, str(entry.path.resolve()),
                                       str((out / entry.id).resolve()), s, timeout,
                                       key=f"grade-{entry.id}-{s}", pure=False, retries=1,
                                       resources={"GPU": 1} if gpu else None)
                futures[future] = (entry, s)
            started, finished, failed = time.monotonic(), 0, 0
            for future in as_completed(futures):
                entry, s = futures[future]
                record = _finish(assignment, entry, s, future, out / entry.id, current)
                records[entry.id] = record
                finished += 1
                failed += record["status"] != "graded"
                _write_csv(assignment, entries, records, out)
                progress(_progress_line(finished, failed, len(todo), time.monotonic() - started))
    _write_csv(assignment, entries, records, out)
    from graders.staff.class_report import write_report

    write_report(assignment, entries, records, out)
    graded = sum(r.get("status") == "graded" for r in records.values())
    progress(f"done: {graded} graded, {len(entries) - graded} failed; "
             f"scores in {out / 'scores.csv'}, report in {out / 'report.html'}")
    return [records[e.id] for e in entries]


def _finish(assignment, entry, seed, future, folder: Path, current: str) -> dict:
    """Store what happened to one submission; a failure still leaves a valid results.json."""
    try:
        record = future.result()
    except Exception as err:  # a timeout, a crash, a dead worker: one submission
        reason = str(err) or type(err).__name__
        record = {"status": "failed", "score": 0.0, "seconds": None, "reason": reason[:500]}
        document = results_document([TestResult(
            name="Batch grading failed", score=0, max_score=assignment.points, status="failed",
            output=f"This submission could not be graded twice in a row ({reason[:300]}); "
                   "staff should grade it by hand or rerun it.")], 0.0)
        write_results(folder / "results.json", document)
    record.update(id=entry.id, students=entry.students, seed=seed, grader_hash=current)
    _write_atomic(folder / "record.json", json.dumps(record, indent=1))
    return record


def _stored_record(folder: Path) -> dict:
    try:
        record = json.loads((folder / "record.json").read_text())
        return record if (folder / "results.json").is_file() else {}
    except (OSError, ValueError):
        return {}


def load_results(out: Path, entry_id: str) -> dict | None:
    """The results.json stored for one submission, if any."""
    try:
        return json.loads((Path(out) / entry_id / "results.json").read_text())
    except (OSError, ValueError):
        return None


def _write_csv(assignment: Assignment, entries: list[Entry], records: dict, out: Path) -> None:
    questions = [q for q in assignment.autograded]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["submission", "students", "status", "score", "max_score", "seconds",
                     *[q.number for q in questions]])
    for entry in entries:
        record = records.get(entry.id) or {}
        document = load_results(out, entry.id) if record else None
        per_question = {}
        for test in (document or {}).get("tests", []):
            number = test.get("number")
            if number:
                per_question[number] = per_question.get(number, 0.0) + test["score"]
        seconds = record.get("seconds")
        writer.writerow([entry.id, entry.students, record.get("status", "not graded"),
                         record.get("score", ""), assignment.points,
                         "" if seconds is None else f"{seconds:.1f}",
                         *[f"{per_question[q.number]:g}" if q.number in per_question else ""
                           for q in questions]])
    _write_atomic(out / "scores.csv", buffer.getvalue())


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _progress_line(done: int, failed: int, total: int, elapsed: float) -> str:
    rate = done / elapsed * 60 if elapsed > 0 else 0.0
    left = total - done
    eta = f", ~{left / rate:.0f} min left" if rate and left else ""
    return f"[{done}/{total}] failed {failed}, left {left}, {rate:.1f}/min{eta}"
