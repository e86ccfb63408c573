"""Time the HW3 reference solutions (reference.xcorr, reference.norm) against scipy and torch.

    python benchmarks/bench_reference.py [--repeats 5] [--threads N]

Each row is the best of 2 x --repeats runs on the CPU; ratio = ours / theirs (below 1 means ours
is faster).
"""

import argparse
import os
import time

# After a torch call, torch's thread pool and numpy's multithreaded OpenBLAS fight over a small
# machine's cores, and a BLAS product can then wait milliseconds for one; single-threaded BLAS
# avoids that. Set OPENBLAS_NUM_THREADS yourself to override.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import scipy.signal
import torch
import torch.nn.functional as F

from reference import norm, xcorr


def best_times(fns, repeats, rounds=2):
    """Best wall time of each function: rounds of back-to-back blocks of repeats calls each.

    Blocks rather than single calls alternate, because torch's worker threads keep spinning for a
    while after a call and would slow numpy's BLAS threads right after it on a small machine.
    """
    best = [float("inf")] * len(fns)
    for _ in range(rounds):
        for k, fn in enumerate(fns):
            fn()  # warm-up
            for _ in range(repeats):
                t0 = time.perf_counter()
                fn()
                best[k] = min(best[k], time.perf_counter() - t0)
    return best


def xcorr_cases(rng):
    """(name, ours, theirs) for the 2-D and multichannel cross-correlations, float64."""
    image = rng.standard_normal((512, 512))
    for k in (3, 31):
        f = rng.standard_normal((k, k))
        yield (
            f"xcorr2d 512x512 * {k}x{k}",
            lambda f=f: xcorr.xcorr2d(f, image),
            lambda f=f: scipy.signal.correlate2d(image, f, mode="full"),
            "correlate2d",
        )
    X = rng.standard_normal((3, 3, 50))  # (h, w, D)
    Y = rng.standard_normal((50, 50, 50))  # (H, W, D)
    weight = torch.from_numpy(X).permute(2, 0, 1)[None]  # (1, D, h, w)
    inp = torch.from_numpy(Y).permute(2, 0, 1)[None]  # (1, D, H, W)
    yield (
        "xcorr_multichannel 50x50x50 * 3x3x50",
        lambda: xcorr.xcorr_multichannel(X, Y),
        lambda: F.conv2d(inp, weight, padding=(2, 2)),
        "F.conv2d",
    )


def norm_cases(dtype):
    """(name, ours, theirs) for the three norms on the handout's (50, 50, 64, 64) tensor."""
    x = torch.randn(50, 50, 64, 64, dtype=dtype, generator=torch.Generator().manual_seed(0))
    xp = x.permute(3, 2, 0, 1)  # (N, C, H, W) view of the same data, as a student would pass it
    tag = str(dtype).removeprefix("torch.")
    yield (
        f"batch_norm {tag}",
        lambda: norm.batch_norm(x),
        lambda: F.batch_norm(xp, None, None, training=True),
        "F.batch_norm",
    )
    yield (
        f"layer_norm {tag}",
        lambda: norm.layer_norm(x),
        lambda: F.layer_norm(xp, xp.shape[1:]),
        "F.layer_norm",
    )
    yield (
        f"instance_norm {tag}",
        lambda: norm.instance_norm(x),
        lambda: F.instance_norm(xp),
        "F.instance_norm",
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=5,
        help="timed runs per block, two blocks per side (default 5)",
    )
    parser.add_argument(
        "--threads", type=int, default=None, help="torch intra-op threads (default: torch's choice)"
    )
    args = parser.parse_args(argv)
    if args.repeats < 1:
        parser.error(f"Invalid --repeats {args.repeats}, expected >= 1")
    if args.threads is not None:
        torch.set_num_threads(args.threads)

    cases = [
        *xcorr_cases(np.random.default_rng(0)),
        *norm_cases(torch.float32),
        *norm_cases(torch.float64),
    ]
    print(
        f"numpy {np.__version__}, scipy {scipy.__version__}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads), OPENBLAS_NUM_THREADS="
        f"{os.environ['OPENBLAS_NUM_THREADS']}, best of 2 x {args.repeats}"
    )
    header = f"{'case':40s} {'ours ms':>9s} {'theirs ms':>10s} {'ratio':>7s}  baseline"
    print(header)
    print("-" * len(header))
    for name, ours, theirs, baseline in cases:
        t_ours, t_theirs = best_times([ours, theirs], args.repeats)
        print(
            f"{name:40s} {1e3 * t_ours:9.2f} {1e3 * t_theirs:10.2f} "
            f"{t_ours / t_theirs:7.2f}  {baseline}"
        )


if __name__ == "__main__":
    main()
