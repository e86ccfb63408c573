"""Per-step time of the reference optimizers against torch.optim (foreach=True).

The parameters are those of a ~10M-parameter stack of Linear layers; gradients are filled once
and every step reuses them, so the timing covers the optimizer update alone. Each pair is timed
interleaved (ours, torch, ours, ...) so that noise from a shared machine hits both alike.

    python benchmarks/bench_optim.py [--steps 30] [--threads 1] [--device cpu]
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch import nn

from reference import optim as ref

PAIRS = {
    "Adagrad": (ref.Adagrad, torch.optim.Adagrad),
    "RMSprop": (ref.RMSprop, torch.optim.RMSprop),
    "Adam": (ref.Adam, torch.optim.Adam),
}


def make_params(device: torch.device) -> list[nn.Parameter]:
    """Weights and biases of Linear(2000, 2000), Linear(2000, 2000), Linear(2000, 1000)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(2000, 2000), nn.Linear(2000, 2000), nn.Linear(2000, 1000))
    params = list(model.to(device).parameters())
    for p in params:
        p.grad = torch.randn_like(p)
    return params


def timed_step(optimizer: torch.optim.Optimizer, device: torch.device) -> float:
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="timed steps per optimizer")
    parser.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    print(f"device={device} threads={torch.get_num_threads()} torch={torch.__version__}")
    print(f"{'optimizer':<10}{'params':>12}{'ours ms':>10}{'torch ms':>10}{'ratio':>8}")
    for name, (ours_cls, torch_cls) in PAIRS.items():
        ours_params, torch_params = make_params(device), make_params(device)
        ours = ours_cls(ours_params, lr=1e-4)
        theirs = torch_cls(torch_params, lr=1e-4, foreach=True)
        for _ in range(args.warmup):
            ours.step()
            theirs.step()
        ours_times, torch_times = [], []
        for _ in range(args.steps):
            ours_times.append(timed_step(ours, device))
            torch_times.append(timed_step(theirs, device))
        ours_ms = 1e3 * statistics.median(ours_times)
        torch_ms = 1e3 * statistics.median(torch_times)
        numel = sum(p.numel() for p in ours_params)
        print(f"{name:<10}{numel:>12,}{ours_ms:>10.2f}{torch_ms:>10.2f}{ours_ms / torch_ms:>8.3f}")
        del ours, theirs, ours_params, torch_params


if __name__ == "__main__":
    main()
