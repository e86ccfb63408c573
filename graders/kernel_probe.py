"""Code the grader sends into the student's kernel (as source, never imported there).

`__dlgrade_probe__(io_dir)` reads a call description that the grader wrote to `io_dir/call.json`
(argument arrays as `.npy` files), calls the student's function, and writes the result back as
plain data: arrays as `.npy` without pickle, everything else as JSON. It then displays a small JSON
status under a private MIME type; the grader reads that status from the cell's outputs.
"""


def __dlgrade_probe__(io_dir):  # a dunder name keeps it out of the student's way
    import json
    import os

    import numpy
    from IPython.display import display

    mime = "application/vnd.dlgrade.probe+json"
    namespace = globals()
    written = [0, 0]  # files written, values dumped

    def load(arg):
        kind = arg["kind"]
        if kind == "json":
            return arg["value"]
        if kind == "ref":
            return namespace[arg["name"]]
        if kind == "seq":
            return [load(item) for item in arg["items"]]
        if kind == "dict":
            return {key: load(value) for key, value in arg["items"].items()}
        array = numpy.load(os.path.join(io_dir, arg["file"]), allow_pickle=False)
        if kind == "torch":
            import torch

            return torch.from_numpy(array)
        return array

    def save_array(array):
        if array.dtype.kind not in "biufc":
            return {"kind": "unsupported", "type": f"array of dtype {array.dtype}"}
        name = f"out{written[0]}.npy"
        written[0] += 1
        # asarray keeps a 0-d array 0-d (ascontiguousarray would make it 1-d)
        numpy.save(os.path.join(io_dir, name), numpy.asarray(array, order="C"), allow_pickle=False)
        return {"kind": "array", "file": name}

    def dump(value, depth=0):
        written[1] += 1
        if depth > 4 or written[1] > 100_000:  # the grader refuses deeper or larger replies
            return {"kind": "unsupported", "type": "deeply nested or very large value"}
        if value is None or isinstance(value, bool | int | float | str):
            if isinstance(value, str) and len(value) > 10_000:
                return {"kind": "unsupported", "type": "very long str"}
            return {"kind": "json", "value": value}
        if isinstance(value, numpy.generic):
            return dump(value.item(), depth)
        if isinstance(value, numpy.ndarray):
            return save_array(value)
        if type(value).__module__.startswith("torch") and hasattr(value, "detach"):
            return save_array(value.detach().cpu().resolve_conj().numpy())
        if isinstance(value, list | tuple) and len(value) <= 10_000:
            return {"kind": "seq", "items": [dump(item, depth + 1) for item in value]}
        if isinstance(value, dict) and len(value) <= 10_000:
            return {"kind": "dict", "items": {str(k): dump(v, depth + 1) for k, v in value.items()}}
        return {"kind": "unsupported", "type": type(value).__name__}

    with open(os.path.join(io_dir, "call.json")) as f:
        call = json.load(f)
    try:
        if call["name"] not in namespace:
            display({mime: {"status": "missing"}}, raw=True)
            return
        args = [load(arg) for arg in call["args"]]
        kwargs = {key: load(value) for key, value in call["kwargs"].items()}
        if call["code"] is None:
            result = namespace[call["name"]](*args, **kwargs)
        else:  # grader-written code (never the student's) that inspects the student's object
            result = eval(call["code"], namespace)(namespace[call["name"]], *args, **kwargs)
        result = dump(result)
    except BaseException as err:  # the student's exception, reported back as data
        message = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        display({mime: {"status": "raised", "error": message[:2000]}}, raw=True)
        return
    display({mime: {"status": "ok", "result": result}}, raw=True)


def __dlgrade_cap_output__(limit):
    """Keep at most `limit` characters of printed output, so that a print loop cannot flood the
    grader (which also caps what it keeps: this spares it from receiving the flood at all)."""
    import sys

    class Capped:
        def __init__(self, stream):
            self._stream = stream

        def write(self, text):
            left = Capped.left
            Capped.left -= len(text)
            if left <= 0:
                return len(text)
            if len(text) > left:
                text = text[:left] + "\n[further output discarded by the grader]\n"
            return self._stream.write(text)

        def __getattr__(self, name):
            return getattr(self._stream, name)

    Capped.left = limit
    sys.stdout, sys.stderr = Capped(sys.stdout), Capped(sys.stderr)
