"""Test doubles: a deterministic, dependency-free encoder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from recsearch.normalize import clean_text


class FakeEncoder:
    """Hashed character trigrams -> fixed-dim unit vectors, deterministic across processes.

    Texts sharing many trigrams get similar vectors, so ranking tests are
    meaningful; ``calls`` and ``encoded`` record usage so caching can be tested.
    """

    def __init__(self, dim: int = 64, name: str | None = None) -> None:
        self.dim = dim
        self.name = name or f"fake-hash-{dim}"
        self.calls = 0
        self.encoded: list[str] = []

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        padded = f"  {clean_text(text)}  "
        for i in range(len(padded) - 2):
            h = hashlib.blake2b(padded[i : i + 3].encode("utf-8"), digest_size=8).digest()
            idx = int.from_bytes(h[:4], "little") % self.dim
            v[idx] += 1.0 if h[4] & 1 else -1.0
        n = float(np.linalg.norm(v))
        if n == 0.0:  # all trigrams cancelled out: any fixed unit vector will do
            v[0], n = 1.0, 1.0
        return v / n

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.encoded.extend(texts)
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(list(texts))

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 8, show_progress: bool = False
    ) -> np.ndarray:
        return self._encode(list(texts))
