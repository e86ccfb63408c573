"""The run-time check of forbidden APIs: grader code sent into the student's kernel as source.

The static scan (graders/scan.py) cannot see `getattr(np, "corr" + "elate")`, `exec("def ...")`,
`importlib.import_module("scipy." + "signal")` or `out.backward()` on a tensor. So while a
question is graded, `__dlgrade_guard__(entries, inner, student, excused)` runs the grader's call
with a recorder switched on and reports what ran:

- a profile hook (`sys.setprofile`, new threads too) sees every Python function that starts and
  every C function called from Python. Forbidden functions are matched by their code object (or
  the C function itself), never by name: saving the original before the call, a lambda around it,
  exec'd code or an import by string reach the same code and are recorded;
- a `TorchFunctionMode` sees torch functions and Tensor methods however they are reached (from C
  too, as in `map(F.conv2d, ...)`).

What an entry forbids at run time: a module its public functions (and those of its imported
public submodules; classes are not included, so `torch.no_grad` is not "torch.autograd"; outside
torch, any code of the package, entered from outside it), a class
the methods it defines (`torch.optim.Adam.step`), a function itself, `.name` the Tensor method.
Entries with an exemption (`name[keyword=value]`) are the scan's alone: their forbidden effect is
listed separately (a reverse-mode Jacobian reaches `torch.autograd.grad`). Switching the recorder
off (`sys.setprofile`) is recorded too.

The call runs unchanged; the verdict comes after it, as the exception
`DlgradeForbiddenCall: [{"api": ..., "chain": [...]}]`, `chain` naming the notebook functions on
the stack, innermost first (calls made inside the `excused` functions, already charged elsewhere,
are left out).
This is a deterrent inside a process the student controls, not a proof (ctypes reaches anything);
the scan stays the first line.
"""


def __dlgrade_guard__(entries, inner, student, excused=()):  # dunder: out of the student's way
    import json
    import sys
    import threading

    codes, builtins, torch_functions, packages = __dlgrade_targets__(entries)
    prefixes = tuple(packages)
    builtins[(id(sys), "setprofile")] = "sys.setprofile (switching the grader's recorder off)"
    codes[threading.setprofile.__code__] = builtins[(id(sys), "setprofile")]
    call = eval(inner, student) if inner else (lambda f, *args, **kwargs: f(*args, **kwargs))

    class DlgradeForbiddenCall(Exception):
        pass

    def run(obj, *args, **kwargs):
        records = []
        here = sys._getframe()

        def note(api, frame):
            chain = []
            while frame is not None and frame is not here and len(chain) < 8:
                if frame.f_globals is student and frame.f_code is not call.__code__:
                    chain.append(frame.f_code.co_qualname[:80])
                frame = frame.f_back
            if any(name.split(".")[0] in excused for name in chain):
                return
            if len(records) < 5 and {"api": api, "chain": chain} not in records:
                records.append({"api": api, "chain": chain})

        def hook(frame, event, arg):
            if frame is here:  # the guard's own calls (switching the hook off)
                return
            if event == "call" and frame.f_code in codes:
                note(codes[frame.f_code], frame.f_back)
            elif event == "call" and frame.f_code.co_filename.startswith(prefixes):
                caller = frame.f_back.f_code.co_filename if frame.f_back else ""
                for prefix, entry in packages.items():  # entering the package from outside
                    if frame.f_code.co_filename.startswith(prefix) and not caller.startswith(
                            prefix):
                        note(entry, frame.f_back)
            elif event == "c_call":
                api = builtins.get((id(getattr(arg, "__self__", None)), arg.__name__))
                if api is not None:
                    note(api, frame)

        mode = __dlgrade_torch_mode__(torch_functions, note) if torch_functions else None
        threading.setprofile(hook)
        sys.setprofile(hook)
        try:
            if mode is not None:
                with mode:
                    result = call(obj, *args, **kwargs)
            else:
                result = call(obj, *args, **kwargs)
        finally:
            switched_off = sys.getprofile() is not hook
            sys.setprofile(None)
            threading.setprofile(None)
            if switched_off:
                note("sys.setprofile (switching the grader's recorder off)", None)
            if records:
                raise DlgradeForbiddenCall(json.dumps(records))
        return result

    return run


def __dlgrade_targets__(entries):
    """({code: entry}, {(id(owner), name): entry}, {torch function: entry}, {path: entry}) for
    the entries that resolve in this kernel (one whose module is not installed forbids nothing).
    A package outside torch also forbids entering any of its code (sklearn's estimators, the
    submodules imported later): torch's own are too intertwined for that."""
    import importlib
    import inspect
    import os
    import sys
    import types

    codes, builtins, functions, packages = {}, {}, {}, {}

    def add(obj, entry):
        target = inspect.unwrap(getattr(obj, "_implementation", obj))  # numpy's dispatchers
        if isinstance(target, types.FunctionType):
            codes[target.__code__] = entry
        elif isinstance(target, types.BuiltinFunctionType):
            builtins[(id(target.__self__), target.__name__)] = entry
        functions[obj] = entry

    def add_module(module, root, entry, seen):
        if id(module) in seen:
            return
        seen.add(id(module))
        for name, value in list(vars(module).items()):
            if name.startswith("_"):
                continue
            if isinstance(value, types.ModuleType):
                if value.__name__.startswith(root + "."):
                    add_module(value, root, entry, seen)
            elif callable(value) and not isinstance(value, type) and (
                    getattr(value, "__module__", None) or "").startswith(root):
                add(value, entry)

    for entry in entries:
        if "[" in entry:
            continue
        dotted = "torch.Tensor" + entry if entry.startswith(".") else entry
        parts = dotted.split(".")
        obj = None
        for cut in range(len(parts), 0, -1):
            try:
                obj = importlib.import_module(".".join(parts[:cut]))
            except Exception:  # not a module, or not installed
                continue
            for attr in parts[cut:]:
                obj = getattr(obj, attr, None)
            break
        if obj is None:
            continue
        if isinstance(obj, types.ModuleType):
            add_module(obj, obj.__name__, entry, set())
            where = getattr(obj, "__file__", None)
            if where and not obj.__name__.startswith("torch"):  # torch.autograd holds no_grad
                packages[os.path.dirname(where) + os.sep if hasattr(obj, "__path__")
                         else where] = entry
        elif isinstance(obj, type):
            for value in vars(obj).values():
                # staticmethod, classmethod; decorators share one wrapper's code: unwrap them
                value = inspect.unwrap(getattr(value, "__func__", value))
                if isinstance(value, types.FunctionType):
                    codes[value.__code__] = entry
        elif callable(obj):
            add(obj, entry)
    torch = sys.modules.get("torch")
    functions = {f: e for f, e in functions.items()
                 if torch is not None and getattr(f, "__module__", "") != "numpy"}
    return codes, builtins, functions, packages


def __dlgrade_torch_mode__(functions, note):
    """A TorchFunctionMode that notes the calls of `functions` (torch functions, Tensor methods)."""
    import sys

    from torch.overrides import TorchFunctionMode

    class Recorder(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            try:
                entry = functions.get(func)
            except TypeError:  # an unhashable callable: not one of ours
                entry = None
            if entry is not None:
                note(entry, sys._getframe(1))
            return func(*args, **(kwargs or {}))

    return Recorder()
