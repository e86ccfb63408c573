"""What the hidden P1 and P4 tests send into the kernel, and the trained models of P1(e), P4(b).

Kernel-side code is grader-written source, run by `KernelSession.call(..., code=...)` on the
student's object; it returns plain data only.

P1(e) and P4(b) measure the weights the student submits beside the notebook (graders.trained),
on the test splits staff install (graders.datasets: MNIST's 10,000 test images, the chest X-ray
test folder), against the handout's bars. Without the data the question is not graded.
"""

from graders.kernel import kernel_function
from graders.trained import TrainedModel

P1_BAR = 0.98  # at least this, for two of the three optimizers
P4_BAR = 0.90  # more than this
P1_OPTIMIZERS = ("Adagrad", "RMSprop", "Adam")

OPTIMIZER_RUN = kernel_function('''
def run(cls, params, grads, kwargs):
    """Build cls(params, **kwargs); per step set each .grad from grads[t], step, record params."""
    import torch

    ps = [p.clone().requires_grad_(True) for p in params]
    opt = cls(ps, **kwargs)
    trajectory = []
    for step_grads in grads:
        for p, g in zip(ps, step_grads):
            p.grad = g.clone()
        opt.step()
        trajectory.append([p.detach().clone() for p in ps])
    return trajectory
''', "run")

WEIGHT_LAYERS = kernel_function('''
def weight_layers(factory):
    """(layer names, output shape) of factory(): a weight layer is a parameter of 2+ dims."""
    import torch

    model = factory()
    names = [f"{name} ({type(module).__name__})" if name else type(module).__name__
             for name, module in model.named_modules()
             for p in module.parameters(recurse=False) if p.dim() >= 2]
    with torch.no_grad():
        out = model(torch.zeros(2, 1, 28, 28))
    return [names, list(out.shape)]
''', "weight_layers")

P1_PREDICT = kernel_function('''
def predict(preprocess, model, images):
    """The notebook's preprocess of raw uint8 images (B, 28, 28), then the model's argmax."""
    import torch

    with torch.no_grad():
        return model(preprocess(images)).argmax(dim=1)
''', "predict")

REQUIRES_GRAD = kernel_function('''
def requires_grad(build_model, strategies):
    """For each strategy: (trainable parameter names, all names, logits shape on 2 images, names
    of the backbone's parameters: those of its convolution and 2-D batch-norm layers)."""
    import torch

    out = {}
    for strategy in strategies:
        model = build_model(strategy, pretrained=False)
        named = list(model.named_parameters())
        backbone = [f"{m}.{n}" if m else n for m, module in model.named_modules()
                    if isinstance(module, (torch.nn.Conv2d, torch.nn.BatchNorm2d))
                    for n, _ in module.named_parameters(recurse=False)]
        with torch.no_grad():
            model.eval()
            shape = list(model(torch.randn(2, 3, 64, 64)).shape)
        out[strategy] = [[n for n, p in named if p.requires_grad], [n for n, _ in named], shape,
                         backbone]
    return out
''', "requires_grad")

P4_PREDICT = kernel_function('''
def predict(predict_scores, model, images):
    """PNEUMONIA (1) where the notebook's score is 0.5 or more; images (B, 3, 224, 224)."""
    return (predict_scores(model, images).reshape(-1) >= 0.5).long()
''', "predict")


def p1_model(optimizer: str) -> TrainedModel:
    """The model P1(e) trained with `optimizer`, saved as p1_<optimizer>.safetensors."""
    return TrainedModel(weights=f"p1_{optimizer}.safetensors", constructor="make_model",
                        predictor="preprocess", predict_code=P1_PREDICT)


P4_MODEL = TrainedModel(weights="p4_model.safetensors", constructor="build_model",
                        args=("finetune",), kwargs={"pretrained": False},
                        predictor="predict_scores", predict_code=P4_PREDICT, batch=32,
                        second_copy=0.25)
