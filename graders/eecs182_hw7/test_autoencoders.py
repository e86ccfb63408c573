"""Hidden tests of EECS 182 HW7 Question 1(a): the three autoencoders' contract, where their
corruption goes (inspected on the student's objects), the trainer and the probe run by the grader
on its own small data (a bounded number of steps), and the latent-size sweep's table and figure.
"""

import numpy as np
import torch

from graders.comp499_a1.common import check_figure, number_list
from graders.compare import Checks, as_array
from graders.eecs182_hw7 import probes
from graders.errors import StudentError, drawn
from graders.kernel import AsTorch, Ref
from graders.plugin import graded
from reference import autoencoder

CLASSES = ("AutoEncoder", "DenoisingAutoEncoder", "MaskedAutoEncoder")
TRAIN_BOUND = 0.1  # test MSE after 10 epochs, as a share of the data's variance (reference: ~0.005)
PROBE_TOLERANCE = 0.12


def _lowrank(rng, n, m=20, rank=3, noise=0.05) -> np.ndarray:
    """n points near a random rank-dimensional subspace of R^m, float32 (n, m)."""
    basis = rng.standard_normal((rank, m)) / np.sqrt(rank)
    return (rng.standard_normal((n, rank)) @ basis + noise * rng.standard_normal((n, m))).astype(
        np.float32)


@graded("q1a_models", 3.0, "encode, decode, forward and the vanilla loss on the grader's input")
def test_contract(submission, rng):
    x = rng.standard_normal((16, 20)).astype(np.float32)
    found = submission.call("AutoEncoder", [Ref(c) for c in CLASSES], AsTorch(x), 3,
                            code=probes.CONTRACT)
    checks = Checks()
    for name, (is_module, z, decoded, out, gap, loss, mse) in zip(CLASSES, found):
        with checks.case():
            where = name + drawn("(20, 3) on x of shape (16, 20)")
            if not is_module:
                raise StudentError(f"{name}: expected an nn.Module")
            for what, shape, expected in (("encode(x)", z, [16, 3]),
                                          ("decode(encode(x))", decoded, [16, 20]),
                                          ("model(x)", out, [16, 20])):
                if shape != expected:
                    raise StudentError(f"{where}: {what} has the wrong shape" + drawn(
                        f" {tuple(shape)}, expected {tuple(expected)}"))
            if gap > 1e-5:
                raise StudentError(f"{where}: model(x) differs from decode(encode(x)) in eval "
                                   f"mode (by up to {gap:.3g})")
            if name == "AutoEncoder" and abs(loss - mse) > 1e-5 * max(1.0, mse):
                raise StudentError(f"{where}: loss(x) = {loss:.6g}, expected the mean squared "
                                   f"error of model(x) against x, {mse:.6g}")
    checks.finish()


def _corruption(submission, name, args, x, shift_visible):
    seen, loss = submission.call(name, args, AsTorch(x), shift_visible, code=probes.CORRUPTION)
    if seen is None:
        raise StudentError(f"{name}.loss never called encode: loss must reach the network "
                           "through encode/decode (or model(...))")
    seen = as_array(seen, f"{name}: the encoder's input")
    if seen.shape != x.shape:
        shapes = drawn(f" {seen.shape}, expected {x.shape}")
        raise StudentError(f"{name}.loss: the encoder's input has shape{shapes} (the shape of x)")
    return seen, loss


@graded("q1a_denoise", 5.0, "DenoisingAutoEncoder: noise of std noise_std on the input only")
def test_denoising(submission, rng):
    x = rng.standard_normal((200, 20)).astype(np.float32)
    for std in (0.3, 0.8):
        where = f" (noise_std={std}{drawn(': DenoisingAutoEncoder(20, 3), x of shape (200, 20)')})"
        seen, loss = _corruption(submission, "DenoisingAutoEncoder", [20, 3, std], x, False)
        noise = seen.astype(np.float64) - x
        if abs(noise.std() - std) > 0.1 * std or abs(noise.mean()) > 0.1 * std:
            raise StudentError(f"DenoisingAutoEncoder.loss: the encoder's input minus x has mean "
                               f"{noise.mean():.3g} and std {noise.std():.3g}, expected 0 and "
                               f"{std}{where}")
        if abs(loss) > 1e-6:
            raise StudentError(f"DenoisingAutoEncoder.loss: a perfect reconstruction of the clean "
                               f"x gives loss {loss:.4g}, expected 0: the target must be the clean "
                               f"x, without noise{where}")


@graded("q1a_mask", 5.0, "MaskedAutoEncoder: hidden input entries, loss on the hidden ones")
def test_masking(submission, rng):
    x = rng.standard_normal((200, 20)).astype(np.float32)
    for ratio in (0.25, 0.6):
        where = f" (mask_ratio={ratio}{drawn(': MaskedAutoEncoder(20, 3), x of shape (200, 20)')})"
        seen, loss = _corruption(submission, "MaskedAutoEncoder", [20, 3, ratio], x, True)
        hidden = float((seen != x).mean())
        if abs(hidden - ratio) > 0.05:
            raise StudentError(f"MaskedAutoEncoder.loss: the encoder saw {hidden:.0%} of the "
                               f"entries changed, expected about {ratio:.0%}: the mask must hide "
                               f"input entries before the encoder{where}")
        if abs(loss) > 1e-6:
            raise StudentError(f"MaskedAutoEncoder.loss: a reconstruction exact on the hidden "
                               f"entries (and off by 1 on the visible ones) gives loss {loss:.4g}, "
                               f"expected 0: the loss counts the hidden entries only, against "
                               f"the clean x{where}")


@graded("q1a_train", 6.0, "train_autoencoder for 10 epochs on the grader's low-rank data")
def test_trainer(submission, rng):
    X = _lowrank(rng, 768)
    kwargs = {"epochs": 10, "lr": 3e-3, "batch_size": 64}
    history, error, reported = submission.call(
        "train_autoencoder", Ref("reconstruction_error"), AsTorch(X[:512]), AsTorch(X[512:]),
        kwargs, code=probes.TRAIN, timeout=120)
    where = (" (a grader model trained by train_autoencoder(model, X, epochs=10, lr=3e-3, "
             f"batch_size=64){drawn(' on 512 points near a 3-D subspace of R^20')})")
    history = number_list(history, "train_autoencoder(...)", 10)
    bound = TRAIN_BOUND * float(X[512:].var())
    if not error < bound:
        raise StudentError(f"train_autoencoder: test reconstruction error {error:.4g} after "
                           f"training, expected below {bound:.4g}{where}")
    if not history[-1] < 0.5 * history[0]:
        raise StudentError(f"train_autoencoder: the epoch losses went from {history[0]:.4g} to "
                           f"{history[-1]:.4g}; expected them to fall{where}")
    if abs(reported - error) > 1e-4 * max(error, 1e-3):
        raise StudentError(f"reconstruction_error: {reported:.6g}, expected the mean squared "
                           f"error of model(X) against X, {error:.6g}{where}")


def _clusters(rng, n_train=400, n_test=32, dim=16, classes=4):
    centers = 0.3 * rng.standard_normal((classes, dim))  # overlapping: about 50% accuracy
    y = rng.integers(0, classes, n_train + n_test)
    X = (centers[y] + rng.standard_normal((len(y), dim))).astype(np.float32)
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]


@graded("q1a_probe", 7.0, "linear_probe: frozen encoder, fitted on the training split")
def test_probe(submission, rng):
    X, y, X_test, y_test = _clusters(rng)
    weight = (rng.standard_normal((12, 16)) / 4).astype(np.float32)
    bias = (0.1 * rng.standard_normal(12)).astype(np.float32)
    kwargs = {"epochs": 100, "lr": 0.1}
    changed, touched, accuracy, measured = submission.call(
        "linear_probe", AsTorch(weight), AsTorch(bias), AsTorch(X), AsTorch(y), AsTorch(X_test),
        AsTorch(y_test), 4, kwargs, code=probes.PROBE, timeout=120)
    where = f" (a linear encoder set by the grader{drawn(': 16 -> 12, 4 classes, 400 points')})"
    if changed or touched:
        what = "changed" if changed else "received gradients"
        raise StudentError(f"linear_probe: the encoder's parameters {what} while probing; it "
                           f"must stay frozen{where}")
    if abs(accuracy - measured) > 1e-6:
        raise StudentError(f"linear_probe: returned accuracy {accuracy:.4f}, but the returned "
                           f"probe classifies {measured:.4f} of the test split correctly{where}")
    encoder = torch.nn.Linear(16, 12)
    with torch.no_grad():
        encoder.weight.copy_(torch.from_numpy(weight))
        encoder.bias.copy_(torch.from_numpy(bias))
    encoder.encode = encoder.forward
    torch.manual_seed(0)
    _, expected = autoencoder.linear_probe(encoder, *map(torch.from_numpy, (X, y, X_test, y_test)),
                                           4, **kwargs)
    if abs(accuracy - expected) > PROBE_TOLERANCE:
        raise StudentError(f"linear_probe: test accuracy {accuracy:.3f}, expected about "
                           f"{expected:.3f} (within {PROBE_TOLERANCE}): is the probe fitted on the "
                           f"training split only?{where}")


@graded("q1a_sweep", 3.0, "sweep_results and fig_sweep")
def test_sweep(submission):
    check_figure(submission, "fig_sweep", min_axes=2, min_lines=2)
    try:
        results = submission.call("sweep_results", code="lambda r: {str(k): v for k, v in "
                                  "r.items()} if isinstance(r, dict) else r")
    except StudentError as err:
        if "(skipped:" in str(err) or "(timeout:" in str(err):
            return  # the sweep's cell was not run here: its figure in the submission is judged
        raise
    if not isinstance(results, dict) or len(results) < 3:
        raise StudentError("sweep_results: expected a dict with at least three latent sizes")
    for latent, row in results.items():
        if not isinstance(row, dict) or {"recon_mse", "probe_accuracy"} - set(row):
            raise StudentError(f"sweep_results[{latent}]: expected a dict with keys 'recon_mse' "
                               "and 'probe_accuracy'")
        mse, accuracy = number_list([row["recon_mse"], row["probe_accuracy"]],
                                    f"sweep_results[{latent}]", 2)
        if mse < 0 or not 0 <= accuracy <= 1:
            raise StudentError(f"sweep_results[{latent}]: recon_mse {mse:.4g} and probe_accuracy "
                               f"{accuracy:.4g} are not an error and a fraction")
