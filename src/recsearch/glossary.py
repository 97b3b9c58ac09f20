"""The domain glossary, and query expansion across languages with it.

``data/glossary.tsv`` holds one concept per row in seven languages (ar, en, fr, es, ru, zh,
de; variants separated by ``|``), Arabic rows including the colloquial words people type
("محامي", "ببلاش", "الكفيل"). When a query contains any variant of a concept, in any
language, the concept's Arabic and English variants are added to the Arabic and English
keyword channels. That is how a French or Russian query reaches the keyword indexes at all,
and how a colloquial Arabic query meets the document's formal wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import CorpusError
from .normalize import normalize_ar_for_lexical, stem_words
from .paths import data_dir

LANGUAGES = ("ar", "en", "fr", "es", "ru", "zh", "de")
GLOSSARY_FILE = "glossary.tsv"
# Arabic clitics a query may glue to a glossary word: conjunction, preposition, article.
_AR_PREFIX = r"(?:[وف])?(?:[بلك])?(?:ال|ل)?"


@dataclass(frozen=True)
class Concept:
    id: str
    terms: dict[str, tuple[str, ...]]

    def __hash__(self) -> int:
        return hash(self.id)


#: Snowball stemmers for the languages that inflect: "punished" meets "punishing".
_STEMMERS = {"fr": "french", "es": "spanish", "ru": "russian", "de": "german"}


def _fold(text: str, lang: str) -> str:
    """The form both query and glossary are matched in: Arabic folded for spelling, other
    languages lower-cased, split into words and stemmed."""
    if lang == "ar":
        return normalize_ar_for_lexical(text)
    words = re.findall(r"\w+", text.lower())
    if lang in _STEMMERS:
        words = stem_words(words, _STEMMERS[lang])
    return " ".join(words)


def _pattern(variant: str, lang: str) -> tuple[str, re.Pattern[str]]:
    """A variant's matcher, and its key: the first folded word a matching query must
    contain as a word (the core without its article, for Arabic), or for Chinese, which
    has no spaces, a literal it must contain."""
    folded = _fold(variant, lang)
    if lang == "zh":  # no spaces between Chinese words: match anywhere
        needle = folded.replace(" ", "")
        return needle, re.compile(re.escape(needle))
    if lang == "ar":
        core = re.sub(r"^(?:ال)", "", folded)
        rx = r"(?<!\S)" + _AR_PREFIX + re.escape(core).replace(r"\ ", r"\s+") + r"(?!\S)"
        return core.split(" ")[0], re.compile(rx)
    rx = r"(?<!\w)" + re.escape(folded).replace(r"\ ", r"\s+") + r"(?!\w)"
    return folded.split(" ")[0], re.compile(rx)


_AR_PREFIX_RE = re.compile(_AR_PREFIX)


def _ar_cores(word: str) -> set[str]:
    """The word and what remains of it after each clitic prefix it may carry (وبال…)."""
    cores = {word}
    for i in range(1, min(len(word), 5)):
        if _AR_PREFIX_RE.fullmatch(word[:i]):
            cores.add(word[i:])
    return cores


class Glossary:
    """Concepts with their variants; :meth:`expand` finds the concepts a query names."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = list(concepts)
        # Patterns keyed by the word a query must contain, so a query runs only the few
        # patterns whose first word it has, not the ~7,000 of the whole glossary.
        self._by_word: dict[tuple[str, str], list[tuple[int, re.Pattern[str]]]] = {}
        self._zh: list[tuple[int, str, re.Pattern[str]]] = []
        for n, concept in enumerate(self.concepts):
            for lang in LANGUAGES:
                for v in concept.terms.get(lang, ()):
                    if not v.strip():
                        continue
                    key, pattern = _pattern(v, lang)
                    if lang == "zh":
                        self._zh.append((n, key, pattern))
                    else:
                        self._by_word.setdefault((lang, key), []).append((n, pattern))

    def __len__(self) -> int:
        return len(self.concepts)

    def match(self, query: str) -> list[Concept]:
        """The concepts whose variants occur in ``query`` (in any language), in glossary order."""
        found: set[int] = set()
        for lang in LANGUAGES:
            if lang == "zh":
                text = re.sub(r"\s+", "", query)
                found.update(n for n, needle, pattern in self._zh if needle in text and pattern.search(text))
                continue
            text = _fold(query, lang)
            words = set(text.split())
            if lang == "ar":
                words = {core for w in words for core in _ar_cores(w)}
            for word in words:
                for n, pattern in self._by_word.get((lang, word), ()):
                    if n not in found and pattern.search(text):
                        found.add(n)
        return [self.concepts[n] for n in sorted(found)]

    def expand(self, query: str, lang: str) -> list[str]:
        """The ``lang`` variants of every concept the query names (for a keyword channel)."""
        return [v for concept in self.match(query) for v in concept.terms.get(lang, ())]


def load_glossary(path: str | Path | None = None) -> Glossary:
    """Read ``glossary.tsv`` (header ``id ar en fr es ru zh de``)."""
    path = Path(path) if path is not None else data_dir() / GLOSSARY_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"glossary not found: {path}") from None
    header = lines[0].split("\t") if lines else []
    if header != ["id", *LANGUAGES]:
        raise CorpusError(f"{path}: header must be the columns {['id', *LANGUAGES]}, got {header!r}")
    concepts = []
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise CorpusError(f"{path}:{n}: expected {len(header)} tab-separated cells, got {len(cells)}")
        terms = {lang: tuple(v.strip() for v in cell.split("|") if v.strip()) for lang, cell in zip(LANGUAGES, cells[1:])}
        concepts.append(Concept(cells[0].strip(), terms))
    return Glossary(concepts)


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    return load_glossary()
