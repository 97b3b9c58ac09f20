"""Meeting provenance: number, Arabic heading, place and ISO dates, read from the headings.

The headings come out of the extraction with their dates written right-to-left around the
digits ("٢٠٠٩نيسان/أبريل  ١٥و ١٤الاجتماع الأول، فيينا،  -أولاً"); the parts are
recognised wherever they landed and recomposed in reading order.
"""

from __future__ import annotations

import re
from datetime import date

from ..errors import SourceError
from .layout import TATWEEL, MeetingSection, to_int

#: Gregorian month names as written in UN Arabic documents (Levantine/Gregorian pairs).
MONTHS_AR = {
    "يناير": (1, "كانون الثاني/يناير", "January"),
    "فبراير": (2, "شباط/فبراير", "February"),
    "مارس": (3, "آذار/مارس", "March"),
    "أبريل": (4, "نيسان/أبريل", "April"),
    "مايو": (5, "أيار/مايو", "May"),
    "يونيه": (6, "حزيران/يونيه", "June"),
    "يوليه": (7, "تموز/يوليه", "July"),
    "أغسطس": (8, "آب/أغسطس", "August"),
    "سبتمبر": (9, "أيلول/سبتمبر", "September"),
    "أكتوبر": (10, "تشرين الأول/أكتوبر", "October"),
    "نوفمبر": (11, "تشرين الثاني/نوفمبر", "November"),
    "ديسمبر": (12, "كانون الأول/ديسمبر", "December"),
}
ORDINAL_EN = ("1st", "2nd", "3rd", "4th", "5th", "6th", "7th", "8th")
PLACES = {"فيينا": "Vienna"}
_AR_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def ar_digits(value: int | str) -> str:
    return str(value).translate(_AR_DIGITS)


def meeting_info(section: MeetingSection, note: str | None) -> dict[str, object]:
    """The provenance record of one meeting, for ``data/meetings.json``."""
    text = section.heading_raw.replace(TATWEEL, "")
    name = re.search(r"(الاجتماع \S+?)،", text)
    month = re.search(r"/(" + "|".join(MONTHS_AR) + r")", text)
    place = next((p for p in PLACES if p in text), None)
    numbers = [to_int(d) for d in re.findall(r"[٠-٩]+", text)]
    years = [n for n in numbers if n > 1900]
    days = sorted(n for n in numbers if n <= 31)
    if not (name and month and place and len(years) == 1 and days):
        raise SourceError(f"cannot read meeting heading on line {section.heading_line}: {text!r}")
    month_no, month_ar, month_en = MONTHS_AR[month.group(1)]
    year = years[0]
    start, end = date(year, month_no, days[0]), date(year, month_no, days[-1])
    joiner = " إلى " if "إلى" in text else " و"  # "٢٧ إلى ٢٩" or "١٤ و١٥"
    days_ar = ar_digits(days[0]) if len(days) == 1 else f"{ar_digits(days[0])}{joiner}{ar_digits(days[-1])}"
    heading_ar = f"{section.ordinal} - {name.group(1)}، {place}، {days_ar} {month_ar} {ar_digits(year)}"
    dates_en = str(days[0]) if len(days) == 1 else f"{days[0]}–{days[-1]}"
    return {
        "number": section.number,
        "ordinal_ar": section.ordinal,
        "name_ar": name.group(1),
        "heading_ar": heading_ar,
        "name_en": f"{ORDINAL_EN[section.number - 1]} meeting",
        "place_ar": place,
        "place_en": PLACES[place],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "dates_en": f"{dates_en} {month_en} {year}",
        "dates_ar": f"{days_ar} {month_ar} {ar_digits(year)}",
        "note": note,
        "source_line": section.heading_line,
    }


_DATE_AR = re.compile(r"(?<![\d٠-٩])([\d٠-٩]{1,2})\s+(?:[^\s/]+\s+)?[^\s/]+/(" + "|".join(MONTHS_AR) + r")\s+([\d٠-٩]{4})")
_PROPOSED = re.compile(r"اقترح")


def proposed_at(text: str, adopted_at: int, meetings: list[dict[str, object]]) -> int | None:
    """The meeting a recommendation was proposed at, when its text says so by date: 4.46's
    lead-in says the Working Group endorsed what its Chair had proposed "at its meeting held in
    Vienna on 19 October 2010" — the third meeting, though the fourth adopted them. None when
    the text says nothing was proposed, or names no date of another meeting."""
    if not _PROPOSED.search(text):
        return None  # a date of another meeting in a reference ("the report of its meeting held …") is no proposal
    for day, month, year in _DATE_AR.findall(text):
        when = date(to_int(year), MONTHS_AR[month][0], to_int(day))
        for m in meetings:
            if m["number"] != adopted_at and str(m["start"]) <= when.isoformat() <= str(m["end"]):
                return int(m["number"])  # type: ignore[call-overload]
    return None
