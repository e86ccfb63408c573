"""Typical mistakes in CSCI 5527 HW3's autograded questions (see graders/staff/mistakes.py).

Each is a short, independent implementation (none copied from reference/), wrong in one way a
student could plausibly be. A P1 or P4 source replaces the notebook's definitions of the names it
defines; a P2 or P3 source replaces its question's graded cell.
"""

from graders.staff.mistakes import Mistake

MISTAKES = {
    "adagrad_no_accumulation": Mistake(
        "p1b", "divides by the current squared gradient, not the running sum of squares", '''
class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, eps=1e-10):
        super().__init__(params, {"lr": lr, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    s = p.grad * p.grad  # wrong: the sum of squared gradients is never accumulated
                    p.addcdiv_(p.grad, s.sqrt() + group["eps"], value=-group["lr"])
''', ("Adagrad: parameters differ from the reference after step 2 of 8",),
        kept=1.0 / 8),  # the first of 8 steps is right
    "rmsprop_eps_in_sqrt": Mistake(
        "p1c", "puts eps inside the square root: sqrt(v + eps) instead of sqrt(v) + eps", '''
class RMSprop(Optimizer):
    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8):
        super().__init__(params, {"lr": lr, "alpha": alpha, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                v = self.state[p].setdefault("v", torch.zeros_like(p))
                v.mul_(group["alpha"]).addcmul_(p.grad, p.grad, value=1 - group["alpha"])
                # wrong: eps inside the square root
                p.addcdiv_(p.grad, (v + group["eps"]).sqrt(), value=-group["lr"])
''', ("RMSprop: parameters differ from the reference after step 1 of 8",)),
    "adam_no_bias_correction": Mistake(
        "p1d", "leaves out the bias correction of m and v", '''
class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, {"lr": lr, "betas": tuple(betas), "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["m"], state["v"] = torch.zeros_like(p), torch.zeros_like(p)
                state["m"].mul_(beta1).add_(p.grad, alpha=1 - beta1)
                state["v"].mul_(beta2).addcmul_(p.grad, p.grad, value=1 - beta2)
                # wrong: the lecture's reduced version, m and v not corrected for their zero start
                p.addcdiv_(state["m"], state["v"].sqrt() + group["eps"], value=-group["lr"])
''', ("Adam: parameters differ from the reference after step 1 of 8",)),
    "adam_wraps_torch": Mistake(
        "p1d", "wraps the built-in torch.optim.Adam instead of writing the update (forbidden)", '''
class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        params = list(params)
        super().__init__(params, {"lr": lr})
        self.inner = torch.optim.Adam(params, lr=lr, betas=tuple(betas), eps=eps)

    def step(self, closure=None):
        return self.inner.step(closure)  # right values, from the built-in optimizer
''', ("uses torch.optim.Adam, which 1.4 forbids", "earns no points")),
    "four_layers": Mistake(
        "p1a", "a model with four weight layers where the handout allows at most three", '''
def mnist_mlp(hidden=256, num_classes=10):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 64), nn.ReLU(),
                         nn.Linear(64, num_classes))
''', ("make_model: the model has 4 weight layers", "the handout allows at most 3")),
    "head_frozen_too": Mistake(
        "p4a", "freezes the backbone after putting the new head in, so the head is frozen too", '''
def build_model(strategy, num_classes=2, pretrained=True):
    import torchvision

    model = torchvision.models.resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    for p in model.parameters():  # wrong: frozen after the new head is in, so the head is too
        p.requires_grad_(strategy != "feature_extractor")
    return model
''', ("build_model('feature_extractor'): the feature extractor freezes the backbone",
      "trains the new head after it (2 parameters: ['fc.weight', 'fc.bias'])",
      "here 0 of 62 parameters train"), kept=0.6),
    "frequency_weights": Mistake(
        "p4a", "class weights proportional to class frequency instead of inversely", '''
def class_weights(labels, num_classes=2):
    counts = torch.bincount(torch.as_tensor(labels).long(), minlength=num_classes).float()
    return counts / counts.sum()  # wrong: the majority class gets the larger weight
''', ("class_weights: relative difference",), kept=0.7),
    # passes the public check on [3, 2, 1] ⋆ [4, 6, 3, 9] and nothing else
    "hard_coded_xcorr1d": Mistake(
        "p2a", "hard-codes the public example's numbers instead of computing x ⋆ y", '''
def xcorr1d(x, y):
    return np.array([4.0, 14.0, 27.0, 33.0, 27.0, 27.0])


def yx_from_xy(xy):
    return np.array([27.0, 27.0, 33.0, 27.0, 14.0, 4.0])
''', ("xcorr1d: got shape", "yx_from_xy: got shape", "relative difference")),
    "transposed_xcorr_matrix": Mistake(
        "p2b", "builds C_w transposed: n rows instead of m + n - 1", '''
def xcorr_matrix(w, n):
    m = len(w)
    C = np.zeros((m + n - 1, n))
    for j in range(n):
        C[j:j + m, j] = w[::-1]
    return C.T  # wrong: C_w has m + n - 1 rows
''', ("xcorr_matrix: got shape (4, 6), not the expected shape",)),
    "jacobian_is_C_w": Mistake(
        "p2c", "gives C_w (the Jacobian with respect to x) instead of C_x (with respect to w)", '''
def xcorr_jacobian(w, x):
    m, n = len(w), len(x)
    J = np.zeros((m + n - 1, n))  # wrong: this is C_w (w ⋆ x = C_w x); d(w ⋆ x)/dw is C_x
    for j in range(n):
        J[j:j + m, j] = w[::-1]
    return J
''', ("xcorr_jacobian: got shape (6, 4), not the expected shape",)),
    "convolution_xcorr2d": Mistake(
        "p2d", "flips the kernel: a convolution, not a cross-correlation", '''
def xcorr2d(Z1, Z2):
    (n1, n2), (m1, m2) = Z1.shape, Z2.shape
    padded = np.pad(Z2, ((n1 - 1, n1 - 1), (n2 - 1, n2 - 1)))
    kernel = Z1[::-1, ::-1]  # wrong: a flipped kernel makes this a convolution
    out = np.zeros((n1 + m1 - 1, n2 + m2 - 1))
    for r in range(out.shape[0]):
        for c in range(out.shape[1]):
            out[r, c] = np.sum(padded[r:r + n1, c:c + n2] * kernel)
    return out
''', ("xcorr2d: relative difference",)),
    "gradient_magnitude_X1_twice": Mistake(
        "p2e", "filters with X1 in both directions instead of X1 and its transpose", '''
X1 = np.array([[-3, 0, 3], [-10, 0, 10], [-3, 0, 3]])


def gradient_magnitude(Y):
    G1 = xcorr2d(X1, Y)
    G2 = xcorr2d(X1, Y)  # wrong: the second filter is X1.T
    return np.sqrt(G1**2 + G2**2)
''', ("gradient_magnitude: relative difference",)),
    "match_template_argmax": Mistake(
        "p2f", "returns the argmax of the full output, not the top-left corner of the match", '''
def match_template(template, image):
    corr = xcorr2d(template - template.mean(), image - image.mean())
    row, col = np.unravel_index(np.argmax(corr), corr.shape)
    return int(row), int(col)  # wrong: an index of the full output, not the top-left corner
''', ("match_template: missed the template",)),
    "same_size_multichannel": Mistake(
        "p2g", "returns a 'same'-size output instead of the full (H + h - 1, W + w - 1) one", '''
def xcorr_multichannel(X, Y):
    (h, w, _), (H, W, _) = X.shape, Y.shape
    top, left = (h - 1) // 2, (w - 1) // 2
    padded = np.pad(Y, ((top, h - 1 - top), (left, w - 1 - left), (0, 0)))
    out = np.zeros((H, W))  # wrong: 'same' size; the full output is (H + h - 1, W + w - 1)
    for r in range(H):
        for c in range(W):
            out[r, c] = np.sum(padded[r:r + h, c:c + w] * X)
    return out
''', ("xcorr_multichannel: got shape (12, 10), not the expected shape",)),
    "batch_norm_per_sample": Mistake(
        "p3_batch",
        "normalizes each sample over all its entries, not each channel over the batch", '''
def batch_norm(x, eps=1e-5):
    dims = (0, 1, 2)  # wrong: per sample; batch norm reduces over H, W and N, per channel
    mu = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, correction=0, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps)
''', ("batch_norm: relative difference",)),
    "layer_norm_over_batch": Mistake(
        "p3_layer", "normalizes over the whole batch instead of each sample on its own", '''
def layer_norm(x, eps=1e-5):
    mu, var = x.mean(), x.var(correction=0)  # wrong: over N too; layer norm is per sample
    return (x - mu) / torch.sqrt(var + eps)
''', ("layer_norm: relative difference",)),
    "instance_norm_unbiased": Mistake(
        "p3_instance", "uses the unbiased variance (divides by n - 1) instead of 1/n", '''
def instance_norm(x, eps=1e-5):
    mu = x.mean(dim=(0, 1), keepdim=True)
    var = x.var(dim=(0, 1), keepdim=True)  # wrong: unbiased (n - 1); normalization uses 1/n
    return (x - mu) / torch.sqrt(var + eps)
''', ("instance_norm: relative difference",)),
    # an answer cell: the text typed, checked by theory's answer checker
    "p2a_value_reversed": Mistake(
        "p2a_value", "types y ⋆ x, the sequence reversed, as the value of x ⋆ y",
        'answer_p2a = "[27, 27, 33, 27, 14, 4]"',
        ("p2a_value entry 1 differs from the expected answer",)),
}
