"""Wrong answers to P1 and P4, each wrong in one way a student could plausibly be (short,
independent code, none copied from reference/), and the helper that puts them into a notebook."""

import ast
import copy
from dataclasses import dataclass

import nbformat


def replace_definitions(nb: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """A copy of `nb` where the top-level definitions that `source` makes replace the notebook's
    definitions of the same names (in the first cell that defines one of them); the other
    definitions of those cells stay."""
    nb = copy.deepcopy(nb)
    new_names = _names(ast.parse(source).body)
    target = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        hit = [node for node in tree.body if _names([node]) & new_names]
        if not hit:
            continue
        target = index if target is None else target
        kept = [ast.get_source_segment(cell.source, node) for node in tree.body if node not in hit]
        cell.source = "\n\n\n".join(kept)
    if target is None:
        raise KeyError(f"no cell defines any of {sorted(new_names)}")
    cell = nb.cells[target]
    cell.source = "\n\n\n".join(filter(None, [source.strip(), cell.source]))
    return nb


def replace_cell_with(nb: nbformat.NotebookNode, marker: str, source: str):
    """A copy of `nb` whose code cell containing `marker` now holds `source`."""
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb.cells if c.cell_type == "code" and marker in c.source)
    cell.source = source.strip()
    return nb


def _names(nodes) -> set[str]:
    names = set()
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


@dataclass(frozen=True)
class Wrong:
    """A wrong answer to `question`; its tests' output must contain every string of `says`."""

    question: str
    source: str
    says: tuple[str, ...]


WRONG = {
    "adagrad_no_accumulation": Wrong("p1b", '''
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
''', ("Adagrad: parameters differ from the reference after step 2 of 8",)),
    "rmsprop_eps_in_sqrt": Wrong("p1c", '''
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
    "adam_no_bias_correction": Wrong("p1d", '''
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
    "adam_wraps_torch": Wrong("p1d", '''
class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        params = list(params)
        super().__init__(params, {"lr": lr})
        self.inner = torch.optim.Adam(params, lr=lr, betas=tuple(betas), eps=eps)

    def step(self, closure=None):
        return self.inner.step(closure)  # right values, from the built-in optimizer
''', ("uses torch.optim.Adam, which 1.4 forbids", "earns no points")),
    "four_layers": Wrong("p1a", '''
def mnist_mlp(hidden=256, num_classes=10):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 64), nn.ReLU(),
                         nn.Linear(64, num_classes))
''', ("make_model: the model has 4 weight layers", "the handout allows at most 3")),
    "head_frozen_too": Wrong("p4a", '''
def build_model(strategy, num_classes=2, pretrained=True):
    import torchvision

    model = torchvision.models.resnet18(weights=None)
    model.fc = nn.Linear(model.fc.in_features, num_classes)
    for p in model.parameters():  # wrong: frozen after the new head is in, so the head is too
        p.requires_grad_(strategy != "feature_extractor")
    return model
''', ("build_model('feature_extractor'): the feature extractor freezes the backbone",
      "trains the new head after it (2 parameters: ['fc.weight', 'fc.bias'])",
      "here 0 of 62 parameters train")),
    "frequency_weights": Wrong("p4a", '''
def class_weights(labels, num_classes=2):
    counts = torch.bincount(torch.as_tensor(labels).long(), minlength=num_classes).float()
    return counts / counts.sum()  # wrong: the majority class gets the larger weight
''', ("class_weights: relative difference",)),
}

# Trains nothing, yet prints a fine accuracy: the grader measures the models themselves.
# P1(e) cheated: a "model" that recalls the labels of the known test images by a fingerprint of
# their pixels (its table submitted as weights); it never reads what a digit looks like.
LOOKUP_MODEL = '''
class Lookup(nn.Module):
    def __init__(self, size=1000):
        super().__init__()
        self.register_buffer("probe", torch.zeros(784, dtype=torch.float64))
        self.register_buffer("keys", torch.zeros(size, dtype=torch.float64))
        self.register_buffer("labels", torch.zeros(size, dtype=torch.int64))

    def forward(self, x):
        fingerprint = x.flatten(1).double() @ self.probe  # (N,)
        hit = (fingerprint[:, None] - self.keys[None]).abs() < 1e-6  # (N, size)
        found = torch.where(hit.any(dim=1), self.labels[hit.double().argmax(dim=1)], 0)
        return F.one_hot(found, 10).float()


make_model = Lookup
'''

# The sklearn metric in a graded P4 function: allowed (the handout links it).
SKLEARN_METRIC = '''
def balanced_accuracy(labels, predictions):
    from sklearn.metrics import balanced_accuracy_score

    return balanced_accuracy_score(labels, predictions)
'''
