"""Grader-written code that the cmu10605_hw5 tests run in the kernel on the student's objects.

Each constant is an expression that evaluates, in the kernel, to a function; the kernel calls it
as `f(student_object, *args)` (KernelSession.call's `code=`). `__student__` there is the
notebook's namespace. Results are plain data only: numbers, lists, tensors.
"""

import inspect

from graders.cmu10605_hw5 import tiny_extractor
from graders.kernel import kernel_function
from reference import style_transfer

_TINY = ("import torch\nimport torch.nn.functional as F\n\n"
         + inspect.getsource(tiny_extractor.TinyExtractor))

# Reference helpers that stand in for the notebook's own while one function is graded, so that a
# wrong gram_matrix is charged to gram_matrix only, not again to the losses and the loop built
# on it. They see the layer names the tiny extractor uses.
_HELPERS = "import torch\n\n" + "\n\n".join(inspect.getsource(f) for f in (
    style_transfer.gram_matrix, style_transfer.compute_style_loss,
    style_transfer.compute_content_loss, style_transfer.compute_features,
    style_transfer.calculate_loss))
_PATCH = f"""
HELPERS = {_HELPERS!r}


def with_reference(names, layers, call):
    \"\"\"call() while the notebook's `names` are the reference's; then put its own back.\"\"\"
    ns = __student__  # noqa: F821 (set by kernel_function)
    helpers = {{"STYLE_LAYERS": layers[:5], "CONTENT_LAYERS": layers[5:],
               "STYLE_LAYER_WEIGHTS": [1.0, 2.0, 3.0, 4.0, 5.0]}}
    exec(HELPERS, helpers)
    saved = {{n: ns[n] for n in names if n in ns}}
    ns.update({{n: helpers[n] for n in names}})
    try:
        return call()
    finally:
        for n in names:
            ns.pop(n, None)
        ns.update(saved)
"""

# the student's own layer names when they are 5 style + 1 content names, else the handout's
_NAMES = '''
def layer_names(default):
    ns = __student__  # noqa: F821 (set by kernel_function)
    style, content = ns.get("STYLE_LAYERS"), ns.get("CONTENT_LAYERS")
    ok = (isinstance(style, (list, tuple)) and isinstance(content, (list, tuple))
          and len(style) == 5 and len(content) == 1
          and all(isinstance(n, str) for n in [*style, *content]))
    return [*style, *content] if ok else list(default)
'''

EXTRACTOR = kernel_function('''
def extractor(get_model, size):
    """{layer: [shape, smallest value]} of get_model(pretrained=False) on a random image."""
    import torch

    model = get_model(pretrained=False)
    torch.manual_seed(0)
    with torch.no_grad():
        out = model(torch.randn(1, 3, size, size))
    return {str(k): [list(v.shape), float(v.min())] for k, v in dict(out).items()}
''', "extractor")

STYLE = kernel_function(_PATCH + '''
def style(compute_style_loss, features, target, default):
    """compute_style_loss with the reference gram_matrix in place of the notebook's."""
    return with_reference(["gram_matrix"], default,
                          lambda: compute_style_loss(features, target))
''', "style")

TOTAL = kernel_function(_TINY + _NAMES + _PATCH + '''
def total(calculate_loss, weights, default, image, grams, contents, loss_weights):
    """calculate_loss on the tiny extractor, with the reference's per-layer losses."""
    names = layer_names(default)
    model = TinyExtractor(weights, names)
    return [float(v) for v in with_reference(
        ["gram_matrix", "compute_style_loss", "compute_content_loss"], names,
        lambda: calculate_loss(model, loss_weights, image, grams, contents))]
''', "total")

LOOP = kernel_function(_TINY + _NAMES + _PATCH + '''
def loop(run_style_transfer, weights, default, content, style, steps, content_weight,
         style_weight, lr):
    """The student's loop on the tiny extractor, with the reference's features and losses:
    [best image, best loss]."""
    names = layer_names(default)
    model = TinyExtractor(weights, names)
    best, loss = with_reference(
        ["gram_matrix", "compute_style_loss", "compute_content_loss", "compute_features",
         "calculate_loss"], names,
        lambda: run_style_transfer(model, content, style, num_iterations=steps,
                                   content_weight=content_weight, style_weight=style_weight,
                                   lr=lr))
    return [best.detach(), float(loss)]
''', "loop")
