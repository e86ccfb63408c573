"""Fast checks of the batch's building blocks: finding submissions, seeds, similarity leads."""

import nbformat
import pytest

from graders.errors import GraderError
from graders.staff.batch import discover, submission_seed
from graders.staff.similarity import normalized_tokens, similar_pairs

ORIGINAL = '''
def xcorr1d(x, y):
    """Full cross-correlation."""
    n = len(x) + len(y) - 1
    out = [0.0] * n
    for shift in range(n):
        total = 0.0
        for i in range(len(x)):
            j = i - shift + len(y) - 1
            if 0 <= j < len(y):
                total += x[i] * y[j]
        out[shift] = total
    return out
'''
# the same code, renamed, recommented and reformatted
DISGUISED = '''
def xcorr1d(a, b):
    # my own version!!
    size = len(a) + len(b) - 1
    result = [0.0] * size
    for k in range(size):
        acc = 0.0
        for p in range(len(a)):
            q = p - k + len(b) - 1
            if 0 <= q < len(b):   acc += a[p] * b[q]
        result[k] = acc
    return result
'''
DIFFERENT = '''
def xcorr1d(x, y):
    import numpy as np
    x, y = np.asarray(x), np.asarray(y)
    padded = np.concatenate([np.zeros(len(y) - 1), x, np.zeros(len(y) - 1)])
    return np.array([padded[k:k + len(y)] @ y for k in range(len(x) + len(y) - 1)])
'''
TEMPLATE = '''
def xcorr1d(x, y):
    """Full cross-correlation."""
    raise NotImplementedError
'''


def _nb(source: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import numpy as np"), nbformat.v4.new_code_cell(source)]
    return nb


def test_renaming_and_layout_do_not_hide_a_copy():
    assert normalized_tokens(ORIGINAL) == normalized_tokens(DISGUISED)
    assert normalized_tokens(ORIGINAL) != normalized_tokens(DIFFERENT)


def test_copies_rank_first_and_template_code_is_not_a_match():
    pairs = similar_pairs({"ann": _nb(ORIGINAL), "bob": _nb(DISGUISED), "cy": _nb(DIFFERENT),
                           "dee": _nb(TEMPLATE), "eve": _nb(TEMPLATE)}, _nb(TEMPLATE),
                          {"xcorr1d"})
    assert (pairs[0].first, pairs[0].second, pairs[0].score) == ("ann", "bob", 1.0)
    assert all(p.score < 0.5 for p in pairs[1:])
    assert not any({"dee", "eve"} & {p.first, p.second} for p in pairs)  # unchanged template


def test_discover_reads_folders_notebooks_and_gradescope_exports(tmp_path):
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "ann.ipynb").write_text("{}")
    (tmp_path / "plain" / "bob").mkdir()
    (tmp_path / "plain" / "bob" / "hw.ipynb").write_text("{}")
    (tmp_path / "plain" / "notes.txt").write_text("")
    assert [(e.id, e.students) for e in discover(tmp_path / "plain")] == [("ann", "ann"),
                                                                          ("bob", "bob")]
    export = tmp_path / "export"
    (export / "submission_101").mkdir(parents=True)
    (export / "submission_101" / "hw3.ipynb").write_text("{}")
    (export / "submission_metadata.yml").write_text(
        "submission_101:\n  :submitters:\n  - :name: Ann Lee\n    :email: ann@example.edu\n"
        "submission_999:\n  :submitters: []\n")  # listed but not exported: skipped
    assert [(e.id, e.students) for e in discover(export)] == [("submission_101", "Ann Lee")]
    with pytest.raises(GraderError, match="no notebooks"):
        discover(_empty(tmp_path))


def _empty(tmp_path):
    (tmp_path / "empty").mkdir()
    return tmp_path / "empty"


def test_seeds_are_stable_per_submission_and_differ_between_them():
    assert submission_seed(7, "ann") == submission_seed(7, "ann")
    assert len({submission_seed(7, s) for s in ("ann", "bob", "cy")}) == 3
    assert submission_seed(7, "ann") != submission_seed(8, "ann")
