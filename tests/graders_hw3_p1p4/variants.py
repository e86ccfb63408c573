"""Correct-but-different answers and one subtle mistake for csci5527_hw3's P1 and P4 fairness
tests (none copied from reference/).

RIGHT: optimizers written as functions that return an object with `step()` (the handout asks for
an implementation, not a class), and a ResNet whose new head is the last layer of an
nn.Sequential: every point kept. ADAM_EPS_HAT: Adam in the paper's reordered form with
eps-hat = eps, which the template states is not the graded form; its message says that where eps
goes is what differs.
"""

RIGHT_P1 = '''
from types import SimpleNamespace


def Adagrad(params, lr=1e-2, eps=1e-10):
    params = list(params)
    sums = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(closure=None):
        for p, total in zip(params, sums):
            if p.grad is not None:
                total += p.grad ** 2
                p -= lr * p.grad / (total.sqrt() + eps)

    def zero_grad(set_to_none=True):
        for p in params:
            p.grad = None

    return SimpleNamespace(step=step, zero_grad=zero_grad)


def RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8):
    params = list(params)
    averages = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(closure=None):
        for p, average in zip(params, averages):
            if p.grad is not None:
                average.mul_(alpha).add_((1 - alpha) * p.grad ** 2)
                p -= lr * p.grad / (average.sqrt() + eps)

    def zero_grad(set_to_none=True):
        for p in params:
            p.grad = None

    return SimpleNamespace(step=step, zero_grad=zero_grad)
'''

ADAM_EPS_HAT = '''
class Adam(Optimizer):
    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps})

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            (beta1, beta2), eps = group["betas"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state.update(t=0, m=torch.zeros_like(p), v=torch.zeros_like(p))
                state["t"] += 1
                t = state["t"]
                state["m"].mul_(beta1).add_((1 - beta1) * p.grad)
                state["v"].mul_(beta2).add_((1 - beta2) * p.grad ** 2)
                # the paper's reordered form, eps-hat = eps: eps before the bias correction
                size = group["lr"] * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
                p -= size * state["m"] / (state["v"].sqrt() + eps)
'''

RIGHT_P4 = '''
def build_model(strategy, num_classes=2, pretrained=True):
    import torchvision

    use_weights = pretrained and strategy != "scratch"
    resnet = torchvision.models.resnet18(weights="IMAGENET1K_V1" if use_weights else None)
    body = nn.Sequential(*list(resnet.children())[:-1], nn.Flatten())  # (N, 512)
    for p in body.parameters():
        p.requires_grad_(strategy != "feature_extractor")
    return nn.Sequential(body, nn.Linear(512, num_classes))  # the head: the last layer
'''
