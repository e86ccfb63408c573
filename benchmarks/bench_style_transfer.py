"""Style-transfer step time and what the VGG19 extractor costs (cmu10605_hw5 Part A).

    python benchmarks/bench_style_transfer.py [--size 256] [--steps 5] [--threads N] [--device cpu]

Builds reference.style_transfer.get_model (pretrained when the weights are in the torch.hub cache,
random otherwise: the time is the same), reports its parameters and their size, the build time
and the peak RSS of this process, then times the steps of run_style_transfer's loop (forward
through VGG19 up to block5_conv2, the six losses, backward to the image, one Adam step) on a
size x size image:
the median of --steps steps after one warm-up step. On a GPU the device is synchronized per step.
"""

import argparse
import resource
import statistics
import time

import torch

from reference import style_transfer as st


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    pretrained = st.vgg19_weights_path().exists()
    model = st.get_model(pretrained=pretrained).to(args.device)
    built = time.perf_counter() - started
    params = sum(p.numel() for p in model.parameters())
    print(f"extractor: {len(model.features)} modules of vgg19().features, {params / 1e6:.1f}M "
          f"parameters, {params * 4 / 2**20:.0f} MiB float32, built in {built:.2f} s "
          f"({'pretrained' if pretrained else 'random'} weights)")
    gen = torch.Generator().manual_seed(0)
    content, style = (torch.randn(1, 3, args.size, args.size, generator=gen).to(args.device)
                      for _ in range(2))
    with torch.no_grad():
        styles, contents = st.compute_features(model, content, style)
        grams = [st.gram_matrix(f) for f in styles]
    image = content.clone().requires_grad_(True)
    optimizer = torch.optim.Adam([image], lr=0.02, betas=(0.99, 0.999), eps=1e-1)
    times = []
    for step in range(args.steps + 1):
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        start = time.perf_counter()
        total = st.calculate_loss(model, (1e-2, 1e3), image, grams, contents)[0]
        optimizer.zero_grad()
        total.backward()
        optimizer.step()
        if args.device.startswith("cuda"):
            torch.cuda.synchronize()
        if step:  # the first is a warm-up
            times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.size}x{args.size} on {args.device} ({torch.get_num_threads()} threads): "
          f"{statistics.median(times):.3f} s per step (median of {len(times)}); "
          f"peak RSS of this process {peak:.0f} MiB")


if __name__ == "__main__":
    main()
