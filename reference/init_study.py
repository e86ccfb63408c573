"""How initialization scale shapes activations, gradients and training of a deep tanh MLP
(COMP 499/691 A1, Question 4).

`my_model(depth)` has `depth` hidden layers Linear -> tanh of width 50 and a final Linear to 10
logits: x: (B, 784) -> (B, 10), depth + 1 Linear layers in all. `init_weights(net, d)` draws every
weight from U(-d, d) and zeroes the biases; d = "xavier" uses, per layer, the Glorot bound
sqrt(6 / (fan_in + fan_out)) (fan_in = in_features, fan_out = out_features), which keeps the
variance of activations and of gradients roughly constant across layers.

`layer_statistics` measures, for each hidden layer l, the mean of its post-activation h_l over the
batch and the units, and the Frobenius norm of dLoss/dh_l (mean cross-entropy over the batch),
read from h_l.grad after `retain_grad`. `train_model` is plain minibatch SGD on the mean
cross-entropy. The public functions are pasted into the solution notebook (which imports torch,
`from torch import nn` and `import torch.nn.functional as F`) with the helpers they use.
"""

import torch
import torch.nn.functional as F
from torch import nn

WIDTH = 50
XAVIER = "xavier"


class MyModel(nn.Module):
    """depth x (Linear -> tanh) of width `width`, then Linear to 10 logits. x: (B, 784) -> (B, 10).

    After a forward pass `self.activations` holds the depth post-activations h_l, each (B, width),
    with `retain_grad()` called on them when they are part of a graph.
    """

    def __init__(self, depth, width=WIDTH, n_in=784, n_out=10):
        super().__init__()
        if depth < 1:
            raise ValueError(f"my_model: invalid depth {depth}, expected at least 1 hidden layer")
        sizes = [n_in] + [width] * depth
        self.hidden = nn.ModuleList(nn.Linear(sizes[i], sizes[i + 1]) for i in range(depth))
        self.out = nn.Linear(width, n_out)
        self.activations = []

    def forward(self, x):
        self.activations = []
        h = x
        for layer in self.hidden:
            h = torch.tanh(layer(h))  # (B, width)
            if h.requires_grad:
                h.retain_grad()  # keep dLoss/dh_l after backward
            self.activations.append(h)
        return self.out(h)


def my_model(depth):
    """A MyModel with `depth` hidden tanh layers of width 50. x: (B, 784) -> (B, 10)."""
    return MyModel(depth)


def xavier_bound(layer):
    """sqrt(6 / (fan_in + fan_out)) for an nn.Linear (weight: (fan_out, fan_in))."""
    fan_out, fan_in = layer.weight.shape
    return (6.0 / (fan_in + fan_out)) ** 0.5


def init_weights(net, d):
    """Every Linear weight ~ U(-d, d), every bias 0; d is a number or "xavier" (per-layer bound)."""
    for layer in net.modules():
        if isinstance(layer, nn.Linear):
            bound = xavier_bound(layer) if d == XAVIER else float(d)
            nn.init.uniform_(layer.weight, -bound, bound)
            nn.init.zeros_(layer.bias)
    return net


def layer_statistics(net, x, y):
    """Per hidden layer: mean post-activation and ||dLoss/dh_l||_F. x: (B, 784), y: (B,).

    The loss is the mean cross-entropy of the batch. Returns {"mean_activation": (depth,),
    "grad_norm": (depth,)} as float64 tensors; the parameters' .grad are left as they were.
    """
    saved = [p.grad for p in net.parameters()]
    loss = F.cross_entropy(net(x), y)
    loss.backward()
    for p, grad in zip(net.parameters(), saved):
        p.grad = grad
    h = net.activations
    return {"mean_activation": torch.stack([a.detach().mean() for a in h]).double(),
            "grad_norm": torch.stack([a.grad.norm() for a in h]).double()}


def accuracy(net, x, y):
    """Fraction of the rows of x: (N, 784) whose largest logit is at the label y: (N,)."""
    with torch.no_grad():
        return (net(x).argmax(dim=1) == y).double().mean().item()


def train_model(net, x_train, y_train, x_test, y_test, epochs=5, lr=0.01, batch_size=128,
                shuffle=True, seed=0):
    """Minibatch SGD on the mean cross-entropy. x: (N, 784), y: (N,) (int64 labels).

    With shuffle=False the batches are x_train[0:batch_size], x_train[batch_size:2 batch_size], ...
    in every epoch. Returns {"train_acc": [...], "test_acc": [...]}, one fraction in [0, 1] per
    epoch, measured on the whole sets after the epoch.

    Each step is torch.optim.SGD(net.parameters(), lr)'s, written out: p <- p - lr * grad (the
    grader trains this beside the student's kernel, and building a torch.optim optimizer first
    imports torch._dynamo: ~2 s and ~40 MiB).
    """
    params = list(net.parameters())
    g = torch.Generator().manual_seed(seed)
    history = {"train_acc": [], "test_acc": []}
    for _ in range(epochs):
        order = torch.randperm(len(y_train), generator=g) if shuffle else torch.arange(len(y_train))
        for batch in order.split(batch_size):
            loss = F.cross_entropy(net(x_train[batch]), y_train[batch])
            with torch.no_grad():
                for p, grad in zip(params, torch.autograd.grad(loss, params)):
                    p.add_(grad, alpha=-lr)
        history["train_acc"].append(accuracy(net, x_train, y_train))
        history["test_acc"].append(accuracy(net, x_test, y_test))
    return history


def plot_layer_statistics(stats, title=""):
    """Two panels, mean activation and gradient norm against the layer, one line per setting.

    stats: {label: layer_statistics(...)}. Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    fig, (ax_mean, ax_grad) = plt.subplots(1, 2, figsize=(11, 4))
    for label, s in stats.items():
        layers = range(1, len(s["mean_activation"]) + 1)
        ax_mean.plot(layers, s["mean_activation"], marker="o", label=f"d = {label}")
        ax_grad.semilogy(layers, s["grad_norm"], marker="o", label=f"d = {label}")
    ax_mean.set(xlabel="layer", ylabel="mean post-activation", title=title)
    ax_grad.set(xlabel="layer", ylabel="gradient norm ||dL/dh||", title=title)
    ax_mean.legend()
    return fig


def plot_accuracy(histories):
    """Train and test accuracy against the epoch, one colour per setting. Returns the Figure.

    histories: {label: train_model(...)}.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for label, h in histories.items():
        epochs = range(1, len(h["train_acc"]) + 1)
        (line,) = ax.plot(epochs, h["train_acc"], marker="o", label=f"d = {label}, train")
        ax.plot(epochs, h["test_acc"], marker="s", linestyle="--", color=line.get_color(),
                label=f"d = {label}, test")
    ax.set(xlabel="epoch", ylabel="accuracy", ylim=(0, 1))
    ax.legend(fontsize="small")
    return fig
