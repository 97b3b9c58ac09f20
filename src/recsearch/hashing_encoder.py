"""A model-free encoder: feature hashing of words and character n-grams (numpy only).

For tests and scale benchmarks, **not for quality**: it knows spelling, not meaning, so two
texts are close when they share words or parts of words. It is deterministic across
processes and machines (blake2b, not Python's seeded ``hash``), needs no download and embeds
a hundred thousand short texts in seconds, which is what lets a benchmark build a synthetic
collection of a million records. ``get_encoder("hashing")`` or ``"hashing:512"`` (the dim).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from ._validate import check_positive_int
from .errors import QueryError, QueryTypeError
from .normalize import clean_text

__all__ = ["HashingEncoder", "DEFAULT_HASHING_DIM"]

DEFAULT_HASHING_DIM = 256
_WORD = re.compile(r"\w+")
_BATCH = 8192


class HashingEncoder:
    """Each word adds ±1 at the hashed slot of the word and of each of its character 3- and
    4-grams (with boundary marks); the sum is L2-normalised. Queries and passages alike."""

    VERSION = 1

    def __init__(self, dim: int = DEFAULT_HASHING_DIM) -> None:
        self.dim = check_positive_int("dim", dim)
        if self.dim < 8:
            raise QueryError(f"hashing dim must be at least 8, got {self.dim}")
        self.name = f"hashing-{self.dim}/v{self.VERSION}"
        self.spec = f"hashing:{self.dim}"
        self._features: dict[str, tuple[list[int], list[float]]] = {}

    def __repr__(self) -> str:
        return f"HashingEncoder(dim={self.dim})"

    def _word(self, word: str) -> tuple[list[int], list[float]]:
        hit = self._features.get(word)
        if hit is not None:
            return hit
        marked = f"<{word}>"
        grams = [f"w:{word}"] + [f"c:{marked[i:i + n]}" for n in (3, 4) for i in range(len(marked) - n + 1)]
        slots, signs = [], []
        for g in grams:
            h = int.from_bytes(hashlib.blake2b(g.encode("utf-8"), digest_size=8).digest(), "little")
            slots.append(h % self.dim)
            signs.append(1.0 if (h >> 63) & 1 else -1.0)
        self._features[word] = (slots, signs)
        return slots, signs

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, (str, bytes)):
            raise QueryTypeError("texts must be a sequence of str, not a single string; wrap it in a list")
        texts = list(texts)
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), _BATCH):
            batch = texts[start : start + _BATCH]
            slots: list[int] = []
            signs: list[float] = []
            for row, text in enumerate(batch):
                if not isinstance(text, str):
                    raise QueryTypeError(f"texts[{start + row}] must be a str, got {type(text).__name__}")
                base = row * self.dim
                for word in _WORD.findall(clean_text(text).lower()):
                    s, g = self._word(word)
                    slots.extend(base + x for x in s)
                    signs.extend(g)
            dense = np.bincount(np.asarray(slots, dtype=np.int64), weights=np.asarray(signs), minlength=len(batch) * self.dim)
            block = dense.reshape(len(batch), self.dim)
            norms = np.linalg.norm(block, axis=1, keepdims=True)
            empty = norms[:, 0] < 1e-12
            block[empty, 0], norms[empty] = 1.0, 1.0  # no word at all: any fixed unit vector will do
            out[start : start + len(batch)] = block / norms
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 8, show_progress: bool = False
    ) -> np.ndarray:
        return self._encode(texts)
