import io
import os

import nbformat
import numpy as np
import pytest

from graders.codec import check_status, decode, npy_bytes
from graders.errors import StudentError
from graders.kernel import AsTorch, KernelSession, Limits, Ref
from graders.results import markdown


def _reply(*files):
    return {"kind": "seq", "items": [{"kind": "array", "file": f} for f in files]}


def test_arrays_are_read_without_pickle_and_keep_their_shape(tmp_path):
    np.save(tmp_path / "ok.npy", np.arange(6.0).reshape(2, 3), allow_pickle=False)
    np.save(tmp_path / "zero.npy", np.array(2.5), allow_pickle=False)
    got, zero = decode(tmp_path, _reply("ok.npy", "zero.npy"), 2**20, "f")
    np.testing.assert_array_equal(got, np.arange(6.0).reshape(2, 3))
    assert zero.shape == () and zero == 2.5
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(StudentError, match="unsupported type"):
        decode(tmp_path, _reply("obj.npy"), 2**20, "f")


def test_zero_d_arrays_are_sent_as_zero_d():
    assert np.load(io.BytesIO(npy_bytes(np.array(3.0)))).shape == ()
    assert np.load(io.BytesIO(npy_bytes(np.ones((3, 2)).T))).shape == (2, 3)


def test_links_odd_names_and_huge_results_are_refused(tmp_path):
    secret = tmp_path / "secret.npy"
    np.save(secret, np.ones(3))
    io_dir = tmp_path / "io"
    io_dir.mkdir()
    os.symlink(secret, io_dir / "out0.npy")
    with pytest.raises(StudentError, match="could not be read back"):
        decode(io_dir, _reply("out0.npy"), 2**20, "f")
    for name in ("../secret.npy", ".hidden.npy", "", 3):
        with pytest.raises(StudentError, match="invalid or repeated result file"):
            decode(io_dir, _reply(name), 2**20, "f")
    np.save(io_dir / "big.npy", np.zeros(1000))
    with pytest.raises(StudentError, match="over 0 MB of arrays"):
        decode(io_dir, _reply("big.npy"), 100, "f")


def test_decode_turns_unsupported_values_into_student_errors(tmp_path):
    one = {"kind": "seq", "items": [{"kind": "json", "value": 1}]}
    assert decode(tmp_path, one, 1, "f") == [1]
    with pytest.raises(StudentError, match="f returned \ue000generator\ue001"):
        decode(tmp_path, {"kind": "unsupported", "type": "generator"}, 1, "f")
    with pytest.raises(StudentError, match="malformed result"):
        decode(tmp_path, "forged", 1, "f")
    for status in ("forged", {"status": "raised"}, {"status": "ok"}, ["ok"], {"status": 1}):
        with pytest.raises(StudentError, match="malformed reply"):
            check_status(status, "f")


@pytest.fixture(scope="module")
def session():
    cells = [
        "import numpy as np\nimport torch",
        "def add(a, b):\n    return a + b",
        "def pair(x):\n    return x.sum(), (np.int64(3), [1.5, None])",
        "def double(t):\n    return 2 * t",
        "def boom():\n    raise ValueError('bad input')",
        "def spin():\n    while True:\n        pass",
        "def die():\n    import os\n    os._exit(3)",
        "def shape_of(model, extra):\n    return model.shape",
        "weights = np.ones((4, 2))",
        "print('x' * 10_000_000)",
    ]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    limits = Limits(cell_timeout=30, call_timeout=5, max_output_bytes=2**20)
    kernel = KernelSession(nb, limits)
    kernel.run_notebook()
    yield kernel
    kernel.close()


@pytest.mark.slow
def test_calls_return_plain_data(session):
    assert [run.status for run in session.cells] == ["ok"] * 10
    np.testing.assert_array_equal(session.call("add", np.ones(3), np.arange(3.0)), [1, 2, 3])
    total, rest = session.call("pair", np.arange(4.0))
    assert total == 6.0 and rest == [3, [1.5, None]]
    np.testing.assert_array_equal(session.call("double", AsTorch(np.ones(2))), [2.0, 2.0])
    assert session.call("double", AsTorch(np.array(1.5))).shape == ()  # 0-d both ways
    assert session.call("shape_of", np.array(1.0), extra=0) == []  # a 0-d argument arrives 0-d
    assert session.call("shape_of", Ref("weights"), extra=1,
                        code="lambda f, model, extra: model.shape") == [4, 2]


@pytest.mark.slow
def test_failures_become_student_errors_and_the_kernel_recovers(session):
    with pytest.raises(StudentError, match="missing is not defined"):
        session.call("missing")
    with pytest.raises(StudentError) as err:
        session.call("boom")
    assert markdown(str(err.value)) == "boom raised ValueError: bad input"
    with pytest.raises(StudentError, match="spin did not return within 5 s"):
        session.call("spin")
    assert session.call("add", 1, 2) == 3  # interrupted, still alive
    with pytest.raises(StudentError, match="die killed the kernel"):
        session.call("die")
    assert session.call("add", 2, 2) == 4  # restarted and the notebook replayed
    assert session.restarts == 1


@pytest.mark.slow
def test_huge_output_is_discarded_not_kept(session):
    assert session.output_truncated
    outputs = [out for cell in session.nb.cells for out in cell.get("outputs", [])]
    kept = sum(len(out.get("text", "")) for out in outputs)
    assert kept <= 2**20
