"""Correct-but-different answers and subtly wrong ones for comp499_a1's fairness tests.

RIGHT holds other correct readings of the handout (a one-sided difference, Adam at its default
learning rate, forward mode through torch.func.jvp, a sigmoid XNOR, a device label in capitals,
closed forms through the eigenvalues...): each must keep every point. SUBTLE holds mistakes that
earlier graders let through or charged to the wrong question (central differences posing as
forward mode, keys sorted as strings, an MSE averaged during the epoch, a model with one layer too
many, a solve with a singular X^T X): each loses exactly `kept`'s complement in its own question.
None is copied from reference/; each replaces its question's graded cell (see replace_cells).
"""

from tests.graders_comp499.notebooks import Wrong

RIGHT = {
    "q1b": '''
def net_forward(params, x):
    return torch.einsum("h,nh->n", params["w2"], torch.tanh(x @ params["W1"].T + params["b1"])) \\
        + params["b2"]


def logcosh_cost(y_hat, y):
    r = (y_hat - y).abs()
    return (r + torch.log1p(torch.exp(-2 * r)) - math.log(2)).mean()  # log cosh, overflow-free


def net_gradients(params, x, y):
    n = x.shape[0]
    a = x @ params["W1"].T + params["b1"]
    h = torch.tanh(a)
    t = torch.tanh(h @ params["w2"] + params["b2"] - y) / n  # dJ/dy_hat, (N,)
    da = torch.outer(t, params["w2"]) / torch.cosh(a) ** 2  # (N, H)
    return {"W1": da.T @ x, "b1": da.sum(0), "w2": h.T @ t, "b2": t.sum(), "x": da @ params["W1"]}
''',
    "q1c": '''
def numerical_gradient(f, x, eps=1e-6):
    """A forward (one-sided) difference, which the handout's "finite differences" allows."""
    base = x.detach().clone()
    f0 = float(f(base))
    grad = torch.empty_like(base)
    for index in np.ndindex(*base.shape):
        moved = base.clone()
        moved[index] += eps
        grad[index] = (float(f(moved)) - f0) / eps
    return grad
''',
    "q1d": '''
def train_boston(x_train, y_train, x_test, y_test, epochs=15):
    torch.manual_seed(3)
    params = {"W1": (0.2 * torch.randn(20, 13)).requires_grad_(),
              "b1": torch.zeros(20, requires_grad=True),
              "w2": (0.2 * torch.randn(20)).requires_grad_(),
              "b2": torch.zeros((), requires_grad=True)}
    opt = torch.optim.Adam(params.values())  # the default learning rate, 1e-3
    history = {"train_mse": [], "test_mse": []}
    for _ in range(epochs):
        for rows in torch.randperm(len(y_train)).split(32):
            opt.zero_grad()
            logcosh_cost(net_forward(params, x_train[rows]), y_train[rows]).backward()
            opt.step()
        with torch.no_grad():
            history["train_mse"].append(float(((net_forward(params, x_train) - y_train) ** 2)
                                              .mean()))
            history["test_mse"].append(float(((net_forward(params, x_test) - y_test) ** 2)
                                             .mean()))
    return {k: v.detach() for k, v in params.items()}, history
''',
    "q2b": '''
def mlp_forward(weights, x):
    hidden = sorted((k for k in weights if k != "WF"), key=lambda k: int(k[1:]))
    for k in hidden:
        x = torch.tanh(weights[k] @ x)
    return weights["WF"] @ x


def jacobian_reverse(weights, x):
    return torch.autograd.functional.jacobian(lambda v: mlp_forward(weights, v), x)
''',
    "q2c": '''
def jacobian_forward(weights, x):
    columns = [torch.func.jvp(lambda v: mlp_forward(weights, v), (x,), (e,))[1]
               for e in torch.eye(x.shape[0], dtype=x.dtype)]
    return torch.stack(columns, dim=1)
''',
    "q2d": '''
def benchmark_jacobians(depths=(3, 5, 10), D=2, K=30, P=10, repeats=20, devices=None):
    rows = []
    for L in depths:
        weights = {"W1": torch.randn(K, D), **{f"W{i}": torch.randn(K, K) for i in range(2, L + 1)},
                   "WF": torch.randn(P, K)}
        x = torch.randn(D)
        row = {"device": "CPU", "L": L}  # the label in capitals
        for key, fn in (("reverse_s", jacobian_reverse), ("forward_s", jacobian_forward)):
            start = time.perf_counter()
            for _ in range(repeats):
                fn(weights, x)
            row[key] = (time.perf_counter() - start) / repeats
        rows.append(row)
    return rows
''',
    "q3_xnor": '''
def xnor_network():
    # AND and NOR of the two bits, added: sigmoids of slope 20, within 1e-4 of the bits
    return {"activation": "sigmoid", "W1": np.array([[20.0, 20.0], [-20.0, -20.0]]),
            "b1": np.array([-30.0, 10.0]), "W2": np.array([[1.0, 1.0]]), "b2": np.array([0.0])}
''',
    "q3_tent": '''
def tent_network():
    return {"activation": "relu", "W1": np.array([[2.0], [4.0], [2.0]]),
            "b1": np.array([0.0, -2.0, -2.0]), "W2": np.array([[1.0, -1.0, 1.0]]),
            "b2": np.array([0.0])}
''',
    "q4b": '''
def init_weights(net, d):
    for layer in net.modules():
        if isinstance(layer, nn.Linear):
            if d == "xavier":
                nn.init.xavier_uniform_(layer.weight)
            else:
                with torch.no_grad():
                    layer.weight.uniform_(-d, d)
            layer.bias.data.zero_()
''',
    "q5a": '''
def ls_gradient(X, w, y):
    return X.T @ X @ w - X.T @ y


def ls_minimizer(X, y):
    return np.linalg.inv(X.T @ X) @ (X.T @ y)
''',
    "q5c": '''
def gd_iterate(X, y, w0, alpha, k):
    lam, V = np.linalg.eigh(X.T @ X)
    decay = (1 - alpha * lam) ** k
    safe = np.where(np.abs(lam) > 1e-12, lam, 1.0)
    gain = np.where(np.abs(lam) > 1e-12, (1 - decay) / safe, alpha * k)
    return V @ (decay * (V.T @ w0) + gain * (V.T @ (X.T @ y)))
''',
}

# q2b's keys sorted as strings put W10 before W2; the solution's jacobian_forward calls the
# notebook's mlp_forward, but 2(c) is graded with a correct one, so 2(c) keeps its 12 points.
SUBTLE = {
    "one_sided_ignores_eps": Wrong("q1c", '''
def numerical_gradient(f, x, eps=1e-6):
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    f0 = float(f(x))
    step = 1e-2  # wrong: its own step, whatever eps is passed
    for i in range(x.numel()):
        x.view(-1)[i] += step
        grad.view(-1)[i] = (float(f(x)) - f0) / step
        x.view(-1)[i] -= step
    return grad
''', ("matches no central, forward or backward difference of step eps=0.001",)),
    "mse_averaged_during_epoch": Wrong("q1d", '''
def train_boston(x_train, y_train, x_test, y_test, epochs=15):
    torch.manual_seed(2)
    params = {"W1": (0.3 * torch.randn(20, 13)).requires_grad_(),
              "b1": torch.zeros(20, requires_grad=True),
              "w2": (0.3 * torch.randn(20)).requires_grad_(),
              "b2": y_train.mean().clone().requires_grad_()}
    opt = torch.optim.Adam(params.values(), lr=0.05)
    decay = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.7)  # small steps at the end
    history = {"train_mse": [], "test_mse": []}
    for _ in range(epochs):
        total = 0.0
        for rows in torch.randperm(len(y_train)).split(45):
            opt.zero_grad()
            y_hat = net_forward(params, x_train[rows])
            total += float(((y_hat - y_train[rows]) ** 2).mean()) / 9  # wrong: during the epoch
            logcosh_cost(y_hat, y_train[rows]).backward()
            opt.step()
        decay.step()
        history["train_mse"].append(total)  # within 1e-3 of the MSE after the epoch, not 2e-5
        with torch.no_grad():
            history["test_mse"].append(float(((net_forward(params, x_test) - y_test) ** 2)
                                             .mean()))
    return {k: v.detach() for k, v in params.items()}, history
''', ("boston_history['train_mse']: the last entry is", "not as an average over the epoch"),
        kept=5.0 * 4 / 5),
    "keys_sorted_as_strings": Wrong("q2b", '''
def mlp_forward(weights, x):
    h = x
    for name in sorted(k for k in weights if k != "WF"):  # wrong: W10 sorts before W2
        h = torch.tanh(weights[name] @ h)
    return weights["WF"] @ h


def jacobian_reverse(weights, x):
    return torch.func.jacrev(lambda v: mlp_forward(weights, v))(x)
''', ("jacobian_reverse: relative difference", "L=10", "mlp_forward: relative difference",
      "costs 2(b) only"), kept=5.0 * 3 / 5),
    "forward_mode_by_central_differences": Wrong("q2c", '''
def jacobian_forward(weights, x):
    h = 1e-6  # wrong: finite differences, no automatic differentiation
    columns = [(mlp_forward(weights, x + h * e) - mlp_forward(weights, x - h * e)) / (2 * h)
               for e in torch.eye(x.shape[0], dtype=x.dtype)]
    return torch.stack(columns, dim=1)
''', ("jacobian_forward: relative difference", "above the tolerance 1e-12")),
    "xnor_barely_saturated": Wrong("q3_xnor", '''
def xnor_network():
    # wrong: slope 4 leaves the outputs 0.05 or more away from the bits
    return {"activation": "sigmoid", "W1": np.array([[4.0, 4.0], [-4.0, -4.0]]),
            "b1": np.array([-6.0, 2.0]), "W2": np.array([[1.0, 1.0]]), "b2": np.array([0.0])}
''', ("xnor_network(): wrong on the Boolean inputs", "off by more than 0.001")),
    "one_layer_too_many": Wrong("q4a", '''
class DeepTanh(nn.Module):
    def __init__(self, depth):
        super().__init__()
        sizes = [784] + [50] * (depth + 1)  # wrong: depth + 1 hidden layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))
        self.head = nn.Linear(50, 10)
        self.activations = []

    def forward(self, x):
        self.activations = []
        for layer in self.hidden:
            x = torch.tanh(layer(x))
            if x.requires_grad:
                x.retain_grad()
            self.activations.append(x)
        return self.head(x)


def my_model(depth):
    return DeepTanh(depth)
''', ("my_model(1): expected Linear layers [784 -> 50, 50 -> 10], got [784 -> 50, 50 -> 50, "
      "50 -> 10]",), kept=0.0),
    "solve_with_singular_gram": Wrong("q5c", '''
def gd_iterate(X, y, w0, alpha, k):
    A = X.T @ X
    w_star = np.linalg.solve(A, X.T @ y)  # wrong: X^T X is singular when N < D
    return w_star + np.linalg.matrix_power(np.eye(len(w0)) - alpha * A, k) @ (w0 - w_star)
''', ("gd_iterate raised LinAlgError",), kept=4.0 * 3 / 4),
}
