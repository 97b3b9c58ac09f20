"""Restoration workbench: show damaged lines and check corrections (a developer tool).

    python scripts/restore_kit.py show FIRST LAST   # lines with their unit, raw and current reading
    python scripts/restore_kit.py check [FIRST LAST] # verify all corrections, print restored records
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from recsearch.wg4.build import build_dataset, unit_id  # noqa: E402
from recsearch.wg4.layout import TATWEEL, parse_layout  # noqa: E402
from recsearch.wg4.restore import auto_restore, load_corrections  # noqa: E402
from recsearch.wg4.source import read_source  # noqa: E402

DATA = ROOT / "data"
WORD = re.compile(r"[\u0621-\u064a\u064b-\u0652]+")


def vocabulary(source) -> Counter[str]:
    words: Counter[str] = Counter()
    for line in source.lines:
        words.update(WORD.findall(line.replace(TATWEEL, "")))
    return words


def owners(layout):
    for section in layout.meetings:
        for line in section.note_lines:
            yield line, f"note{section.number}"
        for unit in section.units:
            for line in unit.lines:
                yield line, unit_id(unit)
    for n, fn in layout.footnotes.items():
        for line in fn.lines:
            yield line, f"fn{n}"


def show(first: int, last: int) -> None:
    source = read_source(DATA / "source_ar.txt")
    layout = parse_layout(source)
    corrections = load_corrections(DATA / "corrections")
    vocab = vocabulary(source)
    for line, owner in sorted(owners(layout), key=lambda x: x[0].number):
        if not first <= line.number <= last:
            continue
        cleaned = auto_restore(line.raw)
        rare = [w for w in WORD.findall(cleaned) if vocab[w] == 1]
        flag = "FIXED" if line.number in corrections else ("CHECK" if rare else "")
        print(f"{line.number}\t{owner}\t{flag}\t{cleaned}")


def check(first: int, last: int) -> None:
    source = read_source(DATA / "source_ar.txt")
    dataset = build_dataset(source, DATA / "corrections")  # raises on a bad correction
    print(f"OK: {len(dataset.records)} records, all corrections are reorderings", file=sys.stderr)
    for record in dataset.records:
        a, b = record["source_lines"]
        if b < first or a > last:
            continue
        if record["chapeau"]:
            print(f"[{record['id']}] chapeau: {record['chapeau']}")
        print(f"[{record['id']}] {record['text']}\n")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:] or ["check"]
    bounds = (int(args[0]), int(args[1])) if len(args) == 2 else (0, 10**9)
    {"show": show, "check": check}[cmd](*bounds)
