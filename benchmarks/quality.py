"""Retrieval quality on the dev queries: what each part of the default pipeline adds.

Every configuration is the shipped index with other query-time settings
(``Searcher.configure``), so the rows differ only in what they use:

- ``arabic only``: the Arabic text in every channel, no glossary (the search issue's design);
- ``+ English rendering``: each recommendation's English vectors and English BM25 too;
- ``+ glossary (shipped)``: query expansion into both keyword channels — the default;
- ``questions``: the questions each record answers (``data/enrichment/questions.jsonl``), as
  passages of the dense channels and in the keyword documents; two rows take them away — from
  the dense channels only (a query-time setting), and entirely (an index built from the same
  records without them, in a temporary folder);
- ``theme labels``: the labels of each record's themes, in the keyword channel's language,
  joined to its keyword documents (the ``theme`` facet is declared ``searched``); one row builds
  an index without them;
- single encoders, reciprocal rank fusion in place of the z-score sum, and exhaustive
  scoring of every record in place of candidates, for the record of why the default is
  what it is.

    python benchmarks/quality.py [--queries tests/data/queries_dev.jsonl]
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
from pathlib import Path

from recsearch import Searcher
from recsearch.collection import Corpus
from recsearch.evaluate import evaluate, load_queries

ROOT = Path(__file__).resolve().parents[1]


def row(name: str, report, mode: str = "hybrid") -> str:
    g = report.by_mode[mode]
    cells = [f"{g[k]['ndcg@10']:.3f}" if k in g else "–" for k in ("all", "ar", "en", "other")]
    known = g.get("kind:known-item", {}).get("mrr@10")
    kept, named = report.constraints.get(mode, (0, 0))
    known_cell = f"{known:.2f}" if known is not None else "–"
    return f"| {name} | {' | '.join(cells)} | {known_cell} | {kept}/{named} |"


def rebuilt(base: Searcher, corpus: Corpus) -> Searcher:
    """An index of ``corpus`` with ``base``'s encoders, in a temporary folder (embeddings cached)."""
    with tempfile.TemporaryDirectory() as tmp:
        built = Searcher.build(corpus, encoder=[c.encoder for c in base.channels if c.kind == "dense"], path=Path(tmp) / "index", show_progress=False)
    return Searcher(built.corpus, built.channels)


def unsearched(corpus: Corpus) -> Corpus:
    """``corpus`` with no facet declared ``searched``: its labels leave the keyword documents."""
    profiles = {
        name: dataclasses.replace(p, facets={k: dataclasses.replace(f, searched=False) for k, f in p.facets.items()})
        for name, p in corpus.collections.items()
    }
    return Corpus([dataclasses.replace(r, collection=profiles[r.collection.name]) for r in corpus], profiles.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--queries", default=str(ROOT / "tests" / "data" / "queries_dev.jsonl"))
    ap.add_argument("--index", help="index folder (default: the shipped index/)")
    args = ap.parse_args()
    queries = load_queries(args.queries)
    base = Searcher.load(args.index)

    def ranker(s: Searcher):
        return lambda q, mode: [h.ids for h in s.search(q, k=10, mode=mode)]

    dense = tuple(c.name for c in base.channels if c.kind == "dense")
    keyword = tuple(c.name for c in base.channels if c.kind == "keyword")
    print(f"{len(queries)} queries from {args.queries}; nDCG@10 (hybrid unless named), known-item MRR@10,")
    print("and queries naming a meeting that got only its recommendations\n")
    print("| configuration | all | ar | en | other | known-item MRR | constraints kept |")
    print("|---|---|---|---|---|---|---|")
    configs = [
        ("arabic only (search issue)", base.configure(channels=(*dense, "bm25_ar"), variants=("ar",), expand=False)),
        ("+ English rendering", base.configure(expand=False)),
        ("+ glossary (shipped default)", base),
    ]
    for name, s in configs:
        print(row(name, evaluate(queries, ranker(s), modes=["hybrid"])), flush=True)
    if any(r.questions for r in base.corpus):
        texts_only = base.configure(variants=base.corpus.languages)
        print(row("shipped, questions in keyword text only", evaluate(queries, ranker(texts_only), modes=["hybrid"])), flush=True)
        unasked = Corpus([dataclasses.replace(r, questions={}) for r in base.corpus], base.corpus.collections.values())
        print(row("shipped, without the questions", evaluate(queries, ranker(rebuilt(base, unasked)), modes=["hybrid"])), flush=True)
    if any(spec.searched for p in base.corpus.collections.values() for spec in p.facets.values()):
        print(row("shipped, without the theme labels in the keyword documents", evaluate(queries, ranker(rebuilt(base, unsearched(base.corpus))), modes=["hybrid"])), flush=True)
    for mode in ("dense", "lexical"):
        print(row(f"shipped, {mode} only", evaluate(queries, ranker(base), modes=[mode]), mode), flush=True)
    for ch in base.channels:
        if ch.kind == "dense":
            s = base.configure(channels=(ch.name, *keyword))
            print(row(f"shipped, one encoder: {ch.encoder.name.split('@')[0]}", evaluate(queries, ranker(s), modes=["hybrid"])))
    print(row("shipped channels, RRF (k=60) instead of z-scores", evaluate(queries, ranker(base.configure(fusion="rrf")), modes=["hybrid"])))
    print(row("shipped, exhaustive scoring instead of candidates", evaluate(queries, ranker(base.configure(exhaustive=True)), modes=["hybrid"])))


if __name__ == "__main__":
    main()
