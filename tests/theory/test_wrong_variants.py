"""A deliberately wrong constant, formula or weight must fail BOTH the proof and the numeric check.

One table drives both tests: each row names the derivation and the numeric check of a claim and
the keyword arguments that swap the correct answer for a plausible wrong one.
"""

from __future__ import annotations

import pytest
import sympy as sp

from theory import cmu10605_backprop_op_counts as ops
from theory import cmu10605_backprop_recurrence as rec
from theory import cmu10605_backprop_terms as terms
from theory import comp499_gradients as lc
from theory import comp499_jacobian_cost as jc
from theory import comp499_least_squares as ls
from theory import comp499_networks as nets
from theory import cs229br_bernstein as bern
from theory import cs229br_finite_class as finite
from theory import cs229br_gaussian_labels as gauss
from theory import cs229br_sgd_expected_gradient as sgd_mean
from theory import cs229br_sgd_min_norm as sgd_span
from theory import csci5527_xcorr as xc
from theory import eecs182_attention_cost as cost
from theory import eecs182_autoencoder_pca as pca
from theory import eecs182_autoencoder_weight_decay as decay
from theory import eecs182_dot_product as dot
from theory import eecs182_kernel_attention as kern
from theory.algebra import prove


def _no_union(M, K, n, delta):  # forgets the |F| of the union bound
    return M * sp.sqrt(sp.log(2 / delta) / (2 * n))


def _no_range(M, K, n, delta):  # forgets the loss range M
    return sp.sqrt(sp.log(2 * K / delta) / (2 * n))


def _half_ae(W1, W2, S):
    G1, G2 = pca.ae_gradients(W1, W2, S)
    return G1 / 2, G2 / 2


def _no_mean(*args, tanh=sp.tanh, scale=None):  # drops the 1/N of J
    return lc.gradients(*args, tanh=tanh, scale=1)


def _off_by_one(k, A, c, w0, alpha_=ls.alpha):  # one power too many after the first step
    return ls.iterate_closed_form(k + 1 if k else 0, A, c, w0, alpha_)


def _wrong_tail():
    tails = gauss.tail_formulas()
    return {"abs": tails["abs"] / 2}


WRONG = {
    # id: (derivation, numeric check, keyword arguments for both)
    "finite_class_no_union_bound": (finite.derive_finite_class, finite.check_finite_class,
                                    {"bound": _no_union}),
    "finite_class_no_range": (finite.derive_finite_class, finite.check_finite_class,
                              {"bound": _no_range}),
    "gaussian_tail_half": (gauss.derive_gaussian_labels, gauss.check_gaussian_labels,
                           {"tails": _wrong_tail()}),
    "bernstein_scale_too_small": (bern.derive_bernstein, bern.check_bernstein,
                                  {"c": bern.B**2 + bern.sigma**2}),
    "sgd_c_equals_1": (sgd_mean.derive_expected_gradient, sgd_mean.check_expected_gradient,
                       {"c": 1}),
    "span_without_w0": (sgd_span.derive_span_invariant, sgd_span.check_span_invariant,
                        {"include_w0": False}),
    "pca_gradient_half": (pca.derive_pca_optimality, pca.check_pca_optimality,
                          {"grads": _half_ae}),
    "decoder_without_sqrt": (decay.derive_regularized_balance, decay.check_regularized_bias,
                             {"singular_values": lambda lam, s: 1 - lam / s}),
    "scale_one_over_d": (dot.derive_dot_product, dot.check_dot_product, None),
    "features_without_sqrt2": (kern.derive_quadratic_kernel, kern.check_quadratic_kernel,
                               {"features": lambda x: kern.quadratic_features(x, sqrt2=1)}),
    "linear_attention_time_NDM": (cost.derive_attention_cost, cost.check_attention_cost,
                                  {"orders": {"linear_time": cost.N * cost.D * cost.M}}),
    "softmax_memory_linear_in_N": (cost.derive_attention_cost, cost.check_attention_cost,
                                   {"orders": {"softmax_memory": cost.N * (cost.D + cost.M)}}),
    "xcorr_swapped_arguments": (xc.derive_example, xc.check_example,
                                {"answer": (27, 27, 33, 27, 14, 4)}),
    "cw_flipped_filter": (xc.derive_cw, xc.check_cw,
                          {"cw": lambda w, n: xc.xcorr_matrix(list(w)[::-1], n)}),
    "cx_flipped_input": (xc.derive_cx, xc.check_cx,
                         {"cx": lambda k, x: xc.xcorr_jacobian(k, list(x)[::-1])}),
    "backprop_missing_2": (terms.derive_twelve_terms, terms.check_twelve_terms,
                           {"terms": {"dL/dp_j": lambda e, j: e.p[j] - e.y[j]}}),
    "backprop_missing_relu_mask": (terms.derive_twelve_terms, terms.check_twelve_terms,
                                   {"terms": {"dL/dq_i": lambda e, i: e.g("dL/dh_i", i)}}),
    "deep_recurrence_without_mask": (rec.derive_deep_recurrence, rec.check_deep_recurrence,
                                     {"mask": False}),
    "forward_ops_2L_plus_4": (ops.derive_op_counts, ops.check_op_counts,
                              {"forward": 2 * ops.Lsym + 4}),
    "logcosh_without_1_over_N": (lc.derive_logcosh_gradients, lc.check_logcosh_gradients,
                                 {"grads": _no_mean}),
    "forward_mode_D_times_primal": (jc.derive_jacobian_cost, jc.check_jacobian_cost,
                                    {"forward": jc.D * jc.PRIMAL}),
    "xnor_wrong_bias": (nets.derive_xnor, nets.check_xnor, {"net": {**nets.XNOR, "b": [-1, 0]}}),
    "tent_wrong_middle_slope": (nets.derive_tent, nets.check_tent,
                                {"net": {**nets.TENT, "v": [2, -2, 2]}}),
    "soft_threshold_plus": (nets.derive_soft, nets.check_soft,
                            {"net": {**nets.SOFT, "v": [1, 1]}}),
    "least_squares_off_by_one": (ls.derive_least_squares, ls.check_least_squares,
                                 {"closed_form": _off_by_one}),
}


def _kwargs(name: str, which: str) -> dict:
    kwargs = WRONG[name][2]
    if name == "scale_one_over_d":  # the same wrong s, once symbolic and once numeric
        d = dot.d_sym
        return {"scale": 1 / d} if which == "proof" else {"scale": lambda n: 1 / n}
    return kwargs


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_variant_fails_the_proof(name: str) -> None:
    derive = WRONG[name][0]
    assert not prove(derive(**_kwargs(name, "proof"))).ok


@pytest.mark.parametrize("name", sorted(WRONG))
def test_wrong_variant_fails_the_numeric_check(name: str) -> None:
    check = WRONG[name][1]
    assert not check(**_kwargs(name, "check")).ok

