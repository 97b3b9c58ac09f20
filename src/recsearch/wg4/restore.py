"""Restore the reading order of damaged lines — by reordering only, never by rewriting.

The extraction mangles right-to-left lines: segments out of order, words cut at a segment
boundary or glued to a neighbour, mirrored brackets, and tatweel stretched through words.
Two mechanisms mend them:

* automatic, for what is mechanical and safe: tatweel removed, mirrored brackets mended;
* reviewed corrections files (``data/corrections/*.tsv``) for the scrambled lines, each row
  the restored reading of one line (or a run of lines) of one unit.

Every correction is checked to be a permutation of its raw span's characters (spaces aside),
so a correction can reorder, rejoin or split words but can neither add nor drop one.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import RestorationError
from .layout import TATWEEL, ContentLine

ARABIC_LETTERS = re.compile("[\u0621-\u063f\u0641-\u064a]")  # U+0621–U+064A without tatweel
_SPACES = re.compile(r"\s+")


def arabic_letters(text: str) -> Counter[str]:
    """The multiset of Arabic letters (U+0621–U+064A, tatweel excluded) of ``text``."""
    return Counter(ARABIC_LETTERS.findall(text))


def char_signature(text: str) -> Counter[str]:
    """Characters that a pure reordering must preserve: all but spaces and tatweel.

    Parentheses count as one symbol, since mending a mirrored pair swaps them.
    """
    return Counter(
        "()" if ch in "()" else ch for ch in text if not ch.isspace() and ch != TATWEEL
    )


def collapse_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def mend_brackets(text: str) -> str:
    """Turn mirrored pairs ``)x(`` back into ``(x)``; well-formed pairs are left alone."""
    chars = list(text)
    depth = 0
    i = 0
    while i < len(chars):
        ch = chars[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth:
                depth -= 1
            else:  # a closer with nothing open: the extraction mirrored this pair
                close = text.find("(", i + 1)
                if close != -1:
                    chars[i], chars[close] = "(", ")"
                    depth += 1
        i += 1
    return "".join(chars)


def auto_restore(raw: str) -> str:
    """The mechanical repairs applied to every line without a reviewed correction."""
    return collapse_spaces(mend_brackets(raw.replace(TATWEEL, "")))


@dataclass(frozen=True)
class Correction:
    """The restored reading of source lines ``first``..``last`` (one unit's consecutive lines)."""

    first: int
    last: int
    text: str


def load_corrections(folder: Path) -> dict[int, Correction]:
    """Read every ``*.tsv`` in ``folder`` (one file per meeting, for review).

    A row is ``LINE[-LINE]<TAB>restored text``; ``#`` starts a comment.
    """
    corrections: dict[int, Correction] = {}
    for path in sorted(Path(folder).glob("*.tsv")):
        _read_corrections_file(path, corrections)
    return corrections


def _read_corrections_file(path: Path, corrections: dict[int, Correction]) -> None:
    for lineno, row in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not row.strip() or row.startswith("#"):
            continue
        key, sep, text = row.partition("\t")
        first_s, _, last_s = key.partition("-")
        try:
            first = int(first_s)
            last = int(last_s) if last_s else first
        except ValueError:
            raise RestorationError(f"{path}:{lineno}: bad line key {key!r}") from None
        if not sep or not text.strip() or last < first:
            raise RestorationError(f"{path}:{lineno}: expected 'LINE[-LINE]<TAB>text'")
        if first in corrections:
            raise RestorationError(f"{path}:{lineno}: line {first} is corrected twice")
        corrections[first] = Correction(first, last, collapse_spaces(text))


def restore_lines(lines: list[ContentLine], corrections: dict[int, Correction]) -> str:
    """Join a unit's lines in reading order, applying corrections and checking each one."""
    parts: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        fix = corrections.get(line.number)
        if fix is None:
            parts.append(auto_restore(line.raw))
            i += 1
            continue
        span = [cl for cl in lines[i:] if cl.number <= fix.last]
        if span[-1].number != fix.last:
            raise RestorationError(
                f"correction {fix.first}-{fix.last} crosses a unit boundary or a removed line"
            )
        raw = " ".join(cl.raw for cl in span)
        if char_signature(fix.text) != char_signature(raw):
            missing = char_signature(raw) - char_signature(fix.text)
            extra = char_signature(fix.text) - char_signature(raw)
            raise RestorationError(
                f"correction of line(s) {fix.first}-{fix.last} is not a reordering of the raw "
                f"span: missing {dict(missing)}, extra {dict(extra)}"
            )
        parts.append(fix.text)
        i += len(span)
    return collapse_spaces(" ".join(parts))
