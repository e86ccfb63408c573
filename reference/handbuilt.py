"""Networks whose weights are found by hand (COMP 499/691 A1, Question 3).

A network is a dict of arrays: {"activation": "relu" or "sigmoid", "W1": (H1, n_in), "b1": (H1,),
"W2": (n_out, H1), "b2": (n_out,)} for one hidden layer, plus "W3", "b3" for two. The hidden
layers apply the activation; the output layer is affine, with one output (n_out = 1).

    XNOR on {0, 1}^2:      relu(x1 + x2 - 1) + relu(1 - x1 - x2)       (an AND unit plus a NOR unit)
    tent:                  2 relu(x) - 4 relu(x - 1/2) + 2 relu(x - 1)   (slopes 2, -2, then 0)
    soft thresholding:     relu(x - s) - relu(-x - s)                   (s >= 0)

Each is exact: theory/comp499_networks.py proves the three identities piece by piece. The public
functions are pasted into the solution notebook (which imports numpy as np).
"""

import numpy as np


def network_forward(net, x):
    """Evaluate a network dict at a batch of inputs. x: (N, n_in) -> (N,) (one output)."""
    activation = {"relu": lambda a: np.maximum(a, 0.0),
                  "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a))}[net["activation"]]
    layers = sum(1 for key in net if key.startswith("W"))
    h = np.asarray(x, dtype=np.float64)
    for i in range(1, layers + 1):
        W = np.asarray(net[f"W{i}"], dtype=np.float64).reshape(-1, h.shape[1])  # (out, in)
        h = h @ W.T + np.asarray(net[f"b{i}"], dtype=np.float64).reshape(-1)  # (N, out)
        if i < layers:
            h = activation(h)
    return h[:, 0]


def xnor_network():
    """One hidden ReLU layer of 2 units: 1 exactly when x1 == x2 on {0, 1}^2. Input (x1, x2)."""
    return {"activation": "relu",
            "W1": np.array([[1.0, 1.0], [-1.0, -1.0]]), "b1": np.array([-1.0, 1.0]),
            "W2": np.array([[1.0, 1.0]]), "b2": np.array([0.0])}


def tent_network():
    """One hidden ReLU layer of 3 units: 2x on [0, 1/2], 2(1 - x) on [1/2, 1], 0 elsewhere."""
    return {"activation": "relu",
            "W1": np.array([[1.0], [1.0], [1.0]]), "b1": np.array([0.0, -0.5, -1.0]),
            "W2": np.array([[2.0, -4.0, 2.0]]), "b2": np.array([0.0])}


def soft_threshold_network(s):
    """One hidden ReLU layer of 2 units: max(|x| - s, 0) sign(x) for s >= 0."""
    if s < 0:
        raise ValueError(f"soft_threshold_network: invalid threshold s={s}, expected s >= 0")
    return {"activation": "relu",
            "W1": np.array([[1.0], [-1.0]]), "b1": np.array([-s, -s], dtype=np.float64),
            "W2": np.array([[1.0, -1.0]]), "b2": np.array([0.0])}
