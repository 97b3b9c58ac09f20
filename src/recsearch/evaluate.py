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
    """Mean scores per mode and per group ("all", "ar", "en", "other", each language as
    "lang:xx" and each kind of query as "kind:xx"), and, per mode, how many queries that
    name a meeting got only recommendations of that meeting (``constraints``: kept, of)."""

    by_mode: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    constraints: dict[str, tuple[int, int]] = field(default_factory=dict)

    def table(self) -> str:
        """A Markdown table, one row per mode and group."""
        rows = ["| mode | group | n | nDCG@10 | Recall@10 | MRR@10 |", "|---|---|---|---|---|---|"]
        for mode, groups in self.by_mode.items():
            for group, s in groups.items():
                rows.append(
                    f"| {mode} | {group} | {s['n']} | {s['ndcg@10']:.3f} | {s['recall@10']:.3f} | {s['mrr@10']:.3f} |"
                )
        kept = [f"{mode} {k}/{n}" for mode, (k, n) in self.constraints.items() if n]
        if kept:
            rows.append("")
            rows.append("queries naming a meeting that got only its recommendations: " + ", ".join(kept))
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


def _meeting_of(rec_id: str) -> int | None:
    """The meeting of an id: its first part ("4.46.g" → 4), by the corpus' id contract."""
    head = rec_id.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def keeps_constraint(ranking: Sequence[Sequence[str]], constraint: dict[str, Any] | None, k: int = CUTOFF) -> bool:
    """Whether every hit in the top ``k`` is of the meeting(s) the query named."""
    if not constraint or "meeting" not in constraint:
        return True
    wanted = constraint["meeting"]
    wanted = set(wanted) if isinstance(wanted, list) else {wanted}
    return all(_meeting_of(i) in wanted for slot in list(ranking)[:k] for i in slot)


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
        kept = named = 0
        for q in queries:
            ranking = rank(q.query, mode)
            result = score_ranking(ranking, q.qrels, k)
            for name in ("all", _group(q.lang), f"lang:{q.lang}", f"kind:{q.kind}"):
                groups.setdefault(name, Scores()).add(*result)
            if q.constraint and "meeting" in q.constraint:
                named += 1
                kept += keeps_constraint(ranking, q.constraint, k)
        order = ["all", "ar", "en", "other"]
        order += sorted(g for g in groups if g.startswith("lang:")) + sorted(g for g in groups if g.startswith("kind:"))
        report.by_mode[mode] = {g: groups[g].mean() for g in order if g in groups}
        report.constraints[mode] = (kept, named)
    return report
