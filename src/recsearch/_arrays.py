"""Array plumbing shared by the indexes: a deterministic top k, filter-mask checks, and a
cache of what each filter mask is turned into."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import QueryTypeError

__all__ = ["top_k", "check_mask", "MaskCache"]


def top_k(scores: np.ndarray, k: int, *, positive: bool = False) -> np.ndarray:
    """Positions of the ``k`` highest ``scores``, best first, ties by position (lowest
    first), also at the cut-off; only positive scores with ``positive``."""
    idx = np.flatnonzero(scores > 0) if positive else np.arange(len(scores))
    if idx.size > k:
        vals = scores[idx]
        cut = np.partition(vals, idx.size - k)[idx.size - k]  # the k-th highest value
        above = idx[vals > cut]
        ties = idx[vals == cut][: k - above.size]  # idx ascends: the lowest positions win ties
        idx = np.concatenate([above, ties])
    return idx[np.lexsort((idx, -scores[idx]))]


def check_mask(allowed: object, length: int) -> np.ndarray | None:
    """A filter: None, or a bool array with one entry per row."""
    if allowed is None:
        return None
    if not isinstance(allowed, np.ndarray) or allowed.dtype != np.bool_ or allowed.shape != (length,):
        raise QueryTypeError(f"allowed must be a numpy bool array of shape ({length},) or None")
    return allowed


class MaskCache:
    """Arrays derived from a filter mask (and optionally a second mask), kept for the last
    filters seen: the filter index hands out the same array for the same filter, so a repeated
    filter costs no O(N) work. Entries are keyed by identity and hold their masks alive."""

    SIZE = 64

    def __init__(self) -> None:
        self._entries: dict[tuple[int, int], tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}

    def get(self, allowed: np.ndarray, extra: np.ndarray | None, make: Any) -> np.ndarray:
        key = (id(allowed), id(extra))
        hit = self._entries.get(key)
        if hit is not None and hit[0] is allowed and hit[1] is extra:
            return hit[2]
        derived = make()
        if len(self._entries) >= self.SIZE:
            self._entries.clear()
        self._entries[key] = (allowed, extra, derived)
        return derived
