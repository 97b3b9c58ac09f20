"""Why a hit matched: the query's words and the glossary concepts it names, found in the hit's
texts (with their character positions, for highlighting); the text variant each encoder scored
best (the Arabic text, its English rendering, or one of the questions it answers); and each
channel's rank for it.

Words are compared as the keyword channels compare them — normalised and stemmed by
:func:`~recsearch.normalize.tokenize_lexical` — so "punished" in a query finds "punishment"'s
stem and "الضحايا" finds "للضحايا". Each record's words are analysed once, on its first
explanation, and kept (a bounded cache), as is each distinct word's term: only the hits of a
query are ever analysed.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from .normalize import tokenize_lexical

__all__ = ["Match", "Explanation", "Explainer", "TEXT_FIELDS"]

#: The hit fields searched for matches, and the language their words are analysed in.
TEXT_FIELDS = (("chapeau", "ar"), ("text", "ar"), ("chapeau_en", "en"), ("text_en", "en"))
# a word with its Arabic diacritics and tatweel (Python's \w leaves the marks out)
_WORD = re.compile(r"[\w\u064b-\u065f\u0670\u0640]+")
_CACHE_LIMIT = 20_000
_TERM_CACHE_LIMIT = 200_000


@dataclass(frozen=True)
class Match:
    """One word of a hit's text that the query asked for: ``text[start:end]`` of the hit's
    field ``field`` ("chapeau", "text", "chapeau_en", "text_en"); ``via`` is "query" for the
    query's own words, else the id of the glossary concept whose term it is."""

    field: str
    start: int
    end: int
    word: str
    via: str

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "start": self.start, "end": self.end, "word": self.word, "via": self.via}


@dataclass(frozen=True)
class Explanation:
    """Why one hit matched. The matched words are found on first use (``matches``,
    ``words``, ``concepts``, ``to_dict()``), so a search that never asks pays nothing for them."""

    #: dense channel → the text variant that scored best ("ar", "en", "questions:en", …)
    best_variant: Mapping[str, str] = field(default_factory=dict)
    #: channel → the hit's rank in it among the candidates
    ranks: Mapping[str, int] = field(default_factory=dict)
    _find: Any = field(default=None, repr=False, compare=False)

    @cached_property
    def matches(self) -> tuple[Match, ...]:
        """The query's words and concepts found in the hit's texts, in field and text order."""
        return self._find() if self._find is not None else ()

    @property
    def concepts(self) -> tuple[str, ...]:
        """The glossary concepts named by the query whose terms the hit contains."""
        return tuple(dict.fromkeys(m.via for m in self.matches if m.via != "query"))

    @property
    def words(self) -> tuple[str, ...]:
        """The matched words, each once, in order of appearance."""
        return tuple(dict.fromkeys(m.word for m in self.matches))

    def to_dict(self) -> dict[str, Any]:
        return {
            "matches": [m.to_dict() for m in self.matches],
            "words": list(self.words),
            "concepts": list(self.concepts),
            "best_variant": dict(self.best_variant),
            "ranks": dict(self.ranks),
        }


class Explainer:
    """Finds a query's terms in hits' texts; caches each text's analysed words."""

    def __init__(self) -> None:
        self._words: dict[tuple[str, str], dict[str, list[tuple[int, int]]]] = {}
        #: surface word → its term (or ""), per language: words repeat across records, and
        #: analysing one costs ~20 µs
        self._terms: dict[tuple[str, str], str] = {}
        self._lock = threading.Lock()

    def _term(self, word: str, lang: str) -> str:
        key = (lang, word)
        term = self._terms.get(key)
        if term is None:
            terms = tokenize_lexical(word, lang)
            term = terms[0] if terms else ""
            with self._lock:
                if len(self._terms) >= _TERM_CACHE_LIMIT:
                    self._terms.clear()
                self._terms[key] = term
        return term

    def _analysed(self, text: str, lang: str) -> dict[str, list[tuple[int, int]]]:
        """Each term of ``text`` and the (start, end) of the words that have it."""
        key = (lang, text)
        words = self._words.get(key)
        if words is None:
            words = {}
            for m in _WORD.finditer(text):
                term = self._term(m.group(0), lang)
                if term:
                    words.setdefault(term, []).append((m.start(), m.end()))
            with self._lock:
                if len(self._words) >= _CACHE_LIMIT:
                    self._words.clear()
                self._words[key] = words
        return words

    def matches(self, texts: Mapping[str, str | None], terms: Mapping[str, Mapping[str, str]]) -> tuple[Match, ...]:
        """The words of ``texts`` (a hit's fields → text) that have one of the query's
        ``terms`` (language → term → "query" or a concept id), in field and text order."""
        out = []
        for name, lang in TEXT_FIELDS:
            text, wanted = texts.get(name), terms.get(lang)
            if not text or not wanted:
                continue
            words = self._analysed(text, lang)
            found = [(start, end, via) for term, via in wanted.items() for start, end in words.get(term, ())]
            out += [Match(name, start, end, text[start:end], via) for start, end, via in sorted(found)]
        return tuple(out)

    def explain(
        self,
        texts: Mapping[str, str | None],
        terms: Mapping[str, Mapping[str, str]],
        *,
        best_variant: Mapping[str, str] | None = None,
        ranks: Mapping[str, int] | None = None,
    ) -> Explanation:
        """The explanation of one hit: ``texts`` maps its fields to their text, ``terms`` maps
        a language to the query's terms in it (term → "query" or a concept id); the words are
        matched when first asked for."""
        texts = dict(texts)  # ``terms`` is the query's, shared by its hits and never changed
        return Explanation(dict(best_variant or {}), dict(ranks or {}), lambda: self.matches(texts, terms))
