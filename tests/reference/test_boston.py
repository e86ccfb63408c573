"""reference.boston: the fixed split of mlxtend's table and 15 epochs of training on it."""

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from mlxtend.data import boston_housing_data

from reference.boston import load_boston_split, mse, train_boston
from reference.logcosh_net import net_forward

TEMPLATE = Path(__file__).parents[2] / "student_templates" / "comp499_a1" / "a1.ipynb"


@pytest.fixture(scope="module")
def split():
    return load_boston_split()


@pytest.fixture(scope="module")
def trained(split):
    return train_boston(*split)


def test_split_is_fixed_disjoint_and_standardized(split):
    x_train, y_train, x_test, y_test = split
    assert x_train.shape == (405, 13) and x_test.shape == (101, 13)
    assert y_train.shape == (405,) and y_test.shape == (101,)
    assert all(t.dtype == torch.float32 for t in split)
    torch.testing.assert_close(x_train.mean(0), torch.zeros(13), atol=1e-5, rtol=0)
    torch.testing.assert_close(x_train.std(0, correction=0), torch.ones(13), atol=1e-5, rtol=0)
    _, y = boston_housing_data()
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == pytest.approx(sorted(y.tolist()))
    for a, b in zip(split, load_boston_split()):
        assert torch.equal(a, b)


def test_the_template_loads_the_same_split(split):
    """The notebook's data cell is given code; it must build exactly the grader's split."""
    cells = json.loads(TEMPLATE.read_text())["cells"]
    source = next("".join(c["source"]) for c in cells
                  if "boston_housing_data" in "".join(c["source"]))
    namespace = {"np": np, "torch": torch}  # what the notebook's first cell imports
    exec(source, namespace)  # our own template's given cell
    names = ("x_train_boston", "y_train_boston", "x_test_boston", "y_test_boston")
    for name, expected in zip(names, split):
        assert torch.equal(namespace[name], expected), name


def test_mse_is_the_mean_squared_error(split, trained):
    params, _ = trained
    x_train, y_train, _, _ = split
    residual = net_forward(params, x_train).double() - y_train.double()
    assert mse(params, x_train, y_train) == pytest.approx(residual.square().mean().item(), rel=1e-5)


def test_fifteen_epochs_fit_the_data(split, trained):
    params, history = trained
    _, y_train, x_test, y_test = split
    assert [len(history["train_mse"]), len(history["test_mse"])] == [15, 15]
    assert history["test_mse"][-1] == pytest.approx(mse(params, x_test, y_test))
    baseline = (y_test - y_train.mean()).square().mean().item()  # predict the mean price
    assert history["test_mse"][-1] < 0.25 * baseline
    assert history["train_mse"][-1] < 0.5 * history["train_mse"][0]
    assert {k: tuple(v.shape) for k, v in params.items()} == {
        "W1": (20, 13), "b1": (20,), "w2": (20,), "b2": ()}
    assert not any(v.requires_grad for v in params.values())
