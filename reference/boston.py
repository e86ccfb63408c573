"""Training the log-cosh network on the Boston housing data (COMP 499/691 A1, Question 1(d)).

scikit-learn removed `load_boston`; mlxtend ships the same 506 x 13 table, so the data needs no
download. The split is fixed (a seeded permutation, 20% test) and the 13 features are standardized
with the training rows' mean and standard deviation; the target, the median house value in
$1000s, is left as it is, so mean squared errors are in ($1000s)^2.

The network is reference.logcosh_net's, with W1: (H, 13). Training uses Adam on the log-cosh cost J
with minibatches; the output bias starts at the mean training price, so the first epochs fit the
shape of the data rather than its level. `train_boston` is pasted into the solution notebook with
its helpers; it calls `net_forward` and `logcosh_cost` from Question 1(b)'s cell.
"""

import numpy as np
import torch

from reference.logcosh_net import logcosh_cost, net_forward

TEST_FRACTION = 0.2
SPLIT_SEED = 0


def load_boston_split(test_fraction=TEST_FRACTION, seed=SPLIT_SEED):
    """(x_train, y_train, x_test, y_test) as float32 tensors: x (N, 13) standardized, y (N,).

    With the defaults: 405 training rows and 101 test rows (the template's data cell does the same).
    """
    from mlxtend.data import boston_housing_data

    x, y = boston_housing_data()  # (506, 13), (506,)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = round(test_fraction * len(y))
    test, train = order[:n_test], order[n_test:]
    mean, std = x[train].mean(axis=0), x[train].std(axis=0)
    x = (x - mean) / std

    def as_tensor(a):
        return torch.as_tensor(a, dtype=torch.float32)

    return as_tensor(x[train]), as_tensor(y[train]), as_tensor(x[test]), as_tensor(y[test])


def mse(params, x, y):
    """Mean squared error of the network's predictions. x: (N, D), y: (N,) -> float."""
    with torch.no_grad():
        return ((net_forward(params, x) - y) ** 2).mean().item()


def init_logcosh_params(n_in, hidden, b2=0.0, seed=0):
    """W1, w2 ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (torch.nn.Linear's default), b1 = 0, b2 given.

    Returns float32 leaf tensors that require grad: W1 (hidden, n_in), b1 (hidden,), w2 (hidden,),
    b2 ().
    """
    g = torch.Generator().manual_seed(seed)

    def uniform(shape, fan_in):
        return (2.0 * torch.rand(shape, generator=g) - 1.0) / fan_in**0.5

    params = {"W1": uniform((hidden, n_in), n_in), "b1": torch.zeros(hidden),
              "w2": uniform((hidden,), hidden), "b2": torch.tensor(float(b2))}
    return {k: v.requires_grad_() for k, v in params.items()}


def train_boston(x_train, y_train, x_test, y_test, epochs=15, hidden=20, lr=0.03, batch_size=16,
                 seed=0):
    """Adam on the log-cosh cost J for `epochs` epochs. x: (N, D), y: (N,).

    Returns (params, history): the final parameters (detached; W1 (hidden, D), b1, w2 (hidden,),
    b2 ()) and {"train_mse": [...], "test_mse": [...]}, one float per epoch, measured on the whole
    split after the epoch.
    """
    params = init_logcosh_params(x_train.shape[1], hidden, b2=y_train.mean().item(), seed=seed)
    optimizer = torch.optim.Adam(params.values(), lr=lr)
    g = torch.Generator().manual_seed(seed)
    history = {"train_mse": [], "test_mse": []}
    for _ in range(epochs):
        for batch in torch.randperm(len(y_train), generator=g).split(batch_size):
            optimizer.zero_grad()
            logcosh_cost(net_forward(params, x_train[batch]), y_train[batch]).backward()
            optimizer.step()
        history["train_mse"].append(mse(params, x_train, y_train))
        history["test_mse"].append(mse(params, x_test, y_test))
    return {k: v.detach() for k, v in params.items()}, history
