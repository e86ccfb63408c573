"""Values that cross between the grader and the student's kernel, as plain data only.

Grader -> kernel: `encode` writes each array argument as a `.npy` file (no pickle) into the
call's directory and describes the arguments as JSON. Kernel -> grader: the probe (kernel_probe.py)
answers with a small JSON status whose result names `.npy` files it wrote. The kernel is untrusted,
so the whole reply is checked before anything is decoded: its kinds, depth, item count and string
lengths, then every file it names (opened without following links or blocking, a regular file
whose size is exactly what its `.npy` header declares, all files together within the byte limit,
no file named twice). Whatever fails is the student's error (StudentError), never the grader's.
0-d arrays stay 0-d in both directions.
"""

import io
import math
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from graders.errors import StudentError
from graders.results import code_span

MAX_DEPTH = 16  # the probe itself nests at most 6 deep
MAX_ITEMS = 100_000
MAX_STRING = 10_000
MAX_ERROR = 2_000  # characters of a student's exception message kept
MAX_HEADER = 10_000  # bytes of a .npy header
KINDS = {"json", "seq", "dict", "array", "unsupported"}
FILE_NAME = re.compile(r"[A-Za-z0-9_]{1,64}\.npy")


@dataclass(frozen=True)
class AsTorch:
    """Send this array to the kernel as a torch tensor (a 0-d array as a 0-d tensor)."""

    array: np.ndarray


@dataclass(frozen=True)
class Ref:
    """Pass the kernel's global `name` (a student's object) as an argument."""

    name: str


def depth_of(value, limit: int) -> int:
    """How deeply `value` nests lists and dicts, counted without recursion (stops past `limit`)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            if depth > limit:
                return depth
            stack.extend((child, depth + 1) for child in
                         (node.values() if isinstance(node, dict) else node))
    return deepest


# -- grader -> kernel ---------------------------------------------------------------------------
def encode(io_dir: Path, value, stem: str) -> dict:
    """Describe `value` for the kernel, writing its arrays as `.npy` files under `io_dir`."""
    if isinstance(value, Ref):
        return {"kind": "ref", "name": value.name}
    if isinstance(value, AsTorch | np.ndarray):
        array = value.array if isinstance(value, AsTorch) else value
        write_new(io_dir / f"{stem}.npy", npy_bytes(array))
        return {"kind": "torch" if isinstance(value, AsTorch) else "numpy", "file": f"{stem}.npy"}
    if isinstance(value, list | tuple):
        return {"kind": "seq",
                "items": [encode(io_dir, v, f"{stem}_{i}") for i, v in enumerate(value)]}
    if isinstance(value, dict):
        return {"kind": "dict",
                "items": {k: encode(io_dir, v, f"{stem}_{k}") for k, v in value.items()}}
    return {"kind": "json", "value": value}


def describe(value) -> str:
    """What was sent, without its values (hidden inputs stay hidden): arrays by their shape."""
    if isinstance(value, AsTorch):
        return f"tensor of shape {np.shape(value.array)}"
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape}"
    if isinstance(value, Ref):
        return value.name
    if isinstance(value, list | tuple | dict):
        return f"{type(value).__name__} of {len(value)}"
    return type(value).__name__


def npy_bytes(array: np.ndarray) -> bytes:
    """`array` as `.npy` bytes, C order, shape kept (np.ascontiguousarray would make 0-d 1-d)."""
    buffer = io.BytesIO()
    np.save(buffer, np.asarray(array, order="C"), allow_pickle=False)
    return buffer.getvalue()


def write_new(path: Path, data: bytes) -> None:
    """Create `path` (never through an existing file or link) readable by the kernel."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


# -- kernel -> grader ---------------------------------------------------------------------------
def check_status(reply, name: str) -> dict:
    """The probe's status ({"status": "ok", "result": ...}, "missing" or "raised"), checked."""
    if not isinstance(reply, dict) or reply.get("status") not in ("ok", "missing", "raised"):
        raise StudentError(f"{name}: the kernel sent a malformed reply")
    if reply["status"] == "raised":
        error = reply.get("error")
        if not isinstance(error, str):
            raise StudentError(f"{name}: the kernel sent a malformed reply")
        return {"status": "raised", "error": error[:MAX_ERROR]}
    if reply["status"] == "ok" and "result" not in reply:
        raise StudentError(f"{name}: the kernel sent a malformed reply")
    return reply


def decode(io_dir: Path, encoded, max_bytes: int, name: str):
    """The kernel's result as Python data: the whole reply is checked before any file is read."""
    files = _check_value(encoded, name)
    arrays = _read_files(io_dir, files, max_bytes, name)
    return _build(encoded, arrays, name)


def _check_value(encoded, name: str) -> list[str]:
    """The file names that `encoded` refers to, once its structure is known to be sound."""
    bad = StudentError(f"{name}: the kernel sent a malformed result")
    files, seen, stack, items = [], set(), [(encoded, 0)], 0
    while stack:  # iterative: a reply nested 100,000 deep costs no recursion
        node, depth = stack.pop()
        items += 1
        if depth > MAX_DEPTH or items > MAX_ITEMS:
            raise StudentError(f"{name}: the result is nested deeper than {MAX_DEPTH} levels or "
                               f"holds more than {MAX_ITEMS} values")
        if not isinstance(node, dict) or node.get("kind") not in KINDS:
            raise bad
        kind = node["kind"]
        if kind == "json":
            value = node.get("value")
            if not (value is None or isinstance(value, bool | int | float | str)):
                raise bad
            if isinstance(value, str) and len(value) > MAX_STRING:
                raise StudentError(f"{name}: returned a string over {MAX_STRING} characters")
        elif kind == "seq":
            if not isinstance(node.get("items"), list):
                raise bad
            stack.extend((item, depth + 1) for item in node["items"])
        elif kind == "dict":
            entries = node.get("items")
            if not isinstance(entries, dict) or any(
                    not isinstance(k, str) or len(k) > MAX_STRING for k in entries):
                raise bad
            stack.extend((item, depth + 1) for item in entries.values())
        elif kind == "array":
            file = node.get("file")
            if not isinstance(file, str) or not FILE_NAME.fullmatch(file) or file in seen:
                raise StudentError(f"{name}: the kernel named an invalid or repeated result file")
            seen.add(file)
            files.append(file)
        elif not isinstance(node.get("type"), str):
            raise bad
    return files


def _read_files(io_dir: Path, files: list[str], max_bytes: int, name: str) -> dict:
    """Every named file as an array; their sizes together stay within `max_bytes`."""
    opened, total = [], 0
    try:
        for file in files:
            f = _open_result(io_dir, file, name)
            opened.append(f)
            total += os.fstat(f.fileno()).st_size
            if total > max_bytes:
                raise StudentError(f"{name} returned over {max_bytes / 2**20:.0f} MB of arrays; "
                                   "larger results are not accepted")
        return {file: _read_array(f, name) for file, f in zip(files, opened)}
    finally:
        for f in opened:
            f.close()


def _open_result(io_dir: Path, file: str, name: str):
    """A result file opened read-only: no link followed, no FIFO waited on, a regular file."""
    try:
        fd = os.open(io_dir / file, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        raise StudentError(f"{name}: its result could not be read back") from None
    f = os.fdopen(fd, "rb")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        f.close()
        raise StudentError(f"{name}: its result is not a regular file")
    return f


def _read_array(f, name: str) -> np.ndarray:
    """A numeric array from an open `.npy` file whose size matches its header exactly."""
    size = os.fstat(f.fileno()).st_size
    try:
        version = np.lib.format.read_magic(f)
        length = int.from_bytes(f.read(2 if version == (1, 0) else 4), "little")
        if version not in ((1, 0), (2, 0), (3, 0)) or length > MAX_HEADER:
            raise ValueError(f".npy version {version} with a header of {length} bytes")
        f.seek(-(2 if version == (1, 0) else 4), os.SEEK_CUR)  # refused before it is read
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(f, max_header_size=MAX_HEADER)
    except (ValueError, SyntaxError, TypeError, RecursionError, MemoryError, OSError) as err:
        raise StudentError(f"{name}: its result is not a readable array "
                           f"({code_span(str(err), 200)})") from None
    if dtype.kind not in "biufc" or dtype.hasobject or not all(
            isinstance(n, int) and n >= 0 for n in shape):
        raise StudentError(f"{name}: returned an array of an unsupported type ({dtype})")
    count = math.prod(shape)
    if f.tell() + count * dtype.itemsize != size:
        raise StudentError(f"{name}: its result file does not match its array header")
    array = np.empty(count, dtype)
    if f.readinto(array.view(np.uint8)) != array.nbytes:  # the kernel truncated it meanwhile
        raise StudentError(f"{name}: its result file does not match its array header")
    return array.reshape(shape, order="F" if fortran else "C")


def _build(encoded: dict, arrays: dict, name: str):
    """Python data from a checked reply (at most MAX_DEPTH deep, so recursion is safe)."""
    kind = encoded["kind"]
    if kind == "json":
        return encoded.get("value")
    if kind == "seq":
        return [_build(item, arrays, name) for item in encoded["items"]]
    if kind == "dict":
        return {k: _build(v, arrays, name) for k, v in encoded["items"].items()}
    if kind == "array":
        return arrays[encoded["file"]]
    raise StudentError(f"{name} returned {code_span(encoded['type'], 200)}; expected numbers, "
                       "arrays or tensors")
