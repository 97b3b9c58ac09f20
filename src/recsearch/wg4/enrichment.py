"""What the project adds to the restored recommendations, read from ``data/enrichment/``.

Every file is reviewable text, one row or line per record, and its provenance is in
``data/enrichment/README.md``:

- ``questions.jsonl`` — the questions each record answers, three in Arabic and three in English
  (the record's ``questions``: searched, never shown as its text);
- ``themes.tsv`` — the theme taxonomy (id, pillar, labels in seven languages, definition);
  ``record_themes.tsv`` — each record's themes and SDG targets, with the Arabic phrase that
  justifies each tag; ``sdg_targets.tsv`` — the targets' labels;
- ``strength.tsv`` — what each record asks, from its own verb (``scripts/enrich_wg4.py``);
  ``strength_levels.tsv`` — the labels of the five levels;
- ``references.tsv`` — the records a text points to, resolved as the note says
  (``scripts/enrich_wg4.py``); ``restatements.tsv`` — later records repeating earlier ones,
  found by similarity and kept by review.

They become the collection's facet declarations (``theme``, ``sdg``, ``strength``) and each
record's ``facets``, ``links`` and ``questions`` (docs/collection-format.md).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import RestorationError

ENRICHMENT_DIR = "enrichment"
QUESTIONS_FILE = "questions.jsonl"
THEMES_FILE = "themes.tsv"
RECORD_THEMES_FILE = "record_themes.tsv"
SDG_FILE = "sdg_targets.tsv"
STRENGTH_FILE = "strength.tsv"
STRENGTH_LEVELS_FILE = "strength_levels.tsv"
REFERENCES_FILE = "references.tsv"
RESTATEMENTS_FILE = "restatements.tsv"
#: The languages every theme, target and strength label is given in.
LABEL_LANGUAGES = ("ar", "en", "fr", "es", "ru", "zh", "de")
_FACET_LABELS = {
    "theme": {"ar": "الموضوع", "en": "theme", "fr": "thème", "es": "tema", "ru": "тема", "zh": "主题", "de": "Thema"},
    "sdg": {"ar": "غاية من أهداف التنمية المستدامة", "en": "SDG target", "fr": "cible des ODD", "es": "meta de los ODS",
            "ru": "задача ЦУР", "zh": "可持续发展目标具体目标", "de": "SDG-Zielvorgabe"},
    "strength": {"ar": "قوة التوصية", "en": "strength", "fr": "force", "es": "fuerza", "ru": "сила", "zh": "力度", "de": "Verbindlichkeit"},
}  # fmt: skip


class _QuestionsLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    ar: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class Enrichment:
    """Per-record additions keyed on recommendation id, and the facet declarations."""

    questions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    facets: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # id -> facet -> values
    links: dict[str, dict[str, list[dict[str, str]]]] = field(default_factory=dict)  # id -> kind -> links
    declarations: dict[str, Any] = field(default_factory=dict)  # collection.json "facets"

    def check_ids(self, ids: list[str]) -> None:
        """Every record enriched, and nothing enriched that is not a record."""
        known = set(ids)
        for what, table in (("questions", self.questions), ("facets", self.facets)):
            if not table:
                continue
            missing = [i for i in ids if i not in table]
            unknown = sorted(set(table) - known)
            if missing or unknown:
                raise RestorationError(f"enrichment {what}: nothing for {missing[:5]}; unknown ids {unknown[:5]}")
        for rid, kinds in self.links.items():
            targets = [x["id"] for links in kinds.values() for x in links]
            if rid not in known or any(t not in known for t in targets):
                raise RestorationError(f"enrichment links: {rid} -> {targets}: an id is not a record")


def _tsv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    except OSError as exc:
        raise RestorationError(f"cannot read {path}: {exc}") from exc
    for n, row in enumerate(rows, 2):
        if None in row or None in row.values():
            raise RestorationError(f"{path}:{n}: the row does not have the header's columns")
    return rows


def _labels(row: dict[str, str], path: Path, key: str) -> dict[str, str]:
    labels = {lang: row.get(f"label_{lang}", "").strip() for lang in LABEL_LANGUAGES}
    missing = [lang for lang, v in labels.items() if not v]
    if missing:
        raise RestorationError(f"{path}: {key} has no label in {missing}")
    return labels


def _read_questions(path: Path) -> dict[str, dict[str, list[str]]]:
    questions: dict[str, dict[str, list[str]]] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise RestorationError(f"cannot read {path}: {exc}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            entry = _QuestionsLine.model_validate(json.loads(line))
        except (ValueError, ValidationError) as exc:
            raise RestorationError(f"{path}:{n}: {exc}") from None
        texts = [q.strip() for q in (*entry.ar, *entry.en)]
        if not all(texts) or len(set(texts)) != len(texts):
            raise RestorationError(f"{path}:{n}: empty or repeated question for {entry.id}")
        if entry.id in questions:
            raise RestorationError(f"{path}:{n}: {entry.id} is given twice")
        questions[entry.id] = {"ar": [q.strip() for q in entry.ar], "en": [q.strip() for q in entry.en]}
    return questions


def _declarations(folder: Path) -> dict[str, Any]:
    themes = {}
    for row in _tsv(folder / THEMES_FILE):
        key = row["theme"].strip()
        aliases = {lang: row[f"keywords_{lang}"].split(",")[0].strip() for lang in ("ar", "en")}  # the everyday name
        themes[key] = {
            "label": _labels(row, folder / THEMES_FILE, key),
            "group": row["pillar"].strip(),
            "definition": row["definition"].strip(),
            "aliases": {lang: [a] for lang, a in aliases.items() if a and a != row[f"label_{lang}"].strip()},
        }
        if not themes[key]["aliases"]:
            del themes[key]["aliases"]
    targets = {}
    for row in _tsv(folder / SDG_FILE):
        key = row["target"].strip()
        targets[key] = {"label": _labels(row, folder / SDG_FILE, key), "group": f"SDG {row['goal'].strip()}", "definition": row["text_en"].strip()}
    levels = {}
    for row in _tsv(folder / STRENGTH_LEVELS_FILE):
        key = row["strength"].strip()
        levels[key] = {"label": _labels(row, folder / STRENGTH_LEVELS_FILE, key), "definition": row["definition"].strip()}
    return {
        "theme": {"label": _FACET_LABELS["theme"], "values": themes, "searched": True},
        "sdg": {"label": _FACET_LABELS["sdg"], "values": targets},
        "strength": {"label": _FACET_LABELS["strength"], "values": levels},
    }


def _split(cell: str) -> list[str]:
    return [v for v in cell.split() if v]


def read_enrichment(folder: Path) -> Enrichment:
    """Read every file of ``folder`` (``data/enrichment``); a malformed one is an error naming
    the file and line."""
    declarations = _declarations(folder)
    facets: dict[str, dict[str, list[str]]] = {}
    for n, row in enumerate(_tsv(folder / RECORD_THEMES_FILE), 2):
        rid = row["id"].strip()
        themes, targets = _split(row["themes"]), _split(row["sdg_targets"])
        bad = [t for t in themes if t not in declarations["theme"]["values"]] + [
            t for t in targets if t not in declarations["sdg"]["values"]
        ]
        if not themes or bad or rid in facets:
            raise RestorationError(f"{folder / RECORD_THEMES_FILE}:{n}: {rid}: no theme, a repeated id, or unknown {bad}")
        facets[rid] = {"theme": themes, **({"sdg": targets} if targets else {})}
    for n, row in enumerate(_tsv(folder / STRENGTH_FILE), 2):
        rid, level = row["id"].strip(), row["strength"].strip()
        if level not in declarations["strength"]["values"] or rid not in facets or "strength" in facets[rid]:
            raise RestorationError(f"{folder / STRENGTH_FILE}:{n}: {rid}: unknown level {level!r}, unknown or repeated id")
        facets[rid]["strength"] = [level]
    unrated = [rid for rid, f in facets.items() if "strength" not in f]
    if unrated:
        raise RestorationError(f"{folder / STRENGTH_FILE}: no strength for {unrated[:5]}")
    links: dict[str, dict[str, list[dict[str, str]]]] = {}
    for kind, name, target, note in (("references", REFERENCES_FILE, "target", "how"), ("restates", RESTATEMENTS_FILE, "restates", "note")):
        for row in _tsv(folder / name):
            entry = {"id": row[target].strip(), "note": row[note].strip()}
            links.setdefault(row["id"].strip(), {}).setdefault(kind, []).append({k: v for k, v in entry.items() if v})
    return Enrichment(_read_questions(folder / QUESTIONS_FILE), facets, links, declarations)
