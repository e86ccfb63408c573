"""Red team: a hostile student against the comparison, the reply codec, the kernel's messages,
the notebook reader and the text of results.json.

The fast tests attack each defence directly (no kernel, well under a second each). The slow one
grades a single hw3.ipynb that carries every attack at once (tests/redteam/codec_notebook.py):
its results.json must be valid and under 1 MB, no question may score above what the notebook
honestly earns, the questions not attacked keep their points, and the grader's memory stays
bounded.
"""

import io
import json
import os
import re
import time

import jsonschema
import nbformat
import numpy as np
import pytest
from jupyter_client.session import Session

from graders.codec import check_status, decode, npy_bytes
from graders.compare import as_pair, assert_close, relative_difference
from graders.csci5527_hw3.test_p1 import _agreeing_steps
from graders.errors import StudentError, staff_message
from graders.kernel_output import PROBE_MIME, CappedClient, GuardedSession
from graders.notebook import load_notebook, parse_cell
from graders.results import (
    MAX_RESULTS_BYTES,
    RESULTS_SCHEMA,
    TestResult,
    code_span,
    results_document,
)
from graders.staff.solve import solution_notebook
from tests.graders.conftest import full_points, grade_nb, hw3, question_scores  # noqa: F401
from tests.graders.notebooks import slim
from tests.graders.test_bad_input_e2e import _PeakRss
from tests.redteam.codec_notebook import (
    HONEST,
    INJECTION,
    attack_notebook,
    deep_json,
    deep_metadata_notebook,
    nested,
)

RNG = np.random.default_rng(5)


# -- the comparison ---------------------------------------------------------------------------
def test_an_entry_of_1e200_does_not_overflow_into_a_pass():
    expected = RNG.standard_normal((6, 5))
    got = np.zeros_like(expected)
    got[0, 0] = 1e200
    assert np.isfinite(relative_difference(got, expected))
    with pytest.raises(StudentError, match="relative difference 1.00e\\+00"):
        assert_close("f", got, expected)
    assert relative_difference(expected * 1e300, expected * 1e300) == 0.0  # no overflow either


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_fail_unless_expected_in_the_same_places(bad):
    expected = RNG.standard_normal(8)
    with pytest.raises(StudentError, match="the result has"):
        assert_close("f", np.full(8, bad), expected)
    both = expected.copy()
    both[3] = bad
    assert_close("f", both.copy(), both)  # the same non-finite entry where expected: fine
    moved = both.copy()
    moved[[3, 4]] = moved[[4, 3]]
    with pytest.raises(StudentError):
        assert_close("f", moved, both)


def test_the_tolerance_is_the_graders_not_the_dtype_returned():
    expected = RNG.standard_normal((20, 20))
    wrong = expected * (1 + 3e-3)  # a wrong norm: 0.3% off
    for dtype in (np.float16, np.float32, np.float64):
        with pytest.raises(StudentError):
            assert_close("layer_norm", wrong.astype(dtype), expected)
    assert_close("f", expected.astype(np.float32), expected)  # a correct float32 answer passes
    assert_close("f", expected.astype(np.float32), expected.astype(np.float32) * (1 + 5e-5))


def test_messages_show_the_digits_where_values_differ():
    with pytest.raises(StudentError) as err:
        assert_close("f", np.array([1.00000005]), np.array([1.00000001]), tolerance=1e-9)
    assert "got 1.00000005, expected 1.00000001" in staff_message(str(err.value))


@pytest.mark.parametrize("got", [[np.nan] * 6, [1e200] * 6, np.float16])
def test_optimizer_steps_cannot_be_faked(got):
    expected = [[RNG.standard_normal((2, 3))] for _ in range(4)]
    if got is np.float16:
        steps = [[(w[0] * (1 + 1e-3)).astype(np.float16)] for w in expected]
    else:
        steps = [[np.array(got).reshape(2, 3)] for _ in expected]
    agreed, why = _agreeing_steps("Adam", steps, expected, "")
    assert agreed == 0 and "Adam: parameters differ" in why


@pytest.mark.parametrize("pair", [(3, 4), [3, 4], np.array([3, 4]), [np.int64(3), np.int64(4)],
                                  np.array([[3], [4]]), [np.array(3.0), np.array(4.0)]])
def test_every_form_of_a_pair_is_the_same_answer(pair):
    assert as_pair(pair, "match_template") == (3, 4)


def test_a_scalar_is_a_scalar_in_every_form():
    for got in (0.5, np.float32(0.5), np.array(0.5), np.array([0.5])):
        assert_close("accuracy", got, np.float64(0.5))
    with pytest.raises(StudentError, match="expected a pair"):
        as_pair(np.arange(3), "match_template")


# -- replies from the kernel ------------------------------------------------------------------
def _array(file: str) -> dict:
    return {"kind": "array", "file": file}


def test_a_reply_nested_100000_deep_is_refused_without_recursion(tmp_path):
    reply: dict = {"kind": "json", "value": 1}
    for _ in range(100_000):
        reply = {"kind": "seq", "items": [reply]}
    with pytest.raises(StudentError, match="nested deeper than"):
        decode(tmp_path, reply, 2**20, "f")


def test_a_30_gb_npy_header_is_refused_before_anything_is_allocated(tmp_path):
    forged = io.BytesIO()
    np.lib.format.write_array_header_1_0(forged, {"descr": "<f8", "fortran_order": False,
                                                  "shape": (4_000_000_000,)})
    (tmp_path / "out0.npy").write_bytes(forged.getvalue() + bytes(64))
    with pytest.raises(StudentError, match="does not match its array header"):
        decode(tmp_path, _array("out0.npy"), 2**30, "f")
    long_header = b"\x93NUMPY\x02\x00" + (2**31).to_bytes(4, "little") + b"{" * 1000
    (tmp_path / "out1.npy").write_bytes(long_header)
    with pytest.raises(StudentError, match="not a readable array"):
        decode(tmp_path, _array("out1.npy"), 2**30, "f")


def test_a_fifo_as_result_file_does_not_block(tmp_path):
    os.mkfifo(tmp_path / "out0.npy")
    started = time.monotonic()
    with pytest.raises(StudentError, match="not a regular file"):
        decode(tmp_path, _array("out0.npy"), 2**20, "f")
    assert time.monotonic() - started < 1


def test_a_file_named_many_times_is_refused(tmp_path):
    np.save(tmp_path / "out0.npy", np.zeros(2**17))
    reply = {"kind": "seq", "items": [_array("out0.npy")] * 200}
    with pytest.raises(StudentError, match="invalid or repeated result file"):
        decode(tmp_path, reply, 256 * 2**20, "f")


@pytest.mark.parametrize("status", [None, [], "ok", {"status": "ok"}, {"status": 5},
                                    {"status": "raised", "error": ["x"]}, {"status": "weird"}])
def test_malformed_statuses_are_the_students_error(status):
    with pytest.raises(StudentError, match="malformed reply"):
        check_status(status, "f")


@pytest.mark.parametrize("result", [{"kind": "json", "value": [1]}, {"kind": "seq"},
                                    {"kind": "dict", "items": []}, {"kind": "array"},
                                    {"kind": "json", "value": "x" * 20_000}, {"kind": "lambda"}])
def test_malformed_results_are_the_students_error(tmp_path, result):
    with pytest.raises(StudentError):
        decode(tmp_path, result, 2**20, "f")


def test_a_huge_exception_text_is_cut():
    status = check_status({"status": "raised", "error": "E" * 20_000_000}, "f")
    assert len(status["error"]) == 2_000


def test_zero_d_values_keep_their_shape_both_ways(tmp_path):
    (tmp_path / "out0.npy").write_bytes(npy_bytes(np.array(7.0)))
    assert decode(tmp_path, _array("out0.npy"), 2**20, "f").shape == ()


# -- messages from the kernel -----------------------------------------------------------------
def _signed(session: Session, msg_type: str, content: bytes) -> list[bytes]:
    """A message as the student's kernel could send it: signed, content as raw bytes."""
    msg = session.msg(msg_type, content={}, parent={"msg_id": "cell-1"})
    parts = [session.pack(msg["header"]), session.pack(msg["parent_header"]),
             session.pack(msg["metadata"]), content]
    return [session.sign(parts), *parts]


@pytest.mark.parametrize(("msg_type", "content", "says"), [
    ("display_data", b'{"data": {"text/plain": ' + deep_json(100_000).encode() + b"}}",
     "recursion"),
    ("display_data", json.dumps({"data": {"x": nested(100)}, "metadata": {}}).encode(),
     "levels"),
    ("status", b"{}", "status message"),
    ("error", b'{"ename": 1}', "error message"),
    ("display_data", b'{"data": {}, "metadata": {}, "transient": {"display_id": [1]}}',
     "display id"),
    ("execute_reply", b"{}", "execute reply"),
    ("execute_result", b'{"data": {}, "metadata": {}}', "execution count"),
    ("display_data", b'{"data": {}}', "without data and metadata"),
    ("stream", b'{"name": "stdout", "text": "' + b"x" * (17 * 2**20) + b'"}', "17 mb"),
])
def test_hostile_messages_become_notes_not_crashes(msg_type, content, says):
    session = GuardedSession(key=b"secret")
    msg = session.deserialize(_signed(session, msg_type, content))
    assert msg["parent_header"] == {"msg_id": "cell-1"}  # the note goes to the right cell
    note = msg["content"].get("text") or msg["content"].get("evalue")
    assert "discarded" in note and says in note.lower(), note
    if msg_type in ("execute_reply", "error"):
        assert msg["content"]["status"] == "error"  # the cell still counts as failed


def _client() -> CappedClient:
    from jupyter_client import AsyncKernelManager

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x"),
                                         nbformat.v4.new_code_cell("")])  # the last: calls
    client = CappedClient(nb, km=AsyncKernelManager())
    client.max_output_bytes = 1000
    client.reset_execution_trackers()
    client.clear_before_next_output = False  # set by execute_cell, which these tests skip
    return client


def _output(client, kind: str, content: dict, cell: int = 0, parent: str = "m"):
    outs = client.nb.cells[cell].setdefault("outputs", [])
    msg = {"msg_type": kind, "header": {"msg_type": kind}, "parent_header": {"msg_id": parent},
           "content": content, "metadata": {}}
    client.output(outs, msg, None, cell)
    return outs


def test_text_is_capped_but_images_are_kept():
    client = _client()
    _output(client, "stream", {"name": "stdout", "text": "x" * 5000})
    outs = _output(client, "display_data", {"data": {"text/plain": "<Figure>",
                                                     "image/png": "iVBOR"}, "metadata": {}})
    assert client.truncated and client.kept_bytes == 1000
    assert outs[-1]["data"] == {"image/png": "iVBOR"}


def test_probe_outputs_and_tracebacks_count_toward_the_caps():
    client = _client()
    reply = {"status": "ok", "result": {"kind": "json", "value": "x" * 100}}
    for _ in range(50):  # in a student's cell: dropped
        outs = _output(client, "display_data", {"data": {PROBE_MIME: reply}, "metadata": {}})
    assert outs == []
    client.max_reply_bytes = 1000
    for _ in range(50):  # in a call cell: one call's replies are bounded
        calls = _output(client, "display_data", {"data": {PROBE_MIME: reply}, "metadata": {}},
                        cell=1)
    assert 0 < len(calls) <= 1000 // len(json.dumps(reply))
    error = {"ename": "ValueError", "evalue": "E" * 50_000, "traceback": ["T" * 50_000] * 20}
    outs = _output(client, "error", error)
    assert outs[-1]["traceback"] == [] and len(outs[-1]["evalue"]) == 2000


# -- hostile notebooks ------------------------------------------------------------------------
def test_a_200000_term_cell_parses_as_none_not_as_a_crash():
    assert parse_cell("x = " + "+".join(["1"] * 200_000)) is None
    assert parse_cell("x = " + "+".join(["1"] * 500)) is None  # a recursive visitor would fail
    assert parse_cell("x = " + "+".join(["1"] * 50)) is not None


@pytest.fixture(scope="module")
def solution(hw3):  # noqa: F811 - the fixture imported above
    return slim(solution_notebook(hw3))


def test_deep_metadata_is_dropped_or_refused_clearly(solution, tmp_path):
    path = tmp_path / "hw3.ipynb"
    path.write_bytes(deep_metadata_notebook(solution, 300))
    assert "deep" not in load_notebook(path).metadata  # dropped; the code is graded
    path.write_bytes(deep_metadata_notebook(solution, 100_000))
    with pytest.raises(StudentError, match="nests its JSON too deeply"):
        load_notebook(path)


def test_a_notebook_too_deep_to_read_gets_a_valid_results_json(grade_nb, solution, tmp_path):  # noqa: F811
    doc = grade_nb(deep_metadata_notebook(solution, 100_000), tmp_path)
    assert doc["score"] == 0
    assert doc["output"].count("nests its JSON too deeply") == 1  # said once, at the top
    assert all(t["output"].startswith("Not run: hw3.ipynb could not be graded")
               for t in doc["tests"] if t["visibility"] == "visible" and t["number"])


# -- results.json -----------------------------------------------------------------------------
def _visible_markup(text: str) -> str:
    """What a Markdown viewer would interpret: `text` without its code spans and blocks."""
    text = re.sub(r"(?ms)^(`{3,})text\n.*?^\1$", "", text)
    return re.sub(r"(`+).*?\1", "", text)


def test_student_text_is_inert_and_results_stay_under_1_mb():
    tests = [TestResult("injection", 0, 1, f"f raised {code_span(INJECTION * 3)} (called)",
                        status="failed"),
             TestResult("unmarked", 0, 1, INJECTION + "# passed 8.5/8.5\n> quote", status="failed"),
             TestResult("flood", 0, 1, "x" * 9 * 2**20, status="failed")]
    document = results_document(tests, 1.0, "summary " + INJECTION)
    jsonschema.validate(document, RESULTS_SCHEMA)
    text = json.dumps(document)
    assert len(text) <= MAX_RESULTS_BYTES and "characters cut" in text
    assert "\\u001b" not in text
    for test in document["tests"]:
        assert test["output_format"] == "md"
        markup = _visible_markup(test["output"])
        assert "<img" not in markup and "](" not in markup.replace("\\](", "")
        assert not re.search(r"(?m)^\s{0,3}[#>]", markup), markup
    assert "**passed 1.0/1.0**" in document["tests"][0]["output"]  # shown, as code


# -- one grading, every attack ----------------------------------------------------------------
@pytest.mark.slow
def test_a_notebook_of_attacks_earns_its_honest_score_and_no_more(
        grade_nb, solution, tmp_path, question_scores, full_points):  # noqa: F811
    nb = attack_notebook(solution)
    grade_nb(b"warm-up", tmp_path)  # the imports of a first grading, without a kernel
    started = time.monotonic()
    with _PeakRss() as rss:
        doc = grade_nb(nb, tmp_path)
    elapsed = time.monotonic() - started
    scores = question_scores(doc)
    assert scores == HONEST, doc
    assert all(HONEST[q] <= full_points[q] for q in HONEST)
    results = tmp_path / "results" / "results.json"
    assert results.stat().st_size <= MAX_RESULTS_BYTES
    assert "\\u001b" not in results.read_text()  # no escape character anywhere
    for test in doc["tests"]:
        assert "<img" not in _visible_markup(test["output"]), test["output"]
    assert "**passed 1.0/1.0**" not in doc["output"].splitlines()  # no fake summary line
    assert rss.growth < 512 * 2**20, f"the grader grew by {rss.growth / 2**20:.0f} MB"
    print(f"\nattack notebook: graded in {elapsed:.0f} s, grader grew by "
          f"{rss.growth / 2**20:.0f} MB, results.json {results.stat().st_size} bytes")
    outputs = {t["name"]: t["output"] for t in doc["tests"]}
    assert any("gave no result" in o or "malformed" in o for o in outputs.values())
