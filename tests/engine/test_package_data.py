"""`dlgrade autograder --data DIR`: the test splits an assignment needs go into the zip, nothing
else; setup.sh installs them root-only (the kernel must never read the labels)."""

import stat
import subprocess
import zipfile
from pathlib import Path

import numpy as np

from graders.assignments import load_assignment
from graders.staff.package import build_autograder_zip
from tests.graders_hw3_p1p4.trained_models import write_idx
from tests.reference.test_transfer import make_chest_xray

ROOT = Path(__file__).resolve().parents[2]


def _data(folder: Path) -> Path:
    (folder / "mnist").mkdir(parents=True)
    for name in ("t10k-images-idx3-ubyte", "train-images-idx3-ubyte"):
        write_idx(folder / "mnist" / name, np.zeros((2, 28, 28), "uint8"))
    write_idx(folder / "mnist" / "t10k-labels-idx1-ubyte", np.zeros(2, "uint8"))
    make_chest_xray(folder / "chest_xray", counts={"train": (1, 1), "test": (1, 2)})
    return folder


def test_the_zip_holds_the_test_splits_only(tmp_path, capsys):
    data = _data(tmp_path / "data")
    out = build_autograder_zip(load_assignment("csci5527_hw3"), tmp_path / "a.zip", data=data,
                               fetch=("cifar10",))
    names = zipfile.ZipFile(out).namelist()
    assert sorted(n for n in names if n.startswith("data/")) == [
        "data/chest_xray/test/NORMAL/0.jpeg", "data/chest_xray/test/PNEUMONIA/0.jpeg",
        "data/chest_xray/test/PNEUMONIA/1.jpeg", "data/mnist/t10k-images-idx3-ubyte",
        "data/mnist/t10k-labels-idx1-ubyte"]
    assert zipfile.ZipFile(out).read("FETCH_DATA") == b"cifar10\n"
    assert "bundled mnist: 2 files" in capsys.readouterr().err


def test_a_missing_test_split_is_warned_about(tmp_path, capsys):
    build_autograder_zip(load_assignment("csci5527_hw3"), tmp_path / "a.zip", data=tmp_path)
    err = capsys.readouterr().err
    assert f"warning: {tmp_path / 'chest_xray'} does not hold the test/ folder of Kaggle's" in err
    assert "its questions will be reported as not graded" in err


def test_setup_installs_the_bundled_data_for_root_only(tmp_path):
    source = tmp_path / "source"
    _data(source / "data")
    target = tmp_path / "autograder-data"
    function = subprocess.run(["sed", "-n", "/^install_test_data()/,/^}/p",
                               str(ROOT / "setup.sh")], capture_output=True, text=True).stdout
    subprocess.run(["bash", "-euc", f'{function}\ninstall_test_data "$1"', "_", str(target)],
                   cwd=source, check=True)
    installed = target / "mnist" / "t10k-labels-idx1-ubyte"
    assert installed.read_bytes() == (source / "data" / "mnist" / installed.name).read_bytes()
    for path in [target, *target.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
