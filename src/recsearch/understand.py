"""Query understanding: the query's language, and meeting or year constraints written in it.

"في الاجتماع الخامس", "at the fifth meeting", "en 2015", "en la octava reunión",
"на седьмом совещании", "2009年第一次会议" — a user who names a meeting or a year means it as
a filter. The phrase is recognised, turned into a filter, and removed from the text that is
matched, so the rest of the query carries the topic. What was understood is returned with
the results, so the user sees why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

#: Years in which the Working Group met, and the meetings of each.
MEETINGS_BY_YEAR = {2009: (1,), 2010: (2, 3), 2011: (4,), 2013: (5,), 2015: (6,), 2017: (7,), 2018: (8,)}

_ORDINALS: dict[str, tuple[str, ...]] = {
    # language: ordinal words for meetings 1..8, as regex alternatives
    "ar": ("الأول|الاول|الأولى", "الثاني|الثانى", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن|الأخير|الاخير"),
    "en": ("first|1st", "second|2nd", "third|3rd", "fourth|4th", "fifth|5th", "sixth|6th", "seventh|7th", "eighth|8th|last|latest|most\\s+recent|final"),
    "fr": (
        "premi[eè]re|1re|1[eè]re",
        "deuxi[eè]me|seconde|2e",
        "troisi[eè]me|3e",
        "quatri[eè]me|4e",
        "cinqui[eè]me|5e",
        "sixi[eè]me|6e",
        "septi[eè]me|7e",
        "huiti[eè]me|8e|derni[eè]re",
    ),
    "es": ("primera|1a|1\\.a", "segunda", "tercera", "cuarta", "quinta", "sexta", "s[eé]ptima", "octava|[uú]ltima"),
    "ru": ("перв\\w*", "втор\\w*", "трет\\w*", "четв[её]рт\\w*", "пят\\w*", "шест\\w*", "седьм\\w*", "восьм\\w*|последн\\w*"),
    "de": ("erste\\w*", "zweite\\w*", "dritte\\w*", "vierte\\w*", "f[üu]nfte\\w*", "sechste\\w*", "siebte\\w*", "achte\\w*|letzte\\w*"),
    "zh": ("一|1", "二|2", "三|3", "四|4", "五|5", "六|6", "七|7", "八|8"),
}


def _meeting_patterns() -> list[tuple[re.Pattern[str], int]]:
    patterns = []
    for lang, words in _ORDINALS.items():
        for n, alt in enumerate(words, start=1):
            if lang == "ar":
                rx = rf"(?:في\s+)?(?:ال|ب?ال)?اجتماع(?:ه|ها|اته)?\s+(?:{alt})(?![\u0621-\u064a])"
            elif lang == "en":
                rx = rf"\b(?:at|in|during|from)?\s*(?:the|its)?\s*(?:{alt})\s+(?:meeting|session)s?\b"
            elif lang == "fr":
                rx = rf"\b(?:lors\s+de|à|a|pendant)?\s*(?:la|sa)?\s*(?:{alt})\s+(?:r[ée]union|session)\b"
            elif lang == "es":
                rx = rf"\b(?:en|durante)?\s*(?:la|su)?\s*(?:{alt})\s+(?:reuni[oó]n|sesi[oó]n)\b"
            elif lang == "ru":
                rx = rf"(?:на\s+)?(?:своем\s+|своём\s+)?(?:{alt})\s+(?:совещани\w*|сессии)"
            elif lang == "de":
                rx = rf"\b(?:auf|in|bei)?\s*(?:der|ihrer|seiner)?\s*(?:{alt})\s+(?:Sitzung|Tagung)\b"
            else:  # zh
                rx = rf"第\s*(?:{alt})\s*次\s*(?:会议|會議)"
            patterns.append((re.compile(rx, re.IGNORECASE), n))
    # "آخر اجتماع", "meeting 5", "最近一次会议": the forms that do not fit the ordinal pattern
    patterns.append((re.compile(r"(?:في\s+)?آخر\s+اجتماع(?:اته)?"), 8))
    patterns.append((re.compile(r"(?:最近|最后|上)一次\s*(?:会议|會議)"), 8))
    for n in range(1, 9):
        patterns.append((re.compile(rf"\b(?:at\s+|in\s+)?meeting\s+(?:no\.?\s*)?{n}\b", re.IGNORECASE), n))
    return patterns


_MEETING_RX = _meeting_patterns()
_YEAR_RX = re.compile(
    r"(?:(?:في|عام|سنة|لعام|in|en|im|del|de|в|году|года)\s+)?"
    r"(?<![\d٠-٩])((?:20|٢٠)[\d٠-٩]{2})(?![\d٠-٩])\s*(?:年|году|года|г\.)?",
    re.IGNORECASE,
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_SPACES = re.compile(r"\s+")

_LATIN_HINTS = {
    "fr": frozenset("le la les des du un une et est pour dans sur aux au qui que quelle quelles victimes traite réunion".split()),
    "es": frozenset("el la los las del y para con una por que qué sobre víctimas trata reunión".split()),
    "de": frozenset("der die das und den von mit für zur zum des ein eine opfer menschenhandel sitzung".split()),
    "en": frozenset("the of and to for in on what with by a an is are victims trafficking meeting".split()),
}


def detect_language(text: str) -> str:
    """A best guess among ar, ru, zh, en, fr, es, de, from script and common words."""
    counts = {"ar": 0, "ru": 0, "zh": 0, "latin": 0}
    for ch in text:
        o = ord(ch)
        if 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            counts["ar"] += 1
        elif 0x0400 <= o <= 0x04FF:
            counts["ru"] += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            counts["zh"] += 1
        elif ch.isalpha() and o < 0x0250:
            counts["latin"] += 1
    script = max(counts, key=counts.__getitem__)
    if counts[script] == 0:
        return "en"
    if script != "latin":
        return script
    words = re.findall(r"[^\W\d_]+", text.lower())
    scores = {lang: sum(w in hints for w in words) for lang, hints in _LATIN_HINTS.items()}
    if re.search(r"[àâçèéêëîïôœùûü]", text.lower()):
        scores["fr"] += 1
    if re.search(r"[ñáíóú¿¡]", text.lower()):
        scores["es"] += 1
    if re.search(r"[äöüß]", text.lower()):
        scores["de"] += 1
    best = max(scores, key=lambda k: (scores[k], k == "en"))
    return best if scores[best] > 0 else "en"


@dataclass(frozen=True)
class Understood:
    """What the query said besides its topic. ``text`` is the query without those phrases."""

    query: str
    text: str
    language: str
    meetings: tuple[int, ...] = ()
    years: tuple[int, ...] = ()
    phrases: tuple[str, ...] = field(default=(), compare=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "text": self.text,
            "language": self.language,
            "meetings": list(self.meetings),
            "years": list(self.years),
            "phrases": list(self.phrases),
        }


def understand(query: str) -> Understood:
    """Find the language, and any meeting or year the query names (only real meeting years)."""
    phrases: list[str] = []
    meetings: list[int] = []
    years: list[int] = []
    text = query
    for rx, n in _MEETING_RX:
        for match in rx.finditer(text):
            meetings.append(n)
            phrases.append(match.group(0).strip())
        text = rx.sub(" ", text)
    for match in _YEAR_RX.finditer(text):
        year = int(match.group(1).translate(_DIGITS))
        if year in MEETINGS_BY_YEAR:
            years.append(year)
            phrases.append(match.group(0).strip())
    text = _YEAR_RX.sub(lambda m: " " if int(m.group(1).translate(_DIGITS)) in MEETINGS_BY_YEAR else m.group(0), text)
    text = _SPACES.sub(" ", text).strip(" ,،؛;:-")
    return Understood(
        query=query,
        text=text if text.strip() else query,
        language=detect_language(query),
        meetings=tuple(sorted(set(meetings))),
        years=tuple(sorted(set(years))),
        phrases=tuple(phrases),
    )
