"""The tables bench_grading.py prints: one notebook in detail, and every notebook in one table."""

from __future__ import annotations

TARGET_RATIO = 1.3
TARGET_MIB = 768
LOADED_SHARE = 0.1  # others' share of the machine's CPU above which a timing is flagged


def row(label: str, grade, plain, fmt: str = ".0f") -> str:
    cells = [format(v, fmt) if isinstance(v, int | float) else str(v) for v in (grade, plain)]
    return f"{label:<36}{cells[0]:>12}{cells[1]:>12}"


def memory_table(mem: dict[str, dict]) -> list[str]:
    """Peak memory of the grade and plain memory runs, by measure and by role."""
    g, p = mem["grade"], mem["plain"]
    lines = [row("peak memory (MiB)", "grade", "plain"),
             row("RSS sum (pages counted per process)", g["rss_sum_mib"], p["rss_sum_mib"]),
             row("PSS sum (shared pages split)", g["pss_sum_mib"], p["pss_sum_mib"]),
             row("USS sum (private pages only)", g["uss_sum_mib"], p["uss_sum_mib"]),
             row("anon sum + largest file RSS", g["anon_plus_max_file_mib"],
                 p["anon_plus_max_file_mib"]),
             row("distinct resident pages (~1/s)", g.get("distinct_mib", "n/a"),
                 p.get("distinct_mib", "n/a"))]
    for role in ("grader", "kernel", "other"):
        cells = []
        for run in (g, p):
            r = run["by_role_mib"][role]
            cells.append(f"{r['rss']:.0f} / {r['pss']:.0f}" if r["rss"] else "-")
        lines.append(row(f"  {role} alone: RSS / PSS peak", *cells))
    for name, run in mem.items():
        split = run.get("pss_sum_split_mib", {})
        lines.append(f"  at the {name} PSS-sum peak (t = {run.get('pss_sum_at_s', 0):.1f} s): "
                     + ", ".join(f"{k} {v:.0f}" for k, v in split.items() if v))
    return lines


def peak_mib(run: dict) -> tuple[str, float]:
    """The best available figure to hold against a container's limit, and its name."""
    for label, key in (("distinct resident", "distinct_mib"), ("PSS sum", "pss_sum_mib"),
                       ("RSS sum", "rss_sum_mib")):
        if key in run:
            return label, run[key]
    return "none", float("nan")


def timing_lines(record: dict) -> list[str]:
    """Medians of the timed runs, their ratio and the others' load during them."""
    g, p = record["median"]["grade"], record["median"]["plain"]
    runs = record["timed_runs"]
    every = {n: ", ".join(f"{r['wall_s']:.1f}" for r in rs) for n, rs in runs.items()}
    life = {n: m["kernel_last_seen_s"] - m["kernel_first_seen_s"]
            for n, m in record["median"].items()}
    ratio = record["ratio"]
    return [row(f"wall time, median of {record['repeats']} (s)", "grade", "plain"),
            row("total", g["wall_s"], p["wall_s"], ".2f"),
            row("  start -> kernel process seen", g["kernel_first_seen_s"],
                p["kernel_first_seen_s"], ".2f"),
            row("  kernel alive", life["grade"], life["plain"], ".2f"),
            row("  kernel gone -> exit", g["after_kernel_s"], p["after_kernel_s"], ".2f"),
            row("CPU time, user + sys, whole tree", g["cpu_s"], p["cpu_s"], ".2f"),
            row("others' share of the CPU", g["others_cpu_share"], p["others_cpu_share"],
                ".2f"),
            f"  every run (s): grade {every['grade']}; plain {every['plain']}",
            f"ratio grade / plain: {ratio:.2f} (target <= {TARGET_RATIO}: "
            f"{'ok' if ratio <= TARGET_RATIO else 'OVER'}); of the fastest runs: "
            f"{record['ratio_of_fastest']:.2f}; of CPU times: {g['cpu_s'] / p['cpu_s']:.2f}"
            + ("; LOADED: others used the CPU meanwhile" if record["loaded"] else "")]


def detail(record: dict) -> list[str]:
    """Everything measured for one grading (one notebook or one folder of them)."""
    lost = record["tests_not_full"]
    lines = [f"\n== {record['assignment']}: {', '.join(record['notebooks'])} ==",
             f"score of the solution: {record['score']}"
             + (f" (not full marks: {len(lost)} tests, e.g. {lost[0]!r}; the questions of "
                "notebooks not given score 0)" if lost else ""), ""]
    if record["repeats"]:
        lines += timing_lines(record) + [""]
    mem = record["memory_runs"]
    lines += memory_table(mem)
    label, peak = peak_mib(mem["grade"])
    lines.append(f"grade peak, {label}: {peak:.0f} MiB (target <= {TARGET_MIB} MiB: "
                 f"{'ok' if peak <= TARGET_MIB else 'OVER'})")
    lines.append("processes of the grade memory run:")
    for proc in mem["grade"]["processes"]:
        lines.append(f"  {proc['role']:<7}{proc['user']:<8} {proc['seen_s'][0]:>5.1f}-"
                     f"{proc['seen_s'][1]:<5.1f}s  RSS {proc['peak_rss_mib']:>5.0f}  "
                     f"PSS {proc['peak_pss_mib']:>5.0f}  USS {proc['peak_uss_mib']:>5.0f}  "
                     f"{proc['cmd'][:70]}")
    if record.get("breakdown"):
        lines.append(f"breakdown, median of {record['repeats'] or 1} (s):")
        lines += [f"  {key:<32}{value:>8.2f}" for key, value in record["breakdown"].items()]
    return lines


def summary(records: list[dict]) -> list[str]:
    """One Markdown row per grading: times, ratio, peak memory and the verdicts."""
    lines = ["| assignment | notebook | score | grade (s) | plain (s) | ratio | "
             "peak, grade + kernel (MiB) | kernel alone (MiB) |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in records:
        mem = r["memory_runs"]["grade"]
        _, peak = peak_mib(mem)
        if r["repeats"]:
            g, p = r["median"]["grade"]["wall_s"], r["median"]["plain"]["wall_s"]
            times = [f"{g:.1f}", f"{p:.1f}", f"{r['ratio']:.2f}"
                     + ("" if r["ratio"] <= TARGET_RATIO else " OVER")
                     + (" (loaded)" if r["loaded"] else "")]
        else:
            times = ["-", "-", "-"]
        kernel = mem["by_role_mib"]["kernel"].get("pss", mem["by_role_mib"]["kernel"]["rss"])
        lines.append(f"| {r['assignment']} | {', '.join(r['notebooks'])} | {r['score']} | "
                     + " | ".join(times) + f" | {peak:.0f}"
                     + ("" if peak <= TARGET_MIB else " OVER") + f" | {kernel:.0f} |")
    return lines
