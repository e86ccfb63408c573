"""reference.style_transfer against independent computations: torchvision's transforms and VGG19
layers, torch's mse_loss and einsum; the extractor's weight loading on a fake cached checkpoint."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from reference import style_transfer as st


def _image(seed, H=24, W=20):
    return np.random.default_rng(seed).integers(0, 256, size=(H, W, 3), dtype=np.uint8)


def test_preprocess_matches_torchvision_transforms():
    from torchvision.transforms import functional as TF

    img = _image(0)
    expected = TF.normalize(TF.to_tensor(img), st.VGG_MEAN, st.VGG_STD)[None]
    torch.testing.assert_close(st.preprocess(img), expected, rtol=1e-6, atol=1e-6)


def test_deprocess_round_trips_and_clips():
    img = _image(1)
    assert np.array_equal(st.deprocess(st.preprocess(img)), img)
    x = st.preprocess(img)
    x[0, 0, :2] = 50.0  # far above white
    x[0, 1, :2] = -50.0  # far below black
    out = st.deprocess(x)
    assert out.dtype == np.uint8 and (out[:2, :, 0] == 255).all() and (out[:2, :, 1] == 0).all()


def test_losses_against_mse_and_einsum():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(2, 6, 5, 4, generator=g, dtype=torch.float64)
    torch.testing.assert_close(st.compute_content_loss(a, b), F.mse_loss(a, b))
    gram = torch.einsum("chw,dhw->cd", a, a) / 20
    torch.testing.assert_close(st.gram_matrix(a), gram)
    target = torch.randn(6, 6, generator=g, dtype=torch.float64)
    torch.testing.assert_close(st.compute_style_loss(a, target), F.mse_loss(gram, target))


def _tiny():
    """A small stand-in extractor with the six layer names (the one the grader uses)."""
    from graders.cmu10605_hw5.tiny_extractor import TinyExtractor, tiny_weights

    weights = tiny_weights(np.random.default_rng(0), 6)
    return TinyExtractor(weights, st.STYLE_LAYERS + st.CONTENT_LAYERS)


def test_total_loss_weights_each_style_layer():
    model = _tiny()
    content, style = st.preprocess(_image(2, 16, 16)), st.preprocess(_image(3, 16, 16))
    image = st.preprocess(_image(4, 16, 16))
    styles, contents = st.compute_features(model, content, style)
    grams = [st.gram_matrix(f) for f in styles]
    total, style_loss, content_loss = st.calculate_loss(model, (0.3, 7.0), image, grams, contents)
    out = model(image)
    expected_style = 0.3 * sum((i + 1) * F.mse_loss(st.gram_matrix(out[n][0]), grams[i])
                               for i, n in enumerate(st.STYLE_LAYERS))
    expected_content = 7.0 * F.mse_loss(out["block5_conv2"][0], contents[0])
    torch.testing.assert_close(style_loss, expected_style)
    torch.testing.assert_close(content_loss, expected_content)
    torch.testing.assert_close(total, expected_style + expected_content)


def test_style_transfer_lowers_the_loss_and_stays_in_range():
    model = _tiny()
    content, style = st.preprocess(_image(5, 16, 16)), st.preprocess(_image(6, 16, 16))
    best, best_loss = st.run_style_transfer(model, content, style, num_iterations=15,
                                            content_weight=1.0, style_weight=1.0, lr=0.05)
    styles, contents = st.compute_features(model, content, style)
    grams = [st.gram_matrix(f) for f in styles]
    start = st.calculate_loss(model, (1.0, 1.0), content, grams, contents)[0].item()
    end = st.calculate_loss(model, (1.0, 1.0), best, grams, contents)[0].item()
    assert end == pytest.approx(best_loss, rel=1e-5) and end < 0.9 * start
    assert np.array_equal(st.deprocess(best), st.deprocess(st.preprocess(st.deprocess(best))))


def _torchvision_features(state, image, indices):
    """Outputs of torchvision's full VGG19 feature stack, at the given module indices."""
    from torchvision.models.vgg import cfgs, make_layers

    features = make_layers(cfgs["E"])
    features.load_state_dict(state, strict=False)
    out, h = {}, image
    for index, module in enumerate(features):
        h = module(h)
        if index in indices:
            out[index] = h.clone()
    return out


def test_extractor_loads_cached_weights_and_returns_torchvisions_layers(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="no VGG19 weights"):
        st.get_model(pretrained=True)
    random_model = st.get_model(pretrained=False)
    g = torch.Generator().manual_seed(0)
    state = {f"features.{k}": torch.randn(v.shape, generator=g) * 0.05
             for k, v in random_model.features.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(2, 2)  # the checkpoint has a classifier too
    path = st.vgg19_weights_path()
    assert path.parent == tmp_path / "hub" / "checkpoints"
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    model = st.get_model(pretrained=True)
    assert len(model.features) == 32 and not any(p.requires_grad for p in model.parameters())
    image = torch.randn(1, 3, 32, 32, generator=g)
    got = model(image)
    assert list(got) == st.STYLE_LAYERS + st.CONTENT_LAYERS
    expected = _torchvision_features({k.removeprefix("features."): v for k, v in state.items()
                                      if k.startswith("features.")}, image,
                                     set(st.VGG19_LAYER_INDEX.values()))
    for name, value in got.items():
        torch.testing.assert_close(value, expected[st.VGG19_LAYER_INDEX[name]])
    assert got["block1_conv1"].shape == (1, 64, 32, 32)
    assert got["block5_conv2"].shape == (1, 512, 2, 2)
