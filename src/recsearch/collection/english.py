"""Translations given by id: a mapping, or a JSONL file of ``{"id", "text_en", "chapeau_en"}``.

How a user brings an official English text to a collection whose English is unofficial
(:meth:`recsearch.collection.model.Corpus.with_english`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from ..errors import CorpusError

__all__ = ["read_english"]


def read_english(source: str | Path | Mapping[str, str]) -> dict[str, tuple[str, str | None]]:
    """English texts by id: ``{id: (text_en, chapeau_en)}``.

    ``source`` is a mapping id → text (no lead-ins), or a JSONL file of ``{"id", "text_en",
    "chapeau_en"}`` objects. A missing file, bad JSON or an empty text is a CorpusError
    naming the file and line.
    """
    if isinstance(source, Mapping):
        rows: dict[str, tuple[str, str | None]] = {}
        for key, value in source.items():
            if not isinstance(value, str) or not value.strip():
                raise CorpusError(f"English text for {key!r} is empty or not a str")
            rows[str(key)] = (value.strip(), None)
        return rows
    path = Path(source)
    rows = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"English text file not found: {path}") from None
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            rec_id, text, chapeau = str(row["id"]), row["text_en"], row.get("chapeau_en")
        except (ValueError, KeyError, TypeError) as exc:
            raise CorpusError(f"{path}:{n}: not an {{id, text_en, chapeau_en}} object: {exc!r}") from None
        if not isinstance(text, str) or not text.strip():
            raise CorpusError(f"{path}:{n}: empty or missing text_en")
        if chapeau is not None and (not isinstance(chapeau, str) or not chapeau.strip()):
            raise CorpusError(f"{path}:{n}: chapeau_en must be null or a non-empty string")
        if rec_id in rows:
            raise CorpusError(f"{path}:{n}: {rec_id} is given twice")
        rows[rec_id] = (text, chapeau)
    return rows
