"""Public checks of CS 229br HW0 (in the student kit, which holds no other grader file): small
cases whose answers come from numpy alone. The hidden tests use other inputs and more cases."""

import numpy as np

from graders.compare import assert_close
from graders.plugin import graded


@graded("q23_search", 0.0, "public: search_top_k on random vectors matches a brute force")
def test_search_small(submission, rng):
    images = rng.standard_normal((50, 8)).astype(np.float32)
    queries = rng.standard_normal((4, 8)).astype(np.float32)
    distances = ((queries[:, None].astype(np.float64) - images[None]) ** 2).sum(-1)
    assert_close("search_top_k", submission.call("search_top_k", images, queries, 5),
                 np.argsort(distances, axis=1)[:, :5], tolerance=0.0,
                 where=" (indices of the 5 nearest images, nearest first)")


@graded("q23_accuracy", 0.0, "public: top_k_accuracy on a hand-made case")
def test_accuracy_small(submission):
    retrieved = np.array([[1, 1, 0, 2, 1], [0, 0, 0, 0, 0]])
    assert_close("top_k_accuracy", submission.call("top_k_accuracy", retrieved, np.array([1, 2])),
                 np.array([3 / 5, 0.0]), tolerance=1e-6)


@graded("q241_groups", 0.0, "public: group_labels on a hand-made case")
def test_groups_small(submission):
    got = submission.call("group_labels", np.array([7, 3, 9, 3, 0, 5]), [3, 5, 7, 8])
    assert_close("group_labels", got, np.array([2, 0, 4, 0, 4, 1]), tolerance=0.0)
