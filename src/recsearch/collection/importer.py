"""Import a collection from a JSONL or CSV file of records and a ``collection.json``.

``import_collection(records_path, profile_path, out_dir)`` reads the records (CSV when the
file name ends in ``.csv``, JSONL otherwise), validates everything through :mod:`.format`,
with every message naming the input file and its line, and writes the collection folder with
:func:`.folder.write_collection`. Nothing is written when anything is wrong.

CSV columns (docs/collection-format.md has the full mapping): ``id``, ``text``, ``lang``,
``meeting``, ``paragraph``, ``item``, ``lead_in``, ``url``, ``translation_<lang>`` (an
unofficial translation), ``translation_<lang>_official`` (true/false),
``translation_<lang>_lead_in``, ``facet_<name>`` (values separated by ``|``),
``questions_<lang>`` (questions separated by ``|``), ``footnote_<n>`` and ``extra_<key>``. An empty cell is an absent field; the header is line 1.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from .folder import read_json_file, read_text, write_collection
from .format import (
    _FACET,
    LineError,
    _did_you_mean,
    _json_lines,
    parse_profile,
    parse_record_objects,
)

__all__ = ["import_collection", "CSV_COLUMNS", "read_csv_records"]

#: The CSV columns with fixed names; the others are ``translation_<lang>[_official|_lead_in]``,
#: ``facet_<name>``, ``footnote_<n>`` and ``extra_<key>``.
CSV_COLUMNS = ("id", "text", "lang", "meeting", "proposed_at", "paragraph", "item", "lead_in", "url")
_PATTERNS = (
    "translation_<lang>",
    "translation_<lang>_official",
    "translation_<lang>_lead_in",
    "facet_<name>",
    "questions_<lang>",
    "footnote_<n>",
    "extra_<key>",
)
_TRANSLATION = re.compile(r"translation_([a-z]{2})(_official|_lead_in)?")
_QUESTIONS = re.compile(r"questions_([a-z]{2})")
_NUMBER = re.compile(r"[0-9]+")


def import_collection(
    records_path: str | os.PathLike[str], profile_path: str | os.PathLike[str], out_dir: str | os.PathLike[str]
) -> Path:
    """Validate a records file (JSONL, or CSV if it ends in ``.csv``) and a ``collection.json``
    and write them as a collection folder at ``out_dir``; returns the folder's path. Raises
    :class:`~.format.CollectionFormatError` listing every problem (file, line, field) and then writes
    nothing; a missing input file is a :class:`CorpusError`."""
    records_path, profile_path = Path(records_path).expanduser(), Path(profile_path).expanduser()
    for path, what in ((records_path, "records file"), (profile_path, "collection.json")):
        if not path.is_file():
            folder = " (it is a folder)" if path.is_dir() else ""
            raise CorpusError(f"no {what} at {path}{folder}; see docs/collection-format.md")
    profile_data = read_json_file(profile_path, str(profile_path))
    default_name = Path(out_dir).expanduser().name
    profile = parse_profile(profile_data, source=str(profile_path), default_name=default_name)
    text = read_text(records_path, str(records_path))
    if records_path.suffix.lower() == ".csv":
        items = list(read_csv_records(text))
    else:
        items = list(_json_lines(text))
    parse_record_objects(items, profile, source=str(records_path))
    records = [data for _, data in items]
    return write_collection(out_dir, profile_data, records)


# --------------------------------------------------------------------------- CSV


def _column(name: str) -> tuple[str, Any] | str:
    """What a header cell means: ``(kind, key)``, or why it is not a column."""
    if name in CSV_COLUMNS:
        return ("field", name)
    m = _TRANSLATION.fullmatch(name)
    if m:
        return ("translation" + (m.group(2) or ""), m.group(1))
    if name.startswith("translation_"):
        return f"column '{name}': expected translation_<lang> with an ISO 639-1 code like translation_fr"
    if name.startswith("facet_"):
        key = name[len("facet_"):]
        if not _FACET.fullmatch(key):
            return f"column '{name}': facet name {key!r} must be 1-40 lower-case letters, digits or '_', starting with a letter"
        return ("facet", key)
    m = _QUESTIONS.fullmatch(name)
    if m:
        return ("questions", m.group(1))
    if name.startswith("questions_"):
        return f"column '{name}': expected questions_<lang> with an ISO 639-1 code like questions_en"
    if name.startswith("footnote_"):
        key = name[len("footnote_"):]
        if not _NUMBER.fullmatch(key) or int(key) < 1:
            return f"column '{name}': expected footnote_<n> with a number n >= 1"
        return ("footnote", int(key))
    if name.startswith("extra_"):
        key = name[len("extra_"):]
        return ("extra", key) if key else f"column '{name}': expected extra_<key>"
    columns = ", ".join(CSV_COLUMNS + _PATTERNS)
    return f"unknown column '{name}'{_did_you_mean(name, CSV_COLUMNS)}; columns are {columns}"


def _header(cells: list[str]) -> tuple[list[tuple[str, Any] | None], list[str], bool]:
    """What each column means (None: not a column), the header's problems, and whether
    the required ``id`` and ``text`` columns are there."""
    columns: list[tuple[str, Any] | None] = []
    problems: list[str] = []
    seen: set[str] = set()
    for i, cell in enumerate(cells, 1):
        name = cell.strip()
        meaning = _column(name) if name else f"column {i} has no name"
        if name in seen:
            meaning = f"column '{name}' appears twice"
        seen.add(name)
        if isinstance(meaning, str):
            problems.append(meaning)
            columns.append(None)
        else:
            columns.append(meaning)
    kinds = {c for c in columns if c}
    for i, column in enumerate(columns):
        if column and column[0] in ("translation_official", "translation_lead_in") and ("translation", column[1]) not in kinds:
            problems.append(f"column '{cells[i].strip()}' without a column 'translation_{column[1]}'")
            columns[i] = None  # its cells have no translation to belong to
    missing = [name for name in ("id", "text") if ("field", name) not in kinds]
    for name in missing:
        problems.append(f"no column '{name}': every record needs one")
    return columns, problems, not missing


def _number(value: str) -> int | str:
    return int(value.strip()) if _NUMBER.fullmatch(value.strip()) else value


def _boolean(value: str) -> bool | str:
    return {"true": True, "false": False}.get(value.strip().lower(), value)


def _row_record(columns: list[tuple[str, Any] | None], cells: list[str]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    translations: dict[str, dict[str, Any]] = {}
    footnotes: dict[int, str] = {}
    facets: dict[str, list[str]] = {}
    questions: dict[str, list[str]] = {}
    extra: dict[str, str] = {}
    for column, cell in zip(columns, cells):
        if column is None or not cell.strip():
            continue
        kind, key = column
        if kind == "field":
            record[key] = _number(cell) if key in ("meeting", "proposed_at", "paragraph") else cell
        elif kind == "translation":
            translations.setdefault(key, {})["text"] = cell
        elif kind == "translation_official":
            translations.setdefault(key, {})["official"] = _boolean(cell)
        elif kind == "translation_lead_in":
            translations.setdefault(key, {})["lead_in"] = cell
        elif kind == "facet":
            facets[key] = [v.strip() for v in cell.split("|")]
        elif kind == "questions":
            questions[key] = [v.strip() for v in cell.split("|")]
        elif kind == "footnote":
            footnotes[key] = cell
        elif kind == "extra":
            extra[key] = cell
    if translations:
        record["translations"] = {
            lang: t["text"] if set(t) == {"text"} else t for lang, t in sorted(translations.items())
        }
    if footnotes:
        record["footnotes"] = [{"number": n, "text": t} for n, t in sorted(footnotes.items())]
    if facets:
        record["facets"] = facets
    if questions:
        record["questions"] = questions
    if extra:
        record["extra"] = extra
    return record


def read_csv_records(text: str) -> Iterator[tuple[int, dict[str, Any] | LineError]]:
    """(line number, record object or :class:`LineError`) for every row of a CSV text; header
    problems come first, at line 1. A record can span lines (a quoted cell with line breaks):
    its number is the line it starts on."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        yield 1, LineError(f"not valid CSV ({exc})")
        return
    if header is None or not any(c.strip() for c in header):
        yield 1, LineError("no header row: line 1 must name the columns (id, text, …)")
        return
    columns, problems, complete = _header(header)
    for problem in problems:
        yield 1, LineError(problem)
    if not complete:
        return  # without an id or text column every row would only repeat it
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, LineError(f"not valid CSV ({exc})")
            return
        number, start = start, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
            yield number, LineError(f"{len(cells)} cells, but the header names {len(columns)} columns")
            continue
        yield number, _row_record(columns, cells)

