"""Terminal rendering of results: citations, scores, and Arabic that reads right-to-left.

Most terminals print characters left to right and do not join Arabic letters. So each
Arabic paragraph is wrapped in logical order first, then every line is shaped
(arabic-reshaper) and put in visual order (python-bidi) and right-aligned, so the lines
read top to bottom and each line right to left. ``rtl=False`` prints logical order for
terminals that do their own bidi (and for piping into other tools).
"""

from __future__ import annotations

import re
import shutil
import textwrap
from collections.abc import Sequence

from .collection.model import with_lead_in
from .hits import Hit

_ARABIC = re.compile("[\u0600-\u06ff]")


def _visual(line: str) -> str:
    import arabic_reshaper

    # the pure-Python algorithm: it applies rule L4 (mirroring), so "(ب)" keeps its shape;
    # the compiled ``bidi.get_display`` of python-bidi >= 0.5 leaves brackets unmirrored
    from bidi.algorithm import get_display

    return get_display(arabic_reshaper.reshape(line), base_dir="R")


def rtl_block(text: str, width: int, indent: int = 3, rtl: bool = True) -> list[str]:
    """Wrap ``text`` to ``width`` and lay each line out for a left-to-right terminal."""
    lines = textwrap.wrap(text, width=max(20, width - indent)) or [""]
    if not rtl or not _ARABIC.search(text):
        return [" " * indent + line for line in lines]
    return [" " * indent + _visual(line).rjust(width - indent) for line in lines]


#: How matched words are marked: colour on a terminal, plain markers in text.
HIGHLIGHTS = {"ansi": ("\033[1;33m", "\033[0m"), "plain": ("[", "]")}


def highlighted(hit: Hit, field: str, style: str | None) -> str:
    """A hit's text field with the words the query matched marked (``style``: "ansi",
    "plain" or None for none), from the hit's explanation."""
    text = getattr(hit, field) or ""
    if style is None or hit.explanation is None:
        return text
    begin, end = HIGHLIGHTS[style]
    spans = sorted({(m.start, m.end) for m in hit.explanation.matches if m.field == field})
    out, at = [], 0
    for start, stop in spans:
        if start < at:
            continue  # overlapping spans: the first wins
        out += [text[at:start], begin, text[start:stop], end]
        at = stop
    return "".join(out) + text[at:]


def format_hit(hit: Hit, width: int, rtl: bool = True, english: bool = False, highlight: str | None = None) -> list[str]:
    """One hit: rank, id, relevance, citation, themes, the authoritative text (lead-in and
    text) and, with ``english``, the unofficial English rendering under it. ``highlight``
    marks the matched words ("ansi" or "plain"); Arabic laid out right-to-left for a terminal
    (``rtl``) is left unmarked, as reordering would scatter the marks."""
    said = f"relevance {hit.relevance:.2f}" if hit.relevance is not None else f"score {hit.score:.2f}"
    head = f"{hit.rank:>2}. {hit.id}  ({said})"
    if hit.duplicates:
        head += f"  — identical to {', '.join(hit.duplicates)}"
    out = [head, *rtl_block(hit.citation, width, rtl=rtl)]
    if hit.theme_labels:
        out.append("   themes: " + "; ".join(hit.theme_labels))
    own = None if rtl and hit.lang == "ar" else highlight
    if hit.chapeau:
        out += rtl_block(highlighted(hit, "chapeau", own), width, rtl=rtl)
    out += rtl_block(highlighted(hit, "text", own), width, rtl=rtl)
    if english and hit.text_en:
        out.append("   English:" if not hit.text_en_official else "   English (official):")
        lead = highlighted(hit, "chapeau_en", highlight) if hit.chapeau_en else None
        out += rtl_block(with_lead_in(lead, highlighted(hit, "text_en", highlight)), width, rtl=rtl)
    return out


def format_results(
    results: Sequence[Hit],
    *,
    rtl: bool = True,
    width: int | None = None,
    english: bool | None = None,
    highlight: str | None = None,
) -> str:
    """The text the CLI prints for a result list. ``english`` (default: when the query was
    not in Arabic) adds each hit's English rendering under its Arabic text; ``highlight``
    ("ansi", "plain") marks the words the query matched."""
    width = width or min(shutil.get_terminal_size((100, 24)).columns, 110)
    if english is None:
        english = getattr(results, "language", "ar") != "ar"
    lines: list[str] = []
    understood = getattr(results, "understood", None)
    if understood is not None and (understood.meetings or understood.years):
        said = []
        if understood.meetings:
            said.append("meeting " + ", ".join(map(str, understood.meetings)))
        if understood.years:
            said.append("year " + ", ".join(map(str, understood.years)))
        said += [f"{name} {value}" for name, value in getattr(understood, "facets", ())]
        lines.append(f"(understood: {'; '.join(said)} — from {', '.join(repr(p) for p in understood.phrases)})")
    for note in getattr(results, "notes", ()):
        lines.append(f"note: {note}")
    if not results:
        lines.append("no recommendation matches (check the filters, or try other words)")
    elif getattr(results, "no_good_match", None):
        lines.append("no recommendation answers this well; the closest ones follow, for what they are worth:")
        lines.append("")
    disclaimers = dict.fromkeys(h.text_en_note for h in results if english and h.text_en and not h.text_en_official and h.text_en_note)
    lines += [f"({note})" for note in disclaimers]  # once, not on every hit
    for hit in results:
        lines += format_hit(hit, width, rtl, english, highlight)
        lines.append("")
    unfiltered = getattr(results, "unfiltered", None)
    if unfiltered:
        lines.append("without the meeting or year read from the query:")
        lines.append("")
        for hit in unfiltered:
            lines += format_hit(hit, width, rtl, english, highlight)
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"
