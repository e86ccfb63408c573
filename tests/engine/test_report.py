from graders.report import format_table
from graders.results import TestResult, results_document


def _document():
    return results_document([
        TestResult("2.4 P2(d) xcorr: hidden", 0.5, 1.0, "1 of 2 checks failed:\n- xcorr2d: bad",
                   "2.4", status="failed"),
        TestResult("2.4 P2(d) xcorr: public check", 0, 0, "passed", "2.4"),
        TestResult("3.1 P3 batch norm: hidden", 0.5, 0.5, "passed", "3.1"),
        TestResult("Grading run (staff only)", 0, 0, "seed 1", visibility="hidden"),
    ], 1.0, "3 of 3 code cells ran without error.")


def test_grade_table_has_one_line_per_question_and_the_failure_messages():
    lines = format_table(_document()).splitlines()
    assert lines[0] == "FAIL   0.5/1    2.4 P2(d) xcorr"
    assert "         - xcorr2d: bad" in lines
    assert "ok     0.5/0.5  3.1 P3 batch norm" in lines
    assert "total: 1 / 1.5" in lines
    assert "seed 1" not in "\n".join(lines)  # staff-only entries stay hidden


def test_check_table_shows_pass_or_fail_without_points():
    text = format_table(_document(), show_points=False)
    assert text.splitlines()[0] == "FAIL 2.4 P2(d) xcorr"
    assert "total" not in text
