"""Grader-written code that the cmu10605_hw5 tests run in the kernel on the student's objects.

Each constant is an expression that evaluates, in the kernel, to a function; the kernel calls it
as `f(student_object, *args)` (KernelSession.call's `code=`). `__student__` there is the
notebook's namespace. Results are plain data only: numbers, lists, tensors.
"""

import inspect

from graders.cmu10605_hw5 import tiny_extractor


def kernel_function(source: str, name: str) -> str:
    """An expression that evaluates, in the kernel, to the function `name` that `source` defines."""
    return (f"(lambda ns: (exec({source!r}, ns), ns[{name!r}])[1])"
            "({'__student__': globals()})")


_TINY = ("import torch\nimport torch.nn.functional as F\n\n"
         + inspect.getsource(tiny_extractor.TinyExtractor))

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

TOTAL = kernel_function(_TINY + _NAMES + '''
def total(calculate_loss, weights, default, image, grams, contents, loss_weights):
    """calculate_loss on the tiny extractor, and the notebook's own per-layer losses there."""
    ns = __student__  # noqa: F821 (set by kernel_function)
    names = layer_names(default)
    model = TinyExtractor(weights, names)
    got = [float(v) for v in calculate_loss(model, loss_weights, image, grams, contents)]
    out = model(image)
    own = []
    for helper, layer_names_, targets in (("compute_style_loss", names[:5], grams),
                                          ("compute_content_loss", names[5:], contents)):
        try:
            own.append([float(ns[helper](out[n][0], t)) for n, t in zip(layer_names_, targets)])
        except Exception:
            own.append(None)
    return [got, own]
''', "total")

LOOP = kernel_function(_TINY + _NAMES + '''
def loop(run_style_transfer, weights, default, content, style, steps, content_weight,
         style_weight, lr):
    """The student's loop on the tiny extractor: [best image, best loss]."""
    model = TinyExtractor(weights, layer_names(default))
    best, loss = run_style_transfer(model, content, style, num_iterations=steps,
                                    content_weight=content_weight, style_weight=style_weight,
                                    lr=lr)
    return [best.detach(), float(loss)]
''', "loop")
