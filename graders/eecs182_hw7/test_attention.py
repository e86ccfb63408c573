"""Hidden tests of EECS 182 HW7 Questions 4 and 5: argmax and softmax attention against
reference.attention on fresh inputs, no gradient through argmax (measured on the student's
function), the quadratic kernel and its feature map (any order of features), eq. 6 and eq. 8 with
the grader's own similarity and feature maps, and eq. 8's work counted at two sequence lengths.
"""

import numpy as np
import torch

from graders.compare import Checks, as_array, assert_close
from graders.eecs182_hw7 import probes
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import attention

MAPS: dict = {}
exec(probes.MAPS_SOURCE, MAPS)  # the similarity and feature maps the kernel gets, here too
WORK_LENGTHS = (256, 2048)
WORK_GROWTH = 12.0  # allowed growth of the work for 8 times the length (linear: 8, quadratic: 64)


def _qkv(rng, n=7, length=9, d=5, m=4):
    """Q: (n, d), K: (length, d), V: (length, m), float64."""
    return (rng.standard_normal((n, d)), rng.standard_normal((length, d)),
            rng.standard_normal((length, m)))


def _shapes(**arrays) -> str:
    """" for Q (7, 5), K (9, 5)": the drawn inputs' shapes, for staff only."""
    return drawn(" for " + ", ".join(f"{name} {a.shape}" for name, a in arrays.items()))


def _t(*arrays):
    return [torch.from_numpy(a) for a in arrays]


@graded("q4a", 4.0, "argmax_attention: values, and no gradient reaching Q or K")
def test_argmax(submission, rng):
    for shape in ((1, 4, 3, 2), (6, 11, 5, 4)):
        Q, K, V = _qkv(rng, *shape)
        where = _shapes(Q=Q, K=K, V=V)
        assert_close("argmax_attention", submission.call("argmax_attention", *map(AsTorch, (
            Q, K, V))), attention.argmax_attention(*_t(Q, K, V)).numpy(), where=where)
    norms = submission.call("argmax_attention", *map(AsTorch, (Q, K, V)),
                            code=probes.QK_GRADIENTS)
    if max(norms) > 0:
        raise StudentError(f"argmax_attention: gradients of norm {norms[0]:.3g} and "
                           f"{norms[1]:.3g} reach Q and K; a one-hot argmax passes none{where}")


@graded("q4_softmax", 2.0, "softmax_attention against the reference")
def test_softmax(submission, rng):
    Q, K, V = _qkv(rng, 6, 11, 5, 4)
    assert_close("softmax_attention", submission.call("softmax_attention", *map(AsTorch, (
        Q, K, V))), attention.softmax_attention(*_t(Q, K, V)).numpy(),
        where=_shapes(Q=Q, K=K, V=V))


@graded("q4b_grad", 3.0, "query_key_gradient_norms of the grader's softmax and argmax attention")
def test_gradient_norms(submission, rng):
    Q, K, V = _qkv(rng, 5, 8, 4, 3)
    got = submission.call("query_key_gradient_norms", *map(AsTorch, (Q, K, V)),
                          code=probes.GRADIENT_NORMS)
    expected = [attention.query_key_gradient_norms(f, *_t(Q, K, V))
                for f in (attention.softmax_attention, attention.argmax_attention)]
    for label, value, goal in zip(("softmax", "argmax"), got, expected):
        assert_close(f"query_key_gradient_norms(<{label} attention>, Q, K, V)", value,
                     np.array(goal), where=_shapes(Q=Q, K=K))


@graded("q5b_kernel", 2.0, "quadratic_kernel against (Q K^T + 1)^2")
def test_quadratic_kernel(submission, rng):
    Q, K, _ = _qkv(rng, 6, 9, 5)
    assert_close("quadratic_kernel", submission.call("quadratic_kernel", AsTorch(Q), AsTorch(K)),
                 attention.quadratic_kernel(*_t(Q, K)).numpy(), where=_shapes(Q=Q, K=K))


@graded("q5b_phi", 4.0, "quadratic_feature_map: phi(Q) phi(K)^T is the quadratic kernel")
def test_feature_map(submission, rng):
    checks = Checks()
    for d in (1, 3, 6):
        Q, K, _ = _qkv(rng, 7, 5, d)
        where = drawn(f" for rows of width D = {d}")
        with checks.case():
            fq, fk = (as_array(submission.call("quadratic_feature_map", AsTorch(x)),
                               "quadratic_feature_map") for x in (Q, K))
            if fq.ndim != 2 or fq.shape[0] != 7 or fk.shape != (5, fq.shape[1]):
                got = drawn(f", got shapes {fq.shape} and {fk.shape}")
                raise StudentError(f"quadratic_feature_map: expected one row of features per "
                                   f"input row{got}{where}")
            assert_close("quadratic_feature_map: phi(Q) phi(K)^T", fq @ fk.T,
                         attention.quadratic_kernel(*_t(Q, K)).numpy(), where=where)
    checks.finish()


@graded("q5_eq6", 3.0, "kernel_attention (eq. 6) with the grader's similarity, causal or not")
def test_eq6(submission, rng):
    checks = Checks()
    for causal in (False, True):
        Q, K, V = _qkv(rng, 8, 8, 4, 3)
        with checks.case():
            assert_close(f"kernel_attention(..., causal={causal})",
                         submission.call("kernel_attention", *map(AsTorch, (Q, K, V)), causal,
                                         code=probes.EQ6),
                         attention.kernel_attention(*_t(Q, K, V), MAPS["EXP_SIM"],
                                                    causal=causal).numpy(),
                         where=" for sim(q, k) = exp(q^T k / 2)" + _shapes(Q=Q, K=K, V=V))
    checks.finish()


@graded("q5_eq8", 5.0, "linear_attention (eq. 8) equals eq. 6 with the same feature map")
def test_eq8(submission, rng):
    checks = Checks()
    for name in probes.FEATURE_MAP_NAMES:
        phi = MAPS["FEATURE_MAPS"][name]
        for causal in (False, True):
            Q, K, V = _qkv(rng, 10, 10, 3, 4)
            expected = attention.kernel_attention(*_t(Q, K, V), lambda a, b, f=phi: f(a) @ f(b).T,
                                                  causal=causal).numpy()
            with checks.case():
                assert_close(f"linear_attention(..., causal={causal})",
                             submission.call("linear_attention", name, *map(AsTorch, (Q, K, V)),
                                             causal, code=probes.EQ8),
                             expected,
                             where=f" for phi(x) = {name}" + _shapes(Q=Q, K=K, V=V))
    checks.finish()


@graded("q5_linear_work", 3.0, "linear_attention's torch work grows linearly in N")
def test_linear_work(submission):
    name = probes.FEATURE_MAP_NAMES[1]
    for causal in (False, True):
        small, big = submission.call("linear_attention", name, list(WORK_LENGTHS), 4, 4, causal,
                                     code=probes.WORK, timeout=120)
        where = (f" (causal={causal}" + drawn(
            f", D = M = 4, the elements produced by its torch operations at N = {WORK_LENGTHS[0]} "
            f"and {WORK_LENGTHS[1]}") + ")")
        if small <= 0:
            raise StudentError(f"linear_attention: no torch operation was counted{where}; compute "
                               "with torch operations")
        growth = big / small
        if growth > WORK_GROWTH:
            raise StudentError(f"linear_attention: its work grew {growth:.1f} times for 8 times "
                               f"the sequence length; linear work grows about 8 times, an N x N "
                               f"matrix 64 times{where}")

