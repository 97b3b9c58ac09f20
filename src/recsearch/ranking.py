"""Candidates first, then fusion: the ranking every query goes through, in record rows.

Each channel retrieves its own top ``k'`` among the allowed records (FAISS or bm25s, the
filter inside the search); the pool is the union; every channel scores every pooled record
exactly (a reconstructed vector and a dot product, or a BM25 lookup); fusion ranks the pool;
identical recommendations collapse to one slot through a precomputed canonical row. Nothing
here is proportional to the collection in Python: the pool is a few hundred rows.

``k' = depth × k`` with at least :data:`MIN_DEPTH` (txtai's ``limit * 10``, pyserini's
``k0``): on the shipped collection the fused top 10 then equals exhaustive scoring on every
dev query (tests/test_ranking.py), and on a million synthetic records it agrees on the
positions reported in benchmarks/RESULTS.md. ``exhaustive=True`` scores every allowed record
instead — the baseline the benchmarks compare with.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._arrays import top_k
from .channels import Channel, KeywordChannel
from .errors import QueryError
from .fusion import FUSIONS, ChannelScores, channel_ranks, fuse

__all__ = ["SearchSettings", "Ranked", "rank", "MIN_DEPTH", "DEPTH"]

#: Candidates per dense channel: ``DEPTH × k``, and never fewer than ``MIN_DEPTH``.
DEPTH = 20
#: Candidates per keyword channel, ``KEYWORD_DEPTH × k``: deeper, because a keyword channel has
#: scored every allowed record already and its top k is one argpartition whatever k'; only the
#: exact dense scores of the extra candidates cost (a gather and a product each).
KEYWORD_DEPTH = 100
MIN_DEPTH = 100
_SCORE_CHUNK = 65_536


@dataclass(frozen=True)
class SearchSettings:
    """Query-time choices, public so an ablation is configuration, not surgery.

    ``channels``: names of the channels to use (None: all); ``variants``: which text
    variants count in the dense channels, e.g. ``("ar",)`` (None: all); ``expand``: glossary
    expansion into the keyword channels; ``fusion``: ``"zscore"`` or ``"rrf"``; weights of
    dense and keyword channels in z-score fusion (chosen on the dev queries: dense 1.0,
    keyword 0.7 sits in a flat region of 0.5-1.0); ``depth`` and ``keyword_depth``: candidates
    per dense and per keyword channel as a multiple of k; ``exhaustive``: score every allowed
    record (for measurement).
    """

    channels: tuple[str, ...] | None = None
    variants: tuple[str, ...] | None = None
    expand: bool = True
    fusion: str = "zscore"
    dense_weight: float = 1.0
    keyword_weight: float = 0.7
    rrf_k: int = 60
    depth: int = DEPTH
    keyword_depth: int = KEYWORD_DEPTH
    exhaustive: bool = False

    def __post_init__(self) -> None:
        if self.fusion not in FUSIONS:
            raise QueryError(f"unknown fusion {self.fusion!r}; valid: {list(FUSIONS)}")
        for name in ("depth", "keyword_depth"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise QueryError(f"{name} must be a positive int, got {value!r}")
        for name in ("channels", "variants"):
            value = getattr(self, name)
            if value is not None:
                if isinstance(value, str) or not all(isinstance(v, str) for v in value):
                    raise QueryError(f"{name} must be a tuple of names or None, got {value!r}")
                object.__setattr__(self, name, tuple(value))


@dataclass(frozen=True)
class Ranked:
    """The final rows (best first, one per group of identical records), their fused
    scores, and each channel's score and rank (within the pool) for them."""

    rows: np.ndarray
    fused: np.ndarray
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    ranks: dict[str, np.ndarray] = field(default_factory=dict)
    #: each channel's mean score over the allowed records (what a hit's score stands above)
    means: dict[str, float] = field(default_factory=dict)


def _pool(
    channels: Sequence[Channel],
    prepared: Mapping[str, Any],
    k: int,
    allowed: np.ndarray | None,
    settings: SearchSettings,
    variant_masks: Mapping[str, np.ndarray | None],
    n_records: int,
) -> np.ndarray:
    if settings.exhaustive:
        return np.flatnonzero(allowed) if allowed is not None else np.arange(n_records)
    depth = max(settings.depth * k, MIN_DEPTH)
    found = []
    for ch in channels:
        if isinstance(ch, KeywordChannel):
            found.append(ch.retrieve(prepared[ch.name], max(settings.keyword_depth * k, MIN_DEPTH), allowed).rows)
        else:
            found.append(ch.retrieve(prepared[ch.name], depth, allowed, variant_masks.get(ch.name)).rows)
    if not found:
        return np.empty(0, dtype=np.int64)
    union = np.zeros(n_records, dtype=bool)  # a bitmap beats sorting a few thousand rows
    for rows in found:
        union[rows] = True
    return np.flatnonzero(union)


def _score(ch: Channel, prep: Any, pool: np.ndarray, allowed: np.ndarray | None, variants: np.ndarray | None) -> np.ndarray:
    if isinstance(ch, KeywordChannel):
        return ch.score(prep, pool, allowed)
    parts = [ch.score(prep, pool[i : i + _SCORE_CHUNK], variants) for i in range(0, len(pool), _SCORE_CHUNK)]
    return np.concatenate(parts) if parts else np.empty(0)


def rank(
    channels: Sequence[Channel],
    prepared: Mapping[str, Any],
    k: int,
    allowed: np.ndarray | None,
    settings: SearchSettings,
    canonical: np.ndarray,
    sample: np.ndarray,
    *,
    complete: bool = False,
    keyword_only: bool = False,
) -> Ranked:
    """The ``k`` best records for one query. ``prepared`` holds each channel's prepared
    query; ``canonical[row]`` is the row that stands for ``row``'s group of identical
    records; ``sample`` the allowed rows to measure each channel's score distribution on
    (:meth:`~recsearch.filters.FilterIndex.sample`), ``complete`` when it holds every allowed
    record; ``keyword_only`` keeps only records sharing a term with the query."""
    n = len(canonical)
    masks = {ch.name: ch.variant_mask(settings.variants) for ch in channels if not isinstance(ch, KeywordChannel)}
    spreads: dict[str, np.ndarray] = {}
    if complete and not settings.exhaustive:
        # every allowed record is in the sample, scored exactly for the statistics anyway: each
        # channel's top k' comes from those scores (what its index would return), no search
        spreads = {ch.name: _score(ch, prepared[ch.name], sample, allowed, masks.get(ch.name)) for ch in channels}
        union = np.zeros(len(sample), dtype=bool)
        for ch in channels:
            keyword = isinstance(ch, KeywordChannel)
            depth = max((settings.keyword_depth if keyword else settings.depth) * k, MIN_DEPTH)
            union[top_k(spreads[ch.name], depth, positive=keyword)] = True
        at = np.flatnonzero(union)
        pool = sample[at]
        scored = {name: s[at] for name, s in spreads.items()}
    else:
        pool = _pool(channels, prepared, k, allowed, settings, masks, n)
        scored = {ch.name: _score(ch, prepared[ch.name], pool, allowed, masks.get(ch.name)) for ch in channels}
    if pool.size == 0:
        return Ranked(np.empty(0, dtype=np.int64), np.empty(0))
    if keyword_only:
        keep = np.zeros(len(pool), dtype=bool)
        for s in scored.values():
            keep |= s > 0
        pool = pool[keep]
        scored = {name: s[keep] for name, s in scored.items()}
        if pool.size == 0:
            return Ranked(np.empty(0, dtype=np.int64), np.empty(0))
    weights = {}
    for ch in channels:
        # the statistics of every channel over the allowed records: fusion standardises with
        # them, and relevance reads how far a hit stands above the mean
        spread = spreads.get(ch.name)
        spread = _score(ch, prepared[ch.name], sample, allowed, masks.get(ch.name)) if spread is None else spread
        weights[ch.name] = ChannelScores(
            scored[ch.name],
            settings.keyword_weight if isinstance(ch, KeywordChannel) else settings.dense_weight,
            isinstance(ch, KeywordChannel),
            float(spread.mean()) if spread is not None and spread.size else 0.0,
            float(spread.std()) if spread is not None and spread.size else 1.0,
        )
    fused = fuse(weights, settings.fusion, settings.rrf_k)
    order = np.lexsort((pool, -fused))
    # one slot per group of identical records: the first (best) member of each group
    groups = canonical[pool[order]]
    _, first = np.unique(groups, return_index=True)
    top = order[np.sort(first)[:k]]
    ranks = {name: channel_ranks(s)[top] for name, s in scored.items()}
    means = {name: w.mean for name, w in weights.items()}
    return Ranked(pool[top], fused[top], {name: s[top] for name, s in scored.items()}, ranks, means)
