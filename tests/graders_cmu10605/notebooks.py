"""Wrong and alternative answers for the cmu10605_hw5 end-to-end tests.

The wrong ones are the typical mistakes of graders/cmu10605_hw5/mistakes.py (which the TA rubric
lists too); each keeps `kept` of its question's points. A right one is a different correct form,
a short, independent implementation (none is copied from reference/), that must keep them all.
A variant replaces its question's whole graded (or answer) cell.
"""

from dataclasses import replace

from graders.cmu10605_hw5.mistakes import MISTAKES

# The end-to-end tests address an answer cell by its id (s12b_count), which a mistake keeps in
# `cell` beside the question whose points it costs (s12b).
WRONG = {name: replace(m, question=m.cell or m.question) for name, m in MISTAKES.items()}

RIGHT = {  # other correct forms: each keeps all its question's points
    "gram_einsum": ("pa_gram", '''
def gram_matrix(features):
    c, h, w = features.shape
    return torch.einsum("ihw,jhw->ij", features, features) / (h * w)
'''),
    "deprocess_truncates": ("pa_process", '''
def preprocess(img):
    x = torch.from_numpy(np.ascontiguousarray(img)).float().div(255).permute(2, 0, 1)[None]
    return torchvision_normalize(x)


def torchvision_normalize(x):
    mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
    return (x - mean) / torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def deprocess(x):
    std = np.array([0.229, 0.224, 0.225])
    img = x.detach().numpy()[0].transpose(1, 2, 0) * std + np.array([0.485, 0.456, 0.406])
    return np.clip(img * 255, 0, 255).astype("uint8")  # truncates, as the TF notebook did
'''),
    "backward_loops": ("s12_backward", '''
def mlp_backward(weights, biases, X, Y):
    dWs = [torch.zeros_like(W) for W in weights]
    dbs = [torch.zeros_like(b) for b in biases]
    for x, y in zip(X, Y):  # one example at a time, column vectors
        hs, qs = [x], []
        for W, b in zip(weights, biases):
            qs.append(W @ hs[-1] + b)
            hs.append(torch.relu(qs[-1]) if len(qs) < len(weights) else qs[-1])
        g = 2 * (hs[-1] - y)
        for i in range(len(weights) - 1, -1, -1):
            dWs[i] += torch.outer(g, hs[i])
            dbs[i] += g
            if i > 0:
                g = (weights[i].T @ g) * (qs[i - 1] > 0).double()
    return dWs, dbs
'''),
    "twelve_terms_loops": ("s11_code", '''
def twelve_terms(W1, b1, W2, b2, x, y):
    H1, D = W1.shape
    H2 = W2.shape[0]
    q = W1 @ x + b1
    h = torch.where(q >= 0, q, torch.zeros_like(q))  # takes the derivative 1 at q = 0
    p = W2 @ h + b2
    t = {k: torch.zeros(s, dtype=x.dtype) for k, s in (
        ("dp_dW2", (H2, H2, H1)), ("dh_dq", (H1, H1)), ("dq_dW1", (H1, H1, D)),
        ("dq_db1", (H1, H1)), ("dL_dh", (H1,)))}
    for i in range(H2):
        for k in range(H1):
            t["dp_dW2"][i, i, k] = h[k]
    for i in range(H1):
        t["dh_dq"][i, i] = 1.0 if q[i] >= 0 else 0.0
        t["dq_db1"][i, i] = 1.0
        for k in range(D):
            t["dq_dW1"][i, i, k] = x[k]
        for j in range(H2):
            t["dL_dh"][i] += 2 * (p[j] - y[j]) * W2[j, i]
    t["dL_dp"] = 2 * (p - y)
    t["dL_dW2"] = torch.outer(t["dL_dp"], h)
    t["dL_db2"] = t["dL_dp"]
    t["dp_dh"] = W2
    t["dL_dq"] = t["dL_dh"] * t["dh_dq"].diagonal()
    t["dL_dW1"] = torch.outer(t["dL_dq"], x)
    t["dL_db1"] = t["dL_dq"]
    return t
'''),
    "forward_per_example": ("s12_forward", '''
def mlp_forward(weights, biases, X):
    rows = []
    for x in X:
        for i, (W, b) in enumerate(zip(weights, biases)):
            x = W @ x + b
            x = x.clamp(min=0) if i < len(weights) - 1 else x
        rows.append(x)
    return torch.stack(rows)
'''),
    "style_loss_summed": ("pa_style", '''
def compute_style_loss(base_style, gram_target):
    return torch.sum((gram_matrix(base_style) - gram_target) ** 2)  # the handout's E_l
'''),
    "optimizers_as_classes": ("pb_adagrad", '''
class AdaGrad:
    def __init__(self, w, lr, eps):
        self.w, self.lr, self.eps, self.s = w.clone(), lr, eps, torch.zeros_like(w)

    def step(self, g):
        self.s += g * g
        self.w = self.w - self.lr * g / (self.s.sqrt() + self.eps)
        return self.w


def run_adagrad(X, y, w0, lr, num_steps, eps=1e-8):
    opt = AdaGrad(w0, lr, eps)
    return torch.stack([opt.step(2 * X.T @ (X @ opt.w - y) / len(y)) for _ in range(num_steps)])
'''),
    "adam_class": ("pb_adam", '''
class Adam:
    def __init__(self, w, lr, beta1, beta2, eps):
        self.w, self.lr, self.b1, self.b2, self.eps = w.clone(), lr, beta1, beta2, eps
        self.m, self.v, self.t = torch.zeros_like(w), torch.zeros_like(w), 0

    def step(self, g):
        self.t += 1
        self.m = self.b1 * self.m + (1 - self.b1) * g
        self.v = self.b2 * self.v + (1 - self.b2) * g**2
        m_hat, v_hat = self.m / (1 - self.b1**self.t), self.v / (1 - self.b2**self.t)
        self.w = self.w - self.lr * m_hat / (v_hat.sqrt() + self.eps)
        return self.w


def run_adam(X, y, w0, lr, num_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    opt = Adam(w0, lr, beta1, beta2, eps)
    return torch.stack([opt.step(2 * X.T @ (X @ opt.w - y) / len(y)) for _ in range(num_steps)])
'''),
    "convention_d": ("s12b_convention", 'ANSWER_S12B_CONVENTION = "(d)"\n'),
    "convention_d_count": ("s12b_count", 'ANSWER_S12B_COUNT = "2*L + 1"\n'),
    "neither_dominates": ("s12d_dominates", 'ANSWER_S12D_DOMINATES = "Neither"\n'),
    "convention_c_backward": ("s12d_convention", 'ANSWER_S12D_CONVENTION = "c"\n'),
}

# Graded together; each touches each question at most once. "a" and "b" carry wrong answers,
# with right ones on questions they leave alone; "c" carries the right forms of b's questions.
GROUPS = {
    "a": ["gram_not_normalized", "content_loss_summed", "style_weights_reversed",
          "deprocess_no_clip", "backward_no_relu_mask", "sgd_full_batch",
          "adagrad_no_accumulation", "adam_no_bias_correction", "gd_sign_flipped",
          "forward_count_2L", "twelve_terms_loops", "style_loss_summed"],
    "b": ["gram_transposed", "deprocess_wrong_mean", "bias_grad_wrong_axis",
          "forward_per_example", "optimizers_as_classes", "adam_class", "convention_d",
          "convention_d_count", "neither_dominates", "convention_c_backward"],
    "c": ["gram_einsum", "deprocess_truncates", "backward_loops"],
}

# A backward pass that calls autograd: the static scan takes 1.2(c)'s code points.
AUTOGRAD_BACKWARD = '''
def mlp_backward(weights, biases, X, Y):
    params = [t.clone().requires_grad_(True) for t in weights + biases]
    loss = ((mlp_forward(params[:len(weights)], params[len(weights):], X) - Y) ** 2).sum()
    grads = torch.autograd.grad(loss, params)
    return list(grads[:len(weights)]), list(grads[len(weights):])
'''

# Adam from torch.optim in Part B: the scan takes the question's points.
TORCH_ADAM = '''
def run_adam(X, y, w0, lr, num_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    w = w0.clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr, betas=(beta1, beta2), eps=eps)
    out = []
    for _ in range(num_steps):
        opt.zero_grad()
        ((X @ w - y) ** 2).mean().backward()
        opt.step()
        out.append(w.detach().clone())
    return torch.stack(out)
'''
