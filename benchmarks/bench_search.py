"""cs229br_hw0 search figures: Faiss exact L2 (IndexFlatL2, or the GPU index make_index picks)
against a NumPy brute force, for 10,000 x 512 and 100,000 x 512 image embeddings and 200 text
queries (one per TinyImageNet label), k = 5; and the embedding throughput of the tiny open_clip
model on the CPU. Best of --repeats runs each; ratio = NumPy / Faiss.

    python benchmarks/bench_search.py [--repeats 3] [--sizes 10000 100000] [--threads N]
"""

import argparse
import time

import numpy as np
import torch

from reference import clip_search


def best_time(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def numpy_top_k(images, queries, k):
    """Brute force: ||q||^2 - 2 q.x + ||x||^2, argpartition, then sort the k."""
    d = (queries ** 2).sum(1)[:, None] - 2 * queries @ images.T + (images ** 2).sum(1)[None]
    part = np.argpartition(d, k, axis=1)[:, :k]
    order = np.argsort(np.take_along_axis(d, part, 1), axis=1)
    return np.take_along_axis(part, order, 1)


def bench_search(n, dim, queries, k, repeats, rng):
    images = rng.standard_normal((n, dim)).astype(np.float32)
    q = rng.standard_normal((queries, dim)).astype(np.float32)
    build, index = best_time(lambda: _built(images), repeats)
    search, found = best_time(lambda: index.search(q, k)[1], repeats)
    brute, expected = best_time(lambda: numpy_top_k(images, q, k), repeats)
    agree = float((found == expected).mean())
    print(f"{n:>7} x {dim}: faiss build {build * 1e3:8.2f} ms, query {search * 1e3:8.2f} ms "
          f"({queries} queries, k={k}); numpy {brute * 1e3:8.2f} ms; "
          f"numpy / faiss (build + query) = {brute / (build + search):5.2f}, "
          f"numpy / faiss query = {brute / search:5.2f}; same indices: {agree:.4f}")


def _built(images):
    index = clip_search.make_index(images.shape[1])
    index.add(images)
    return index


def bench_embedding(repeats, batch=64):
    model, _ = clip_search.tiny_clip()
    images = torch.randn(batch * 4, 3, 32, 32)
    seconds, _ = best_time(lambda: clip_search.embed_images(model, images, batch_size=batch),
                           repeats)
    print(f"tiny open_clip ({clip_search.TINY_CLIP['vision_cfg']}) on the CPU: "
          f"{len(images) / seconds:,.0f} images/s (batch {batch}, "
          f"{torch.get_num_threads()} threads)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--threads", type=int, default=0, help="torch/faiss threads (0: default)")
    args = parser.parse_args()
    if args.threads:
        import faiss

        torch.set_num_threads(args.threads)
        faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    for n in args.sizes:
        bench_search(n, 512, args.queries, 5, args.repeats, rng)
    bench_embedding(args.repeats)


if __name__ == "__main__":
    main()
