"""Submitted weights: safetensors read without pickle, bad files refused with a clear message,
and `dlgrade check`'s missing/stale record."""

import json
import pickle

import nbformat
import numpy as np
import pytest
import torch
from safetensors.torch import save_file

from graders.errors import StudentError
from graders.weights import read_safetensors, sha256, weights_problems


class _Trap:
    """Unpickling this creates the file `path`: proof that something unpickled it."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return open, (str(self.path), "w")


def test_reads_what_safetensors_writes_dtypes_and_0d_included(tmp_path):
    state = {"w": torch.randn(3, 4), "b": torch.randn(4, dtype=torch.float64),
             "h": torch.randn(2, 2).half(), "steps": torch.tensor(7), "mask": torch.ones(2) > 0}
    save_file(state, tmp_path / "m.safetensors")
    got = read_safetensors(tmp_path / "m.safetensors")
    assert sorted(got) == sorted(state)
    for name, tensor in state.items():
        assert got[name].shape == tuple(tensor.shape)
        np.testing.assert_array_equal(got[name], tensor.numpy())


@pytest.mark.parametrize("how", ["pickle", "torch.save"])
def test_a_pickle_disguised_as_weights_is_refused_without_being_unpickled(tmp_path, how):
    trap = tmp_path / "unpickled"
    path = tmp_path / "p1_Adam.safetensors"
    if how == "pickle":
        path.write_bytes(pickle.dumps({"w": _Trap(trap)}))
    else:
        torch.save({"w": _Trap(trap)}, path)
    with pytest.raises(StudentError, match="p1_Adam.safetensors is a pickle or a torch.save "
                                           "archive, not safetensors; the grader never opens"):
        read_safetensors(path)
    assert not trap.exists()


def _file(tmp_path, header: dict, body: bytes = b""):
    raw = json.dumps(header).encode()
    path = tmp_path / "w.safetensors"
    path.write_bytes(len(raw).to_bytes(8, "little") + raw + body)
    return path


@pytest.mark.parametrize(("header", "body", "says"), [
    ({"w": {"dtype": "BF16", "shape": [2], "data_offsets": [0, 4]}}, b"\0" * 4,
     "w has dtype BF16, which the grader does not read; save the weights as float32"),
    ({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}}, b"\0" * 8,
     "the data of w does not match its shape (4,)"),
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, b"\0" * 8,
     "the data of w does not match its shape (2,)"),
    ({"w": {"dtype": "F32", "shape": [1]}}, b"", "the entry for 'w' is malformed"),
    ({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}},
     np.array([1.0, np.nan], dtype="<f4").tobytes(),
     "w holds NaN or infinite values (training diverged?)"),
])
def test_bad_files_get_a_message_that_names_the_tensor(tmp_path, header, body, says):
    with pytest.raises(StudentError) as err:
        read_safetensors(_file(tmp_path, header, body))
    assert says in str(err.value)


@pytest.mark.parametrize("data", [b"", b"\x05\0\0\0\0\0\0\0abc", b"not weights at all"])
def test_a_file_that_is_not_safetensors(tmp_path, data):
    path = tmp_path / "p4_model.safetensors"
    path.write_bytes(data)
    with pytest.raises(StudentError, match="p4_model.safetensors is not a safetensors file: save "
                                           "it with safetensors.torch.save_file"):
        read_safetensors(path)


def test_a_link_is_not_followed(tmp_path):
    (tmp_path / "p4_model.safetensors").symlink_to("/etc/passwd")
    with pytest.raises(StudentError, match="could not be opened"):
        read_safetensors(tmp_path / "p4_model.safetensors")


def test_check_says_which_weights_are_missing_unsaved_or_stale(tmp_path):
    files = ["a.safetensors", "b.safetensors", "c.safetensors", "d.safetensors"]
    for name in files[1:]:
        save_file({"w": torch.zeros(2)}, tmp_path / name)
    printed = "".join(f"saved {name} sha256:{sha256(tmp_path / name)}\n" for name in files[2:])
    (tmp_path / "d.safetensors").write_bytes(b"changed since")
    cell = nbformat.v4.new_code_cell("save", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text=printed)])
    nb = nbformat.v4.new_notebook(cells=[cell], metadata={"dlgrade": {"weights": files}})
    nbformat.write(nb, tmp_path / "hw.ipynb")
    assert weights_problems(tmp_path / "hw.ipynb") == [
        "a.safetensors is missing beside hw.ipynb: run the save cell, then submit the file with "
        "the notebook",
        "b.safetensors: the notebook has no record of saving it (the save cell prints one); run "
        "the save cell again",
        f"d.safetensors is stale: it is not the file the notebook last saved (sha256 "
        f"{printed.splitlines()[1][-64:][:12]}...); run the save cell again",
    ]
