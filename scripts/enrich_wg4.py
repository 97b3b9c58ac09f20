"""Write the WG.4 strength and reference facets (see ``recsearch.wg4.enrich``) as TSV files.

    python scripts/enrich_wg4.py                            # rewrite the two TSV files
    python scripts/enrich_wg4.py --check                    # exit 1 if they differ from a fresh run
    python scripts/enrich_wg4.py --restatement-candidates   # print cross-meeting similar pairs

``data/enrichment/strength.tsv``   ``id  strength  verb`` — one row per record, in record order;
``verb`` is the Arabic phrase that decided the value.
``data/enrichment/references.tsv`` ``id  target  how`` — one row per link, citing records in
record order, targets in record order.

The restatement candidates are pairs of records from different meetings found similar in four
ways (see :func:`restatement_candidates`; the plain top-150 by cosine alone is dominated by
lettered items that share a lead-in). They are only candidates: each one was read and kept in ``data/enrichment/restatements.tsv`` or
rejected, with a reason, in ``data/enrichment/restatement_candidates.tsv``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from recsearch.wg4.enrich import references, strength_of  # noqa: E402

RECORDS = ROOT / "data" / "collections" / "wg4" / "records.jsonl"
OUT = ROOT / "data" / "enrichment"
STRENGTH_TSV = OUT / "strength.tsv"
REFERENCES_TSV = OUT / "references.tsv"


def read_records(path: Path = RECORDS) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _clean(field: str) -> str:
    return " ".join(field.split())  # no tabs or newlines inside a field


def strength_rows(records: list[dict]) -> str:
    lines = ["id\tstrength\tverb"]
    for r in records:
        value, verb = strength_of(r)
        lines.append(f"{r['id']}\t{value}\t{_clean(verb)}")
    return "\n".join(lines) + "\n"


def reference_rows(records: list[dict]) -> str:
    refs = references(records)
    lines = ["id\ttarget\thow"]
    for r in records:  # citing records in record order; targets already in record order
        for ref in refs.get(str(r["id"]), []):
            lines.append(f"{r['id']}\t{ref.target}\t{_clean(ref.how)}")
    return "\n".join(lines) + "\n"


def outputs(records: list[dict] | None = None) -> dict[Path, str]:
    records = read_records() if records is None else records
    return {STRENGTH_TSV: strength_rows(records), REFERENCES_TSV: reference_rows(records)}


def restatement_candidates(top: int = 150) -> dict[tuple[str, str], list[str]]:
    """``(later, earlier) -> [how found]`` for record pairs from different meetings, from four
    lists: the ``top`` pairs by mean cosine of the shipped index's dense vectors (Arabic and
    English, every dense channel); the ``top`` pairs by the same cosine corrected for hubness
    (CSLS: 2·cos − mean cos of each record to its 10 nearest other-meeting records, which demotes
    the lettered items whose shared lead-in makes them similar to everything); the ``top`` pairs
    by word overlap of the texts alone (no lead-in); and each record's nearest earlier record."""
    import numpy as np

    from recsearch import Searcher
    from recsearch.wg4.enrich import _Overlap, _tokens

    s = Searcher.load()
    ids = list(s.corpus.ids)
    by_id = {str(r["id"]): r for r in read_records()}
    meeting = np.array([int(by_id[i]["meeting"]) for i in ids])
    mats = []
    for ch in s.channels:
        if ch.kind != "dense":
            continue
        for variant in ("ar", "en"):
            e = np.asarray(s.embeddings(ch.name, variant), dtype=np.float64)
            e /= np.linalg.norm(e, axis=1, keepdims=True)
            mats.append(e @ e.T)
    sim = np.mean(mats, axis=0)
    cross = meeting[:, None] != meeting[None, :]
    hub = np.sort(np.where(cross, sim, -np.inf), axis=1)[:, -10:].mean(axis=1)
    csls = 2 * sim - hub[:, None] - hub[None, :]
    bags = [_tokens(text=by_id[i]["text"], en=by_id[i]["translations"]["en"]["text"]) for i in ids]
    overlap = _Overlap(bags)
    pairs = [(i, j) if meeting[i] > meeting[j] else (j, i) for i in range(len(ids)) for j in range(i + 1, len(ids)) if cross[i, j]]
    found: dict[tuple[str, str], list[str]] = {}

    def take(tag: str, score) -> None:
        for i, j in sorted(pairs, key=lambda p: (-score(*p), ids[p[0]], ids[p[1]]))[:top]:
            found.setdefault((ids[i], ids[j]), []).append(tag)

    take("top150-cosine", lambda i, j: sim[i, j])
    take("top150-hubness-corrected", lambda i, j: csls[i, j])
    take("top150-word-overlap", lambda i, j: overlap(bags[i], bags[j]))
    for i in range(len(ids)):
        earlier = [j for j in range(len(ids)) if meeting[j] < meeting[i]]
        if earlier:
            j = max(earlier, key=lambda j: sim[i, j])
            found.setdefault((ids[i], ids[j]), []).append("nearest-earlier")
    return found


def main(argv: list[str]) -> int:
    if "--restatement-candidates" in argv:
        for (later, earlier), how in restatement_candidates().items():
            print(f"{later}\t{earlier}\t{','.join(how)}")
        return 0
    fresh = outputs()
    if "--check" in argv:
        stale = [p for p, text in fresh.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
        for p in stale:
            print(f"stale: {p.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale else 0
    OUT.mkdir(parents=True, exist_ok=True)
    for path, text in fresh.items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)} ({text.count(chr(10)) - 1} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
