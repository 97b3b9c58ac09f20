"""Retrieval quality on graded judgments: nDCG@10 (linear gains), Recall@10 and MRR@10.

Reads the project's query format, one JSON object per line::

    {"qid": "q001", "lang": "ar", "query": "…", "constraint": null, "kind": "topic",
     "qrels": {"4.46.g": 2, "4.46.h": 1}}

A hit that stands for identical recommendations (5.34 ≡ 5.35) counts once, with the best
grade among them, as a reader would count it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import QueryError

CUTOFF = 10


@dataclass(frozen=True)
class Judged:
    qid: str
    lang: str
    query: str
    qrels: dict[str, int]
    kind: str = "topic"
    constraint: dict[str, Any] | None = None


@dataclass
class Scores:
    ndcg: float = 0.0
    recall: float = 0.0
    mrr: float = 0.0
    n: int = 0

    def add(self, ndcg: float, recall: float, mrr: float) -> None:
        self.ndcg += ndcg
        self.recall += recall
        self.mrr += mrr
        self.n += 1

    def mean(self) -> dict[str, float]:
        if not self.n:
            return {"ndcg@10": 0.0, "recall@10": 0.0, "mrr@10": 0.0, "n": 0}
        return {
            "ndcg@10": self.ndcg / self.n,
            "recall@10": self.recall / self.n,
            "mrr@10": self.mrr / self.n,
            "n": self.n,
        }


@dataclass
class Report:
    """Mean scores per mode and per group ("all", "ar", "en", "other", and each language)."""

    by_mode: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)

    def table(self) -> str:
        """A Markdown table, one row per mode and group."""
        rows = ["| mode | group | n | nDCG@10 | Recall@10 | MRR@10 |", "|---|---|---|---|---|---|"]
        for mode, groups in self.by_mode.items():
            for group, s in groups.items():
                rows.append(
                    f"| {mode} | {group} | {s['n']} | {s['ndcg@10']:.3f} | {s['recall@10']:.3f} | {s['mrr@10']:.3f} |"
                )
        return "\n".join(rows)


def load_queries(path: str | Path) -> list[Judged]:
    """Read a judged query file; a malformed line is a QueryError naming the line."""
    queries = []
    for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            queries.append(
                Judged(
                    qid=str(row["qid"]),
                    lang=str(row.get("lang", "")),
                    query=row["query"],
                    qrels={str(k): int(v) for k, v in row["qrels"].items()},
                    kind=str(row.get("kind", "topic")),
                    constraint=row.get("constraint"),
                )
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise QueryError(f"{path}:{lineno}: not a judged query ({exc!r})") from None
    return queries


def _gain(ids: Sequence[str], qrels: dict[str, int]) -> int:
    return max((qrels.get(i, 0) for i in ids), default=0)


def score_ranking(ranking: Sequence[Sequence[str]], qrels: dict[str, int], k: int = CUTOFF) -> tuple[float, float, float]:
    """nDCG, recall and reciprocal rank at ``k`` of one ranking.

    ``ranking`` is a list of slots, each the ids one hit stands for (usually one id).
    """
    top = list(ranking)[:k]
    gains = [_gain(slot, qrels) for slot in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted(qrels.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = {i for i, g in qrels.items() if g > 0}
    found = {i for slot in top for i in slot} & relevant
    recall = len(found) / len(relevant) if relevant else 0.0
    rr = next((1.0 / (i + 1) for i, g in enumerate(gains) if g > 0), 0.0)
    return (dcg / idcg if idcg else 0.0), recall, rr


def _group(lang: str) -> str:
    return lang if lang in ("ar", "en") else "other"


def evaluate(
    queries: Iterable[Judged],
    rank: Callable[[str, str], list[Sequence[str]]],
    modes: Sequence[str] = ("hybrid", "dense", "lexical"),
    k: int = CUTOFF,
) -> Report:
    """Score ``rank(query, mode) -> slots`` on every query, for every mode."""
    queries = list(queries)
    report = Report()
    for mode in modes:
        groups: dict[str, Scores] = {}
        for q in queries:
            result = score_ranking(rank(q.query, mode), q.qrels, k)
            for name in ("all", _group(q.lang), f"lang:{q.lang}"):
                groups.setdefault(name, Scores()).add(*result)
        order = ["all", "ar", "en", "other"] + sorted(g for g in groups if g.startswith("lang:"))
        report.by_mode[mode] = {g: groups[g].mean() for g in order if g in groups}
    return report
