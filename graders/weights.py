"""Weights a student submits beside the notebook: safetensors files, read without any pickle.

The grader reads the format itself (an 8-byte little-endian header length, a JSON header
`{name: {"dtype", "shape", "data_offsets"}}`, then raw little-endian data): nothing in the file
is ever executed or unpickled, and a file that is a pickle (`torch.save`, `pickle.dump`) is
refused by its first bytes. The template's save cell prints `saved FILE sha256:HEX`; `dlgrade
check` compares that record with the file on disk to say when it is missing or stale.
"""

import hashlib
import json
import os
import re
import stat
from pathlib import Path

import numpy as np

from graders.errors import StudentError

MAX_WEIGHTS_BYTES = 512 * 2**20
MAX_HEADER_BYTES = 16 * 2**20
MAX_TENSORS = 10_000
DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "I16": "<i2",
          "I8": "i1", "U8": "u1", "BOOL": "?"}
RECORD = re.compile(r"saved (?P<file>[\w.-]+\.safetensors) sha256:(?P<hash>[0-9a-f]{64})")


def save_hint(file: str) -> str:
    return (f"save it with safetensors.torch.save_file(model.state_dict(), {file!r}), as the "
            "template's save cell does")


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """{tensor name: array} from a safetensors file, or a StudentError that says what is wrong.

    Refuses pickles and zips by their first bytes, dtypes numpy cannot hold exactly (bfloat16),
    offsets outside the file, and NaN or infinite values.
    """
    data = _read_regular(path)
    label = path.name
    if data[:2] == b"PK" or data[:1] == b"\x80":
        raise StudentError(f"{label} is a pickle or a torch.save archive, not safetensors; the "
                           f"grader never opens pickles: {save_hint(label)}")
    size = int.from_bytes(data[:8], "little") if len(data) >= 8 else 0
    if not 2 <= size <= min(MAX_HEADER_BYTES, len(data) - 8) or data[8:9] != b"{":
        raise StudentError(f"{label} is not a safetensors file: {save_hint(label)}")
    try:
        header = json.loads(data[8:8 + size])
    except ValueError:
        raise StudentError(f"{label}: its safetensors header is not valid JSON (a damaged "
                           "file? save it again)") from None
    if not isinstance(header, dict) or len(header) > MAX_TENSORS:
        raise StudentError(f"{label}: its safetensors header is not a table of at most "
                           f"{MAX_TENSORS:,} tensors")
    body = memoryview(data)[8 + size:]
    return {name: _tensor(label, name, entry, body)
            for name, entry in header.items() if name != "__metadata__"}


def _read_regular(path: Path) -> bytes:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        raise StudentError(f"{path.name} could not be opened (a link or unreadable?)") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise StudentError(f"{path.name} is not a regular file")
        if info.st_size > MAX_WEIGHTS_BYTES:
            raise StudentError(f"{path.name} is {info.st_size / 2**20:.0f} MB; weights over "
                               f"{MAX_WEIGHTS_BYTES // 2**20} MB are not accepted")
        return f.read()


def _tensor(label: str, name: str, entry, body: memoryview) -> np.ndarray:
    """One tensor of the file, checked: known dtype, offsets inside the data, finite values."""
    try:
        dtype, shape, (begin, end) = entry["dtype"], tuple(entry["shape"]), entry["data_offsets"]
        shape_ok = all(isinstance(n, int) and n >= 0 for n in shape)
    except (TypeError, KeyError, ValueError):
        raise StudentError(f"{label}: the entry for {name!r} is malformed") from None
    if dtype not in DTYPES:
        raise StudentError(f"{label}: {name} has dtype {dtype}, which the grader does not read; "
                           "save the weights as float32 (model.float() before saving)")
    itemsize = np.dtype(DTYPES[dtype]).itemsize
    if (not shape_ok or not isinstance(begin, int) or not isinstance(end, int)
            or not 0 <= begin <= end <= len(body)
            or end - begin != itemsize * int(np.prod(shape, dtype=np.int64))):
        raise StudentError(f"{label}: the data of {name} does not match its shape {shape}")
    array = np.frombuffer(body[begin:end], dtype=DTYPES[dtype]).reshape(shape)
    if array.dtype.kind == "f" and not np.isfinite(array).all():
        raise StudentError(f"{label}: {name} holds NaN or infinite values (training diverged?); "
                           "retrain and save again")
    return array.astype(array.dtype.newbyteorder("="))


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def expected_files(nb: dict) -> list[str]:
    """The weight files a notebook's metadata declares (`dlgrade.weights`)."""
    return list(nb.get("metadata", {}).get("dlgrade", {}).get("weights", []))


def saved_records(nb: dict) -> dict[str, str]:
    """{file: sha256} from the `saved FILE sha256:HEX` lines the save cells printed (last wins)."""
    records = {}
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            text = output.get("text", "")
            for match in RECORD.finditer("".join(text) if isinstance(text, list) else text):
                records[match["file"]] = match["hash"]
    return records


def weights_problems(notebook: Path) -> list[str]:
    """What `dlgrade check` says about the weight files the notebook declares: missing beside
    the notebook, never saved by it, or changed since it saved them."""
    try:
        nb = json.loads(Path(notebook).read_text())
    except (OSError, ValueError):
        return []  # the check itself reports an unreadable notebook
    records, problems = saved_records(nb), []
    for file in expected_files(nb):
        path = Path(notebook).parent / file
        if not path.is_file():
            problems.append(f"{file} is missing beside {Path(notebook).name}: run the save "
                            "cell, then submit the file with the notebook")
        elif file not in records:
            problems.append(f"{file}: the notebook has no record of saving it (the save cell "
                            "prints one); run the save cell again")
        elif sha256(path) != records[file]:
            problems.append(f"{file} is stale: it is not the file the notebook last saved "
                            f"(sha256 {records[file][:12]}...); run the save cell again")
    return problems
