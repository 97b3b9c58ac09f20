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
_AR_ARTICLE_PREFIX = r"(?:[وف])?(?:[بلك])?(?:ال|ل)"


@dataclass(frozen=True)
class Concept:
    id: str
    terms: dict[str, tuple[str, ...]]

    def __hash__(self) -> int:
        return hash(self.id)


_PUNCT = re.compile(r"[^\w\s]")
#: Snowball stemmers for the languages that inflect: "punished" meets "punishing".
_STEMMERS = {"fr": "french", "es": "spanish", "ru": "russian", "de": "german"}


def _fold(text: str, lang: str) -> str:
    """The form both query and glossary are matched in: Arabic folded for spelling, other
    languages lower-cased, split into words and stemmed."""
    if lang == "ar":  # punctuation apart, so "تعويض؟" is the word "تعويض"
        return " ".join(_PUNCT.sub(" ", normalize_ar_for_lexical(text)).split())
    words = re.findall(r"\w+", text.lower())
    if lang in _STEMMERS:
        words = stem_words(words, _STEMMERS[lang])
    return " ".join(words)


def _ar_prefix_ok(prefix: str, core: str) -> bool:
    """Whether an Arabic word may be ``prefix`` + ``core``: a two-letter core takes the
    article, not a bare clitic (الرق, والرق, للرق — not فرق, ورق)."""
    return bool((_AR_PREFIX_RE if len(core) > 2 else _AR_ARTICLE_PREFIX_RE).fullmatch(prefix))


def _ar_splits(word: str) -> list[tuple[str, str]]:
    """``(prefix, core)`` for the word as it is and after each clitic prefix it may carry."""
    return [(word[:i], word[i:]) for i in range(min(len(word) - 1, 5)) if _AR_PREFIX_RE.fullmatch(word[:i])]


_AR_PREFIX_RE = re.compile(_AR_PREFIX)
_AR_ARTICLE_PREFIX_RE = re.compile(_AR_ARTICLE_PREFIX)


class Glossary:
    """Concepts with their variants; :meth:`match` finds the concepts a query names.

    Variants are matched as whole words (Arabic words may carry clitics such as و، بال، لل
    before the first one): each folded variant is indexed by its first word, so a query
    only compares the few variants that start with one of its words — no regular
    expressions, which for ~17,000 variants would cost seconds to compile at load.
    """

    def __init__(self, concepts: Iterable[Concept]) -> None:
        self.concepts = list(concepts)
        #: (language, first word) → [(concept number, the words after the first)]
        self._by_word: dict[tuple[str, str], list[tuple[int, tuple[str, ...]]]] = {}
        #: Chinese has no spaces: literals matched as substrings, indexed by first character
        self._zh: dict[str, list[tuple[int, str]]] = {}
        for n, concept in enumerate(self.concepts):
            for lang in LANGUAGES:
                for v in concept.terms.get(lang, ()):
                    words = _fold(v, lang).split()
                    if not words:
                        continue
                    if lang == "zh":
                        literal = "".join(words)
                        self._zh.setdefault(literal[0], []).append((n, literal))
                        continue
                    if lang == "ar" and words[0].startswith("ال") and len(words[0]) > 2:
                        words[0] = words[0][2:]  # the article is one of the prefixes a query word may carry
                    self._by_word.setdefault((lang, words[0]), []).append((n, tuple(words[1:])))

    def __len__(self) -> int:
        return len(self.concepts)

    def match(self, query: str) -> list[Concept]:
        """The concepts whose variants occur in ``query`` (in any language), in glossary order."""
        found: set[int] = set()
        for lang in LANGUAGES:
            if lang == "zh":
                text = _fold(query, "zh").replace(" ", "")
                for first in set(text):
                    found.update(n for n, literal in self._zh.get(first, ()) if literal in text)
                continue
            words = _fold(query, lang).split()
            for i, word in enumerate(words):
                splits = _ar_splits(word) if lang == "ar" else [("", word)]
                for prefix, core in splits:
                    for n, rest in self._by_word.get((lang, core), ()):
                        if n in found or tuple(words[i + 1 : i + 1 + len(rest)]) != rest:
                            continue
                        if lang != "ar" or _ar_prefix_ok(prefix, core):
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
