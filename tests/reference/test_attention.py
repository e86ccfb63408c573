"""reference.attention against numpy loops, torch's scaled_dot_product_attention, autograd and
torch's FlopCounterMode."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from reference.attention import (
    argmax_attention,
    kernel_attention,
    linear_attention,
    quadratic_feature_map,
    quadratic_kernel,
    query_key_gradient_norms,
    softmax_attention,
)


def qkv(n=7, length=9, d=4, m=3, seed=0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(n, d, generator=g, dtype=torch.float64),
            torch.randn(length, d, generator=g, dtype=torch.float64),
            torch.randn(length, m, generator=g, dtype=torch.float64))


def test_argmax_attention_picks_the_best_key_and_the_first_on_ties():
    Q, K, V = qkv()
    expected = V.numpy()[[int(np.argmax(K.numpy() @ q)) for q in Q.numpy()]]
    np.testing.assert_array_equal(argmax_attention(Q, K, V).numpy(), expected)
    tied = torch.tensor([[1.0, 0.0], [1.0, 0.0]], dtype=torch.float64)
    assert argmax_attention(torch.tensor([[1.0, 0.0]], dtype=torch.float64), tied,
                            V[:2]).tolist() == [V[0].tolist()]


def test_softmax_attention_is_torch_scaled_dot_product_attention():
    Q, K, V = qkv()
    torch.testing.assert_close(softmax_attention(Q, K, V),
                               F.scaled_dot_product_attention(Q[None], K[None], V[None])[0])


def test_no_gradient_reaches_queries_or_keys_through_argmax():
    Q, K, V = qkv()
    assert query_key_gradient_norms(argmax_attention, Q, K, V) == (0.0, 0.0)
    Qg, Kg = Q.clone().requires_grad_(), K.clone().requires_grad_()
    dq, dk = torch.autograd.grad(softmax_attention(Qg, Kg, V).sum(), (Qg, Kg))
    assert query_key_gradient_norms(softmax_attention, Q, K, V) == pytest.approx(
        (dq.norm().item(), dk.norm().item()))
    assert min(query_key_gradient_norms(softmax_attention, Q, K, V)) > 0


@pytest.mark.parametrize("d", [1, 2, 5])
def test_feature_map_reproduces_the_quadratic_kernel(d):
    Q, K, _ = qkv(d=d)
    expected = (Q.numpy() @ K.numpy().T + 1) ** 2
    np.testing.assert_allclose(quadratic_kernel(Q, K).numpy(), expected, rtol=1e-12)
    fq, fk = quadratic_feature_map(Q), quadratic_feature_map(K)
    assert fq.shape == (7, (d + 1) * (d + 2) // 2)
    np.testing.assert_allclose((fq @ fk.T).numpy(), expected, rtol=1e-10, atol=1e-12)


def _loops(Q, K, V, sim, causal):
    """Eq. 6 one query at a time, in numpy."""
    Q, K, V = Q.numpy(), K.numpy(), V.numpy()
    out = np.zeros((len(Q), V.shape[1]))
    for i, q in enumerate(Q):
        keys = range(i + 1) if causal else range(len(K))
        weights = np.array([sim(q, K[j]) for j in keys])
        out[i] = weights @ V[list(keys)] / weights.sum()
    return out


@pytest.mark.parametrize("causal", [False, True])
def test_eq6_and_eq8_match_the_loops(causal):
    Q, K, V = qkv(8, 8)
    expected = _loops(Q, K, V, lambda q, k: (q @ k + 1) ** 2, causal)
    np.testing.assert_allclose(kernel_attention(Q, K, V, quadratic_kernel, causal).numpy(),
                               expected, rtol=1e-10)
    np.testing.assert_allclose(linear_attention(Q, K, V, quadratic_feature_map, causal).numpy(),
                               expected, rtol=1e-10)


def _flops(fn, n):
    Q, K, V = qkv(n, n, 4, 4)
    with FlopCounterMode(display=False) as counter:
        fn(Q, K, V)
    return counter.get_total_flops()


def test_linear_attention_work_grows_linearly_and_eq6_quadratically():
    def quadratic(Q, K, V):
        return kernel_attention(Q, K, V, quadratic_kernel)

    def linear(Q, K, V):
        return linear_attention(Q, K, V, quadratic_feature_map)

    assert _flops(linear, 1024) / _flops(linear, 256) == pytest.approx(4, rel=0.01)
    assert _flops(quadratic, 1024) / _flops(quadratic, 256) == pytest.approx(16, rel=0.01)
