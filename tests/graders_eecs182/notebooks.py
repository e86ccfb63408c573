"""Notebook variants for the eecs182_hw7 end-to-end tests.

Each wrong answer is a short, independent implementation (none copied from reference/) that is
wrong in one way a student could plausibly be; each right one is a different but correct reading.
A variant replaces the whole graded cell of its question; answer cells are replaced by their text.
"""

import copy
from dataclasses import dataclass

import nbformat

from tests.graders.notebooks import replace_cells
from theory.answer_keys import KEYS

# The typed answers of the solution (until theory.answer_keys holds eecs182_hw7's keys and
# `dlgrade solve` fills them itself).
ANSWERS = {key.question: key.expected for key in KEYS if key.assignment == "eecs182_hw7"}


def with_answers(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    """A copy of `nb` whose answer cells assign the given texts."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        question = cell.metadata.get("dlgrade", {}).get("answer")
        if question in answers:
            cell.source = f"answer_{question} = {answers[question]!r}"
    return nb


def variant(nb: nbformat.NotebookNode, names) -> nbformat.NotebookNode:
    """`nb` with the cells (or answers) of the named variants of VARIANTS replaced."""
    chosen = [VARIANTS[name] for name in names]
    nb = replace_cells(nb, {v.cell or v.question: v.source for v in chosen if not v.answer})
    return with_answers(nb, {v.question: v.source for v in chosen if v.answer})


@dataclass(frozen=True)
class Variant:
    """An answer to `question` (an answer cell's text when `answer`; the graded cell of `cell`
    when the question has none of its own): wrong ones keep `kept` of its points and their
    tests' output contains every string of `says`; right ones (right=True) keep all."""

    question: str
    source: str
    says: tuple[str, ...] = ()
    right: bool = False
    answer: bool = False
    kept: float = 0.0
    cell: str = ""


def wrong_answer(question: str, text: str, says: str) -> Variant:
    return Variant(question, text, (says,), answer=True)


VARIANTS = {
    "noise_on_target": Variant("q1a_denoise", '''
class DenoisingAutoEncoder(AutoEncoder):
    def __init__(self, in_dim, latent_dim, noise_std=0.3):
        super().__init__(in_dim, latent_dim)
        self.noise_std = noise_std

    def loss(self, x):
        noisy = x + self.noise_std * torch.randn_like(x)
        return F.mse_loss(self(noisy), noisy)  # wrong: the target is noisy too
''', ("DenoisingAutoEncoder.loss: a perfect reconstruction of the clean x gives loss",)),
    "mask_after_encoder": Variant("q1a_mask", '''
class MaskedAutoEncoder(AutoEncoder):
    def __init__(self, in_dim, latent_dim, mask_ratio=0.5):
        super().__init__(in_dim, latent_dim)
        self.mask_ratio = mask_ratio

    def loss(self, x):
        z = self.encode(x)
        keep = (torch.rand_like(z) >= self.mask_ratio).float()  # wrong: masks the latent code
        return F.mse_loss(self.decode(z * keep), x)
''', ("MaskedAutoEncoder.loss: the encoder saw 0% of the entries changed",)),
    "probe_not_frozen": Variant("q1a_probe", '''
def linear_probe(model, X_train, y_train, X_test, y_test, num_classes, epochs=100, lr=0.1):
    probe = nn.Linear(model.encode(X_train[:1]).shape[1], num_classes)
    params = list(probe.parameters()) + list(model.parameters())  # wrong: trains the encoder too
    optimizer = torch.optim.Adam(params, lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        F.cross_entropy(probe(model.encode(X_train)), y_train).backward()
        optimizer.step()
    with torch.no_grad():
        accuracy = (probe(model.encode(X_test)).argmax(1) == y_test).float().mean().item()
    return probe, accuracy
''', ("linear_probe: the encoder's parameters changed while probing",)),
    "probe_fits_test_split": Variant("q1a_probe", '''
def linear_probe(model, X_train, y_train, X_test, y_test, num_classes, epochs=100, lr=0.1):
    with torch.no_grad():
        z = model.encode(X_test)  # wrong: fits on the test split
    probe = nn.Linear(z.shape[1], num_classes)
    optimizer = torch.optim.Adam(probe.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        F.cross_entropy(probe(z), y_test).backward()
        optimizer.step()
    with torch.no_grad():
        return probe, (probe(z).argmax(1) == y_test).float().mean().item()
''', ("linear_probe: test accuracy 1.000, expected about",)),
    "transposed_w2_gradient": Variant("q1b_grad", '''
def linear_ae_gradients(X, W1, W2, lam=0.0):
    E = W2 @ W1 @ X - X
    return 2 * W2.T @ E @ X.T + 2 * lam * W1, 2 * W1 @ X @ E.T + 2 * lam * W2.T  # wrong: W2's is
''', ("linear_ae_gradients: dL/dW2: expected shape",)),
    "no_weight_decay": Variant("q2_train", '''
def train_linear_ae(X, W1, W2, lam, lr=0.01, epochs=100, batch_size=None):
    W1, W2 = W1.clone().requires_grad_(), W2.clone().requires_grad_()
    optimizer = torch.optim.SGD([W1, W2], lr=lr)  # wrong: no weight decay
    n = X.shape[1]
    for _ in range(epochs):
        for cols in torch.randperm(n).split(batch_size or n):
            optimizer.zero_grad()
            (X[:, cols] - W2 @ W1 @ X[:, cols]).pow(2).sum(0).mean().backward()
            optimizer.step()
    return W1.detach(), W2.detach()
''', ("train_linear_ae: the trained W2 is not finite (the training diverged)",)),
    "hard_coded_monte_carlo": Variant("q3_mc", '''
def dot_product_stats(d, mu=0.0, sigma=1.0, samples=100_000, seed=0):
    return 0.0, 16.0  # wrong: the numbers of one run, for d = 16
''', ("dot_product_stats: got mean 0 and variance 16",)),
    "argmax_is_softmax": Variant("q4a", '''
def argmax_attention(Q, K, V):
    return torch.softmax(Q @ K.T, dim=1) @ V  # wrong: softmax, not argmax
''', ("argmax_attention: relative difference",)),
    "phi_without_sqrt2": Variant("q5b_phi", '''
def quadratic_feature_map(X):
    n, d = X.shape
    pairs = [X[:, i] * X[:, j] for i in range(d) for j in range(i + 1, d)]
    cross = torch.stack(pairs, 1) if pairs else X[:, :0]
    return torch.cat([torch.ones(n, 1, dtype=X.dtype), X, X**2, cross], 1)  # wrong: no sqrt(2)
''', ("quadratic_feature_map: phi(Q) phi(K)^T: relative difference",)),
    "eq8_wrong_axis": Variant("q5_eq8", '''
def linear_attention(Q, K, V, feature_map, causal=False):
    fq, fk = feature_map(Q), feature_map(K)
    if causal:
        num = torch.einsum("nc,ncm->nm", fq, torch.cumsum(fk[:, :, None] * V[:, None, :], 0))
        return num / (fq * torch.cumsum(fk, 0)).sum(1, keepdim=True)
    return (fq @ (fk.T @ V)) / (fq * fk).sum(1, keepdim=True)  # wrong: pairs Q_i with K_i only
''', ("linear_attention(..., causal=False): relative difference",), kept=5.0 * 2 / 4),
    "linear_attention_is_eq6": Variant("q5_linear_work", '''
def linear_attention(Q, K, V, feature_map, causal=False):
    weights = feature_map(Q) @ feature_map(K).T  # wrong: the N x L matrix eq. 8 avoids
    if causal:
        weights = torch.tril(weights)
    return weights @ V / weights.sum(1, keepdim=True)
''', ("linear_attention: its work grew",), cell="q5_eq8"),
    "no_one_over_steps": Variant("q6b", '''
def accumulated_gradient(model, inputs, labels, batch_size, steps, loss_fn):
    model.zero_grad()
    for i in range(steps):
        part = slice(i * batch_size, (i + 1) * batch_size)
        loss_fn(model(inputs[part]), labels[part]).backward()  # wrong: not divided by steps
    return torch.cat([p.grad.flatten() for p in model.parameters()])
''', ("accumulated_gradient: relative difference",)),
    "zero_grad_once": Variant("q6c", '''
def train_loop(model, batches, loss_fn, lr, epochs=1):
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    optimizer.zero_grad()  # wrong: only once, so the gradients pile up
    losses = []
    for _ in range(epochs):
        for inputs, labels in batches:
            loss = loss_fn(model(inputs), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses
''', ("are the gradients zeroed before every backward pass?",)),
    "layernorm_fails": wrong_answer("q6b_answer", "layernorm", "is not the right choice"),
    "variance_d_squared": wrong_answer("q3b", "d**2", "q3b"),
    # correct, but not the reference's form
    "modulelist_autoencoder": Variant("q1a_models", '''
class AutoEncoder(nn.Module):
    def __init__(self, in_dim, latent_dim):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(in_dim, 64), nn.Linear(64, latent_dim),
                                     nn.Linear(latent_dim, 64), nn.Linear(64, in_dim)])

    def encode(self, x):
        return self.layers[1](torch.relu(self.layers[0](x)))

    def decode(self, z):
        return self.layers[3](torch.relu(self.layers[2](z)))

    def forward(self, x):
        return self.decode(self.encode(x))

    def loss(self, x):
        return ((self(x) - x) ** 2).mean()
''', right=True),
    "float_mask": Variant("q1a_mask", '''
class MaskedAutoEncoder(AutoEncoder):
    def __init__(self, in_dim, latent_dim, mask_ratio=0.5):
        super().__init__(in_dim, latent_dim)
        self.mask_ratio = mask_ratio

    def loss(self, x):
        keep = (torch.rand(x.shape) >= self.mask_ratio).float()  # 1 = visible
        squared = (self.decode(self.encode(x * keep)) - x) ** 2
        return (squared * (1 - keep)).sum() / (1 - keep).sum()
''', right=True),
    "phi_reordered": Variant("q5b_phi", '''
def quadratic_feature_map(X):
    d = X.shape[1]
    rows, cols = torch.triu_indices(d, d, offset=1)
    return torch.cat([X**2, 2**0.5 * X[:, rows] * X[:, cols], 2**0.5 * X,
                      torch.ones_like(X[:, :1])], dim=1)
''', right=True),
    "numpy_monte_carlo": Variant("q3_mc", '''
def dot_product_stats(d, mu=0.0, sigma=1.0, samples=100_000, seed=0):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(mu, sigma, (2, samples, d))
    dots = np.einsum("sd,sd->s", q, k)
    return float(dots.mean()), float(dots.var(ddof=1))
''', right=True),
    "answers_other_spelling": Variant("q2a_iii", "sgd optimizer; weight decay", right=True,
                                      answer=True),
}

# Variants graded together: each touches each question at most once.
GROUPS = {
    "a": ("noise_on_target", "mask_after_encoder", "probe_not_frozen", "transposed_w2_gradient",
          "no_weight_decay", "hard_coded_monte_carlo", "argmax_is_softmax", "phi_without_sqrt2",
          "eq8_wrong_axis", "no_one_over_steps", "zero_grad_once", "layernorm_fails",
          "variance_d_squared", "modulelist_autoencoder"),
    "b": ("probe_fits_test_split", "phi_reordered", "float_mask", "numpy_monte_carlo",
          "answers_other_spelling", "linear_attention_is_eq6"),
}
