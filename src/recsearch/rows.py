"""Record rows: the integer address of every record, its group of identical records, and the
step from ranked rows back to ids — the one edge where strings come back.

Built once per collection in O(N); everything on the query path before :meth:`RowTable.hits`
works on rows.
"""

from __future__ import annotations

import numpy as np

from .collection.model import Corpus
from .explain import Explanation
from .hits import Hit
from .ranking import Ranked

__all__ = ["RowTable"]


class RowTable:
    """Rows of a corpus: ``records[row]``, ``row_of[key]`` (``collection:id``), and
    ``canonical[row]``, the row that stands for ``row``'s group of identical recommendations
    (a record whose collection says it repeats another: 5.35 → 5.34)."""

    def __init__(self, corpus: Corpus) -> None:
        self.records = list(corpus)
        self.row_of = {r.key: i for i, r in enumerate(self.records)}
        self.canonical = np.array(
            [self.row_of.get(f"{r.collection.name}:{r.duplicate_of}", i) if r.duplicate_of else i for i, r in enumerate(self.records)],
            dtype=np.int64,
        )
        #: each group of identical records, by its canonical row (groups of one are left out)
        self._groups: dict[int, list[int]] = {}
        for row, canon in enumerate(self.canonical.tolist()):
            if row != canon:
                self._groups.setdefault(canon, [canon]).append(row)
        #: each linked record's links both ways (references, cited_by, restates, restated_by)
        links = (corpus.links_of(r) for r in self.records)
        self._links = {row: both for row, both in enumerate(links) if any(both.values())}

    def __len__(self) -> int:
        return len(self.records)

    def group(self, row: int) -> list[int]:
        """``row`` and the rows identical to it."""
        return self._groups.get(int(self.canonical[row]), [row])

    def hits(
        self,
        ranked: Ranked,
        lang: str,
        relevance: np.ndarray | None = None,
        coverage: dict[str, np.ndarray] | None = None,
        explanations: list[Explanation] | None = None,
    ) -> list[Hit]:
        """The ranked rows as hits, with their citations in ``lang``, each channel's score
        and rank (and a keyword channel's ``coverage`` of the query's own terms), and their
        ``relevance`` (aligned with the rows) when there is one."""
        coverage = coverage or {}
        hits = []
        for i, row in enumerate(ranked.rows.tolist()):
            channels = {
                name: {
                    "score": round(float(s[i]), 6),
                    "rank": int(ranked.ranks[name][i]),
                    "above_mean": round(float(s[i]) - ranked.means.get(name, 0.0), 6),
                }
                for name, s in ranked.scores.items()
            }
            for name, shares in coverage.items():
                if name in channels:
                    channels[name]["coverage"] = round(float(shares[i]), 4)
            hits.append(
                Hit.from_record(
                    self.records[row],
                    rank=i + 1,
                    score=float(ranked.fused[i]),
                    duplicates=tuple(self.records[t].id for t in self.group(row) if t != row),
                    channels=channels,
                    lang=lang,
                    relevance=None if relevance is None else float(relevance[i]),
                    links=self._links.get(row),
                    explanation=explanations[i] if explanations else None,
                )
            )
        return hits
