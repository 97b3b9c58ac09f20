"""Facet counts and browsing: how many records carry each value of a facet, over the whole
collection, a filtered part of it, or the answers to a query.

Counts come from :class:`~recsearch.filters.FilterIndex`'s (records × values) matrices — one
numpy sum, no Python loop over records — and carry each value's declared label and group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .collection.model import Corpus, Recommendation
from .errors import QueryError
from .filters import FilterIndex, Filters

__all__ = ["FacetCount", "facet_counts", "select"]


@dataclass(frozen=True)
class FacetCount:
    """One value of a facet, its label (in the language asked), its group, and its count."""

    value: str
    label: str
    count: int
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count, "group": self.group}


def facet_counts(
    corpus: Corpus, index: FilterIndex, name: str, rows: np.ndarray | None = None, *, lang: str = "en"
) -> list[FacetCount]:
    """Each value of facet ``name`` with the number of records that carry it among ``rows``
    (record rows; None: every record), most frequent first, ties in declaration order; values
    no record among them carries are left out."""
    if name not in corpus.facet_names:
        raise QueryError(f"unknown facet {name!r}; the loaded collections have {list(corpus.facet_names)}")
    columns, matrix = index.facet_matrix(name)
    counts = (matrix if rows is None else matrix[np.asarray(rows, dtype=np.int64)]).sum(axis=0)
    spec = corpus.facet_spec(name)
    order = sorted(columns, key=lambda v: -int(counts[columns[v]]))  # stable: ties keep first-seen order
    out = []
    for value in order:
        n = int(counts[columns[value]])
        if n:
            group = spec.values[value].group if spec is not None and value in spec.values else None
            out.append(FacetCount(value, corpus.facet_label(name, value, lang), n, group))
    return out


def select(corpus: Corpus, index: FilterIndex, filters: Filters) -> list[Recommendation]:
    """The records that pass ``filters``, in collection order (browsing, no query)."""
    mask = index.mask(filters)
    records = list(corpus)
    rows: Iterable[int] = range(len(records)) if mask is None else np.flatnonzero(mask).tolist()
    return [records[i] for i in rows]
