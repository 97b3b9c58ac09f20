"""What the project adds to the restored recommendations, read from ``data/enrichment/``.

``questions.jsonl`` holds, for every recommendation, the questions it answers as people ask
them — three in Arabic and three in English, ``{"id", "ar": [...], "en": [...]}`` — written by
careful writers from each record's text and lead-in (never from evaluation queries). The
collection carries them as each record's ``questions`` (docs/collection-format.md): searched,
never shown as the text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import RestorationError

ENRICHMENT_DIR = "enrichment"
QUESTIONS_FILE = "questions.jsonl"


class _QuestionsLine(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    id: str = Field(min_length=1)
    ar: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


@dataclass(frozen=True)
class Enrichment:
    """Per-record additions, keyed on recommendation id."""

    questions: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def check_ids(self, ids: list[str]) -> None:
        """Every record enriched, and nothing enriched that is not a record."""
        missing = [i for i in ids if i not in self.questions]
        unknown = sorted(set(self.questions) - set(ids))
        if missing or unknown:
            raise RestorationError(f"{QUESTIONS_FILE}: no questions for {missing[:5]}; unknown ids {unknown[:5]}")


def read_enrichment(folder: Path) -> Enrichment:
    """Read ``folder/questions.jsonl``; a malformed line is an error naming file and line."""
    path = folder / QUESTIONS_FILE
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
    return Enrichment(questions=questions)
