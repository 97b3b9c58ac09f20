"""BM25 keyword index over recommendation texts (bm25s + :func:`tokenize_lexical`).

Dense retrieval misses exact terms (treaty names, article numbers, rare words);
BM25 over normalised, stemmed Arabic catches them. Documents are keyed by
recommendation id strings, never row numbers, so a filter or a fused ranking
cannot silently point at the wrong record after the corpus changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import REBUILD_HINT, check_allowed_ids, check_k
from .errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, QueryError, QueryTypeError
from .normalize import LEXICAL_LANGUAGES, NORMALIZATION_VERSION, tokenize_lexical

__all__ = ["LexicalIndex", "LexicalSettings"]

_META_FILE = "lexical.json"
_BM25_DIR = "bm25s"
_FORMAT = 1


@dataclass(frozen=True)
class LexicalSettings:
    """Everything that changes the terms; saved with the index and checked on load."""

    language: str = "ar"
    stem: bool = True
    normalization_version: int = NORMALIZATION_VERSION
    k1: float = 1.5
    b: float = 0.75
    method: str = "lucene"


class LexicalIndex:
    """BM25 over (doc_id, text) pairs; exhaustive scoring, so filters are exact.

    ``search`` scores every document, masks those outside ``allowed_ids``, then
    takes the top k, so a filter never loses hits to the cut-off. That is
    O(number of documents) per query: instant for hundreds or thousands of
    records; for millions, switch to bm25s's own top-k with a weight mask.
    Only documents sharing at least one term with the query are returned, so a
    result list can be shorter than k.
    """

    def __init__(self, language: str = "ar", *, stem: bool = True, k1: float = 1.5, b: float = 0.75) -> None:
        if language not in LEXICAL_LANGUAGES:
            raise QueryError(f"unknown lexical language {language!r}; expected one of {sorted(LEXICAL_LANGUAGES)}")
        self.settings = LexicalSettings(language=language, stem=bool(stem), k1=float(k1), b=float(b))
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._bm25: Any = None

    # ------------------------------------------------------------------ build

    @classmethod
    def build(
        cls,
        docs: Iterable[tuple[str, str]],
        *,
        language: str = "ar",
        stem: bool = True,
        k1: float = 1.5,
        b: float = 0.75,
    ) -> LexicalIndex:
        """Index ``(doc_id, text)`` pairs; ids must be unique non-empty strings."""
        index = cls(language, stem=stem, k1=k1, b=b)
        index._index(docs)
        return index

    def _index(self, docs: Iterable[tuple[str, str]]) -> None:
        ids: list[str] = []
        corpus_tokens: list[list[str]] = []
        seen: set[str] = set()
        for pair in docs:
            if not (isinstance(pair, (tuple, list)) and len(pair) == 2):
                raise QueryTypeError("docs must be (doc_id, text) pairs")
            doc_id, text = pair
            if not isinstance(doc_id, str) or not doc_id:
                raise QueryTypeError(f"doc ids must be non-empty str, got {doc_id!r}")
            if not isinstance(text, str):
                raise QueryTypeError(f"text of {doc_id!r} must be a str, got {type(text).__name__}")
            if doc_id in seen:
                raise QueryError(f"duplicate doc id {doc_id!r}")
            seen.add(doc_id)
            ids.append(doc_id)
            corpus_tokens.append(self.tokenize(text))
        if not ids:
            raise QueryError("cannot build a lexical index from zero documents")
        import bm25s

        bm25 = bm25s.BM25(k1=self.settings.k1, b=self.settings.b, method=self.settings.method)
        bm25.index(corpus_tokens, show_progress=False)
        self._bm25 = bm25
        self._ids = ids
        self._row = {d: i for i, d in enumerate(ids)}

    # ------------------------------------------------------------------ query

    @property
    def ids(self) -> tuple[str, ...]:
        """Document ids in index order."""
        return tuple(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    def tokenize(self, text: str) -> list[str]:
        """The terms this index uses for ``text`` (same for documents and queries)."""
        return tokenize_lexical(text, self.settings.language, stem=self.settings.stem)

    def score_all(self, query: str) -> np.ndarray:
        """BM25 score of every document (index order); zeros when no term matches."""
        if not isinstance(query, str):
            raise QueryTypeError(f"query must be a str, got {type(query).__name__}")
        return self.score_terms(self.tokenize(query))

    def score_terms(self, terms: Sequence[str]) -> np.ndarray:
        """:meth:`score_all` for terms already made by :meth:`tokenize` (so a caller can
        tokenize fixed expansions once and reuse them)."""
        if self._bm25 is None:
            raise QueryError("the lexical index is empty; build or load it first")
        terms = [t for t in terms if t in self._bm25.vocab_dict]
        if not terms:
            return np.zeros(len(self._ids), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def search(
        self, query: str, k: int = 10, allowed_ids: Collection[str] | None = None
    ) -> list[tuple[str, float]]:
        """Top ``k`` ``(doc_id, score)`` by BM25, best first, restricted to ``allowed_ids``.

        Ties are broken by index order, so results are deterministic.
        """
        k = check_k(k)
        allowed = check_allowed_ids(allowed_ids)
        scores = self.score_all(query).astype(np.float64)
        mask = scores > 0
        if allowed is not None:
            keep = np.zeros(len(self._ids), dtype=bool)
            rows = [self._row[d] for d in allowed if d in self._row]
            keep[rows] = True
            mask &= keep
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return []
        order = np.lexsort((rows, -scores[rows]))[:k]
        return [(self._ids[r], float(scores[r])) for r in rows[order]]

    # ------------------------------------------------------------------ persistence

    def save(self, folder: str | os.PathLike[str]) -> None:
        """Write the index into ``folder`` (bm25s's own files plus ``lexical.json``).

        Not atomic by itself: write into the temporary folder of
        :func:`recsearch.store.write_index_folder`, which is.
        """
        if self._bm25 is None:
            raise QueryError("cannot save an empty lexical index")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(folder / _BM25_DIR, show_progress=False)
        meta = {"format": _FORMAT, "settings": asdict(self.settings), "ids": self._ids}
        (folder / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> LexicalIndex:
        """Read an index written by :meth:`save`; refuse one built with other tokenisation."""
        folder = Path(folder)
        meta_path = folder / _META_FILE
        if not folder.is_dir() or not meta_path.is_file() or not (folder / _BM25_DIR).is_dir():
            raise IndexNotFoundError(f"no lexical index in {folder}; {REBUILD_HINT}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            fmt = meta["format"]
            settings = LexicalSettings(**meta["settings"])
            ids = meta["ids"]
            if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
                raise ValueError("ids is not a list of strings")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(
                f"lexical index metadata {meta_path} is unreadable ({exc}); {REBUILD_HINT}"
            ) from exc
        if fmt != _FORMAT:
            raise IndexMismatchError(f"lexical index format {fmt} is not the supported {_FORMAT}; {REBUILD_HINT}")
        if settings.normalization_version != NORMALIZATION_VERSION:
            raise IndexMismatchError(
                f"lexical index was built with text normalisation v{settings.normalization_version}, "
                f"this recsearch uses v{NORMALIZATION_VERSION}; {REBUILD_HINT}"
            )
        if settings.language not in LEXICAL_LANGUAGES:
            raise IndexMismatchError(f"lexical index language {settings.language!r} is unknown here; {REBUILD_HINT}")
        import bm25s

        try:
            bm25 = bm25s.BM25.load(folder / _BM25_DIR, show_progress=False)
            num_docs = int(bm25.scores["num_docs"])
            indptr, data, indices = (bm25.scores[key] for key in ("indptr", "data", "indices"))
            n_terms = len(indptr) - 1
            # bm25s gives the empty token "" an id past the matrix; every real term must be inside it
            if any(not 0 <= v < n_terms for t, v in bm25.vocab_dict.items() if t):
                raise ValueError("vocabulary and score matrix disagree")
            if len(data) != indptr[-1] or len(indices) != indptr[-1]:
                raise ValueError("score matrix arrays have inconsistent lengths")
            if len(indices) and (indices.min() < 0 or indices.max() >= num_docs):
                raise ValueError("score matrix points outside the documents")
        except FileNotFoundError as exc:
            raise IndexNotFoundError(f"lexical index file missing in {folder} ({exc}); {REBUILD_HINT}") from exc
        except Exception as exc:  # noqa: BLE001 - numpy/json raise many types on damaged files
            raise IndexCorruptError(f"lexical index in {folder} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if num_docs != len(ids) or len(set(ids)) != len(ids):
            raise IndexCorruptError(
                f"lexical index in {folder} has {num_docs} documents but {len(ids)} ids; {REBUILD_HINT}"
            )
        index = cls(settings.language, stem=settings.stem, k1=settings.k1, b=settings.b)
        index.settings = settings
        index._bm25 = bm25
        index._ids = list(ids)
        index._row = {d: i for i, d in enumerate(ids)}
        return index
