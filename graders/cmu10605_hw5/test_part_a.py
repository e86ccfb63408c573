"""Hidden tests of 10-605 HW5 Part A, neural style transfer (against reference.style_transfer).

Images and feature tensors are drawn at grading time. The extractor is built by the student's
get_model with random weights (the grader never needs VGG19's pretrained file) on a 64x64 image.
calculate_loss and run_style_transfer run on a tiny stand-in extractor (tiny_extractor.py) built
from weights the grader chose, so they are graded apart from get_model, and with the reference's
Gram matrix, losses and features in place of the notebook's (probes.py), so a wrong helper is
charged where it lives. The loop runs a few steps on a 32x32 image and must lower the total loss.
"""

import numpy as np
import torch

from graders.cmu10605_hw5 import probes
from graders.cmu10605_hw5.tiny_extractor import TinyExtractor, tiny_weights
from graders.compare import Checks, as_array, assert_close
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch
from graders.plugin import graded
from reference import style_transfer as ref

NAMES = ref.STYLE_LAYERS + ref.CONTENT_LAYERS
CHANNELS = {1: 64, 2: 128, 3: 256, 4: 512, 5: 512}  # VGG19's channels per block


def _image(rng, H, W):
    return rng.integers(0, 256, size=(H, W, 3), dtype=np.uint8)


def _features(rng, C, h, w):
    return (np.abs(rng.standard_normal((C, h, w))) * rng.uniform(0.5, 3)).astype(np.float32)


def _scalar(name, value, where=""):
    value = as_array(value, name)
    if value.size != 1:
        raise StudentError(f"{name}: expected a single number, got shape {value.shape}{where}")
    return value.reshape(())


def _pixels_close(name, got, expected, where):
    """uint8 images agree to 1 (rounding or truncating to integers are both fine)."""
    got = as_array(got, name)
    if got.shape != expected.shape:
        shapes = drawn(f" (expected {expected.shape}, got {got.shape})")
        raise StudentError(f"{name}: the image has the wrong shape{shapes}{where}")
    gap = np.abs(got.astype(np.float64) - expected)
    if not np.isfinite(gap).all() or gap.max() > 1:
        index = tuple(int(i) for i in np.unravel_index(int(np.nanargmax(gap)), gap.shape))
        pixel = drawn(f" {index} is {got[index]}, expected {expected[index]};")
        raise StudentError(f"{name}: pixel{pixel} values are off by more than 1 (they must lie "
                           f"in 0..255){where}")


@graded("pa_process", 3.0, "preprocess, deprocess(preprocess(img)) and clipping")
def test_process(submission, rng):
    checks = Checks()
    for H, W in ((16, 24), (9, 7)):
        img = _image(rng, H, W)
        where = drawn(f" for a {H}x{W} image")
        with checks.case():
            assert_close("preprocess", submission.call("preprocess", img),
                         ref.preprocess(img).numpy(), where=where)
        with checks.case():
            x = ref.preprocess(img)
            _pixels_close("deprocess(preprocess(img))", submission.call("deprocess", AsTorch(
                x.numpy())), img.astype(np.float64), where)
        with checks.case():
            x = ref.preprocess(img)
            x[0, :, : H // 2] *= 4.0  # an optimized image leaves the valid range
            _pixels_close("deprocess", submission.call("deprocess", AsTorch(x.numpy())),
                          ref.deprocess(x).astype(np.float64),
                          " for an image with values out of range" + drawn(f" ({H}x{W})"))
    checks.finish()


@graded("pa_model", 3.0, "the handout's layers; the extractor returns them with VGG19's shapes")
def test_model(submission):
    checks = Checks()
    for name, expected in (("CONTENT_LAYERS", ref.CONTENT_LAYERS),
                           ("STYLE_LAYERS", ref.STYLE_LAYERS)):
        with checks.case():
            got = submission.call(name, code="lambda value: list(value)")
            if got != expected:
                raise StudentError(f"{name}: expected {expected}, got {got!r:.200}")
    with checks.case():
        got = submission.call("get_model", 64, code=probes.EXTRACTOR, timeout=120)
        for name in NAMES:
            block = int(name[5])
            shape = [1, CHANNELS[block], 64 >> (block - 1), 64 >> (block - 1)]
            if name not in got:
                raise StudentError(f"get_model: the model's output has no layer {name!r} "
                                   f"(it has {', '.join(map(repr, got)) or 'none'})")
            if got[name][0] != shape:
                raise StudentError(f"get_model: layer {name} has shape {tuple(got[name][0])} "
                                   f"for a 64x64 image, expected {tuple(shape)}")
            if got[name][1] < 0:
                raise StudentError(f"get_model: layer {name} has negative values; the layers "
                                   "are the outputs of the ReLU after each conv")
    checks.finish()


@graded("pa_content", 2.0, "compute_content_loss on fresh features")
def test_content_loss(submission, rng):
    checks = Checks()
    for C, h, w in ((8, 5, 6), (3, 4, 4)):
        a, b = _features(rng, C, h, w), _features(rng, C, h, w)
        with checks.case():
            where = drawn(f" for features of shape {(C, h, w)}")
            got = _scalar("compute_content_loss", submission.call(
                "compute_content_loss", AsTorch(a), AsTorch(b)), where)
            assert_close("compute_content_loss", got, ref.compute_content_loss(
                torch.from_numpy(a), torch.from_numpy(b)).numpy(), where=where)
    checks.finish()


@graded("pa_gram", 3.0, "gram_matrix on fresh features")
def test_gram(submission, rng):
    checks = Checks()
    for C, h, w in ((6, 5, 3), (4, 2, 7)):
        a = _features(rng, C, h, w)
        with checks.case():
            assert_close("gram_matrix", submission.call("gram_matrix", AsTorch(a)),
                         ref.gram_matrix(torch.from_numpy(a)).numpy(),
                         where=drawn(f" for features of shape {(C, h, w)}"))
    checks.finish()


@graded("pa_style", 2.0, "compute_style_loss on fresh features")
def test_style_loss(submission, rng):
    """Run with the reference gram_matrix in place of the notebook's, so that a wrong
    gram_matrix costs only its own points. The handout writes E_l as a sum over the C x C
    entries and the course computes its mean: both pass."""
    checks = Checks()
    for C, h, w in ((6, 5, 4), (3, 3, 5)):
        a, target = _features(rng, C, h, w), rng.standard_normal((C, C)).astype(np.float32)
        where = drawn(f" for features of shape {(C, h, w)}")
        with checks.case():
            got = _scalar("compute_style_loss", submission.call(
                "compute_style_loss", AsTorch(a), AsTorch(target), NAMES, code=probes.STYLE),
                where)
            squares = (ref.gram_matrix(torch.from_numpy(a)).numpy() - target) ** 2
            if abs(got - squares.sum()) > 1e-4 * squares.sum():  # the handout's sum
                assert_close("compute_style_loss", got, np.asarray(squares.mean()), where=where)
    checks.finish()


def _tiny_problem(rng, size):
    weights = tiny_weights(rng, len(NAMES))
    model = TinyExtractor(weights, NAMES)
    content, style = (ref.preprocess(_image(rng, size, size)) for _ in range(2))
    with torch.no_grad():
        styles, contents = ref.compute_features(model, content, style)
    return weights, model, content, style, [ref.gram_matrix(f) for f in styles], contents


@graded("pa_total", 3.0, "calculate_loss: per-layer weights 1..5, the two loss weights")
def test_total_loss(submission, rng):
    checks = Checks()
    for loss_weights in ((0.7, 3.0), (2.0, 0.4)):
        weights, model, _, _, grams, contents = _tiny_problem(rng, 24)
        image = ref.preprocess(_image(rng, 24, 24))
        with torch.no_grad():
            expected = [float(v) for v in ref.calculate_loss(model, loss_weights, image, grams,
                                                             contents)]
        where = f" for (style_weight, content_weight) = {loss_weights}"
        with checks.case():
            got = submission.call(
                "calculate_loss", weights, NAMES, AsTorch(image.numpy()),
                [AsTorch(g.numpy()) for g in grams], [AsTorch(c.numpy()) for c in contents],
                list(loss_weights), code=probes.TOTAL)
            if not np.allclose(got, expected, rtol=1e-4, atol=0):
                values = drawn(f" = ({', '.join(f'{v:.6g}' for v in got)}), expected "
                               f"({', '.join(f'{v:.6g}' for v in expected)})")
                raise StudentError(
                    f"calculate_loss: returned (total, style, content){values} off by more than "
                    f"1e-4 (relative){where}; the style loss is "
                    f"sum_l w_l E_l with w = {ref.STYLE_LAYER_WEIGHTS} for {ref.STYLE_LAYERS}")
    checks.finish()


@graded("pa_loop", 4.0, "a few steps of run_style_transfer lower the total loss")
def test_loop(submission, rng):
    weights, model, content, style, grams, contents = _tiny_problem(rng, 32)
    loss_weights, steps = (1.0, 1.0), 12
    got = submission.call("run_style_transfer", weights, NAMES, AsTorch(content.numpy()),
                          AsTorch(style.numpy()), steps, loss_weights[1], loss_weights[0], 0.05,
                          code=probes.LOOP, timeout=120)
    best = as_array(got[0], "run_style_transfer")
    if best.shape != tuple(content.shape) or not np.isfinite(best).all():
        shapes = drawn(f" of shape {tuple(content.shape)}, got shape {best.shape}")
        raise StudentError(f"run_style_transfer: expected a finite best image{shapes}")
    with torch.no_grad():
        start, end = (float(ref.calculate_loss(model, loss_weights, image, grams, contents)[0])
                      for image in (content, torch.from_numpy(best.astype(np.float32))))
    if not end < 0.95 * start:
        seen = drawn(f" ({steps} steps, lr 0.05, weights 1 and 1, a 32x32 image: from "
                     f"{start:.4g} to {end:.4g})")
        raise StudentError(f"run_style_transfer: the total loss fell by less than 5%{seen}")
