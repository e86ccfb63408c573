"""Typical mistakes in EECS 182 HW7's autograded questions (see graders/staff/mistakes.py):
autoencoders and probes (Q1-Q2), dot-product statistics and attention (Q3-Q5), training (Q6).

No source is copied from reference/; each replaces the whole graded cell of its question (or of
`cell`), or assigns an answer cell the text a student could plausibly type.
"""

from graders.staff.mistakes import Mistake

MISTAKES = {
    "noise_on_target": Mistake(
        "q1a_denoise", "corrupts the target as well as the input (the target must be clean)", '''
class DenoisingAutoEncoder(AutoEncoder):
    def __init__(self, in_dim, latent_dim, noise_std=0.3):
        super().__init__(in_dim, latent_dim)
        self.noise_std = noise_std

    def loss(self, x):
        noisy = x + self.noise_std * torch.randn_like(x)
        return F.mse_loss(self(noisy), noisy)  # wrong: the target is noisy too
''', ("DenoisingAutoEncoder.loss: a perfect reconstruction of the clean x gives loss",)),
    "mask_after_encoder": Mistake(
        "q1a_mask", "masks the latent code after the encoder instead of the input entries", '''
class MaskedAutoEncoder(AutoEncoder):
    def __init__(self, in_dim, latent_dim, mask_ratio=0.5):
        super().__init__(in_dim, latent_dim)
        self.mask_ratio = mask_ratio

    def loss(self, x):
        z = self.encode(x)
        keep = (torch.rand_like(z) >= self.mask_ratio).float()  # wrong: masks the latent code
        return F.mse_loss(self.decode(z * keep), x)
''', ("MaskedAutoEncoder.loss: the encoder saw 0% of the entries changed",)),
    "probe_not_frozen": Mistake(
        "q1a_probe", "trains the encoder along with the probe instead of freezing it", '''
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
    "probe_fits_test_split": Mistake(
        "q1a_probe", "fits the probe on the test split", '''
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
    "transposed_w2_gradient": Mistake(
        "q1b_grad", "returns the gradient of W2 transposed", '''
def linear_ae_gradients(X, W1, W2, lam=0.0):
    E = W2 @ W1 @ X - X
    return 2 * W2.T @ E @ X.T + 2 * lam * W1, 2 * W1 @ X @ E.T + 2 * lam * W2.T  # wrong: W2's is
''', ("linear_ae_gradients: dL/dW2: got shape",)),
    "no_weight_decay": Mistake(
        "q2_train", "trains with plain SGD, without the weight decay lambda", '''
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
''', ("train_linear_ae: the decoder's singular values are not sqrt(1 - lam / sigma_i)",)),
    "loss_summed_not_averaged": Mistake(
        "q2_train", "sums the loss over the batch instead of averaging: steps |B| times too large",
        '''
def train_linear_ae(X, W1, W2, lam, lr=0.01, epochs=100, batch_size=None):
    n = X.shape[1]
    W1, W2 = W1.clone().requires_grad_(), W2.clone().requires_grad_()
    optimizer = torch.optim.SGD([W1, W2], lr=lr, weight_decay=2 * lam / n)
    for _ in range(epochs):
        for cols in torch.randperm(n).split(batch_size or n):
            optimizer.zero_grad()
            (X[:, cols] - W2 @ W1 @ X[:, cols]).pow(2).sum().backward()  # wrong: not a mean
            optimizer.step()
    return W1.detach(), W2.detach()
''', ("train_linear_ae: the trained W2 is not finite (the training diverged)",)),
    "hard_coded_monte_carlo": Mistake(
        "q3_mc", "returns the numbers of one run (d = 16) instead of sampling for the given d", '''
def dot_product_stats(d, mu=0.0, sigma=1.0, samples=100_000, seed=0):
    return 0.0, 16.0  # wrong: the numbers of one run, for d = 16
''', ("dot_product_stats: got mean 0 and variance 16",)),
    "argmax_is_softmax": Mistake(
        "q4a", "uses softmax weights instead of the one-hot argmax", '''
def argmax_attention(Q, K, V):
    return torch.softmax(Q @ K.T, dim=1) @ V  # wrong: softmax, not argmax
''', ("argmax_attention: relative difference",)),
    "phi_without_sqrt2": Mistake(
        "q5b_phi", "leaves out the sqrt(2) of the linear and cross terms", '''
def quadratic_feature_map(X):
    n, d = X.shape
    pairs = [X[:, i] * X[:, j] for i in range(d) for j in range(i + 1, d)]
    cross = torch.stack(pairs, 1) if pairs else X[:, :0]
    return torch.cat([torch.ones(n, 1, dtype=X.dtype), X, X**2, cross], 1)  # wrong: no sqrt(2)
''', ("quadratic_feature_map: phi(Q) phi(K)^T: relative difference",)),
    "eq8_wrong_axis": Mistake(
        "q5_eq8",
        "normalizes each query by phi(Q_i)^T phi(K_i) instead of the sum over all keys", '''
def linear_attention(Q, K, V, feature_map, causal=False):
    fq, fk = feature_map(Q), feature_map(K)
    if causal:
        num = torch.einsum("nc,ncm->nm", fq, torch.cumsum(fk[:, :, None] * V[:, None, :], 0))
        return num / (fq * torch.cumsum(fk, 0)).sum(1, keepdim=True)
    return (fq @ (fk.T @ V)) / (fq * fk).sum(1, keepdim=True)  # wrong: pairs Q_i with K_i only
''', ("linear_attention(..., causal=False): relative difference",), kept=5.0 * 2 / 4),
    "linear_attention_is_eq6": Mistake(
        "q5_linear_work", "builds the N x L weight matrix of eq. 6 that eq. 8 avoids", '''
def linear_attention(Q, K, V, feature_map, causal=False):
    weights = feature_map(Q) @ feature_map(K).T  # wrong: the N x L matrix eq. 8 avoids
    if causal:
        weights = torch.tril(weights)
    return weights @ V / weights.sum(1, keepdim=True)
''', ("linear_attention: its work grew",), cell="q5_eq8"),
    "no_one_over_steps": Mistake(
        "q6b", "adds up the micro-batch gradients without dividing by the number of steps", '''
def accumulated_gradient(model, inputs, labels, batch_size, steps, loss_fn):
    model.zero_grad()
    for i in range(steps):
        part = slice(i * batch_size, (i + 1) * batch_size)
        loss_fn(model(inputs[part]), labels[part]).backward()  # wrong: not divided by steps
    return torch.cat([p.grad.flatten() for p in model.parameters()])
''', ("accumulated_gradient: relative difference",)),
    "zero_grad_once": Mistake(
        "q6c", "zeroes the gradients once before the loop, not before every backward pass", '''
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
    # answer cells: the text typed, checked by theory's answer checker
    "layernorm_fails": Mistake(
        "q6b_answer", "answers layer norm (batch norm is the one that mixes the examples)",
        "answer_q6b_answer = 'layernorm'", ("is not the right choice",)),
    "variance_d_squared": Mistake(
        "q3b", "answers d^2 for Var(q^T k) instead of d", "answer_q3b = 'd**2'", ("q3b",)),
}
