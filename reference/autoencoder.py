"""Autoencoders (EECS 182 HW7, Question 1(a)): vanilla, denoising and masked, a trainer, and a
linear probe on frozen encoder features.

Every model maps x: (N, in_dim) to a latent z = encode(x): (N, latent_dim) and back to a
reconstruction decode(z): (N, in_dim). `loss(x)` is the training objective on a clean batch x:
the corruption (Gaussian noise, or a random share of hidden entries set to 0) reaches the
encoder's input only; the target is always the clean x. The masked model's loss counts the hidden
entries only. The public names are pasted into the solution notebook, which imports torch,
`from torch import nn` and `import torch.nn.functional as F`.
"""

import torch
import torch.nn.functional as F
from torch import nn

HIDDEN = 128


def mlp(sizes):
    """Linear layers of the given sizes with ReLU between them (none after the last)."""
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        layers += [nn.Linear(n_in, n_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


class AutoEncoder(nn.Module):
    """x: (N, in_dim) -> z: (N, latent_dim) -> reconstruction (N, in_dim); one hidden layer each
    way. Trained to reproduce its clean input."""

    def __init__(self, in_dim, latent_dim, hidden=HIDDEN):
        super().__init__()
        self.encoder = mlp([in_dim, hidden, latent_dim])
        self.decoder = mlp([latent_dim, hidden, in_dim])

    def encode(self, x):
        return self.encoder(x)  # (N, latent_dim)

    def decode(self, z):
        return self.decoder(z)  # (N, in_dim)

    def forward(self, x):
        return self.decode(self.encode(x))

    def corrupt(self, x):
        """(what the encoder sees, boolean mask of the entries the loss counts or None = all)."""
        return x, None

    def loss(self, x):
        """Mean squared error between the reconstruction of the corrupted x and the clean x."""
        seen, counted = self.corrupt(x)
        error = (self(seen) - x) ** 2  # (N, in_dim)
        return error.mean() if counted is None else error[counted].mean()


class DenoisingAutoEncoder(AutoEncoder):
    """An AutoEncoder trained on inputs with Gaussian noise of std `noise_std` added."""

    def __init__(self, in_dim, latent_dim, noise_std=0.3, hidden=HIDDEN):
        super().__init__(in_dim, latent_dim, hidden)
        self.noise_std = noise_std

    def corrupt(self, x):
        return x + self.noise_std * torch.randn_like(x), None


class MaskedAutoEncoder(AutoEncoder):
    """An AutoEncoder whose input has a random share `mask_ratio` of its entries set to 0; the
    loss counts the hidden entries only."""

    def __init__(self, in_dim, latent_dim, mask_ratio=0.5, hidden=HIDDEN):
        super().__init__(in_dim, latent_dim, hidden)
        self.mask_ratio = mask_ratio

    def corrupt(self, x):
        hidden = torch.rand_like(x) < self.mask_ratio  # (N, in_dim), True = hidden
        return x.masked_fill(hidden, 0.0), hidden


def train_autoencoder(model, X, epochs=10, lr=1e-3, batch_size=64):
    """Adam on model.loss over shuffled mini-batches of the rows of X: (N, in_dim).

    Returns the mean training loss of each epoch (a list of `epochs` floats)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    model.train()
    history = []
    for _ in range(epochs):
        total = 0.0
        for rows in torch.randperm(len(X)).split(batch_size):
            optimizer.zero_grad()
            loss = model.loss(X[rows])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        history.append(total / len(X))
    return history


def reconstruction_error(model, X):
    """Mean squared error of model(X) against X: (N, in_dim), without gradients."""
    model.eval()
    with torch.no_grad():
        return F.mse_loss(model(X), X).item()


def linear_probe(model, X_train, y_train, X_test, y_test, num_classes, epochs=100, lr=0.1):
    """Logistic regression on the frozen features model.encode(X): full-batch Adam on the cross
    entropy of the training split; no gradient reaches the encoder.

    X_*: (N, in_dim), y_*: (N,) int64. Returns (probe: nn.Linear, accuracy on the test split)."""
    with torch.no_grad():
        train_z, test_z = model.encode(X_train), model.encode(X_test)  # (N, latent_dim)
    probe = nn.Linear(train_z.shape[1], num_classes)
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        F.cross_entropy(probe(train_z), y_train).backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = (probe(test_z).argmax(1) == y_test).float().mean().item()
    return probe, accuracy
