"""Build the dataset: source text → layout → restored records → ``data/*.jsonl`` / ``*.json``.

The output is byte-identical for the same source and corrections (sorted keys, fixed order,
no timestamps), and written atomically: a failed build never leaves a partial dataset.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_write
from ..errors import RestorationError
from .addressees import addressees_of
from .layout import ABJAD, Layout, Unit, parse_layout
from .meetings import meeting_info
from .restore import load_corrections, restore_lines
from .source import SOURCE_FILENAME, SourceText, read_source

RECORDS_FILE = "recommendations.jsonl"
MEETINGS_FILE = "meetings.json"
CORRECTIONS_DIR = "corrections"
#: Recommendations adopted twice with the same words; the later record points to the first.
DUPLICATES = {"5.35": "5.34"}


@dataclass(frozen=True)
class Dataset:
    source_sha256: str
    records: list[dict[str, object]]
    meetings: list[dict[str, object]]


def unit_id(unit: Unit) -> str:
    base = f"{unit.meeting}.{unit.paragraph}"
    return f"{base}.{unit.item}" if unit.item else base


def build_dataset(source: SourceText, corrections_dir: Path) -> Dataset:
    """Parse and restore every recommendation of the source."""
    layout = parse_layout(source)
    corrections = load_corrections(corrections_dir)
    footnotes = {
        n: restore_lines(fn.lines, corrections) for n, fn in sorted(layout.footnotes.items())
    }
    records: list[dict[str, object]] = []
    meetings: list[dict[str, object]] = []
    for section in layout.meetings:
        note = restore_lines(section.note_lines, corrections) if section.note_lines else None
        meetings.append(meeting_info(section, note))
        for paragraph, units in _paragraphs(section.units):
            lead, items = units[0], units[1:]
            chapeau = restore_lines(lead.lines, corrections) if items else None
            for unit in items or [lead]:
                records.append(_record(unit, chapeau, corrections, footnotes))
    _check_used(corrections, layout)
    for record in records:
        if record["id"] in DUPLICATES:
            record["duplicate_of"] = DUPLICATES[str(record["id"])]
    return Dataset(source.sha256, records, meetings)


def _paragraphs(units: list[Unit]) -> Iterable[tuple[int, list[Unit]]]:
    grouped: dict[int, list[Unit]] = {}
    for unit in units:
        grouped.setdefault(unit.paragraph, []).append(unit)
    return grouped.items()


def _record(unit: Unit, chapeau: str | None, corrections, footnotes) -> dict[str, object]:
    text = restore_lines(unit.lines, corrections)
    refs = sorted({n for line in unit.lines for n in line.footnote_refs})
    item_ar = ABJAD[ord(unit.item) - ord("a")] if unit.item else None
    return {
        "id": unit_id(unit),
        "meeting": unit.meeting,
        "paragraph": unit.paragraph,
        "item": unit.item,
        "item_ar": item_ar,
        "text": text,
        "chapeau": chapeau,
        "footnotes": [{"number": n, "text": footnotes[n]} for n in refs],
        "addressees": addressees_of(text, chapeau),
        "raw": "\n".join(line.raw for line in unit.lines),
        "source_lines": [unit.lines[0].number, unit.lines[-1].number],
        "duplicate_of": None,
    }


def _check_used(corrections, layout: Layout) -> None:
    """A correction for a line that no unit holds is stale: refuse it rather than ignore it."""
    held = {line.number for s in layout.meetings for u in s.units for line in u.lines}
    held |= {line.number for s in layout.meetings for line in s.note_lines}
    held |= {line.number for fn in layout.footnotes.values() for line in fn.lines}
    stale = sorted(n for n in corrections if n not in held)
    if stale:
        raise RestorationError(f"corrections for lines that hold no text: {stale}")


def dumps_records(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in records)


def dumps_meetings(meetings: list[dict[str, object]]) -> str:
    return json.dumps(meetings, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def write_dataset(data_dir: str | Path, *, source_path: str | Path | None = None) -> Dataset:
    """Rebuild ``recommendations.jsonl`` and ``meetings.json`` in ``data_dir``.

    Everything is computed before anything is written, and each file is replaced by rename,
    so a missing or damaged source raises and leaves the existing dataset untouched.
    """
    data_dir = Path(data_dir)
    source = read_source(source_path or data_dir / SOURCE_FILENAME)
    dataset = build_dataset(source, data_dir / CORRECTIONS_DIR)
    atomic_write(data_dir / RECORDS_FILE, dumps_records(dataset.records))
    atomic_write(data_dir / MEETINGS_FILE, dumps_meetings(dataset.meetings))
    return dataset
