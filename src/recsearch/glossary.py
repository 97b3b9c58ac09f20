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
from .normalize import normalize_ar_for_lexical
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


def _fold(text: str, lang: str) -> str:
    """The form both query and glossary are matched in."""
    if lang == "ar":
        return normalize_ar_for_lexical(text)
    return " ".join(re.findall(r"\w+", text.lower()))


def _pattern(variant: str, lang: str) -> tuple[str, re.Pattern[str]]:
    """A variant's matcher, and a literal that any text it matches must contain (a cheap
    test that spares running thousands of patterns on every query)."""
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


class Glossary:
    """Concepts with their variants; :meth:`expand` finds the concepts a query names."""

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = list(concepts)
        self._patterns = [
            (concept, lang, *_pattern(v, lang))
            for concept in self.concepts
            for lang in LANGUAGES
            for v in concept.terms.get(lang, ())
            if v.strip()
        ]

    def __len__(self) -> int:
        return len(self.concepts)

    def match(self, query: str) -> list[Concept]:
        """The concepts whose variants occur in ``query`` (in any language), in glossary order."""
        folded = {lang: _fold(query, lang) for lang in LANGUAGES if lang != "zh"}
        folded["zh"] = re.sub(r"\s+", "", query)
        found: dict[str, Concept] = {}
        for concept, lang, needle, pattern in self._patterns:
            if needle in folded[lang] and concept.id not in found and pattern.search(folded[lang]):
                found[concept.id] = concept
        return list(found.values())

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
