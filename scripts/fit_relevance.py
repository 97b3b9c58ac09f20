"""Fit the relevance model (``data/relevance.json``) on judged queries, and report its calibration.

Each query's top 10 hybrid hits become examples, their features each channel's raw score for
the hit and how far it stands above the channel's mean (``Hit.channels``): a hit is a positive when the query's judgments grade it 1 or 2, a
negative when they grade it 0 or leave it out, and every hit of an out-of-scope query is a
negative. The model is a logistic regression (Newton's method, a small L2 penalty; numpy only)
over each dense channel's cosine and its distance above the channel's mean, and the best
keyword channel's ``log1p`` BM25 score (the features of :mod:`recsearch.relevance`; adding the
keyword documents' coverage of the query's own words, or those words' BM25 score without the
glossary's expansion, did not separate the queries better, so they are left out).

``answer_at``, the relevance from which a result counts as an answer, is set on the queries'
*top* hits: the bar that misclassifies the fewest queries (telling a real question "no good
match" costs ``--inscope-cost`` times as much as missing an out-of-scope one, default 1) and,
of equally good bars, keeps the widest margin; the share of each flagged is reported. In-scope queries without graded judgments (those with
only an ``answer`` id) count for the threshold but not the fit.

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
from recsearch.relevance import ABOVE_MEAN, KEYWORD_MAX, RELEVANCE_FILE, RelevanceModel, channel_signature  # noqa: E402

TEST_DATA = ROOT / "tests" / "data"
IN_SCOPE = [TEST_DATA / "queries_dev.jsonl", TEST_DATA / "queries_inscope_extra.jsonl"]
OUT_OF_SCOPE = [TEST_DATA / "queries_oos_dev.jsonl", TEST_DATA / "queries_oos_extra.jsonl"]
L2 = 1e-2


def read(paths: list[Path]) -> list[dict]:
    return [json.loads(line) for p in paths if p.is_file() for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]


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
    ap.add_argument("--inscope-cost", type=float, default=1.0)
    args = ap.parse_args()

    searcher = Searcher.load(args.index)
    searcher = Searcher(searcher.corpus, searcher.channels, path=searcher.path)  # no model: raw evidence only
    channels = list(searcher.channels)
    dense = [ch.name for ch in channels if ch.kind == "dense"]
    keyword = [ch.name for ch in channels if ch.kind == "keyword"]
    names = [f for name in dense for f in (name, name + ABOVE_MEAN)] + ([KEYWORD_MAX] if keyword else [])

    def features(hit) -> list[float]:
        c = hit.channels
        out = [v for name in dense for v in (c[name]["score"], c[name]["above_mean"])]
        if keyword:
            out.append(float(np.log1p(max(max(c[name]["score"] for name in keyword), 0.0))))
        return out

    inscope, oos = read(IN_SCOPE), read(OUT_OF_SCOPE)
    xs, ys, tops = [], [], []  # tops: (features of the top hit, in scope?)
    for q in inscope + oos:
        hits = searcher.search(q["query"], k=10)
        judged = "qrels" in q
        qrels = {k.lower(): v for k, v in q.get("qrels", {}).items()}
        for h in hits:
            if judged or "answer" not in q:
                grade = max(qrels.get(i.lower(), 0) for i in h.ids) if judged else 0
                xs.append(features(h))
                ys.append(1.0 if grade >= 1 else 0.0)
        if hits:
            tops.append((features(hits[0]), "qrels" in q or "answer" in q, q))
    x, y = np.asarray(xs), np.asarray(ys)
    w = fit_logistic(x, y)
    coef = {name: float(c) for name, c in zip(names, w[1:])}

    def predict(f: list[float]) -> float:
        return float(1 / (1 + np.exp(-(w[0] + np.dot(w[1:], f)))))

    p = 1 / (1 + np.exp(-(w[0] + x @ w[1:])))
    brier = float(np.mean((p - y) ** 2))
    print(f"{len(inscope)} in-scope and {len(oos)} out-of-scope queries; {len(y)} judged hits ({int(y.sum())} positive)")
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
    # the bar that misclassifies fewest queries, an in-scope query flagged counting
    # --inscope-cost times an out-of-scope one missed; of equally good bars, the one farthest
    # from any query's top relevance, so that neither side sits on the edge
    values = np.unique(np.concatenate([top_in, top_out]))
    cuts = np.concatenate([[values[0] / 2], (values[:-1] + values[1:]) / 2, [(values[-1] + 1) / 2]])
    cost = np.array([args.inscope_cost * np.sum(top_in < t) + np.sum(top_out >= t) for t in cuts])
    margin = np.array([np.min(np.abs(values - t)) for t in cuts])
    best = np.flatnonzero(cost == cost.min())
    answer_at = float(cuts[best[np.argmax(margin[best])]])
    flagged_in = float(np.mean(top_in < answer_at))
    flagged_out = float(np.mean(top_out < answer_at))
    print(f"\nanswer_at = {answer_at:.4f}: flags {flagged_out:.1%} of {len(top_out)} out-of-scope and "
          f"{flagged_in:.1%} of {len(top_in)} in-scope queries")
    worst = sorted(((predict(f), q["qid"], q["query"]) for f, scoped, q in tops if not scoped), reverse=True)[:5]
    print("out-of-scope queries with the highest top relevance:", [(round(r, 3), qid, text) for r, qid, text in worst])
    lowest = sorted((predict(f), q["qid"], q["query"]) for f, scoped, q in tops if scoped)[:5]
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
