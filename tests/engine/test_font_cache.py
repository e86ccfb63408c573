"""Matplotlib's font list is built once per machine and copied into each kernel's empty home,
so a notebook's `import matplotlib.pyplot` no longer rebuilds it in every grading; a kernel's copy
is its own."""

import time

import nbformat
import pytest

from graders import font_cache
from graders.kernel import KernelSession


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """An empty cache for the grader user (XDG_CACHE_HOME), readable by the kernel uids."""
    home = tmp_path / "cache"
    home.mkdir()
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    return home


def test_the_build_makes_one_font_list_for_this_matplotlib(cache_home):
    assert font_cache.build()
    folder = font_cache.cache_folder()
    assert folder.parent == cache_home / "dlgrade"
    assert [p.name.startswith("fontlist-") for p in folder.iterdir()] == [True]
    assert not [p for p in folder.parent.iterdir() if p != folder]  # no half-built folder left


def test_the_kernel_gets_its_own_copy_and_matplotlib_uses_it(cache_home):
    assert font_cache.build()
    built = font_cache.font_lists(font_cache.cache_folder())[0]
    source = ("import os, matplotlib.pyplot, matplotlib\n"
              "folder = matplotlib.get_cachedir()\n"
              "print(folder, sorted(os.listdir(folder)))\n"
              "open(os.path.join(folder, os.listdir(folder)[0]), 'w').write('spoiled')")
    session = KernelSession(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]))
    try:
        copy = session.home / ".matplotlib" / built.name
        before = copy.stat().st_mtime_ns
        assert copy.read_bytes() == built.read_bytes()
        if session.user:
            assert copy.stat().st_uid == session.user.uid
        session.run_notebook()
        assert session.cells[0].status == "ok", session.cells[0].message
        printed = session.nb.cells[0].outputs[0].text
        assert printed.split()[0] == str(session.home / ".matplotlib")
        assert f"['{built.name}']" in printed  # nothing else was written: no rebuild
        assert copy.stat().st_mtime_ns != before  # the kernel wrote its own copy ...
    finally:
        session.close()
    assert built.read_text() != "spoiled"  # ... and the machine's list is untouched


def test_a_grading_without_the_list_starts_building_it_for_the_next(cache_home, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setattr(font_cache, "_building", [])  # none of this process's earlier builds
    given = []
    font_cache.seed(tmp_path / "config", given.append)
    assert not (tmp_path / "config").exists() and given == []
    deadline = time.monotonic() + 120
    while not font_cache.font_lists(font_cache.cache_folder()) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert font_cache.font_lists(font_cache.cache_folder())
    assert font_cache._building[-1].wait(30) == 0
    font_cache.seed(tmp_path / "config", given.append)
    assert given == [tmp_path / "config", *(tmp_path / "config").iterdir()]


def test_an_unwritable_kernel_folder_is_left_to_matplotlib(cache_home, tmp_path):
    assert font_cache.build()
    blocker = tmp_path / "config"
    blocker.write_text("a file where the folder should be")
    font_cache.seed(blocker, lambda path: None)  # no error: matplotlib builds the list itself
    assert blocker.read_text() == "a file where the folder should be"


def test_without_matplotlib_there_is_nothing_to_seed(monkeypatch, tmp_path):
    def absent(name):
        raise font_cache.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(font_cache.metadata, "version", absent)
    assert font_cache.cache_folder() is None and not font_cache.build()
    font_cache.seed(tmp_path / "config", lambda path: None)
    assert not (tmp_path / "config").exists()
