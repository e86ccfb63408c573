"""Neural style transfer on VGG19 features (Gatys, Ecker & Bethge, arXiv:1508.06576; 10-605 HW5
Part A, ported from TensorFlow to PyTorch).

Images are uint8 (H, W, 3) arrays; the network sees float32 (1, 3, H, W) tensors normalized with
ImageNet's mean and standard deviation, as torchvision's VGG19 expects. Feature maps of one image
are (C, h, w). Layer names follow Keras (`block4_conv1` is the ReLU output of the first conv of
block 4). Only the first 32 modules of VGG19's `features` are built (up to block5_conv2): about
15.3M parameters, 61 MB of float32, against 548 MB for the whole network with its classifier.
torchvision is imported only by `get_model`.
"""

from pathlib import Path

import numpy as np
import torch
from torch import nn

CONTENT_LAYERS = ["block5_conv2"]
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
STYLE_LAYER_WEIGHTS = [1.0, 2.0, 3.0, 4.0, 5.0]  # deeper layers weigh more
VGG_MEAN = (0.485, 0.456, 0.406)
VGG_STD = (0.229, 0.224, 0.225)
# Keras layer name -> index of its ReLU in torchvision's vgg19().features
VGG19_LAYER_INDEX = {"block1_conv1": 1, "block1_conv2": 3, "block2_conv1": 6, "block2_conv2": 8,
                     "block3_conv1": 11, "block3_conv2": 13, "block3_conv3": 15,
                     "block3_conv4": 17, "block4_conv1": 20, "block4_conv2": 22,
                     "block4_conv3": 24, "block4_conv4": 26, "block5_conv1": 29,
                     "block5_conv2": 31, "block5_conv3": 33, "block5_conv4": 35}


def preprocess(img):
    """uint8 image (H, W, 3) -> float32 tensor (1, 3, H, W), scaled to [0, 1] and normalized."""
    x = torch.as_tensor(np.asarray(img), dtype=torch.float32) / 255.0
    x = x.permute(2, 0, 1)[None]  # (1, 3, H, W)
    mean = torch.tensor(VGG_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(VGG_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def deprocess(x):
    """Inverse of preprocess: tensor (1, 3, H, W) -> uint8 array (H, W, 3), clipped to [0, 255]."""
    x = torch.as_tensor(x).detach().to("cpu", torch.float64)[0]  # (3, H, W)
    mean = torch.tensor(VGG_MEAN, dtype=torch.float64).view(3, 1, 1)
    std = torch.tensor(VGG_STD, dtype=torch.float64).view(3, 1, 1)
    x = (x * std + mean) * 255.0
    return x.clamp(0, 255).round().permute(1, 2, 0).numpy().astype(np.uint8)


class VGGFeatures(nn.Module):
    """Runs `features` and returns {layer name: its output (1, C, h, w)} for the named layers."""

    def __init__(self, features: nn.Sequential, layers: dict[str, int]):
        super().__init__()
        self.features = features
        self.names = {index: name for name, index in layers.items()}

    def forward(self, image):
        out, h = {}, image
        for index, module in enumerate(self.features):
            h = module(h)
            if index in self.names:
                out[self.names[index]] = h
        return out


def vgg19_weights_path() -> Path:
    """Where torch.hub caches torchvision's VGG19 weights: $TORCH_HOME/hub/checkpoints/."""
    from torchvision.models import VGG19_Weights

    url = VGG19_Weights.IMAGENET1K_V1.url
    return Path(torch.hub.get_dir()) / "checkpoints" / url.rsplit("/", 1)[-1]


def get_model(pretrained=True, download=False):
    """VGG19's features up to the last content or style layer, frozen, in eval mode.

    pretrained=True loads torchvision's ImageNet weights from the torch.hub cache (see
    vgg19_weights_path); download=True fetches them there first if they are missing.
    pretrained=False keeps random weights (for tests). Returns a VGGFeatures.
    """
    from torchvision.models import VGG19_Weights
    from torchvision.models.vgg import cfgs, make_layers

    layers = {name: VGG19_LAYER_INDEX[name] for name in STYLE_LAYERS + CONTENT_LAYERS}
    size = max(layers.values()) + 1
    config, modules = [], 0
    for entry in cfgs["E"]:  # a prefix of the config: a conv is 2 modules (conv, ReLU), "M" 1
        if modules >= size:
            break
        config.append(entry)
        modules += 1 if entry == "M" else 2
    features = make_layers(config)
    if pretrained:
        path = vgg19_weights_path()
        if not path.exists():
            if not download:
                raise FileNotFoundError(f"no VGG19 weights at {path}: call get_model(download="
                                        "True) once with internet access, or copy the file there")
            path.parent.mkdir(parents=True, exist_ok=True)
            torch.hub.download_url_to_file(VGG19_Weights.IMAGENET1K_V1.url, str(path))
        state = torch.load(path, map_location="cpu", weights_only=True, mmap=True)  # lazy
        features.load_state_dict({key.removeprefix("features."): value
                                  for key, value in state.items() if key.startswith("features.")
                                  and int(key.split(".")[1]) < len(features)})
    model = VGGFeatures(features, layers).eval()
    model.requires_grad_(False)
    return model


def compute_content_loss(base_content, target):
    """Mean over all entries of (F - P)^2. base_content, target: (C, h, w) -> scalar."""
    return torch.mean((base_content - target) ** 2)


def gram_matrix(features):
    """Inner products of the C vectorized feature maps, divided by h * w. (C, h, w) -> (C, C)."""
    C = features.shape[0]
    F = features.reshape(C, -1)  # (C, h * w)
    return F @ F.T / F.shape[1]


def compute_style_loss(base_style, gram_target):
    """Mean over the C x C entries of (G - A)^2. base_style: (C, h, w), gram_target: (C, C)."""
    return torch.mean((gram_matrix(base_style) - gram_target) ** 2)


def compute_features(model, content_image, style_image):
    """(style features, content features): lists of (C, h, w), in STYLE_LAYERS / CONTENT_LAYERS
    order, of the style image and the content image, both (1, 3, H, W)."""
    style_outputs, content_outputs = model(style_image), model(content_image)
    return ([style_outputs[name][0] for name in STYLE_LAYERS],
            [content_outputs[name][0] for name in CONTENT_LAYERS])


def calculate_loss(model, loss_weights, init_image, gram_style_features, content_features):
    """(total, style, content) losses of init_image (1, 3, H, W); loss_weights is
    (style_weight, content_weight). Style: sum over layers of STYLE_LAYER_WEIGHTS[l] * E_l;
    content: mean over the content layers; both then scaled by their weight."""
    style_weight, content_weight = loss_weights
    outputs = model(init_image)
    style_score = sum(w * compute_style_loss(outputs[name][0], target) for w, name, target
                      in zip(STYLE_LAYER_WEIGHTS, STYLE_LAYERS, gram_style_features))
    content_score = sum(compute_content_loss(outputs[name][0], target)
                        for name, target in zip(CONTENT_LAYERS, content_features))
    style_score = style_score * style_weight
    content_score = content_score * content_weight / len(CONTENT_LAYERS)
    return style_score + content_score, style_score, content_score


def run_style_transfer(model, content_image, style_image, num_iterations=100,
                       content_weight=1e3, style_weight=1e-2, lr=0.02):
    """Optimize an image, started at the content image, with Adam; keep it in the valid range.

    content_image, style_image: (1, 3, H, W) preprocessed. Returns (the image of lowest total
    loss (1, 3, H, W), that loss as a float).
    """
    style_features, content_features = compute_features(model, content_image, style_image)
    gram_style_features = [gram_matrix(f) for f in style_features]
    image = content_image.detach().clone().requires_grad_(True)
    optimizer = torch.optim.Adam([image], lr=lr, betas=(0.99, 0.999), eps=1e-1)
    mean = torch.tensor(VGG_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(VGG_STD).view(1, 3, 1, 1)
    low, high = -mean / std, (1 - mean) / std  # pixel values 0 and 1, normalized
    best_image, best_loss = image.detach().clone(), float("inf")
    for _ in range(num_iterations):
        total, _, _ = calculate_loss(model, (style_weight, content_weight), image,
                                     gram_style_features, content_features)
        if total.item() < best_loss:
            best_image, best_loss = image.detach().clone(), total.item()
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        with torch.no_grad():
            image.copy_(torch.maximum(torch.minimum(image, high), low))
    return best_image, best_loss
