"""BM25 keyword index over texts addressed by row (bm25s + :func:`tokenize_lexical`).

Dense retrieval misses exact terms (treaty names, article numbers, rare words); BM25 over
normalised, stemmed text catches them. Rows are integers (row i is the i-th text); what a
row means is the caller's business. bm25s builds and stores the score matrix; a query sums
the rows of its terms and multiplies by the filter mask, as bm25s's weight mask does, so a
filter is applied inside the scoring and never loses hits to the cut-off; the top k of the
scores is one ``argpartition``. The vocabulary is numbered in order of first appearance, so
identical builds write identical files whatever Python's hash seed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._arrays import check_mask, top_k
from ._validate import REBUILD_HINT, check_k
from .errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, QueryError, QueryTypeError
from .normalize import LEXICAL_LANGUAGES, NORMALIZATION_VERSION, tokenize_lexical

__all__ = ["LexicalIndex", "LexicalSettings"]

_META_FILE = "lexical.json"
_BM25_DIR = "bm25s"
_FORMAT = 2


@dataclass(frozen=True)
class LexicalSettings:
    """Everything that changes the terms; saved with the index and checked on load."""

    language: str = "ar"
    stem: bool = True
    normalization_version: int = NORMALIZATION_VERSION
    k1: float = 1.5
    b: float = 0.75
    method: str = "lucene"


def _bm25s() -> Any:
    """bm25s, imported without the warning its ``tqdm.auto`` import prints in a notebook kernel
    that lacks ipywidgets ("IProgress not found"): recsearch never shows bm25s's progress bars."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="IProgress not found")
        import bm25s
    return bm25s


class LexicalIndex:
    """BM25 over a list of texts, one row each."""

    def __init__(self, language: str = "ar", *, stem: bool = True, k1: float = 1.5, b: float = 0.75) -> None:
        if language not in LEXICAL_LANGUAGES:
            raise QueryError(f"unknown lexical language {language!r}; expected one of {sorted(LEXICAL_LANGUAGES)}")
        self.settings = LexicalSettings(language=language, stem=bool(stem), k1=float(k1), b=float(b))
        self._bm25: Any = None
        self._count = 0

    @classmethod
    def build(
        cls, texts: Iterable[str], *, language: str = "ar", stem: bool = True, k1: float = 1.5, b: float = 0.75
    ) -> LexicalIndex:
        """Index ``texts``; row i is the i-th text."""
        if isinstance(texts, (str, bytes)):
            raise QueryTypeError("texts must be a list of str, not a single string")
        index = cls(language, stem=stem, k1=k1, b=b)
        vocab: dict[str, int] = {}
        docs: list[list[int]] = []
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise QueryTypeError(f"text {i} must be a str, got {type(text).__name__}")
            docs.append([vocab.setdefault(t, len(vocab)) for t in index.tokenize(text)])
        if not docs:
            raise QueryError("cannot build a lexical index from zero texts")
        if not vocab:
            raise QueryError(f"no text has a searchable {language} word: nothing to index")
        bm25s = _bm25s()
        bm25 = bm25s.BM25(k1=index.settings.k1, b=index.settings.b, method=index.settings.method)
        bm25.index(bm25s.tokenization.Tokenized(ids=docs, vocab=vocab), show_progress=False)
        index._bm25 = bm25
        index._count = len(docs)
        return index

    def __len__(self) -> int:
        return self._count

    def tokenize(self, text: str) -> list[str]:
        """The terms this index uses for ``text`` (same for texts and queries)."""
        return tokenize_lexical(text, self.settings.language, stem=self.settings.stem)

    def scores(self, terms: Sequence[str], allowed: np.ndarray | None = None) -> np.ndarray:
        """BM25 score of every row for ``terms`` (made by :meth:`tokenize`; a repeated term
        counts each time), zero outside ``allowed`` (a bool mask over rows, or None)."""
        if self._bm25 is None:
            raise QueryError("the lexical index is empty; build or load it first")
        if isinstance(terms, (str, bytes)):
            raise QueryTypeError("terms must be a list of str (made by tokenize), not a string")
        allowed = check_mask(allowed, self._count)
        vocab = self._bm25.vocab_dict
        ids = [vocab[t] for t in terms if t and t in vocab]
        scores = np.zeros(self._count, dtype=np.float32)
        if not ids:
            return scores
        # bm25s's precomputed score matrix, as bm25s sums it (np.add.at over each term's
        # postings), but once per distinct term times its count: the glossary's expansions
        # repeat terms, and bm25s would walk the postings once per repetition.
        data, indices, indptr = self._bm25.scores["data"], self._bm25.scores["indices"], self._bm25.scores["indptr"]
        terms_ids, counts = np.unique(np.asarray(ids, dtype=np.int64), return_counts=True)
        for term, count in zip(terms_ids.tolist(), counts.tolist()):
            start, end = indptr[term], indptr[term + 1]
            postings = data[start:end] if count == 1 else data[start:end] * np.float32(count)
            np.add.at(scores, indices[start:end], postings)
        if allowed is not None:
            scores *= allowed
        return scores

    def coverage(self, terms: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """For each of ``rows``, the share of the distinct ``terms`` it contains (0 with no
        terms). A term the index has never seen counts as missing everywhere: an off-topic
        query that shares one common word with a text covers little of itself."""
        rows = np.asarray(rows, dtype=np.int64)
        distinct = list(dict.fromkeys(t for t in terms if t))
        if not distinct or rows.size == 0:
            return np.zeros(rows.size, dtype=np.float64)
        if self._bm25 is None:
            raise QueryError("the lexical index is empty; build or load it first")
        vocab = self._bm25.vocab_dict
        indices, indptr = self._bm25.scores["indices"], self._bm25.scores["indptr"]
        found = np.zeros(rows.size, dtype=np.int64)
        for term in distinct:
            tid = vocab.get(term)
            if tid is None:
                continue
            postings = indices[indptr[tid] : indptr[tid + 1]]  # sorted rows holding the term
            at = np.searchsorted(postings, rows)
            found += (at < postings.size) & (postings[np.minimum(at, max(postings.size - 1, 0))] == rows)
        return found / len(distinct)

    def search(self, query: str, k: int = 10, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` best rows for ``query`` that share a term with it: ``(rows, scores)``."""
        if not isinstance(query, str):
            raise QueryTypeError(f"query must be a str, got {type(query).__name__}")
        scores = self.scores(self.tokenize(query), allowed)
        rows = top_k(scores, check_k(k), positive=True)
        return rows, scores[rows]

    # ------------------------------------------------------------------ persistence

    def save(self, folder: str | os.PathLike[str]) -> None:
        """Write bm25s's files and ``lexical.json`` into ``folder`` (not atomic by itself:
        write into the temporary folder of :func:`recsearch.store.write_index_folder`)."""
        if self._bm25 is None:
            raise QueryError("cannot save an empty lexical index")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self._bm25.save(folder / _BM25_DIR, show_progress=False)
        meta = {"format": _FORMAT, "settings": asdict(self.settings), "count": self._count}
        (folder / _META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")

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
            count = meta["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise ValueError("count is not a positive int")
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise IndexCorruptError(f"lexical index metadata {meta_path} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if fmt != _FORMAT:
            raise IndexMismatchError(f"lexical index format {fmt} is not the supported {_FORMAT}; {REBUILD_HINT}")
        if settings.normalization_version != NORMALIZATION_VERSION:
            raise IndexMismatchError(
                f"lexical index was built with text normalisation v{settings.normalization_version}, "
                f"this recsearch uses v{NORMALIZATION_VERSION}; {REBUILD_HINT}"
            )
        if settings.language not in LEXICAL_LANGUAGES:
            raise IndexMismatchError(f"lexical index language {settings.language!r} is unknown here; {REBUILD_HINT}")
        bm25s = _bm25s()
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
        if num_docs != count:
            raise IndexCorruptError(f"lexical index in {folder} has {num_docs} documents, not {count}; {REBUILD_HINT}")
        index = cls(settings.language, stem=settings.stem, k1=settings.k1, b=settings.b)
        index.settings = settings
        index._bm25 = bm25
        index._count = count
        return index
