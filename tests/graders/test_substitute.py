"""The grader-written helpers that stand in for another question's function (graders.substitute):
they equal reference/, and the swap lasts for the call only."""

import numpy as np
import torch

from graders.comp499_a1.test_q2 import WITH_CORRECT_FORWARD
from graders.csci5527_hw3.test_p2 import CORRECT_HELPERS, WITH_CORRECT_2D
from graders.substitute import with_correct
from reference import jacobian, xcorr


def _defined(source: str) -> dict:
    names: dict = {}
    exec(source, names)  # our own source, as the kernel runs it
    return names


def test_the_correct_xcorr_helpers_equal_the_reference():
    helpers, rng = _defined(CORRECT_HELPERS), np.random.default_rng(0)
    for n1, n2 in [(3, 4), (1, 5), (6, 2)]:
        x, y = rng.standard_normal(n1), rng.standard_normal(n2)
        np.testing.assert_allclose(helpers["xcorr1d"](x, y), xcorr.xcorr1d(x, y), atol=1e-12)
        np.testing.assert_allclose(helpers["xcorr_matrix"](x, n2), xcorr.xcorr_matrix(x, n2))
        Z1, Z2 = rng.standard_normal((n1, n2)), rng.standard_normal((n2 + 1, n1 + 2))
        np.testing.assert_allclose(helpers["xcorr2d"](Z1, Z2), xcorr.xcorr2d(Z1, Z2), atol=1e-12)


def test_the_correct_mlp_forward_equals_the_reference():
    call, namespace = eval(WITH_CORRECT_FORWARD), {}  # the kernel-side caller, our own code
    exec("def forward(weights, x):\n    return mlp_forward(weights, x)\n", namespace)
    for L in (1, 3, 10):  # W10 must come after W9
        weights = jacobian.make_weights(L=L, generator=torch.Generator().manual_seed(L))
        x = torch.randn(2, dtype=torch.float64)
        torch.testing.assert_close(call(namespace["forward"], weights, x),
                                   jacobian.mlp_forward(weights, x))


def test_the_swap_lasts_for_the_call_only_and_reaches_the_students_globals():
    namespace = {"xcorr2d": "the student's", "np": np}
    exec("def gradient(Y):\n    return xcorr2d(np.ones((1, 1)), Y)\n", namespace)
    call = eval(WITH_CORRECT_2D)
    Y = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(call(namespace["gradient"], Y), Y)
    assert namespace["xcorr2d"] == "the student's"
    missing = eval(with_correct("def helper():\n    return 1\n", ("helper",)))
    exec("def uses():\n    return helper()\n", namespace)
    assert missing(namespace["uses"]) == 1 and "helper" not in namespace
