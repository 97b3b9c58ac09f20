"""Fusion: one ranking from several channels' scores over the same candidate pool.

The pool is the union of every channel's candidates; each channel has scored every record
in it exactly (see :mod:`recsearch.channels`). Two methods:

* ``"zscore"`` (default) — each channel's scores are standardised and summed with weights
  (dense 1.0, keyword 0.7, chosen on the dev queries: README "Quality"). The mean and spread
  are those of the channel's scores over the *allowed records* (exact up to
  :data:`~recsearch.filters.STATS_SAMPLE` of them, a fixed random sample beyond), not over
  the pool: over the pool they would depend on how deep each channel looked, and on the
  shipped collection only 18 of the 55 dev and out-of-scope dev queries kept their exhaustive
  top 10 at k' = 100 that way, against 55 of 55 now. A channel with nothing to say — BM25 on a query that
  shares no word with any text scores every record 0 — adds nothing.
* ``"rrf"`` — reciprocal rank fusion, ``sum 1 / (rrf_k + rank)`` (unweighted); a keyword
  channel gives no vote to a record it scores 0 (no shared term).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .errors import QueryError

__all__ = ["FUSIONS", "fuse", "zscore", "channel_ranks"]

FUSIONS = ("zscore", "rrf")


def zscore(scores: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``scores`` standardised with a mean and spread measured elsewhere; all zeros when the
    channel does not tell records apart."""
    if std < 1e-9:
        return np.zeros_like(scores, dtype=np.float64)
    return (scores - mean) / std


def channel_ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each pool entry within one channel (ties in pool order)."""
    order = np.argsort(-scores, kind="stable")
    ranks = np.empty(len(scores), dtype=np.int64)
    ranks[order] = np.arange(1, len(scores) + 1)
    return ranks


@dataclass(frozen=True)
class ChannelScores:
    """One channel's scores over the pool, with what fusion needs to weigh them: its
    weight, whether it is a keyword channel, and its scores' mean and spread over the
    allowed records."""

    scores: np.ndarray
    weight: float
    keyword: bool
    mean: float = 0.0
    std: float = 1.0


def fuse(channels: Mapping[str, ChannelScores], method: str = "zscore", rrf_k: int = 60) -> np.ndarray:
    """The fused score of each pool entry (higher is better)."""
    if method not in FUSIONS:
        raise QueryError(f"unknown fusion {method!r}; valid: {list(FUSIONS)}")
    fused: np.ndarray | None = None
    for ch in channels.values():
        if method == "zscore":
            part = ch.weight * zscore(ch.scores, ch.mean, ch.std)
        else:
            votes = ch.scores > 0 if ch.keyword else np.ones(len(ch.scores), dtype=bool)
            part = np.where(votes, 1.0 / (rrf_k + channel_ranks(ch.scores)), 0.0)
        fused = part if fused is None else fused + part
    if fused is None:
        raise QueryError("nothing to fuse: no channel was used")
    return fused
