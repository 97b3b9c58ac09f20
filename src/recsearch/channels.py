"""Retrieval channels: each finds its own top candidates, and scores any candidate exactly.

A channel answers two questions about a query, always in record rows (integers):

* ``retrieve(prepared, k, allowed)`` — its ``k`` best records among the ``allowed`` ones (a
  bool mask over records, or None), through its index: FAISS for a dense channel, bm25s for
  a keyword channel; the filter is applied inside that search.
* ``score(prepared, rows)`` — its exact score for records another channel found, so fusion
  never has to guess a missing score.

A **dense channel** holds one encoder and a vector per text *variant* of a record (the
Arabic text and its English rendering): a record scores the best of its variants. A
**keyword channel** holds one BM25 index over one text field in one language; the glossary
expands the query into it across languages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .encoders import Encoder
from .errors import QueryError
from .glossary import Concept
from ._arrays import MaskCache, top_k
from .lexical import LexicalIndex
from .vector_index import VectorIndex

__all__ = ["Query", "Candidates", "DenseChannel", "KeywordChannel"]


@dataclass(frozen=True)
class Query:
    """One query as every channel sees it: the text matched, its spelling mended for the
    encoders, and the glossary concepts it names (for the keyword channels)."""

    text: str
    spelled: str
    concepts: tuple[Concept, ...] = ()


@dataclass(frozen=True)
class Candidates:
    """A channel's answer: record rows, best first, and their scores."""

    rows: np.ndarray
    scores: np.ndarray


_EMPTY = Candidates(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64))


def _vectors_of(allowed: np.ndarray, rows: np.ndarray, variants: np.ndarray | None) -> np.ndarray:
    mask = allowed[rows]
    return mask if variants is None else mask & variants


class DenseChannel:
    """One encoder's vectors: row ``v`` of the index is variant ``variants[v]`` of record
    ``rows[v]``; ``variant_names`` names the variant codes (e.g. ``("ar", "en")``)."""

    kind = "dense"

    def __init__(
        self,
        name: str,
        encoder: Encoder,
        index: VectorIndex,
        rows: np.ndarray,
        variants: np.ndarray,
        variant_names: tuple[str, ...],
        n_records: int,
    ) -> None:
        self.name, self.encoder, self.index = name, encoder, index
        self.rows = np.asarray(rows, dtype=np.int64)
        self.variants = np.asarray(variants, dtype=np.int8)
        self.variant_names = tuple(variant_names)
        self.n_records = n_records
        # each record's vectors, contiguous: _order[_starts[r]:_starts[r + 1]]
        self._order = np.argsort(self.rows, kind="stable")
        self._starts = np.searchsorted(self.rows[self._order], np.arange(n_records + 1))
        self._per_record = int(np.diff(self._starts).max()) if n_records else 1
        self._variant_masks: dict[tuple[str, ...], np.ndarray] = {}
        self._vector_masks = MaskCache()

    def __repr__(self) -> str:
        return f"DenseChannel({self.name!r}, {self.encoder.name}, {len(self.index)} vectors, {self.index.kind})"

    def variant_mask(self, names: tuple[str, ...] | None) -> np.ndarray | None:
        """Vectors of the named variants only (None: all variants count)."""
        if names is None or set(self.variant_names) <= set(names):
            return None
        mask = self._variant_masks.get(names)
        if mask is None:
            codes = [i for i, n in enumerate(self.variant_names) if n in names]
            mask = np.isin(self.variants, codes)
            self._variant_masks[names] = mask
        return mask

    def prepare(self, query: Query) -> np.ndarray:
        return self.encoder.encode_queries([query.spelled])[0]

    def embeddings(self, variant: str) -> np.ndarray:
        """One variant's vectors in record order, ``(n_records, dim)``; a record without that
        variant gets a row of zeros."""
        code = self.variant_names.index(variant)
        vecs = np.flatnonzero(self.variants == code)
        out = np.zeros((self.n_records, self.index.dim), dtype=np.float32)
        out[self.rows[vecs]] = self.index.reconstruct(vecs)
        return out

    def vector_of(self, row: int, variant: str) -> np.ndarray:
        """The stored vector of one record's variant (for "more like this")."""
        code = self.variant_names.index(variant)
        vecs = self._order[self._starts[row] : self._starts[row + 1]]
        vecs = vecs[self.variants[vecs] == code]
        if vecs.size == 0:
            raise QueryError(f"record row {row} has no {variant!r} text in channel {self.name}")
        return self.index.reconstruct(vecs[:1])[0]

    def best_variants(self, qv: np.ndarray, rows: np.ndarray) -> list[str | None]:
        """For each record row (a few: a result's hits), the name of its variant that scores
        best against the query ("ar", "en", "questions:en", …; None without vectors)."""
        rows = np.asarray(rows, dtype=np.int64)
        runs = [self._order[self._starts[r] : self._starts[r + 1]] for r in rows.tolist()]
        if not runs:
            return []
        vecs = np.concatenate(runs)
        scores = self.index.score(qv, vecs) if vecs.size else np.empty(0)
        out: list[str | None] = []
        at = 0
        for run in runs:
            if run.size == 0:
                out.append(None)
                continue
            best = run[int(np.argmax(scores[at : at + run.size]))]
            out.append(self.variant_names[int(self.variants[best])])
            at += run.size
        return out

    def retrieve(
        self, qv: np.ndarray, k: int, allowed: np.ndarray | None, variants: np.ndarray | None = None
    ) -> Candidates:
        vec_mask = None if allowed is None else self._vector_masks.get(allowed, variants, lambda: _vectors_of(allowed, self.rows, variants))
        if vec_mask is None and variants is not None:
            vec_mask = variants
        # k vectors first (the graph walk grows with k); only when a record's variants collapse
        # them below k records, ask again for k x variants
        for want in (k, k * self._per_record):
            vec_rows, scores = self.index.search(qv, want, vec_mask)
            if vec_rows.size == 0:
                return _EMPTY
            records = self.rows[vec_rows]
            # best variant first: the first occurrence of each record is its best score
            _, first = np.unique(records, return_index=True)
            if len(first) >= k or len(vec_rows) < want or want == k * self._per_record:
                break
        first = np.sort(first)[:k]
        return Candidates(records[first], scores[first].astype(np.float64))

    def score(self, qv: np.ndarray, rows: np.ndarray, variants: np.ndarray | None = None) -> np.ndarray:
        """The best cosine among each record's vectors (-1 for a record with none)."""
        lengths = self._starts[rows + 1] - self._starts[rows]
        total = int(lengths.sum())
        out = np.full(len(rows), -1.0)
        if total == 0:
            return out
        firsts = np.cumsum(lengths) - lengths
        offsets = np.arange(total) - np.repeat(firsts, lengths)
        vecs = self._order[np.repeat(self._starts[rows], lengths) + offsets]
        scores = self.index.score(qv, vecs).astype(np.float64)
        if variants is not None:
            scores = np.where(variants[vecs], scores, -1.0)
        some = lengths > 0  # each record's vectors are contiguous: the best of each run
        out[some] = np.maximum.reduceat(scores, firsts[some])
        return out


@dataclass
class _KeywordQuery:
    terms: list[str]
    #: the query's own terms, before the glossary's expansion
    own: list[str] = field(default_factory=list)
    allowed: np.ndarray | None = None
    doc_scores: np.ndarray | None = field(default=None, repr=False)


class KeywordChannel:
    """BM25 over one text field in one language; document ``d`` is record ``rows[d]``
    (records without that field have no document)."""

    kind = "keyword"

    def __init__(self, name: str, index: LexicalIndex, rows: np.ndarray, n_records: int) -> None:
        self.name, self.index = name, index
        self.rows = np.asarray(rows, dtype=np.int64)
        self.language = index.settings.language
        self.n_records = n_records
        self._doc_of = np.full(n_records, -1, dtype=np.int64)
        self._doc_of[self.rows] = np.arange(len(self.rows))
        #: each glossary concept's terms in this channel, tokenized once on first use
        self._expansions: dict[Concept, list[str]] = {}
        self._doc_masks = MaskCache()

    def __repr__(self) -> str:
        return f"KeywordChannel({self.name!r}, {self.language}, {len(self.index)} documents)"

    def expansion(self, concept: Concept) -> list[str]:
        """The terms a glossary concept adds to a query here (concurrent first uses compute
        the same list; either may be kept)."""
        terms = self._expansions.get(concept)
        if terms is None:
            # Terms repeat as often as the concept's variants use them, so the words a concept
            # keeps coming back to weigh most; de-duplicating measured 0.800 against 0.820
            # nDCG@10 on the dev queries.
            terms = self.index.tokenize(" ".join(concept.terms.get(self.language, ())))
            self._expansions[concept] = terms
        return terms

    def prepare(self, query: Query, *, expand: bool = True) -> _KeywordQuery:
        own = self.index.tokenize(query.text)
        terms = own + [t for c in query.concepts for t in self.expansion(c)] if expand else list(own)
        return _KeywordQuery(terms, own)

    def _doc_scores(self, q: _KeywordQuery, allowed: np.ndarray | None) -> np.ndarray:
        if q.doc_scores is None or q.allowed is not allowed:
            q.allowed = allowed
            docs = None if allowed is None else self._doc_masks.get(allowed, None, lambda: allowed[self.rows])
            q.doc_scores = self.index.scores(q.terms, docs)
        return q.doc_scores

    def retrieve(self, q: _KeywordQuery, k: int, allowed: np.ndarray | None) -> Candidates:
        """Up to ``k`` records sharing a term with the query (none may)."""
        scores = self._doc_scores(q, allowed)
        docs = top_k(scores, k, positive=True)
        return Candidates(self.rows[docs], scores[docs].astype(np.float64))

    def score(self, q: _KeywordQuery, rows: np.ndarray, allowed: np.ndarray | None = None) -> np.ndarray:
        scores = self._doc_scores(q, allowed)
        docs = self._doc_of[rows]
        return np.where(docs >= 0, scores[np.maximum(docs, 0)], 0.0).astype(np.float64)

    def term_sources(self, query: Query, *, expand: bool = True, prepared: _KeywordQuery | None = None) -> dict[str, str]:
        """The query's terms here, each with where it comes from: "query" for its own words,
        else the id of the glossary concept that adds it (``prepared``: the query as
        :meth:`prepare` made it, to reuse its words)."""
        own = prepared.own if prepared is not None else self.index.tokenize(query.text)
        out = dict.fromkeys(own, "query")
        if expand:
            for c in query.concepts:
                for t in self.expansion(c):
                    out.setdefault(t, c.id)
        return out

    def coverage(self, q: _KeywordQuery, rows: np.ndarray) -> np.ndarray:
        """For each record row, the share of the query's own terms its document contains."""
        docs = self._doc_of[np.asarray(rows, dtype=np.int64)]
        out = np.zeros(len(docs), dtype=np.float64)
        has = docs >= 0
        out[has] = self.index.coverage(q.own, docs[has])
        return out


Channel = DenseChannel | KeywordChannel


def prepared_for(channel: Channel, query: Query, *, expand: bool = True) -> Any:
    """What ``channel`` needs of ``query`` (a vector, or terms)."""
    if isinstance(channel, KeywordChannel):
        return channel.prepare(query, expand=expand)
    return channel.prepare(query)
