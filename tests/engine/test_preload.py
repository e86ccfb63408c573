"""Imports made ahead while a notebook runs: a question's late imports (`Question.preload`) start
once its notebook's kernel process exists, only for the questions the run grades, and pytest
starts only after them."""

import importlib.util
import os
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from graders.assignments import available, load_assignment
from graders.errors import StudentError
from graders.kernel import Limits
from graders.plugin import GradingPlugin
from graders.preload import NICENESS, import_on_first_word, import_quietly, in_background

HW3 = load_assignment("csci5527_hw3")


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Two fresh importable module names, one that fails on import, and where each was imported
    from: {name: thread name}."""
    imported = {}
    for name in ("late_alpha", "late_beta"):
        (tmp_path / f"{name}.py").write_text(
            "import threading, _late_log\n"
            f"_late_log.LOG[{name!r}] = threading.current_thread().name\n")
    (tmp_path / "late_broken.py").write_text("raise ImportError('broken on purpose')\n")
    log = type(sys)("_late_log")
    log.LOG = imported
    monkeypatch.setitem(sys.modules, "_late_log", log)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield imported
    for name in ("late_alpha", "late_beta", "late_broken"):
        sys.modules.pop(name, None)


def test_the_first_word_starts_the_imports_once_and_every_word_passes_on(modules):
    words, threads = [], []
    told = import_on_first_word(words.append, ("late_broken", "late_alpha"), threads)
    assert modules == {} and threads == []  # nothing before the kernel process exists
    told("nb: 0 of 3 code cells run")
    told("nb: 1 of 3 code cells run")
    for thread in threads:
        thread.join(30)
    assert len(threads) == 1 and words == ["nb: 0 of 3 code cells run", "nb: 1 of 3 code cells run"]
    assert modules == {"late_alpha": "dlgrade-import-ahead"}  # the broken one is left to pytest


def test_nothing_to_import_starts_no_thread():
    threads = []
    import_on_first_word(None, (), threads)("nb: 0 of 1 code cells run")
    assert threads == []


def test_quiet_imports_skip_what_fails(modules):
    import_quietly(["late_broken", "late_beta"])
    assert list(modules) == ["late_beta"]


def _plugin(monkeypatch, questions=None) -> GradingPlugin:
    """hw3 with P1(b) importing late_alpha, P2(a) late_beta; notebooks only say their first word."""
    import graders.plugin

    class Executed:
        def __init__(self, path, assignment, limits, graded_only, name, progress):
            progress(f"{name}: 0 of 5 code cells run")

        def close(self):
            pass

    monkeypatch.setattr(graders.plugin, "Submission", Executed)
    late = {"p1b": ("late_alpha",), "p2a": ("late_beta",)}
    assignment = replace(HW3, questions=tuple(replace(q, preload=late.get(q.id, ()))
                                              for q in HW3.questions))
    return GradingPlugin(assignment, Path("unused"), 1, Limits(), questions=questions)


def test_each_notebook_imports_ahead_what_its_graded_questions_import_late(monkeypatch, modules):
    plugin = _plugin(monkeypatch)
    plugin.execute("hw3.ipynb")
    plugin.finish_imports()
    assert modules == {"late_beta": "dlgrade-import-ahead"}  # P1(b) is in hw3_p1.ipynb
    plugin.execute("hw3_p1.ipynb")
    plugin.finish_imports()
    assert set(modules) == {"late_alpha", "late_beta"}


def test_a_check_of_some_questions_imports_only_what_they_need(monkeypatch, modules):
    plugin = _plugin(monkeypatch, questions=("p2b",))
    plugin.execute("hw3.ipynb")
    plugin.finish_imports()
    assert modules == {} and plugin.importing == []


def test_a_notebook_that_cannot_run_imports_nothing_ahead(monkeypatch, modules):
    import graders.plugin

    def missing(*args):
        raise StudentError("hw3.ipynb is not in the submission")

    plugin = _plugin(monkeypatch)
    monkeypatch.setattr(graders.plugin, "Submission", missing)
    plugin.execute("hw3.ipynb")
    assert plugin.importing == [] and modules == {}


@pytest.mark.parametrize("assignment_id", available())
def test_every_declared_late_import_exists(assignment_id):
    for question in load_assignment(assignment_id).questions:
        for name in question.preload:
            assert importlib.util.find_spec(name) is not None, (question.id, name)


def test_background_imports_yield_the_cpu_to_the_kernel():
    seen = {}

    def note():
        seen["niceness"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    in_background(note).join(30)
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    assert own < NICENESS, "run the tests at a niceness below 10"
    assert seen["niceness"] == NICENESS
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own  # the caller keeps its
