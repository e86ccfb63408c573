"""Typical mistakes in CMU 10-605 HW5's autograded questions (see graders/staff/mistakes.py):
backpropagation by hand (Section 1), neural style transfer (Part A) and the optimizers of Part B.

Each source is short, independent code (none copied from reference/) that a student could
plausibly write, and replaces its question's whole graded (or answer) cell.
"""

from graders.staff.mistakes import Mistake

# Part A's image conversion: a right preprocess around a wrong deprocess.
PROCESS = '''
def preprocess(img):
    x = torch.tensor(img, dtype=torch.float32).permute(2, 0, 1).unsqueeze(0) / 255
    return (x - torch.tensor(MEAN).view(3, 1, 1)) / torch.tensor(STD).view(3, 1, 1)

{deprocess}

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
'''

MISTAKES = {
    "gram_not_normalized": Mistake(
        "pa_gram", "leaves out the division by h w", '''
def gram_matrix(features):
    flat = features.reshape(features.shape[0], -1)
    return flat @ flat.T  # wrong: not divided by h * w
''', ("gram_matrix: relative difference",)),
    "gram_transposed": Mistake(
        "pa_gram", "correlates positions instead of channels: (h w, h w) instead of (c, c)", '''
def gram_matrix(features):
    flat = features.reshape(features.shape[0], -1)
    return flat.T @ flat / flat.shape[1]  # wrong: (h * w, h * w), positions instead of channels
''', ("gram_matrix: got shape (15, 15), not the expected shape",)),
    "content_loss_summed": Mistake(
        "pa_content", "sums the squared differences instead of taking their mean", '''
def compute_content_loss(base_content, target):
    return ((base_content - target) ** 2).sum()  # wrong: the handout takes the mean
''', ("compute_content_loss: relative difference",)),
    "style_weights_reversed": Mistake(
        "pa_total", "weighs the shallow style layers most instead of the deep ones", '''
STYLE_LAYER_WEIGHTS = [5.0, 4.0, 3.0, 2.0, 1.0]  # wrong: the deep layers must weigh more


def compute_features(model, content_image, style_image):
    s, c = model(style_image), model(content_image)
    return [s[n][0] for n in STYLE_LAYERS], [c[n][0] for n in CONTENT_LAYERS]


def calculate_loss(model, loss_weights, init_image, gram_style_features, content_features):
    out = model(init_image)
    style = loss_weights[0] * sum(
        w * compute_style_loss(out[n][0], g)
        for w, n, g in zip(STYLE_LAYER_WEIGHTS, STYLE_LAYERS, gram_style_features))
    content = loss_weights[1] * compute_content_loss(out[CONTENT_LAYERS[0]][0], content_features[0])
    return style + content, style, content
''', ("calculate_loss: returned (total, style, content)", "w = [1.0, 2.0, 3.0, 4.0, 5.0]")),
    "deprocess_no_clip": Mistake(
        "pa_process", "converts to uint8 without clipping to [0, 255], so pixels wrap around",
        PROCESS.format(deprocess='''
def deprocess(x):
    x = x[0].detach() * torch.tensor(STD).view(3, 1, 1) + torch.tensor(MEAN).view(3, 1, 1)
    return (x * 255).round().permute(1, 2, 0).numpy().astype(np.uint8)  # wrong: no clipping
'''), ("deprocess: pixel", "with values out of range"), 2.0),
    "deprocess_wrong_mean": Mistake(
        "pa_process", "adds 0.5 back instead of the ImageNet mean that preprocess removed",
        PROCESS.format(deprocess='''
def deprocess(x):
    x = x[0].detach() * torch.tensor(STD).view(3, 1, 1) + 0.5  # wrong: not the mean it removed
    return (x * 255).clamp(0, 255).round().permute(1, 2, 0).numpy().astype(np.uint8)
'''), ("deprocess(preprocess(img)): pixel",), 1.0),
    "backward_no_relu_mask": Mistake(
        "s12_backward", "leaves out the ReLU mask 1[q > 0] in the backward recurrence", '''
def mlp_backward(weights, biases, X, Y):
    hs = [X]
    for W, b in zip(weights[:-1], biases[:-1]):
        hs.append(torch.relu(hs[-1] @ W.T + b))
    G = 2 * (hs[-1] @ weights[-1].T + biases[-1] - Y)
    dWs, dbs = [], []
    for W, h in zip(weights[::-1], hs[::-1]):
        dWs.insert(0, G.T @ h)
        dbs.insert(0, G.sum(0))
        G = G @ W  # wrong: the ReLU mask 1[q > 0] is missing
    return dWs, dbs
''', ("mlp_backward: dWs[0]: relative difference",)),
    "bias_grad_wrong_axis": Mistake(
        "s12_backward", "sums the bias gradient over the units instead of over the examples", '''
def mlp_backward(weights, biases, X, Y):
    hs, qs = [X], []
    for W, b in zip(weights[:-1], biases[:-1]):
        qs.append(hs[-1] @ W.T + b)
        hs.append(torch.relu(qs[-1]))
    G = 2 * (hs[-1] @ weights[-1].T + biases[-1] - Y)
    dWs, dbs = [None] * len(weights), [None] * len(weights)
    for i in reversed(range(len(weights))):
        dWs[i], dbs[i] = G.T @ hs[i], G.sum(1)  # wrong: sums over the units, not the examples
        if i:
            G = (G @ weights[i]) * (qs[i - 1] > 0)
    return dWs, dbs
''', ("mlp_backward: dbs[",)),
    "sgd_full_batch": Mistake(
        "pb_sgd", "takes full-batch gradient steps instead of one example per step", '''
def run_sgd(X, y, w0, lr, order):
    w, out = w0.clone(), []
    for i in order:
        w = w - lr * 2 * X.T @ (X @ w - y) / len(y)  # wrong: the full batch, not example i
        out.append(w)
    return torch.stack(out)
''', ("run_sgd: the iterate differs from the reference after step 1",), 5.0 / 4),
    "adagrad_no_accumulation": Mistake(
        "pb_adagrad", "divides by the current squared gradient, not the sum over all steps", '''
def run_adagrad(X, y, w0, lr, num_steps, eps=1e-8):
    w, out = w0.clone(), []
    for _ in range(num_steps):
        g = 2 * X.T @ (X @ w - y) / len(y)
        s = g * g  # wrong: the squares are not accumulated over the steps
        w = w - lr * g / (s.sqrt() + eps)
        out.append(w)
    return torch.stack(out)
''', ("run_adagrad: the iterate differs from the reference after step 2",
      "from the least-squares solution")),
    "adam_no_bias_correction": Mistake(
        "pb_adam", "leaves out the bias correction of m and v", '''
def run_adam(X, y, w0, lr, num_steps, beta1=0.9, beta2=0.999, eps=1e-8):
    w, m, v, out = w0.clone(), torch.zeros_like(w0), torch.zeros_like(w0), []
    for _ in range(num_steps):
        g = 2 * X.T @ (X @ w - y) / len(y)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        w = w - lr * m / (v.sqrt() + eps)  # wrong: m and v without bias correction
        out.append(w)
    return torch.stack(out)
''', ("run_adam: the iterate differs from the reference after step 1",), 6.0 / 4),
    "gd_sign_flipped": Mistake(
        "pb_gd", "steps along the gradient (ascent) instead of against it", '''
def linreg_gradient(X, y, w):
    return 2 * X.T @ (X @ w - y) / len(y)


def run_gd(X, y, w0, lr, num_steps):
    w, out = w0.clone(), []
    for _ in range(num_steps):
        w = w + lr * linreg_gradient(X, y, w)  # wrong: ascends
        out.append(w)
    return torch.stack(out)
''', ("run_gd: the iterate differs from the reference after step 1",)),
    "forward_count_2L": Mistake(
        "s12b", "answers 2L; convention (a) counts 3L + 4 (the ReLUs and the loss count too)",
        'ANSWER_S12B_COUNT = "2*L"\n',
        ("s12b_count (the forward pass under convention (a)) differs",), 2.0, cell="s12b_count"),
}
