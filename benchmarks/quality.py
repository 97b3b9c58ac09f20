"""Retrieval quality on the dev queries: what each part of the default pipeline adds.

Every configuration is cut out of the shipped index (no re-embedding), so the rows differ
only in what they use:

- ``arabic only``: the Arabic text in every channel, no glossary (the search issue's design);
- ``+ English rendering``: each recommendation's English vectors and English BM25 too;
- ``+ glossary (shipped)``: query expansion into both keyword channels — the default;
- single encoders, and reciprocal rank fusion in place of the z-score sum, for the record
  of why the default is what it is.

    python benchmarks/quality.py [--queries tests/data/queries_dev.jsonl]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from recsearch import Searcher
from recsearch.evaluate import evaluate, load_queries
from recsearch.filters import allowed_ids
from recsearch.glossary import Glossary
from recsearch.search import _Channel
from recsearch.understand import understand
from recsearch.vector_index import VectorIndex

ROOT = Path(__file__).resolve().parents[1]


def arabic_only(channel: _Channel, ids: list[str]) -> _Channel:
    index = VectorIndex(channel.index.dim, kind="flat")
    index.add(ids, channel.index.vectors_for(ids))
    return _Channel(channel.name, channel.encoder, index)


def variant(base: Searcher, *, english: bool, glossary: bool, channels: list[int] | None = None) -> Searcher:
    ids = base.corpus.ids
    chans = [base._channels[i] for i in (channels if channels is not None else range(len(base._channels)))]
    if not english:
        chans = [arabic_only(c, ids) for c in chans]
    lexical = {lang: ix for lang, ix in base._lexical.items() if english or lang == "ar"}
    return Searcher(base.corpus, chans, lexical, glossary=None if glossary else Glossary([]))


def rrf_ranker(searcher: Searcher, k0: int = 60):
    """Reciprocal rank fusion of the same channels, for comparison with the z-score sum."""

    def rank(query: str, mode: str) -> list[tuple[str, ...]]:
        understood = understand(searcher._check_query(query))  # the same filters as search()
        allowed = allowed_ids(searcher.corpus, searcher._filters(None, None, None, understood))
        rows = np.array([i for i, rid in enumerate(searcher.corpus.ids) if allowed is None or rid in allowed])
        scores = searcher._channel_scores(understood.text, "hybrid", rows)
        fused = np.zeros(len(rows))
        for name, s in scores.items():
            order = np.argsort(-s, kind="stable")
            ranks = np.empty(len(s))
            ranks[order] = np.arange(1, len(s) + 1)
            counts = s > 0 if name.startswith("bm25") else np.ones(len(s), dtype=bool)  # no match, no vote
            fused += np.where(counts, 1.0 / (k0 + ranks), 0.0)
        order = np.lexsort((rows, -fused))
        seen, out = set(), []
        for i in order:
            rid = searcher.corpus.ids[int(rows[i])]
            canonical = searcher._canonical[rid]
            if canonical not in seen:
                seen.add(canonical)
                out.append((rid, *searcher._twins[rid]))
            if len(out) == 10:
                break
        return out

    return rank


def row(name: str, report, mode: str = "hybrid") -> str:
    g = report.by_mode[mode]
    cells = [f"{g[k]['ndcg@10']:.3f}" if k in g else "–" for k in ("all", "ar", "en", "other")]
    known = g.get("kind:known-item", {}).get("mrr@10")
    kept, named = report.constraints.get(mode, (0, 0))
    return f"| {name} | {' | '.join(cells)} | {known:.2f} | {kept}/{named} |" if known is not None else f"| {name} | {' | '.join(cells)} | – | {kept}/{named} |"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", default=str(ROOT / "tests" / "data" / "queries_dev.jsonl"))
    args = ap.parse_args()
    queries = load_queries(args.queries)
    base = Searcher.load()

    def ranker(s: Searcher):
        return lambda q, mode: [h.ids for h in s.search(q, k=10, mode=mode)]

    print(f"{len(queries)} queries from {args.queries}; nDCG@10 (hybrid unless named), known-item MRR@10,")
    print("and queries naming a meeting that got only its recommendations\n")
    print("| configuration | all | ar | en | other | known-item MRR | constraints kept |")
    print("|---|---|---|---|---|---|---|")
    configs = [
        ("arabic only (search issue)", variant(base, english=False, glossary=False)),
        ("+ English rendering", variant(base, english=True, glossary=False)),
        ("+ glossary (shipped default)", base),
    ]
    for name, s in configs:
        print(row(name, evaluate(queries, ranker(s), modes=["hybrid"])))
    for mode in ("dense", "lexical"):
        print(row(f"shipped, {mode} only", evaluate(queries, ranker(base), modes=[mode]), mode))
    for i, ch in enumerate(base._channels):
        s = variant(base, english=True, glossary=True, channels=[i])
        print(row(f"shipped, one encoder: {ch.encoder.name.split('@')[0]}", evaluate(queries, ranker(s), modes=["hybrid"])))
    print(row("shipped channels, RRF (k=60) instead of z-scores", evaluate(queries, rrf_ranker(base), modes=["hybrid"])))


if __name__ == "__main__":
    main()
