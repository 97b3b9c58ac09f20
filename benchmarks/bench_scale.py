"""Scale: exact (flat) vs HNSW search on synthetic vectors, 100k and 1M × 384.

Prints, for each size, the query latency p50/p95 of both indexes (one query at a time, as
the library searches) and HNSW's recall@10 against the exact answer, plus the ratio of HNSW
to flat p50. Vectors have a low intrinsic dimension (see ``synthetic``), like sentence embeddings;
uniform noise in 384 dimensions has no neighbourhood structure for any index to use.

    python benchmarks/bench_scale.py [--sizes 100000 1000000] [--queries 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from recsearch.vector_index import VectorIndex


def synthetic(n: int, dim: int, seed: int, latent: int = 32) -> np.ndarray:
    """Unit vectors with a low intrinsic dimension, like sentence embeddings: a random
    linear map of a ``latent``-dim gaussian, plus a little full-rank noise. The map is the
    same for every call (seed 0), so corpus and queries share one space."""
    projection = np.random.default_rng(0).standard_normal((latent, dim)).astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.empty((n, dim), dtype=np.float32)
    step = 100_000
    for s in range(0, n, step):
        m = min(step, n - s)
        z = rng.standard_normal((m, latent)).astype(np.float32)
        out[s : s + m] = z @ projection + 0.5 * rng.standard_normal((m, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def timed(index: VectorIndex, queries: np.ndarray, k: int) -> tuple[list[list[str]], np.ndarray]:
    results, times = [], []
    for q in queries:
        t = time.perf_counter()
        results.append([i for i, _ in index.search_one(q, k)])
        times.append(time.perf_counter() - t)
    return results, np.array(times) * 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--dim", type=int, default=384)
    ap.add_argument("--ef-search", type=int, default=128)
    args = ap.parse_args()
    print(f"scale: dim={args.dim}, {args.queries} queries, k=10, HNSW M=32 efConstruction=80 efSearch={args.ef_search}")
    print("| vectors | flat p50 ms | flat p95 ms | HNSW p50 ms | HNSW p95 ms | HNSW/flat p50 | HNSW recall@10 | HNSW build s |")
    print("|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        data = synthetic(n, args.dim, seed=1)
        queries = synthetic(args.queries, args.dim, seed=2)
        ids = [str(i) for i in range(n)]
        flat = VectorIndex(args.dim, kind="flat")
        flat.add(ids, data)
        exact, t_flat = timed(flat, queries, 10)
        del flat
        t0 = time.perf_counter()
        hnsw = VectorIndex(args.dim, kind="hnsw", M=32, ef_construction=80, ef_search=args.ef_search)
        hnsw.add(ids, data)
        build = time.perf_counter() - t0
        approx, t_hnsw = timed(hnsw, queries, 10)
        recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
        print(
            f"| {n:,} | {np.percentile(t_flat, 50):.2f} | {np.percentile(t_flat, 95):.2f} | "
            f"{np.percentile(t_hnsw, 50):.2f} | {np.percentile(t_hnsw, 95):.2f} | "
            f"{np.percentile(t_hnsw, 50) / np.percentile(t_flat, 50):.3f} | {recall:.3f} | {build:.0f} |",
            flush=True,
        )
        del hnsw, data


if __name__ == "__main__":
    main()
