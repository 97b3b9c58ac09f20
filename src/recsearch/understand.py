"""Query understanding: the query's language, and meeting or year constraints written in it.

"في الاجتماع الخامس", "at the fifth meeting", "en 2015", "en la octava reunión",
"на седьмом совещании", "2009年第一次会议" — a user who names a meeting or a year means it as
a filter. The phrase is recognised, turned into a filter, and removed from the text that is
matched, so the rest of the query carries the topic. What was understood is returned with
the results, so the user sees why.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

#: Meeting number → year, for the meetings of the loaded collections (see :func:`calendar_of`).
Calendar = Mapping[int, "int | None"]

_ORDINALS: dict[str, tuple[str, ...]] = {
    # language: ordinal words for meetings 1..12, then the words for "the last", as regex alternatives
    "ar": (
        "الأول|الاول|الأولى", "الثاني|الثانى", "الثالث", "الرابع", "الخامس", "السادس", "السابع", "الثامن",
        "التاسع", "العاشر", "الحادي\\s+عشر", "الثاني\\s+عشر", "الأخير|الاخير",
    ),
    "en": (
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
        "twelfth", "last|latest|most\\s+recent|final",
    ),
    "fr": (
        "premi[eè]re|1re|1[eè]re",
        "deuxi[eè]me|seconde|2e",
        "troisi[eè]me|3e",
        "quatri[eè]me|4e",
        "cinqui[eè]me|5e",
        "sixi[eè]me|6e",
        "septi[eè]me|7e",
        "huiti[eè]me|8e",
        "neuvi[eè]me|9e",
        "dixi[eè]me|10e",
        "onzi[eè]me|11e",
        "douzi[eè]me|12e",
        "derni[eè]re",
    ),
    "es": (
        "primera|1a|1\\.a", "segunda", "tercera", "cuarta", "quinta", "sexta", "s[eé]ptima", "octava", "novena",
        "d[eé]cima", "und[eé]cima", "duod[eé]cima", "[uú]ltima",
    ),
    "ru": (
        "перв\\w*", "втор\\w*", "трет\\w*", "четв[её]рт\\w*", "пят\\w*", "шест\\w*", "седьм\\w*", "восьм\\w*",
        "девят\\w*", "десят\\w*", "одиннадцат\\w*", "двенадцат\\w*", "последн\\w*",
    ),
    "de": (
        "erste\\w*", "zweite\\w*", "dritte\\w*", "vierte\\w*", "f[üu]nfte\\w*", "sechste\\w*", "siebte\\w*",
        "achte\\w*", "neunte\\w*", "zehnte\\w*", "elfte\\w*", "zw[öo]lfte\\w*", "letzte\\w*",
    ),
    "zh": ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "最近一|最后一|上一"),
}
#: what a pattern for "the last meeting" resolves to: the highest meeting number loaded (not 0,
#: which "meeting 0" names)
LAST = -1


def _meeting_patterns() -> list[tuple[re.Pattern[str], Callable[[re.Match[str]], int]]]:
    """(pattern, what meeting a match names) for every language: ordinal words, then the
    numeric forms ("12th meeting", "meeting 12", "第12次会议", "الاجتماع ١٢")."""
    patterns: list[tuple[re.Pattern[str], Callable[[re.Match[str]], int]]] = []
    for lang, words in _ORDINALS.items():
        for n, alt in enumerate(words, start=1):
            n = LAST if n == len(words) else n
            if lang == "ar":
                rx = rf"(?:في\s+)?(?:ال|ب?ال)?اجتماع(?:ه|ها|اته)?\s+(?:{alt})(?![\u0621-\u064a])(?!\s+عشر)"
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
            elif n == LAST:  # zh: 最近一次会议
                rx = rf"(?:{alt})次\s*(?:会议|會議)"
            else:  # zh
                rx = rf"第\s*(?:{alt})\s*次\s*(?:会议|會議)"
            patterns.append((re.compile(rx, re.IGNORECASE), lambda m, n=n: n))
    number = lambda m: int(m.group(1).translate(_DIGITS))  # noqa: E731
    patterns += [
        (re.compile(r"(?:في\s+)?آخر\s+اجتماع(?:اته)?"), lambda m: LAST),
        (re.compile(r"\b(?:at|in|during|from)?\s*(?:the|its)?\s*(\d{1,3})(?:st|nd|rd|th)\s+(?:meeting|session)s?\b", re.IGNORECASE), number),
        (re.compile(r"\b(?:at\s+|in\s+)?meeting\s+(?:no\.?\s*)?(\d{1,3})\b", re.IGNORECASE), number),
        (re.compile(r"第\s*(\d{1,3})\s*次\s*(?:会议|會議)"), number),
        (re.compile(r"(?:في\s+)?(?:ال|ب?ال)?اجتماع\s+(?:رقم\s+)?([\d٠-٩]{1,3})(?![\d٠-٩])"), number),
    ]
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
    #: meetings and years the query names that the loaded collections do not have ("the ninth
    #: meeting", "in 2016"): reported, not filtered on, never silently dropped
    missing_meetings: tuple[int, ...] = ()
    missing_years: tuple[int, ...] = ()
    #: facet values named in the query beside a meeting or year ("on victim identification in
    #: 2015"): (facet, value) pairs, filtered on like them
    facets: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "text": self.text,
            "language": self.language,
            "meetings": list(self.meetings),
            "years": list(self.years),
            "phrases": list(self.phrases),
            "missing_meetings": list(self.missing_meetings),
            "missing_years": list(self.missing_years),
            "facets": {name: [v for n, v in self.facets if n == name] for name in dict.fromkeys(n for n, _ in self.facets)},
        }


def calendar_of(meetings: Mapping[int, Any]) -> dict[int, int | None]:
    """Meeting number → year, from meetings with a ``year`` (a collection's)."""
    return {n: getattr(m, "year", None) for n, m in meetings.items()}


def understand(query: str, calendar: Calendar | None = None) -> Understood:
    """Find the language, and the meetings and years the query names among those of
    ``calendar`` (meeting number → year, from the loaded collections; none: nothing is read
    as a filter). "The last meeting" is the highest meeting number; a year counts when a
    meeting was held in it. Meetings and years named but not held are reported
    (``missing_meetings``, ``missing_years``), not filtered on."""
    calendar = calendar or {}
    years_held = {y for y in calendar.values() if y}
    last = max(calendar, default=0)
    phrases: list[str] = []
    meetings: list[int] = []
    years: list[int] = []
    missing_meetings: list[int] = []
    missing_years: list[int] = []
    text = query

    def meeting(match: re.Match[str], resolve: Callable[[re.Match[str]], int]) -> str:
        n = resolve(match)
        n = last if n == LAST else n
        if n not in calendar:
            if calendar and n > 0:  # a meeting phrase, but no such meeting: say so
                missing_meetings.append(n)
                phrases.append(match.group(0).strip())
                return " "
            return match.group(0)
        meetings.append(n)
        phrases.append(match.group(0).strip())
        return " "

    for rx, resolve in _MEETING_RX:
        text = rx.sub(lambda m, r=resolve: meeting(m, r), text)

    def year(match: re.Match[str]) -> str:
        y = int(match.group(1).translate(_DIGITS))
        if y not in years_held:
            if years_held:
                missing_years.append(y)  # reported; the year stays in the text ("the 2030 Agenda")
            return match.group(0)
        years.append(y)
        phrases.append(match.group(0).strip())
        return " "

    text = _YEAR_RX.sub(year, text)
    text = _SPACES.sub(" ", text).strip(" ,،؛;:-")
    return Understood(
        query=query,
        text=text if text.strip() else query,
        language=detect_language(query),
        meetings=tuple(sorted(set(meetings))),
        years=tuple(sorted(set(years))),
        phrases=tuple(phrases),
        missing_meetings=tuple(sorted(set(missing_meetings))),
        missing_years=tuple(sorted(set(missing_years))),
    )


#: "recommendations on/about …" in the seven languages: the form of a browse
_BROWSE = re.compile(
    r"\brecommendations?\s+(?:on|about|regarding|concerning|for|related\s+to)\b"
    r"|التوصي(?:ات|ة)\s+(?:بشأن|حول|عن|المتعلقة\s+ب|الخاصة\s+ب|المتصلة\s+ب)"
    r"|\brecommandations?\s+(?:sur|concernant|relatives?\s+[àa]|en\s+mati[èe]re\s+de)\b"
    r"|\brecomendaci(?:ones|ón|on)\s+(?:sobre|acerca\s+de|relativas?\s+a|en\s+materia\s+de)\b"
    r"|рекомендаци\w*\s+(?:по|о|об|относительно|в\s+области)\b"
    r"|\bEmpfehlung(?:en)?\s+(?:zu|zur|zum|über|betreffend)\b"
    r"|关于.{1,30}的建议",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def label_index(labels: Mapping[str, Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """Folded label → (facet, value), from ``{facet: {value: [labels and aliases]}}``; a label
    two values share is left out (it names neither)."""
    out: dict[str, tuple[str, str]] = {}
    clash: set[str] = set()
    for facet, values in labels.items():
        for value, names in values.items():
            for label in names:
                key = _fold(label)
                if len(key) < 4:
                    continue
                if key in out and out[key] != (facet, value):
                    clash.add(key)
                out[key] = (facet, value)
    return {k: v for k, v in out.items() if k not in clash}


def with_facets(understood: Understood, labels: Mapping[str, tuple[str, str]]) -> Understood:
    """``understood`` with the facet values whose label (or alias) the query names, when it
    asks for recommendations on something at a meeting or in a year: "recommendations on victim
    identification from 2015" is a browse, and the theme narrows it. A question ("what did the
    first meeting recommend on assisting victims?") or a topic alone is left to ranking: a
    theme filter would drop relevant records tagged otherwise."""
    if not labels or not (understood.meetings or understood.years) or not _BROWSE.search(understood.text):
        return understood
    folded = f" {_fold(understood.text)} "
    found = tuple(dict.fromkeys(v for key, v in labels.items() if f" {key} " in folded))
    return dataclasses.replace(understood, facets=found) if found else understood
