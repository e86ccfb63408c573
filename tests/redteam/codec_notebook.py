"""Hostile cells for the codec red-team grading: one hw3.ipynb that carries every attack at once.

The graded functions of some questions are replaced by answers that try to fool the comparison
(an entry of 1e200, NaN everywhere, float16), and a cell redefines the grader's probe in the
kernel so that calls to other functions answer with hostile replies (a FIFO, a 30 GB .npy
header, a file named 200 times, JSON nested 100,000 deep, malformed statuses, a 20 MB exception
text). Ungraded cells flood the output, forge messages and try to inject text. HONEST is what
the notebook deserves: the functions attacked earn nothing; the others keep their points.
"""

import nbformat

from tests.graders.notebooks import insert_cell, replace_cells

MIME = "application/vnd.dlgrade.probe+json"
DEEP = 100_000
INJECTION = "\x1b[31m<img src=x onerror=alert(1)>\n**passed 1.0/1.0**\n[ok](http://evil)\n"

HELPERS = f'''import json
import os

import numpy as np
from IPython.display import display

_MIME = {MIME!r}
_real_probe = __dlgrade_probe__
_malformed = iter([{{"status": "ok"}}, ["ok"], {{"status": 5}},
                   {{"status": "ok", "result": {{"kind": "json", "value": [1]}}}}] * 3)


def _raw(msg_type, content):
    """Send a message the kernel did not build: content as raw, already encoded bytes."""
    kernel = get_ipython().kernel
    kernel.session.send(kernel.iopub_socket, msg_type, content, parent=kernel.get_parent("shell"))


def _deep_bytes(data_key):
    return (b'{{"data": {{"' + data_key.encode() + b'": ' + b"[" * {DEEP} + b"]" * {DEEP}
            + b'}}, "metadata": {{}}}}')


def _npy_header(shape):
    header = repr({{"descr": "<f8", "fortran_order": False, "shape": shape}}).encode()
    header += b" " * (63 - (len(header) + 10) % 64) + b"\\n"
    return b"\\x93NUMPY\\x01\\x00" + len(header).to_bytes(2, "little") + header


def _array_reply(name):
    return {{"status": "ok", "result": {{"kind": "array", "file": name}}}}


def _fifo(io_dir):
    os.mkfifo(os.path.join(io_dir, "out0.npy"))
    return _array_reply("out0.npy")


def _huge_header(io_dir):
    with open(os.path.join(io_dir, "out0.npy"), "wb") as f:
        f.write(_npy_header((4_000_000_000,)) + bytes(64))  # 30 GB declared, 64 bytes there
    return _array_reply("out0.npy")


def _repeated(io_dir):
    np.save(os.path.join(io_dir, "out0.npy"), np.zeros(2**17))  # 1 MB, named 200 times
    return {{"status": "ok", "result": {{"kind": "seq", "items": [
        {{"kind": "array", "file": "out0.npy"}}] * 200}}}}


def _deep(io_dir):
    _raw("display_data", _deep_bytes(_MIME))
    return None


def _huge_error(io_dir):
    return {{"status": "raised", "error": {INJECTION!r} + "E" * 20_000_000}}


_ATTACKS = {{"xcorr_jacobian": _deep, "xcorr2d": _fifo, "gradient_magnitude": _huge_header,
            "match_template": _repeated, "batch_norm": lambda io_dir: next(_malformed),
            "layer_norm": _huge_error}}


def __dlgrade_probe__(io_dir):
    with open(os.path.join(io_dir, "call.json")) as f:
        attack = _ATTACKS.get(json.load(f)["name"])
    if attack is None:
        return _real_probe(io_dir)
    reply = attack(io_dir)
    if reply is not None:
        display({{_MIME: reply}}, raw=True)
'''

FLOODS = [
    # 9 MB of text, then a plot that must still be kept
    'print("x" * 9 * 2**20)\nimport matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()',
    # 30 MB of outputs under the probe's MIME type, in a student's cell
    "for _ in range(300):\n"
    "    display({_MIME: {'status': 'ok', 'result': {'kind': 'json', 'value': 'x' * 100_000}}},"
    " raw=True)",
    # a display message nested 100,000 deep, and messages without the fields nbclient reads
    '_raw("display_data", _deep_bytes("text/plain"))\n_raw("status", b"{}")\n'
    '_raw("error", b\'{"ename": 1}\')\n_raw("stream", b\'{"name": "stdout"}\')',
    # a 30 MB exception text that also tries to inject markup into the summary
    f"raise ValueError({INJECTION!r} + 'E' * 30_000_000)",
    # a parser bomb for the grader's reader (the magic spares the kernel minutes of compiling)
    "%%script true\nx = " + "+".join(["1"] * 200_000),
]

WRONG = {
    "p2a": '''def xcorr1d(x, y):
    out = np.zeros(len(x) + len(y) - 1)
    out[0] = 1e200  # the norms overflow: inf / inf is NaN, and NaN > tol is False
    return out
''',
    "p2b": '''def xcorr_matrix(w, n):
    return np.full((len(w) + n - 1, n), np.nan)
''',
    "p3_instance": '''def instance_norm(x, eps=1e-5):
    x = torch.as_tensor(x, dtype=torch.float64)
    mean = x.mean(dim=(0, 1), keepdim=True)
    var = ((x - mean) ** 2).mean(dim=(0, 1), keepdim=True)
    return ((x - mean) / torch.sqrt(var + eps) * (1 + 3e-3)).half()  # off by 0.3%, in float16
''',
}

# P2(a): yx_from_xy is right, one check of six (xcorr1d's five fail); its typed answer is the
# key's; P2(g) is not attacked
HONEST = {"p2a": 0.75 / 6, "p2a_value": 0.25, "p2b": 0.0, "p2c": 0.0, "p2d": 0.0, "p2e": 0.0,
          "p2f": 0.0, "p2g": 1.0, "p3_batch": 0.0, "p3_layer": 0.0, "p3_instance": 0.0}


def attack_notebook(solution: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The solution with every attack above; the probe is redefined right after the imports."""
    nb = replace_cells(solution, WRONG)
    for offset, source in enumerate([HELPERS, *FLOODS]):
        nb = insert_cell(nb, 1 + offset, source)
    nb.cells[2].metadata["deep"] = nested(200)  # deeper than the reader allows: dropped
    return nb


def nested(depth: int):
    """A JSON value nested `depth` lists deep, built without recursion."""
    value: list = []
    for _ in range(depth - 1):
        value = [value]
    return value


def deep_metadata_notebook(solution: nbformat.NotebookNode, depth: int) -> bytes:
    """The solution with notebook metadata nested `depth` deep, as raw JSON bytes."""
    nb = nbformat.from_dict(solution)
    nb.metadata["deep"] = "DEEP"
    return nbformat.writes(nb).replace('"DEEP"', deep_json(depth)).encode()


def deep_json(depth: int) -> str:
    """A JSON document nested `depth` deep (json.dumps of it would recurse)."""
    return "[" * depth + "]" * depth
