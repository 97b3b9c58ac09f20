"""Build the collection: source text → layout → restored records → ``collections/wg4/``.

The output is the library's collection format (``collection.json`` + ``records.jsonl``, see
docs/collection-format.md), byte-identical for the same source, corrections and English
rendering (sorted keys, fixed order, no timestamps), and written atomically: a failed build
never leaves a partial collection. The Arabic-specific fields of a record — its abjad item
letter, the damaged ``raw`` span it was restored from, its source lines and, for 5.35, the
record it repeats — are kept under ``extra``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._io import atomic_write
from ..errors import RestorationError
from .addressees import addressees_of
from .english import ENGLISH_FILE, read_english
from .enrichment import ENRICHMENT_DIR, Enrichment, read_enrichment
from .meetings import proposed_at
from .layout import ABJAD, Layout, Unit, parse_layout
from .meetings import meeting_info
from .restore import load_corrections, restore_lines
from .source import DOCUMENT_SYMBOL, SOURCE_FILENAME, SourceText, read_source

COLLECTION_DIR = "collections/wg4"
PROFILE_FILE = "collection.json"
RECORDS_FILE = "records.jsonl"
CORRECTIONS_DIR = "corrections"
PROFILE = {
    "name": "wg4",
    "symbol": DOCUMENT_SYMBOL,
    "title": "Recommendations adopted by the Working Group on Trafficking in Persons at its first eight meetings (2009–2018)",
    "body": "Working Group on Trafficking in Persons of the Conference of the Parties to the United Nations "
    "Convention against Transnational Organized Crime",
    "language": "ar",
    "citation": {
        "en": "{symbol}, {meeting_name} ({place}, {dates}), para. {paragraph}{item:paren}",
        "ar": "{symbol}، {meeting_name} ({place}، {dates})، الفقرة {paragraph:ar}{extra[item_ar]:paren}",
    },
    "note": "Restored from the Arabic text of the document (a background paper by the Secretariat for the "
    "ninth meeting, Vienna, 9–11 September 2019); the English texts are the recsearch project's unofficial "
    "rendering.",
}
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


def collection_files(
    dataset: Dataset, english: dict[str, tuple[str, str | None]], enrichment: Enrichment | None = None
) -> tuple[str, str]:
    """``collection.json`` and ``records.jsonl`` of the restored dataset, as text, with what
    ``enrichment`` adds to each record."""
    if enrichment is not None:
        enrichment.check_ids([str(r["id"]) for r in dataset.records])
    meetings = []
    for m in dataset.meetings:
        entry = {
            "number": m["number"],
            "name": {"ar": m["name_ar"], "en": m["name_en"]},
            "place": {"ar": m["place_ar"], "en": m["place_en"]},
            "start": m["start"],
            "end": m["end"],
            "dates": {"ar": m["dates_ar"], "en": m["dates_en"]},
        }
        if m["note"]:
            entry["note"] = {"ar": m["note"]}
        meetings.append(entry)
    profile = {**PROFILE, "meetings": meetings}
    if enrichment is not None and enrichment.declarations:
        profile["facets"] = enrichment.declarations
    lines = []
    for r in dataset.records:
        rid = str(r["id"])
        if rid not in english:
            raise RestorationError(f"{ENGLISH_FILE} has no rendering of {rid}")
        text_en, lead_in_en = english[rid]
        record: dict[str, object] = {
            "id": rid,
            "text": r["text"],
            "meeting": r["meeting"],
            "paragraph": r["paragraph"],
            "footnotes": r["footnotes"],
            "translations": {"en": {"text": text_en, "lead_in": lead_in_en, "official": False}},
            "extra": {"raw": r["raw"], "source_lines": r["source_lines"]},
        }
        if r["item"]:
            record["item"] = r["item"]
            record["extra"]["item_ar"] = r["item_ar"]  # type: ignore[index]
        if r["chapeau"]:
            record["lead_in"] = r["chapeau"]
        proposed = proposed_at(f"{r['chapeau'] or ''} {r['text']}", int(r["meeting"]), meetings)
        if proposed is not None:
            record["proposed_at"] = proposed
        if r["duplicate_of"]:
            record["extra"]["duplicate_of"] = r["duplicate_of"]  # type: ignore[index]
        if not r["footnotes"]:
            del record["footnotes"]
        facets = {"addressee": r["addressees"]} if r["addressees"] else {}
        if enrichment is not None:
            facets.update(enrichment.facets.get(rid, {}))
            record["questions"] = enrichment.questions[rid]
            if rid in enrichment.links:
                record["links"] = enrichment.links[rid]
        if facets:
            record["facets"] = facets
        lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
    extra = sorted(set(english) - {str(r["id"]) for r in dataset.records})
    if extra:
        raise RestorationError(f"{ENGLISH_FILE} renders ids the source does not have: {extra[:5]}")
    return json.dumps(profile, ensure_ascii=False, indent=2, sort_keys=True) + "\n", "".join(lines)


def write_collection(
    out_dir: str | Path | None = None, *, inputs: str | Path | None = None, source_path: str | Path | None = None
) -> Dataset:
    """Rebuild the WG.4 collection into ``out_dir`` (default: ``INPUTS/collections/wg4``).

    ``inputs`` is the project's ``data/`` folder: the corrections, the English rendering and
    (unless ``source_path`` is given) the pinned source come from there, wherever the output
    goes; without the corrections the build refuses rather than write the PDF's damaged
    order. Everything is computed before anything is written, and each file is replaced by
    rename, so a failure leaves the existing collection untouched.
    """
    from ..paths import project_data_dir

    inputs = Path(inputs) if inputs is not None else project_data_dir()
    corrections = inputs / CORRECTIONS_DIR
    if not any(corrections.glob("*.tsv")):
        raise RestorationError(
            f"no corrections in {corrections}: the restoration needs the project's data/ folder "
            "(pass --data to the checkout's data/); refusing to write an unrestored collection"
        )
    source = read_source(source_path or inputs / SOURCE_FILENAME)
    dataset = build_dataset(source, corrections)
    enrichment = read_enrichment(inputs / ENRICHMENT_DIR)
    profile, records = collection_files(dataset, read_english(inputs / ENGLISH_FILE), enrichment)
    out = Path(out_dir) if out_dir is not None else inputs / COLLECTION_DIR
    out.mkdir(parents=True, exist_ok=True)
    atomic_write(out / RECORDS_FILE, records)
    atomic_write(out / PROFILE_FILE, profile)
    return dataset
