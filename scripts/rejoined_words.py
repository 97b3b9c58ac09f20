"""List the words of the restored texts that do not occur whole in the source.

They are the words that restoration rejoined from fragments (``المبيَّ`` + ``نة``). Each one is
reviewed, then kept in ``data/rejoined_words.tsv`` (word, ids); the dataset test fails on any
word that is neither in the source nor in that list, which catches unrepaired fragments.

    python scripts/rejoined_words.py          # print the candidates
    python scripts/rejoined_words.py --write  # rewrite data/rejoined_words.tsv
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
WORD = re.compile(r"[\u0621-\u063f\u0641-\u0652]+")
HEADER = "# word\tids — words rejoined by restoration, reviewed; regenerate with scripts/rejoined_words.py\n"


def candidates() -> dict[str, list[str]]:
    source_words = set(WORD.findall((DATA / "source_ar.txt").read_text(encoding="utf-8").replace("\u0640", "")))
    found: dict[str, list[str]] = {}
    for line in (DATA / "recommendations.jsonl").read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        for field in ("chapeau", "text"):
            for word in WORD.findall(record[field] or ""):
                if word not in source_words:
                    ids = found.setdefault(word, [])
                    if record["id"] not in ids:
                        ids.append(record["id"])
    return dict(sorted(found.items()))


if __name__ == "__main__":
    rows = "".join(f"{w}\t{' '.join(ids)}\n" for w, ids in candidates().items())
    if "--write" in sys.argv:
        (DATA / "rejoined_words.tsv").write_text(HEADER + rows, encoding="utf-8")
    else:
        sys.stdout.write(rows)
