"""Grade a function apart from the other questions' functions it calls.

A student's function may call another question's function from the notebook (2(c)'s forward-mode
Jacobian calls 2(b)'s `mlp_forward`; template matching calls `xcorr2d`). So that a mistake in the
helper costs the helper's question only, the grader calls the function with those notebook
globals replaced, for the duration of the call, by correct versions it writes itself. Everything
here is grader-written kernel code (see `KernelSession.call(..., code=...)`); the student's own
helpers of other names are left alone.
"""

_CALL = '''
def call(f, *args, no_grad=False, **kwargs):
    import contextlib

    correct = {{}}
    exec({source!r}, correct)
    names = getattr(f, "__globals__", {{}})
    missing = object()
    saved = {{name: names.get(name, missing) for name in {names!r}}}
    names.update({{name: correct[name] for name in {names!r}}})
    try:
        with __import__("torch").no_grad() if no_grad else contextlib.nullcontext():
            return f(*args, **kwargs)
    finally:
        for name, value in saved.items():
            if value is missing:
                names.pop(name, None)
            else:
                names[name] = value
'''


def with_correct(source: str, names: tuple[str, ...]) -> str:
    """Kernel code `(f, *args, no_grad=False, **kwargs) -> f(*args, **kwargs)` run with each of
    the notebook's globals `names` replaced by the function of that name that `source` defines
    (source imports what it uses); `no_grad=True` runs it with graph recording off."""
    code = _CALL.format(source=source, names=tuple(names))
    return f"(lambda ns: (exec({code!r}, ns), ns['call'])[1])({{}})"
