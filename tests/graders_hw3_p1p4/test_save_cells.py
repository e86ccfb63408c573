"""The templates' save cells: they write the files the graders read, tagged `train` (skipped when
grading), and print the record `dlgrade check` compares (no kernel: the cells run in-process)."""

import contextlib
import io
import os
from pathlib import Path

import nbformat
import pytest

from graders.csci5527_hw3 import probes
from graders.weights import read_safetensors, weights_problems
from reference import mnist_classifier, transfer

MODELS = {"hw3_p1.ipynb": [probes.p1_model(name) for name in probes.P1_OPTIMIZERS],
          "hw3_p4.ipynb": [probes.P4_MODEL]}


@pytest.mark.parametrize("name", sorted(MODELS))
def test_the_save_cell_writes_what_the_grader_reads_and_check_accepts(hw3, name, tmp_path):
    nb = nbformat.read(hw3.template_of(name), as_version=4)
    assert nb.metadata["dlgrade"]["weights"] == [spec.weights for spec in MODELS[name]]
    training = [c for c in nb.cells if "train" in c.metadata.get("tags", [])]
    assert len(training) == 2 and "save_file" in training[-1].source
    models = {"hw3_p1.ipynb": {"p1_runs": {n: {"model": mnist_classifier.mnist_mlp()}
                                           for n in probes.P1_OPTIMIZERS}},
              "hw3_p4.ipynb": {"p4_model": transfer.build_model("finetune", pretrained=False)}}
    out = io.StringIO()
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        with contextlib.redirect_stdout(out):
            exec(training[-1].source, {"Path": Path, **models[name]})
    finally:
        os.chdir(cwd)
    nb.cells[-1].outputs = [nbformat.v4.new_output("stream", name="stdout", text=out.getvalue())]
    nbformat.write(nb, tmp_path / name)
    assert weights_problems(tmp_path / name) == []
    for spec in MODELS[name]:
        assert read_safetensors(tmp_path / spec.weights)
    (tmp_path / MODELS[name][0].weights).write_bytes(b"retrained since")
    assert "is stale" in weights_problems(tmp_path / name)[0]
