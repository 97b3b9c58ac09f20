"""Fit the relevance model (``data/relevance.json``) on judged queries, and report its calibration.

Each query's top 10 hybrid hits become examples, their features each channel's raw score for
the hit and how far it stands above the channel's mean (``Hit.channels``), and the query's
length: with graded judgments a hit is a positive when graded 1 or 2 and a negative otherwise;
with one known ``answer`` that hit is a positive and the others are left out; every hit of an
out-of-scope query is a negative. The model is a logistic regression (Newton's method, a small L2 penalty; numpy only)
over each dense channel's cosine and its distance above the channel's mean, and the best
keyword channel's ``log1p`` BM25 score (the features of :mod:`recsearch.relevance`; adding the
keyword documents' coverage of the query's own words, or those words' BM25 score without the
glossary's expansion, did not separate the queries better, so they are left out).

``answer_at``, the relevance from which a result counts as an answer, is set on the queries'
*top* hits: the lowest bar that flags ``--oos-goal`` (95 %) of the queries of each out-of-scope
file — the dev ones and ours — so that the fewest in-scope queries are told "no good match";
it sits halfway to the next query's top relevance above it. The share of each kind flagged is
reported.

    python scripts/fit_relevance.py [--write] [--index DIR]

Without ``--write`` it only reports. Uses the public API only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from recsearch import Searcher  # noqa: E402
from recsearch.relevance import ABOVE_MEAN, KEYWORD_MAX, QUERY_WORDS, RELEVANCE_FILE, RelevanceModel, channel_signature  # noqa: E402

TEST_DATA = ROOT / "tests" / "data"
IN_SCOPE = [TEST_DATA / "queries_dev.jsonl", TEST_DATA / "queries_inscope_extra.jsonl"]
OUT_OF_SCOPE = [TEST_DATA / "queries_oos_dev.jsonl", TEST_DATA / "queries_oos_extra.jsonl"]
L2 = 1e-2


def read(paths: list[Path]) -> list[dict]:
    """The queries of ``paths``, each tagged with the name of its file."""
    return [
        {**json.loads(line), "_file": p.name}
        for p in paths
        if p.is_file()
        for line in p.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = L2, steps: int = 50) -> np.ndarray:
    """Weights (intercept first) of a logistic regression, by Newton's method."""
    xb = np.hstack([np.ones((len(x), 1)), x])
    w = np.zeros(xb.shape[1])
    penalty = np.eye(len(w)) * l2
    penalty[0, 0] = 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (p - y) + penalty @ w
        hess = (xb * (p * (1 - p))[:, None]).T @ xb + penalty
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-10:
            break
    return w


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", help="index folder (default: the shipped index/)")
    ap.add_argument("--write", action="store_true", help=f"write data/{RELEVANCE_FILE}")
    ap.add_argument("--oos-goal", type=float, default=0.95, help="share of each out-of-scope file to flag")
    ap.add_argument("--show", type=int, default=5, help="how many of the hardest queries of each kind to list")
    args = ap.parse_args()

    searcher = Searcher.load(args.index)
    searcher = Searcher(searcher.corpus, searcher.channels, path=searcher.path)  # no model: raw evidence only
    channels = list(searcher.channels)
    dense = [ch.name for ch in channels if ch.kind == "dense"]
    keyword = [ch.name for ch in channels if ch.kind == "keyword"]
    base = [f for name in dense for f in (name, name + ABOVE_MEAN)] + ([KEYWORD_MAX] if keyword else []) + [QUERY_WORDS]
    # short queries meet passages at lower cosines and BM25 scores: each of those leans on
    # the query's length through a product with it
    names = base + [f"{f}*{QUERY_WORDS}" for f in (*dense, KEYWORD_MAX) if f in base]

    # the library's own feature definitions, so that what is fitted is what a search computes
    template = RelevanceModel(channel_signature(channels), dict.fromkeys(names, 0.0), 0.0, 0.5)

    def features(hit, text: str) -> list[float]:
        c = hit.channels
        scores = {name: np.array([c[name]["score"]]) for name in c}
        means = {name: c[name]["score"] - c[name]["above_mean"] for name in c}
        values = template.features(scores, means, text)
        return [float(values[name][0]) for name in names]

    inscope, oos = read(IN_SCOPE), read(OUT_OF_SCOPE)
    xs, ys, tops = [], [], []  # tops: (features of the top hit, in scope?, query)
    for q in inscope + oos:
        hits = searcher.search(q["query"], k=10)
        text = hits.understood.text if hits.understood else q["query"]
        qrels = {k.lower(): v for k, v in q.get("qrels", {}).items()}
        for h in hits:
            if "qrels" in q:  # graded: every hit is an example
                xs.append(features(h, text))
                ys.append(1.0 if max(qrels.get(i.lower(), 0) for i in h.ids) >= 1 else 0.0)
            elif "answer" in q:  # one known answer: that hit is a positive, the others unknown
                if q["answer"].lower() in (i.lower() for i in h.ids):
                    xs.append(features(h, text))
                    ys.append(1.0)
            else:  # out of scope: nothing answers it
                xs.append(features(h, text))
                ys.append(0.0)
        if hits:
            tops.append((features(hits[0], text), "qrels" in q or "answer" in q, q))
    x, y = np.asarray(xs), np.asarray(ys)
    w = fit_logistic(x, y)
    coef = {name: float(c) for name, c in zip(names, w[1:])}

    def predict(f: list[float]) -> float:
        return float(1 / (1 + np.exp(-(w[0] + np.dot(w[1:], f)))))

    p = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    brier = float(np.mean((p - y) ** 2))
    print(f"{len(inscope)} in-scope and {len(oos)} out-of-scope queries; {len(y)} labelled hits ({int(y.sum())} positive)")
    print("coefficients:", {"intercept": round(float(w[0]), 4), **{k: round(v, 4) for k, v in coef.items()}})
    print(f"Brier score on the judged hits: {brier:.4f} (always the base rate: {float(np.mean((y.mean() - y) ** 2)):.4f})")
    print("\nreliability (judged hits):\n| predicted | hits | mean predicted | observed |\n|---|---|---|---|")
    edges = np.linspace(0, 1, 6)
    for lo, hi in zip(edges[:-1], edges[1:]):
        m = (p >= lo) & ((p < hi) if hi < 1 else (p <= hi))
        if m.any():
            print(f"| {lo:.1f}–{hi:.1f} | {int(m.sum())} | {p[m].mean():.3f} | {y[m].mean():.3f} |")

    top_in = np.array([predict(f) for f, scoped, _ in tops if scoped])
    top_out = np.array([predict(f) for f, scoped, _ in tops if not scoped])
    # the lowest bar that flags at least --oos-goal of each out-of-scope file's queries (the
    # issue's goal, met on every set it was written for), so the fewest in-scope queries are
    # flagged; placed halfway to the next query's top relevance above it, for a margin
    answer_at = 0.0
    for path in OUT_OF_SCOPE:
        values = np.sort([predict(f) for f, scoped, q in tops if not scoped and q["_file"] == path.name])
        if values.size:
            keep = int(np.floor((1 - args.oos_goal) * values.size + 1e-9))  # may stay unflagged
            answer_at = max(answer_at, float(values[values.size - 1 - keep]))
    above = np.sort([predict(f) for f, _, _ in tops if predict(f) > answer_at])
    answer_at = (answer_at + float(above[0])) / 2 if above.size else (answer_at + 1) / 2
    flagged_in = float(np.mean(top_in < answer_at))
    flagged_out = float(np.mean(top_out < answer_at))
    print(f"\nanswer_at = {answer_at:.4f}: flags {flagged_out:.1%} of {len(top_out)} out-of-scope and "
          f"{flagged_in:.1%} of {len(top_in)} in-scope queries")
    worst = sorted(((predict(f), q["qid"], q["query"]) for f, scoped, q in tops if not scoped), reverse=True)[: args.show]
    print("out-of-scope queries with the highest top relevance:", [(round(r, 3), qid, text) for r, qid, text in worst])
    lowest = sorted((predict(f), q["qid"], q["query"]) for f, scoped, q in tops if scoped)[: args.show]
    print("in-scope queries with the lowest top relevance:", [(round(r, 3), qid, text) for r, qid, text in lowest])

    model = RelevanceModel(
        channels=channel_signature(channels),
        coef=coef,
        intercept=float(w[0]),
        answer_at=round(answer_at, 6),
        fitted={
            "script": "scripts/fit_relevance.py",
            "queries": {"in_scope": len(inscope), "out_of_scope": len(oos)},
            "judged_hits": int(len(y)),
            "brier": round(brier, 4),
            "flagged": {"out_of_scope": round(flagged_out, 4), "in_scope": round(flagged_in, 4)},
        },
    )
    if args.write:
        out = ROOT / "data" / RELEVANCE_FILE
        out.write_text(json.dumps(model.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8")
        print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
