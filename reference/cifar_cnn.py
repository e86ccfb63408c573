"""CS 229br HW0 Q2.1: a small CIFAR-10 CNN with batch norm, and its training loop.

Images are (N, 3, 32, 32) float tensors, labels (N,) ints in 0..9.
"""

import torch
from torch import nn
from torch.nn import functional as F

CIFAR_MEAN = (0.4914, 0.4822, 0.4465)
CIFAR_STD = (0.2470, 0.2435, 0.2616)


def conv_block(c_in, c_out):
    """3x3 convolution, batch norm, ReLU."""
    return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out),
                         nn.ReLU())


class CifarNet(nn.Module):
    """Five layers: four conv blocks (two 2x2 poolings in between) and a linear classifier.
    (N, 3, 32, 32) -> (N, 10) logits."""

    def __init__(self, width=64):
        super().__init__()
        self.features = nn.Sequential(
            conv_block(3, width), conv_block(width, 2 * width), nn.MaxPool2d(2),
            conv_block(2 * width, 4 * width), nn.MaxPool2d(2),
            conv_block(4 * width, 8 * width), nn.AdaptiveMaxPool2d(1), nn.Flatten())
        self.classifier = nn.Linear(8 * width, 10)

    def forward(self, x):
        return self.classifier(self.features(x))


def train_step(model, optimizer, images, labels):
    """One cross-entropy step on a batch, in training mode; returns the loss before it (float)."""
    model.train()
    loss = F.cross_entropy(model(images), labels)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return loss.item()


def accuracy(model, loader, device="cpu"):
    """Share of correctly classified images over a loader of (images, labels)."""
    model.eval()
    right = total = 0
    with torch.no_grad():
        for images, labels in loader:
            right += (model(images.to(device)).argmax(1).cpu() == labels).sum().item()
            total += len(labels)
    return right / total


def cifar10_loaders(root, batch_size=512, download=False):
    """(train, test) DataLoaders of CIFAR-10 from `root` in torchvision's layout
    (root/cifar-10-batches-py); downloaded only when `download` is True (needs the network)."""
    import torchvision
    from torchvision import transforms

    normal = transforms.Normalize(CIFAR_MEAN, CIFAR_STD)
    augment = transforms.Compose([transforms.RandomCrop(32, padding=4),
                                  transforms.RandomHorizontalFlip(), transforms.ToTensor(), normal])
    plain = transforms.Compose([transforms.ToTensor(), normal])
    train = torchvision.datasets.CIFAR10(root, train=True, transform=augment, download=download)
    test = torchvision.datasets.CIFAR10(root, train=False, transform=plain, download=download)
    return (torch.utils.data.DataLoader(train, batch_size, shuffle=True, num_workers=2),
            torch.utils.data.DataLoader(test, batch_size))


def train_cifar(model, train_loader, epochs=10, lr=0.1, device="cpu"):
    """SGD with momentum and a one-cycle schedule; returns the mean loss of each epoch."""
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, weight_decay=5e-4,
                                nesterov=True)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, lr, epochs=epochs,
                                                   steps_per_epoch=len(train_loader))
    losses = []
    for _ in range(epochs):
        total = 0.0
        for images, labels in train_loader:
            total += train_step(model, optimizer, images.to(device), labels.to(device))
            schedule.step()
        losses.append(total / len(train_loader))
    return losses
