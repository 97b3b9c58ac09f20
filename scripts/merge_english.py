"""Merge the English rendering parts into data/recommendations_en.jsonl, in document order.

The rendering was written by translators in four parts (data/translations/en-*.jsonl), one
JSON object per record: ``{"id", "text_en", "chapeau_en"}``. This script joins them, checks
that every recommendation has exactly one rendering and that every number, date, article,
paragraph and item reference of the Arabic is in the English (``reference_gaps``), and
writes the reviewed file that the library loads. It is an unofficial rendering: the official
English text of CTOC/COP/WG.4/2019/5 is a separate UN document.

    python scripts/merge_english.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from recsearch import load_corpus
from recsearch.wg4.english import ENGLISH_FILE, read_english, reference_gaps
from recsearch.errors import CorpusError

DATA = Path(__file__).resolve().parents[1] / "data"


def main() -> int:
    corpus = load_corpus(DATA)
    rows: dict[str, tuple[str, str | None]] = {}
    problems: list[str] = []
    for part in sorted((DATA / "translations").glob("en-*.jsonl")):
        try:
            for rec_id, row in read_english(part).items():
                if rec_id in rows:
                    problems.append(f"{part.name}: {rec_id} rendered twice")
                rows[rec_id] = row
        except CorpusError as exc:
            problems.append(str(exc))
    missing = [i for i in corpus.ids if i not in rows]
    extra = sorted(set(rows) - set(corpus.ids))
    if missing or extra:
        problems.append(f"missing: {missing}; unknown: {extra}")
    for rec in corpus:
        if rec.id not in rows:
            continue
        text, chapeau = rows[rec.id]
        if (chapeau is None) != (rec.chapeau is None):
            problems.append(f"{rec.id}: the Arabic has {'a' if rec.chapeau else 'no'} lead-in, the English not")
        for ar, en in ((rec.text, text), (rec.chapeau or "", chapeau or "")):
            problems += [f"{rec.id}: English lacks {gap}" for gap in reference_gaps(ar, en)]
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    out = "".join(
        json.dumps({"chapeau_en": rows[i][1], "id": i, "text_en": rows[i][0].strip()}, ensure_ascii=False) + "\n"
        for i in corpus.ids
    )
    (DATA / ENGLISH_FILE).write_text(out, encoding="utf-8")
    print(f"wrote {len(corpus.ids)} renderings to data/{ENGLISH_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
