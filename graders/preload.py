"""Imports the grader makes ahead, in a thread, while a notebook runs in the kernel.

The grader's own imports (torch, the grader files' dependencies) and the modules some questions'
graders import only once they run (`Question.preload`: building a torch.optim optimizer imports
torch._dynamo, 1-2 s) would otherwise wait for the notebook; meanwhile the kernel leaves a core
idle. The importing threads run at a lower priority than the kernel, so that they take only
what the kernel leaves, and one at a time: threads importing together can deadlock on circular
imports.
"""

import importlib
import os
import threading
from collections.abc import Callable, Iterable

_ONE_AT_A_TIME = threading.Lock()
NICENESS = 10  # of the importing threads (and of the processes they start): the kernel's is 0


def in_background(target: Callable[..., None], *args) -> threading.Thread:
    """Start `target(*args)` in a daemon thread that yields the CPU to the kernel."""

    def yielding() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)  # this thread
        except OSError:
            pass
        target(*args)

    thread = threading.Thread(target=yielding, daemon=True, name="dlgrade-import-ahead")
    thread.start()
    return thread


def import_quietly(names: Iterable[str]) -> None:
    """Import `names`; what fails is left for the code that needs it to import and report."""
    with _ONE_AT_A_TIME:
        for name in names:
            try:
                importlib.import_module(name)
            except Exception:
                pass


def import_on_first_word(progress: Callable[[str], None] | None, names: tuple[str, ...],
                         threads: list[threading.Thread]) -> Callable[[str], None]:
    """`progress`, wrapped: its first word (a notebook's kernel process exists) starts importing
    `names` in a thread, appended to `threads`; every word is passed on to `progress`."""
    started = threading.Event()

    def told(text: str) -> None:
        if names and not started.is_set():
            started.set()
            threads.append(in_background(import_quietly, names))
        if progress is not None:
            progress(text)

    return told
