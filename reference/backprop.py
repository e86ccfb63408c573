"""Backpropagation by hand through ReLU networks with the squared loss (10-605 HW5, 1.1 and 1.2).

1.1, one example:  q = W1 x + b1,  h = max(q, 0),  p = W2 h + b2,  L = (p - y)^T (p - y).
1.2, a batch of N examples (one per row) through L hidden ReLU layers and a linear output layer:

    h_0 = X,  q_l = h_{l-1} W_l^T + b_l,  h_l = max(q_l, 0)  (l = 1..L)
    P = h_L W_{L+1}^T + b_{L+1}
    L = sum_n ||p_n - y_n||^2

Backward: G_{L+1} = 2 (P - Y); dL/dW_l = G_l^T h_{l-1}, dL/db_l = sum_n G_l[n],
G_{l-1} = (G_l W_l) * 1[q_{l-1} > 0]. theory/cmu10605_backprop_terms.py and
theory/cmu10605_backprop_recurrence.py prove the terms and the recurrence; at q = 0 the ReLU has
no derivative and 0 (torch's choice) is used here.
"""

import torch


def twelve_terms(W1, b1, W2, b2, x, y, relu_grad_at_zero=0.0):
    """The twelve partial derivatives of 1.1 at one example, as a dict of tensors.

    At q_i = 0 the ReLU's derivative is taken to be relu_grad_at_zero (any value in [0, 1] is a
    subgradient; torch autograd uses 0).

    W1: (H1, D), b1: (H1,), W2: (H2, H1), b2: (H2,), x: (D,), y: (H2,). Keys and shapes:
    dL_dp (H2,); dp_dW2 (H2, H2, H1) [i, j, k] = dp_i/dW2_jk; dL_dW2 (H2, H1); dL_db2 (H2,);
    dp_dh (H2, H1) [i, j] = dp_i/dh_j; dh_dq (H1, H1) [j, i] = dh_j/dq_i; dL_dh (H1,);
    dL_dq (H1,); dq_dW1 (H1, H1, D) [i, j, k] = dq_i/dW1_jk; dq_db1 (H1, H1) [i, j] = dq_i/db1_j;
    dL_dW1 (H1, D); dL_db1 (H1,).
    """
    H1, H2 = W1.shape[0], W2.shape[0]
    q = W1 @ x + b1
    h = torch.clamp(q, min=0)
    p = W2 @ h + b2
    relu_grad = (q > 0).to(q.dtype) + relu_grad_at_zero * (q == 0)  # 1[q_i > 0]
    eye1, eye2 = torch.eye(H1, dtype=q.dtype), torch.eye(H2, dtype=q.dtype)
    dL_dp = 2 * (p - y)
    dL_dh = W2.T @ dL_dp  # sum_j dL/dp_j dp_j/dh_i
    dL_dq = dL_dh * relu_grad
    return {
        "dL_dp": dL_dp,
        "dp_dW2": eye2[:, :, None] * h[None, None, :],  # delta_ij h_k
        "dL_dW2": torch.outer(dL_dp, h),
        "dL_db2": dL_dp,
        "dp_dh": W2.clone(),
        "dh_dq": torch.diag(relu_grad),  # delta_ij 1[q_i > 0]
        "dL_dh": dL_dh,
        "dL_dq": dL_dq,
        "dq_dW1": eye1[:, :, None] * x[None, None, :],  # delta_ij x_k
        "dq_db1": eye1,
        "dL_dW1": torch.outer(dL_dq, x),
        "dL_db1": dL_dq,
    }


def mlp_forward(weights, biases, X):
    """Output of the ReLU network. weights[l]: (H_{l+1}, H_l), biases[l]: (H_{l+1},) for
    l = 0..L (the last pair is the linear output layer), X: (N, H_0) -> P: (N, H_{L+1})."""
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        h = torch.clamp(h @ W.T + b, min=0)  # (N, H_l)
    return h @ weights[-1].T + biases[-1]


def mlp_backward(weights, biases, X, Y):
    """Gradients of L = sum_n ||p_n - y_n||^2 by the backward recurrence, without autograd.

    Shapes as in mlp_forward, Y: (N, H_{L+1}). Returns (dWs, dbs) shaped like weights, biases.
    """
    hs, qs = [X], []
    for W, b in zip(weights[:-1], biases[:-1]):
        qs.append(hs[-1] @ W.T + b)  # (N, H_l)
        hs.append(torch.clamp(qs[-1], min=0))
    G = 2 * (hs[-1] @ weights[-1].T + biases[-1] - Y)  # dL/dP, (N, H_{L+1})
    dWs, dbs = [None] * len(weights), [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        dWs[layer] = G.T @ hs[layer]  # (H_{l+1}, H_l)
        dbs[layer] = G.sum(dim=0)  # over the examples
        if layer:
            G = (G @ weights[layer]) * (qs[layer - 1] > 0)  # dL/dq of the layer below
    return dWs, dbs


# The answers typed in 1.2(b) and (d)'s answer cells: counts for width 1 under convention (a) of
# the template (every multiplication, addition and ReLU or ReLU mask is one operation, the loss
# included), proved in theory/cmu10605_backprop_op_counts.py.
ANSWER_S12B_COUNT = "3*L + 4"
ANSWER_S12B_CONVENTION = "a"
ANSWER_S12B_DOMINATES = "matrix multiplies"
ANSWER_S12D_COUNT = "3*L + 3"
ANSWER_S12D_CONVENTION = "a"
ANSWER_S12D_DOMINATES = "matrix multiplies"
