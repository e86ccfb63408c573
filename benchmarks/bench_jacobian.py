"""Reverse- against forward-mode Jacobians of the COMP 499/691 A1 Question 2 network.

Times reference.jacobian.jacobian_reverse (one forward pass, then P backward passes) and
jacobian_forward (D passes of dual numbers) for each depth L, and sets the ratio forward/reverse
beside two operation counts for D = 2, P = 10:

- the handout's model (theory/comp499_jacobian_cost.py): the primal pass once plus the D tangents
  or the P cotangents, (1 + D) c against (1 + P) c, ratio 3/11 = 0.27 for every L;
- what the two reference functions actually do: forward mode redoes the primal pass for each of
  its D seeds, 2 D c, against (1 + P) c, ratio 4/11 = 0.36.

At the handout's width (K = 30) every matrix-vector product is tiny and the time goes to PyTorch's
per-operation overhead, so the ratio follows the number of operations launched rather than their
size; `--width 1000` makes the products large enough for the counts to show. There PyTorch's
forward-mode product W @ (dual x) costs several plain products (the zero tangent of W is
multiplied too), so the script also times the two modes written by hand with whole blocks: the
values and their D tangents pushed forward together as one (K, 1 + D) block, and the (P, K)
cotangent block pulled back after a primal pass that keeps the activations. Those do exactly the
handout's counts; the products are still thin (1 + D or P columns), so at large K their time
follows the passes over each W (one forward, two reverse) more than the multiplications.

    python benchmarks/bench_jacobian.py [--depths 3 5 10] [--width 30] [--repeats 200]
                                        [--threads 1] [--device cpu|cuda|all]
"""

from __future__ import annotations

import argparse
import warnings

import sympy as sp
import torch

from reference.jacobian import _seconds_per_call, benchmark_jacobians, make_weights
from theory.comp499_jacobian_cost import FORWARD, REVERSE, D, K, L, P


def tangent_block(weights, x):
    """Forward mode by hand: [h | dh/dx] (K, 1 + D) through one product per layer; (1 + D) c ops."""
    D = x.shape[0]
    block = torch.cat([x[:, None], torch.eye(D, dtype=x.dtype, device=x.device)], dim=1)
    for i in range(1, len(weights)):
        block = weights[f"W{i}"] @ block  # (K, 1 + D): pre-activation and its tangents
        h = torch.tanh(block[:, :1])
        block = torch.cat([h, (1 - h * h) * block[:, 1:]], dim=1)
    return weights["WF"] @ block[:, 1:]


def cotangent_block(weights, x):
    """Reverse mode by hand: a primal pass keeping h, then G = df/dh (P, K) backwards; (1 + P) c."""
    hs, h = [], x
    for i in range(1, len(weights)):
        h = torch.tanh(weights[f"W{i}"] @ h)
        hs.append(h)
    G = weights["WF"]  # (P, K)
    for i in range(len(weights) - 1, 0, -1):
        G = (G * (1 - hs[i - 1] * hs[i - 1])) @ weights[f"W{i}"]  # (P, K), then (P, D)
    return G


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depths", type=int, nargs="+", default=[3, 5, 10])
    parser.add_argument("--width", type=int, default=30, help="K (the handout: 30)")
    parser.add_argument("--repeats", type=int, default=200, help="calls per timing round")
    parser.add_argument("--threads", type=int, default=None, help="torch.set_num_threads")
    parser.add_argument("--device", choices=["cpu", "cuda", "all"], default="all")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    if args.device != "all":
        devices = [args.device]
    warnings.filterwarnings("ignore", message="`torch.jit.script` is deprecated")

    rows = benchmark_jacobians(depths=args.depths, D=2, K=args.width, P=10,
                               repeats=args.repeats, devices=devices)
    for row in rows:  # the same weights as benchmark_jacobians (seeded by L)
        g = torch.Generator().manual_seed(row["L"])
        weights = make_weights(2, args.width, 10, row["L"], generator=g, device=row["device"])
        x = torch.randn(2, generator=g, dtype=torch.float64).to(row["device"])
        torch.testing.assert_close(tangent_block(weights, x), cotangent_block(weights, x))
        row["block_forward_s"] = _seconds_per_call(tangent_block, weights, x, args.repeats)
        row["block_reverse_s"] = _seconds_per_call(cotangent_block, weights, x, args.repeats)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} CPU threads"
          + (f", {torch.cuda.get_device_name()}" if "cuda" in devices else ""))
    print(f"D = 2, K = {args.width}, P = 10; best of 3 rounds of {args.repeats} calls; "
          "times per Jacobian")
    print("autograd: the reference functions; blocks: both modes by hand (see the docstring)")
    print(f"{'device':6s} {'L':>3s} {'reverse us':>11s} {'forward us':>11s} {'fwd/rev':>8s} "
          f"{'block rev':>10s} {'block fwd':>10s} {'fwd/rev':>8s} {'ops rev':>9s} {'ops fwd':>9s} "
          f"{'counts':>7s} {'as coded':>8s}")
    for row in rows:
        sizes = {D: 2, K: args.width, P: 10, L: row["L"]}
        fwd_ops, rev_ops = int(FORWARD.subs(sizes)), int(REVERSE.subs(sizes))
        as_coded = sp.Rational(2 * 2, 1 + 10)  # 2 D c against (1 + P) c
        print(f"{row['device']:6s} {row['L']:3d} {1e6 * row['reverse_s']:11.1f} "
              f"{1e6 * row['forward_s']:11.1f} {row['forward_s'] / row['reverse_s']:8.2f} "
              f"{1e6 * row['block_reverse_s']:10.1f} {1e6 * row['block_forward_s']:10.1f} "
              f"{row['block_forward_s'] / row['block_reverse_s']:8.2f} {rev_ops:9d} {fwd_ops:9d} "
              f"{fwd_ops / rev_ops:7.2f} {float(as_coded):8.2f}")


if __name__ == "__main__":
    main()
