"""Recover the document's structure from the extracted lines.

The extraction keeps one PDF line per text line, but drops the page layout: running heads,
footnote blocks and markers land among the sentences. This module sorts every line into
page furniture, footnotes, meeting headings and content, and cuts the content into
paragraphs and lettered items. It removes markers (paragraph number, item letter, footnote
reference) but never reorders anything: that is :mod:`recsearch.corpus.restore`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import SourceError
from .source import DOCUMENT_SYMBOL, JOB_NUMBER, SourceText

TATWEEL = "\u0640"

#: Abjad order of lettered items in UN Arabic documents, mapped to English letters.
ABJAD = ("أ", "ب", "ج", "د", "ه", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع", "ف")
ABJAD_TO_LATIN = {letter: chr(ord("a") + i) for i, letter in enumerate(ABJAD)}

ORDINALS = ("أولاً", "ثانياً", "ثالثاً", "رابعاً", "خامساً", "سادساً", "سابعاً", "ثامناً")

_AR_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_TO_ASCII = str.maketrans(_AR_DIGITS, "0123456789")

_T = TATWEEL + "?"
# "-١٢" standing alone: the paragraph number, wherever the extraction put it on the line.
PARA_MARKER = re.compile(r"(?<!\S)-([٠-٩]{1,2})(?!\S)")
# "(ب)" / "(هـ)": a lettered item marker; the extraction sometimes mirrors it as ")(ب".
_LETTER = r"(" + "|".join(ABJAD) + r")" + _T
ITEM_MARKER = re.compile(r"\(" + _LETTER + r"\)|\)\(" + _LETTER)
# Footnote references come out mirrored: ")١(" for (1).
FOOTNOTE_REF = re.compile(r"\)([١-٩])\(")
FOOTNOTE_RULE = re.compile(r"^\s*_{5,}\s*$")
MEETING_HEADING = re.compile(r"-(" + "|".join(ORDINALS) + r")\s*$")
PAGE_FURNITURE = (
    re.compile(re.escape(DOCUMENT_SYMBOL) + r"\s*$"),
    re.compile(re.escape(JOB_NUMBER)),
    re.compile(r"^\s*\*\d+\*\s*$"),
    re.compile(r"^\s*\d+/\d+\s"),
)


def to_int(digits: str) -> int:
    """Arabic-Indic or ASCII digits to an int."""
    return int(digits.translate(_TO_ASCII))


@dataclass
class ContentLine:
    """One source line of a unit, with its markers removed but otherwise as extracted."""

    number: int
    raw: str
    footnote_refs: list[int] = field(default_factory=list)


@dataclass
class Unit:
    """A paragraph's lead-in or one lettered item: the span of lines one record is made of."""

    meeting: int
    paragraph: int
    item: str | None  # Latin letter, or None for the paragraph's own text
    lines: list[ContentLine] = field(default_factory=list)


@dataclass
class Footnote:
    number: int
    lines: list[ContentLine] = field(default_factory=list)


@dataclass
class MeetingSection:
    number: int
    ordinal: str
    heading_line: int
    heading_raw: str
    note_lines: list[ContentLine] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)


@dataclass
class Layout:
    meetings: list[MeetingSection]
    footnotes: dict[int, Footnote]


def _is_furniture(line: str) -> bool:
    return any(p.search(line) for p in PAGE_FURNITURE)


def _footnote_complete(text: str) -> bool:
    """A footnote ends with a full stop, which a mirrored line shows at either end."""
    stripped = text.strip()
    return stripped.startswith(".") or stripped.endswith(".")


def _strip_marker(line: str, match: re.Match[str]) -> str:
    return line[: match.start()] + line[match.end() :]


def parse_layout(source: SourceText) -> Layout:
    """Sort the source lines into meetings, paragraphs, items and footnotes."""
    meetings: list[MeetingSection] = []
    footnotes: dict[int, Footnote] = {}
    current: Unit | None = None
    open_footnote: Footnote | None = None
    in_footnotes = False
    expected_item = 0  # index into ABJAD of the next item letter in the current paragraph

    for number, line in enumerate(source.lines, start=1):
        text = line.replace(TATWEEL, "")
        if not text.strip() or _is_furniture(line):
            continue
        if FOOTNOTE_RULE.match(line):
            in_footnotes, open_footnote = True, None
            continue
        if in_footnotes:
            ref = FOOTNOTE_REF.search(line)
            if ref and open_footnote is None:
                n = to_int(ref.group(1))
                open_footnote = footnotes.setdefault(n, Footnote(n))
                body = _strip_marker(line, ref)
            elif open_footnote is not None and not _footnote_complete(
                " ".join(cl.raw for cl in open_footnote.lines)
            ):
                body = line
            else:
                in_footnotes = False
                body = None
            if body is not None:
                open_footnote.lines.append(ContentLine(number, body))  # type: ignore[union-attr]
                if _footnote_complete(body):
                    open_footnote = None
                continue
            # the footnote block has ended: this line is content again

        heading = MEETING_HEADING.search(text.strip())
        if heading and "الاجتماع" in text:
            ordinal = heading.group(1)
            meetings.append(
                MeetingSection(
                    number=ORDINALS.index(ordinal) + 1,
                    ordinal=ordinal,
                    heading_line=number,
                    heading_raw=line,
                )
            )
            current = None
            continue
        if not meetings:
            continue  # front matter before the first meeting
        meeting = meetings[-1]

        raw = line
        refs = [to_int(m.group(1)) for m in FOOTNOTE_REF.finditer(raw)]
        raw = FOOTNOTE_REF.sub("", raw)

        para = PARA_MARKER.search(raw)
        if para:
            raw = _strip_marker(raw, para)
            current = Unit(meeting.number, to_int(para.group(1)), None)
            meeting.units.append(current)
            expected_item = 0
        item = _edge_item_marker(raw, expected_item)
        if item is not None and current is not None:
            raw = _strip_marker(raw, item)
            letter = ABJAD_TO_LATIN[item.group(1) or item.group(2)]
            current = Unit(meeting.number, current.paragraph, letter)
            meeting.units.append(current)
            expected_item += 1
        if current is None:
            meeting.note_lines.append(ContentLine(number, raw, refs))
        else:
            current.lines.append(ContentLine(number, raw, refs))

    if len(meetings) != len(ORDINALS):
        raise SourceError(
            f"{source.path}: found {len(meetings)} meeting headings, expected {len(ORDINALS)}; "
            "the file is truncated or damaged"
        )
    return Layout(meetings, footnotes)


def _edge_item_marker(raw: str, expected: int) -> re.Match[str] | None:
    """The item marker of this line, if it opens the next expected item.

    Markers are set apart from the text: at an end of the line or with a wide gap beside
    them, wherever a scrambled line put them. A marker inside a sentence, single-spaced
    ("الفقرة الفرعية (أ) من المادة ٣"), is a cross-reference.
    """
    if expected >= len(ABJAD):
        return None
    for match in ITEM_MARKER.finditer(raw):
        before, after = raw[: match.start()], raw[match.end() :]
        apart = (
            not before.strip()
            or not after.strip()
            or before.endswith("  ")
            or after.startswith("  ")
        )
        letter = match.group(1) or match.group(2)
        if apart and letter == ABJAD[expected]:
            return match
    return None
