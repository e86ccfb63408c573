"""Grader-written code that the hidden eecs182_hw7 tests run in the kernel on the student's objects.

Each constant is an expression for a function (see graders.kernel.kernel_function) called as
`code(student_object, *args)`; it returns plain data only.
"""

from graders.kernel import kernel_function as _defined

# (what encode saw, loss) of cls(*args).loss(x) when decode is made to return the clean x (plus 1
# on the entries encode saw unchanged, when shift_visible): a clean target then gives loss 0.
CORRUPTION = _defined('''
def corruption(cls, args, x, shift_visible):
    import torch

    torch.manual_seed(0)
    model = cls(*args)
    seen = []
    encode, decode = model.encode, model.decode

    def spy(inp):
        seen.append(inp.detach().clone())
        return encode(inp)

    def clean(z):
        target = x + (seen[-1] == x).to(x.dtype) if shift_visible and seen else x
        return decode(z) * 0 + target

    model.encode, model.decode = spy, clean
    loss = model.loss(x.clone())
    return [seen[-1] if seen else None, float(loss)]
''', "corruption")

# for each class: (is a Module, shapes of encode(x), decode(z), model(x), |model(x) - decode(encode
# (x))|) in eval mode, and the loss value of the vanilla model on x
CONTRACT = _defined('''
def contract(_, classes, x, latent):
    import torch

    out = []
    for cls in classes:
        torch.manual_seed(0)
        model = cls(x.shape[1], latent).eval()
        with torch.no_grad():
            z = model.encode(x)
            xhat = model(x)
            gap = float((xhat - model.decode(z)).abs().max())
            out.append([isinstance(model, torch.nn.Module), list(z.shape),
                        list(model.decode(z).shape), list(xhat.shape), gap,
                        float(model.loss(x)) if cls is classes[0] else 0.0,
                        float(((xhat - x) ** 2).mean())])
    return out
''', "contract")

_MODEL = '''
class GraderAutoEncoder(torch.nn.Module):
    def __init__(self, m, k):
        super().__init__()
        self.enc = torch.nn.Sequential(torch.nn.Linear(m, 64), torch.nn.ReLU(),
                                       torch.nn.Linear(64, k))
        self.dec = torch.nn.Sequential(torch.nn.Linear(k, 64), torch.nn.ReLU(),
                                       torch.nn.Linear(64, m))

    def encode(self, x):
        return self.enc(x)

    def decode(self, z):
        return self.dec(z)

    def forward(self, x):
        return self.decode(self.encode(x))

    def loss(self, x):
        return ((self(x) - x) ** 2).mean()
'''

# (history, the grader's test error, the student's reconstruction_error) after the student's
# trainer ran on the grader's model
TRAIN = _defined('''
import torch
''' + _MODEL + '''

def train(train_autoencoder, error, X, X_test, kwargs):
    torch.manual_seed(0)
    model = GraderAutoEncoder(X.shape[1], 3)
    history = train_autoencoder(model, X, **kwargs)
    with torch.no_grad():
        mine = float(((model(X_test) - X_test) ** 2).mean())
    return [[float(h) for h in history], mine, float(error(model, X_test))]
''', "train")

# the student's probe on a grader encoder with grader weights: [encoder changed, encoder got a
# gradient, returned accuracy, accuracy of the returned probe measured here]
PROBE = _defined('''
import torch


class GraderEncoder(torch.nn.Module):
    def __init__(self, weight, bias):
        super().__init__()
        self.layer = torch.nn.Linear(weight.shape[1], weight.shape[0])
        with torch.no_grad():
            self.layer.weight.copy_(weight)
            self.layer.bias.copy_(bias)

    def encode(self, x):
        return self.layer(x)


def probe(linear_probe, weight, bias, X, y, X_test, y_test, classes, kwargs):
    torch.manual_seed(0)
    model = GraderEncoder(weight, bias)
    before = [p.detach().clone() for p in model.parameters()]
    fitted, accuracy = linear_probe(model, X, y, X_test, y_test, classes, **kwargs)
    changed = any(not torch.equal(a, p.detach()) for a, p in zip(before, model.parameters()))
    touched = any(p.grad is not None and bool(p.grad.abs().sum() > 0)
                  for p in model.parameters())
    with torch.no_grad():
        measured = float((fitted(model.encode(X_test)).argmax(1) == y_test).float().mean())
    return [changed, touched, float(accuracy), measured]
''', "probe")

# gradients of sum(attention(Q, K, V)) with respect to Q and K: their norms (0 when none arrive)
QK_GRADIENTS = _defined('''
def qk_gradients(attention, Q, K, V):
    import torch

    Q, K, V = (t.clone().requires_grad_(True) for t in (Q, K, V))
    out = attention(Q, K, V)
    if not out.requires_grad:
        return [0.0, 0.0]
    grads = torch.autograd.grad(out.sum(), (Q, K), allow_unused=True)
    return [0.0 if g is None else float(g.norm()) for g in grads]
''', "qk_gradients")

# the grader's attention functions, handed to the student's query_key_gradient_norms
GRADIENT_NORMS = _defined('''
def gradient_norms(norms, Q, K, V):
    import math

    import torch

    def softmax(q, k, v):
        return torch.softmax(q @ k.T / math.sqrt(q.shape[1]), dim=1) @ v

    def argmax(q, k, v):
        return torch.nn.functional.one_hot((q @ k.T).argmax(1), k.shape[0]).to(v.dtype) @ v

    return [list(norms(softmax, Q, K, V)), list(norms(argmax, Q, K, V))]
''', "gradient_norms")

# similarities and feature maps the grader hands to kernel_attention and linear_attention
MAPS_SOURCE = """
import torch

EXP_SIM = lambda a, b: (a @ b.T / 2).exp()
FEATURE_MAPS = {
    "elu(x) + 1": lambda x: torch.nn.functional.elu(x) + 1,
    "[1, sqrt2 x, vec(x x^T)]": lambda x: torch.cat(
        [x[:, :1] * 0 + 1, 2**0.5 * x, (x[:, :, None] * x[:, None, :]).flatten(1)], dim=1),
}
"""
FEATURE_MAP_NAMES = ("elu(x) + 1", "[1, sqrt2 x, vec(x x^T)]")

EQ6 = _defined(MAPS_SOURCE + '''

def eq6(kernel_attention, Q, K, V, causal):
    return kernel_attention(Q, K, V, EXP_SIM, causal=causal)
''', "eq6")

EQ8 = _defined(MAPS_SOURCE + '''

def eq8(linear_attention, name, Q, K, V, causal):
    return linear_attention(Q, K, V, FEATURE_MAPS[name], causal=causal)
''', "eq8")

# total number of elements produced by the torch operations of linear_attention at each length
WORK = _defined(MAPS_SOURCE + '''
from torch.utils._python_dispatch import TorchDispatchMode


class Count(TorchDispatchMode):
    def __init__(self):
        super().__init__()
        self.total = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else [out]:
            if isinstance(t, torch.Tensor):
                self.total += t.numel()
        return out


def work(linear_attention, name, lengths, d, m, causal):
    totals = []
    for n in lengths:
        g = torch.Generator().manual_seed(n)
        Q, K = torch.randn(2, n, d, generator=g, dtype=torch.float64)
        V = torch.randn(n, m, generator=g, dtype=torch.float64)
        with Count() as counter:
            linear_attention(Q, K, V, FEATURE_MAPS[name], causal=causal)
        totals.append(counter.total)
    return totals
''', "work")

# the student's accumulated gradient on a network with the grader's weights
NET_SOURCE = '''
def net(norm, weights):
    import torch
    from torch import nn

    layer = nn.LayerNorm(16) if norm == "layer" else nn.BatchNorm1d(16)
    model = nn.Sequential(nn.Linear(8, 16), layer, nn.ReLU(), nn.Linear(16, 3)).double()
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(w)
    return model.train()
'''
ACCUMULATE = _defined(NET_SOURCE + '''

def accumulate(accumulated_gradient, norm, weights, x, y, batch_size, steps):
    import torch

    return accumulated_gradient(net(norm, weights), x, y, batch_size, steps,
                                torch.nn.functional.cross_entropy)
''', "accumulate")

LOOP = _defined('''
def loop(train_loop, weight, bias, batches, lr, epochs):
    import torch

    model = torch.nn.Linear(weight.shape[1], weight.shape[0]).double()
    with torch.no_grad():
        model.weight.copy_(weight)
        model.bias.copy_(bias)
    return [float(v) for v in train_loop(model, batches, torch.nn.functional.mse_loss, lr,
                                         epochs=epochs)]
''', "loop")
