"""Array plumbing shared by the indexes: a deterministic top k, and filter-mask checks."""

from __future__ import annotations

import numpy as np

from .errors import QueryTypeError

__all__ = ["top_k", "check_mask"]


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
