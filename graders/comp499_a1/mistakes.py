"""Typical mistakes in COMP 499 A1's autograded questions (see graders/staff/mistakes.py).

Each is a short, independent implementation (none copied from reference/), wrong in one way a
student could plausibly be. A source replaces its question's whole graded cell, so it also
defines the cell's other functions, correctly.
"""

from graders.staff.mistakes import Mistake

Q1B_FORWARD = '''
def net_forward(params, x):
    return torch.tanh(x @ params["W1"].T + params["b1"]) @ params["w2"] + params["b2"]


def logcosh_cost(y_hat, y):
    return torch.log(torch.cosh(y_hat - y)).mean()
'''

Q1B_MISSING_1_OVER_N = '''

def net_gradients(params, x, y):
    W1, b1, w2, b2 = params["W1"], params["b1"], params["w2"], params["b2"]
    n = x.shape[0]
    h = torch.tanh(x @ W1.T + b1)  # (N, H)
    t = torch.tanh(h @ w2 + b2 - y)  # d log cosh(r) / dr, (N,)
    u = t[:, None] * (1 - h**2) * w2  # dl/da per example, (N, H)
    return {"W1": u.T @ x,  # wrong: the 1/N of the mean is missing here
            "b1": u.sum(0) / n, "w2": h.T @ t / n, "b2": t.sum() / n, "x": u @ W1 / n}
'''

Q1B_TANH_PRIME = '''

def net_gradients(params, x, y):
    W1, b1, w2, b2 = params["W1"], params["b1"], params["w2"], params["b2"]
    n = x.shape[0]
    h = torch.tanh(x @ W1.T + b1)
    t = torch.tanh(h @ w2 + b2 - y)
    u = t[:, None] * (1 - h) * w2  # wrong: tanh' is 1 - tanh^2, not 1 - tanh
    return {"W1": u.T @ x / n, "b1": u.sum(0) / n, "w2": h.T @ t / n, "b2": t.sum() / n,
            "x": u @ W1 / n}
'''

Q2B_FORWARD = '''
def mlp_forward(weights, x):
    h = x
    for i in range(1, len(weights)):
        h = torch.tanh(weights[f"W{i}"] @ h)
    return weights["WF"] @ h
'''

MISTAKES = {
    "w1_missing_1_over_n": Mistake(
        "q1b", "drops the 1/N of the mean in the gradient of W1",
        Q1B_FORWARD + Q1B_MISSING_1_OVER_N, ("net_gradients(...)['W1']: relative difference",),
        kept=2.0 + 6.0 * 4 / 5),
    "tanh_prime_is_1_minus_tanh": Mistake(
        "q1b", "takes 1 - tanh as the derivative of tanh instead of 1 - tanh^2",
        Q1B_FORWARD + Q1B_TANH_PRIME,
        ("net_gradients(...)['W1']", "net_gradients(...)['b1']", "net_gradients(...)['x']",
         "3 of 5 checks failed"), kept=2.0 + 6.0 * 2 / 5),
    "one_sided_large_step": Mistake(
        "q1c", "a one-sided difference whose step never drops below 1e-3", '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    f0 = float(f(x))
    step = max(eps, 1e-3)  # wrong: one-sided, and the step never drops below 1e-3
    for i in range(x.numel()):
        x.view(-1)[i] += step
        grad.view(-1)[i] = (float(f(x)) - f0) / step
        x.view(-1)[i] -= step
    return grad
''', ("numerical_gradient: relative difference", "above the tolerance 1e-06",
      "for J as a function of W1",
      "matches no central, forward or backward difference of step eps=0.0001"),
        kept=5.0 * 4 / 8),  # with eps = 1e-3 it is a forward difference of step eps: right
    "boston_ten_epochs": Mistake(
        "q1d", "trains for 10 epochs instead of 15", '''
def train_boston(x_train, y_train, x_test, y_test, epochs=10):  # wrong: the handout asks for 15
    torch.manual_seed(1)
    params = {"W1": (0.3 * torch.randn(20, 13)).requires_grad_(),
              "b1": torch.zeros(20, requires_grad=True),
              "w2": (0.3 * torch.randn(20)).requires_grad_(),
              "b2": y_train.mean().clone().requires_grad_()}
    opt = torch.optim.Adam(params.values(), lr=0.05)
    history = {"train_mse": [], "test_mse": []}
    for _ in range(epochs):
        for rows in torch.randperm(len(y_train)).split(32):
            opt.zero_grad()
            logcosh_cost(net_forward(params, x_train[rows]), y_train[rows]).backward()
            opt.step()
        with torch.no_grad():
            for split, xs, ys in (("train", x_train, y_train), ("test", x_test, y_test)):
                history[f"{split}_mse"].append(((net_forward(params, xs) - ys) ** 2).mean().item())
    return {k: v.detach() for k, v in params.items()}, history
''', ("expected 15 values, one per epoch, got 10",), kept=5.0 * 4 / 5),
    "transposed_jacobian": Mistake(
        "q2b", "returns the Jacobian transposed, (D, P) instead of (P, D)", Q2B_FORWARD + '''

def jacobian_reverse(weights, x):
    x = x.detach().clone().requires_grad_(True)
    y = mlp_forward(weights, x)
    rows = [torch.autograd.grad(y[p], x, retain_graph=True)[0] for p in range(y.shape[0])]
    return torch.stack(rows, dim=1)  # wrong: the rows become columns, (D, P)
''', ("jacobian_reverse: got shape (2, 10), not the expected shape",
     "for D=2, K=30, P=10, L=3",),
        kept=1.0),  # its mlp_forward is right
    "forward_mode_calls_backward": Mistake(
        "q2c", "builds the 'forward-mode' Jacobian with .backward, which is reverse mode", '''
def jacobian_forward(weights, x):
    x = x.detach().clone().requires_grad_(True)
    y = mlp_forward(weights, x)
    rows = []
    for p in range(y.shape[0]):
        x.grad = None
        y[p].backward(retain_graph=True)  # wrong: a backward pass is reverse mode
        rows.append(x.grad.clone())
    return torch.stack(rows)
''', ("uses .backward, which 2.3 forbids",)),
    "benchmark_without_L10": Mistake(
        "q2d", "benchmarks the depths 3 and 5 only, not L = 10", '''
def benchmark_jacobians(depths=(3, 5, 10), D=2, K=30, P=10, repeats=20, devices=None):
    rows = []
    for L in depths[:2]:  # wrong: stops before L = 10
        weights = {"W1": torch.randn(K, D), **{f"W{i}": torch.randn(K, K) for i in range(2, L + 1)},
                   "WF": torch.randn(P, K)}
        x = torch.randn(D)
        row = {"device": "cpu", "L": L}
        for key, fn in (("reverse_s", jacobian_reverse), ("forward_s", jacobian_forward)):
            start = time.perf_counter()
            for _ in range(repeats):
                fn(weights, x)
            row[key] = (time.perf_counter() - start) / repeats
        rows.append(row)
    return rows
''', ("no row with L=10 and device 'cpu'",), kept=4.0 * 2 / 3),
    "tent_wrong_outside": Mistake(
        "q3_tent", "a tent of two ReLU units: the slope -2 goes on past x = 1", '''
def tent_network():
    # wrong: without a third unit the slope -2 goes on after x = 1
    return {"activation": "relu", "W1": np.array([[1.0], [1.0]]), "b1": np.array([0.0, -0.5]),
            "W2": np.array([[2.0, -4.0]]), "b2": np.array([0.0])}
''', ("tent_network(): wrong outside [0, 1]: at x = (",)),
    "mean_of_abs_activation": Mistake(
        "q4c", "reports the mean of |h| instead of the mean activation", '''
def layer_statistics(net, x, y):
    loss = F.cross_entropy(net(x), y)
    net.zero_grad()
    loss.backward()
    return {"mean_activation": [h.abs().mean().item() for h in net.activations],  # wrong: |h|
            "grad_norm": [h.grad.norm().item() for h in net.activations]}


def plot_layer_statistics(stats, title=""):
    fig, axes = plt.subplots(1, 2)
    for d, s in stats.items():
        axes[0].plot(range(1, 9), s["mean_activation"], label=str(d))
        axes[1].plot(range(1, 9), s["grad_norm"], label=str(d))
    axes[0].set_title(title)
    axes[0].legend()
    return fig
''', ("layer_statistics(...)['mean_activation']: relative difference",),
        kept=6.0 * 2 / 4 + 2.0),
    "xavier_wrong_fan": Mistake(
        "q4b", "a Xavier bound with 2 fan_in instead of fan_in + fan_out", '''
def init_weights(net, d):
    for layer in net.modules():
        if isinstance(layer, nn.Linear):
            fan_out, fan_in = layer.weight.shape
            bound = math.sqrt(6.0 / (2 * fan_in)) if d == "xavier" else d  # wrong: fan_in twice
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.zeros_(layer.bias)
''', ("init_weights(my_model(3), 'xavier'): layer 1 (784 -> 50) has weights up to",
      "sqrt(6 / (fan_in + fan_out)) = 0.08482"), kept=2.0 * 3 / 4),
    "w_k_one_step_too_far": Mistake(
        "q5c", "off by one: k + 1 terms and B^(k+1), which is w_(k+1)", '''
def gd_iterate(X, y, w0, alpha, k):
    A, c = X.T @ X, X.T @ y
    B = np.eye(len(w0)) - alpha * A
    total = np.zeros_like(w0)
    for j in range(k + 1):  # wrong: k + 1 terms and B^(k + 1) below, that is w_(k+1)
        total += np.linalg.matrix_power(B, j) @ c
    return np.linalg.matrix_power(B, k + 1) @ w0 + alpha * total
''', ("gd_iterate(..., k=0): relative difference",)),
    # answer cells: the text typed, checked by theory's answer checker
    "minimizer_x_t_y": Mistake(
        "q5a_minimizer", "types X^T y as the minimizer, without (X^T X)^(-1)",
        'answer_q5a = "X^T y"', ("q5a_minimizer differs from the expected answer",)),
    "counts_of_the_modes_swapped": Mistake(
        "q2e_counts", "swaps the operation counts of reverse and forward mode",
        'answer_q2e = "[(1 + P)(K D + (L - 1) K^2 + P K), (1 + D)(K D + (L - 1) K^2 '
        '+ P K)]"', ("q2e_counts entry 1 differs from the expected answer",)),
}
