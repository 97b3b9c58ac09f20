"""The English rendering of the Working Group's recommendations, checked against the Arabic.

``data/recommendations_en.jsonl`` holds one ``{"id", "text_en", "chapeau_en"}`` object per
recommendation (read by :func:`recsearch.collection.english.read_english`). It is the
project's unofficial rendering of the restored Arabic; a user who has the official UN English
text replaces it by id (:meth:`Corpus.with_english`).

:func:`reference_gaps` is the mechanical half of reviewing a rendering: every number, date,
article, paragraph and item reference of the Arabic must be in the English, because those
are what a reader cites and what a translator most easily drops.
"""

from __future__ import annotations

import re

from ..collection.english import read_english  # noqa: F401 - re-exported for the scripts

ENGLISH_FILE = "recommendations_en.jsonl"

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
# Lettered references in the Arabic text, "(أ)" → "(a)" (the abjad order of UN documents).
_ABJAD = dict(zip("أبجدهوزحطيكلمنسعف", "abcdefghijklmnopq"))
# UN Arabic writes months as "تشرين الأول/أكتوبر": the name after the slash is the one to map.
_MONTHS = {
    "يناير": "January", "فبراير": "February", "مارس": "March", "أبريل": "April", "مايو": "May",
    "يونيه": "June", "يونيو": "June", "يوليه": "July", "يوليو": "July", "أغسطس": "August",
    "سبتمبر": "September", "أكتوبر": "October", "نوفمبر": "November", "ديسمبر": "December",
}  # fmt: skip
# A number with its parts: "4/4" (a decision), "2009", "6".
_NUMBER = re.compile(r"\d+(?:/\d+)*")
_SUB_ITEM = re.compile(r"‘([٠-٩\d]+)’")
# "المادة ٦", "للمادة ٦", "بالمادتين ٥": clitics, then the article, then the noun.
_CLITICS = r"(?<![\u0621-\u064a])[وفبكل]{0,2}(?:ال)?"
_ARTICLE = re.compile(_CLITICS + r"(?:مادة|مادتين|مادتان|المواد)\s+([٠-٩\d]+)")
_PARAGRAPH = re.compile(_CLITICS + r"(?:فقرة|فقرتين|فقرتان|الفقرات)\s+([٠-٩\d]+)")
_LETTER = re.compile(r"\(([\u0621-\u064a])\)")
_MONTH = re.compile(r"/(" + "|".join(_MONTHS) + r")")


def reference_gaps(arabic: str, english: str) -> list[str]:
    """What the Arabic refers to that the English lacks: numbers, sub-items, articles,
    paragraphs, lettered references and months. An empty list means nothing is missing."""
    gaps: list[str] = []
    ar = arabic.translate(_DIGITS)
    # numbered sub-items ‘1’ ‘2’ are (i) (ii) in English
    for n in _SUB_ITEM.findall(ar):
        if f"({_ROMAN[int(n) - 1]})" not in english:
            gaps.append(f"sub-item ‘{n}’ → ({_ROMAN[int(n) - 1]})")
    plain = _SUB_ITEM.sub(" ", ar)
    en_numbers = set(_NUMBER.findall(english))
    gaps += [f"number {n}" for n in dict.fromkeys(_NUMBER.findall(plain)) if n not in en_numbers]
    for what, rx in (("article", _ARTICLE), ("paragraph", _PARAGRAPH)):
        for n in rx.findall(plain):
            if not re.search(rf"\b{what}s?\b[^.;:]*?(?<!\d){n}(?!\d)", english, re.IGNORECASE):
                gaps.append(f"{what} {n}")
    for letter in _LETTER.findall(plain):
        if letter in _ABJAD and f"({_ABJAD[letter]})" not in english:
            gaps.append(f"({letter}) → ({_ABJAD[letter]})")
    gaps += [f"month {_MONTHS[m]}" for m in _MONTH.findall(plain) if _MONTHS[m] not in english]
    return gaps
