"""Integrity of the restored WG.4 collection (data/collections/wg4), rebuilt from its source."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from recsearch.wg4.build import COLLECTION_DIR, build_dataset, collection_files, write_collection
from recsearch.wg4.english import read_english
from recsearch.wg4.enrichment import read_enrichment
from recsearch.wg4.restore import arabic_letters
from recsearch.wg4.source import read_source
from recsearch.errors import RestorationError, SourceError

from conftest import DATA

WORD = re.compile(r"[\u0621-\u063f\u0641-\u0652]+")


def closes_unopened(value: str) -> bool:
    """A ``)`` with no ``(`` open before it: what a mirrored pair ``)x(`` looks like."""
    depth = 0
    for ch in value:
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return True
    return False


SHIPPED = DATA / COLLECTION_DIR


@pytest.fixture(scope="module")
def dataset():
    return build_dataset(read_source(DATA / "source_ar.txt"), DATA / "corrections")


@pytest.fixture(scope="module")
def rows(dataset) -> list[dict]:
    return dataset.records


def test_ids_and_order_equal_the_spec(rows, spec_ids):
    assert [r["id"] for r in rows] == spec_ids
    assert len(rows) == 288


def test_counts_per_meeting(rows):
    counts = Counter(r["meeting"] for r in rows)
    assert [counts.get(m, 0) for m in range(1, 9)] == [46, 61, 0, 65, 44, 22, 25, 25]


def test_id_fields_agree(rows):
    for r in rows:
        parts = r["id"].split(".")
        assert int(parts[0]) == r["meeting"] and int(parts[1]) == r["paragraph"]
        assert (parts[2] if len(parts) == 3 else None) == r["item"]
        assert (r["chapeau"] is not None) == (r["item"] is not None)


def test_letter_rule_nothing_invented_or_dropped(rows):
    for r in rows:
        assert arabic_letters(r["text"]) == arabic_letters(r["raw"]), r["id"]


def test_no_tatweel_mirrored_brackets_or_running_heads(rows):
    mirrored_in_source = [r["id"] for r in rows if closes_unopened(r["raw"])]
    assert mirrored_in_source  # the source has mirrored pairs, so the check below is live
    for r in rows:
        for field in ("text", "chapeau"):
            value = r[field] or ""
            assert "\u0640" not in value, r["id"]
            assert not closes_unopened(value), f"{r['id']}: closing bracket before its opening one"
            assert "CTOC/COP/WG.4/2019/5" not in value and "V.19-08473" not in value, r["id"]
            assert value.count("(") == value.count(")"), r["id"]


def test_closes_unopened_finds_mirrored_pairs_only():
    assert closes_unopened("انظر )CTOC/COP/WG.4/2009/2( هنا") and closes_unopened("(أ) نص )ب(")
    assert not closes_unopened("(أ) نص (ب)") and not closes_unopened("بلا أقواس")


def test_texts_are_clean_units(rows):
    for r in rows:
        assert r["text"] and r["text"] == r["text"].strip() and "  " not in r["text"]
        assert not re.search(r"(?<!\S)-[٠-٩]+(?!\S)", r["text"]), f"{r['id']}: paragraph number left in text"
        assert not re.search(r"\)[١-٩]\(|\([١-٩]\)", r["text"]), f"{r['id']}: footnote marker left in text"


def test_footnotes_attached_to_the_records_that_cite_them(rows):
    cited = {r["id"]: [f["number"] for f in r["footnotes"]] for r in rows if r["footnotes"]}
    assert cited["1.2"] == [1, 2]
    assert sorted(n for ns in cited.values() for n in ns) == [1, 2, 3, 4, 5]
    for r in rows:
        for f in r["footnotes"]:
            assert f["text"] and "\u0640" not in f["text"]


def test_duplicates_are_kept_and_linked(rows):
    by_id = {r["id"]: r for r in rows}
    assert by_id["5.35"]["duplicate_of"] == "5.34"
    assert by_id["5.34"]["text"] == by_id["5.35"]["text"]
    assert sum(1 for r in rows if r["duplicate_of"]) == 1


def test_source_lines_are_in_document_order(rows):
    previous = 0
    for r in rows:
        first, last = r["source_lines"]
        assert previous < first <= last, r["id"]
        previous = last


def test_addressees_are_known_codes(rows):
    from recsearch.wg4.addressees import ADDRESSEES

    for r in rows:
        assert set(r["addressees"]) <= set(ADDRESSEES), r["id"]
    share = sum(1 for r in rows if r["addressees"]) / len(rows)
    assert share > 0.9


def test_every_word_is_attested_or_a_reviewed_rejoin(rows):
    source_words = set(WORD.findall((DATA / "source_ar.txt").read_text(encoding="utf-8").replace("\u0640", "")))
    allowed = {
        line.split("\t")[0]
        for line in (DATA / "rejoined_words.tsv").read_text(encoding="utf-8").splitlines()
        if line and not line.startswith("#")
    }
    new = sorted(
        {w for r in rows for field in ("text", "chapeau") for w in WORD.findall(r[field] or "")}
        - source_words
        - allowed
    )
    if new:
        print("words neither in the source nor in data/rejoined_words.tsv:", *new, sep="\n  ")
    assert not new


def test_meetings(dataset):
    meetings = dataset.meetings
    assert [m["number"] for m in meetings] == list(range(1, 9))
    assert meetings[0]["start"] == "2009-04-14" and meetings[0]["end"] == "2009-04-15"
    assert meetings[3]["ordinal_ar"] == "رابعاً" and meetings[3]["name_ar"] == "الاجتماع الرابع"
    assert meetings[7]["start"] == "2018-07-02" and meetings[7]["end"] == "2018-07-03"
    assert all(m["place_en"] == "Vienna" and m["place_ar"] == "فيينا" for m in meetings)
    assert meetings[2]["note"] and all(m["note"] is None for m in meetings if m["number"] != 3)


def test_rebuild_is_byte_identical(dataset):
    enrichment = read_enrichment(DATA / "enrichment")
    profile, records = collection_files(dataset, read_english(DATA / "recommendations_en.jsonl"), enrichment)
    assert profile.encode() == (SHIPPED / "collection.json").read_bytes()
    assert records.encode() == (SHIPPED / "records.jsonl").read_bytes()


def test_the_arabic_specific_fields_live_under_extra():
    first = json.loads((SHIPPED / "records.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert {"raw", "source_lines"} <= set(first["extra"]) and "raw" not in first
    g = next(json.loads(x) for x in (SHIPPED / "records.jsonl").read_text(encoding="utf-8").splitlines() if '"4.46.g"' in x)
    assert g["extra"]["item_ar"] == "ز" and g["item"] == "g" and g["lead_in"]


def _copy_data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    return folder


def test_write_collection_regenerates_the_same_files_anywhere(tmp_path: Path):
    write_collection(tmp_path / "out", inputs=DATA)
    for name in ("collection.json", "records.jsonl"):
        assert (tmp_path / "out" / name).read_bytes() == (SHIPPED / name).read_bytes()


def test_a_build_without_the_corrections_refuses_instead_of_writing_damage(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(RestorationError, match="no corrections"):
        write_collection(tmp_path / "out", inputs=empty, source_path=DATA / "source_ar.txt")
    assert not (tmp_path / "out").exists()


def test_rebuilt_files_keep_their_mode(tmp_path: Path):
    folder = _copy_data(tmp_path)
    target = folder / COLLECTION_DIR / "records.jsonl"
    target.chmod(0o644)
    write_collection(inputs=folder)
    assert target.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_bad_source_never_overwrites_the_collection(tmp_path: Path, damage: str):
    folder = _copy_data(tmp_path)
    target = folder / COLLECTION_DIR / "records.jsonl"
    before = target.read_bytes()
    source = folder / "source_ar.txt"
    if damage == "missing":
        source.unlink()
    else:
        source.write_bytes(source.read_bytes()[: len(source.read_bytes()) // 2])
    with pytest.raises(SourceError, match="source_ar.txt"):
        write_collection(inputs=folder)
    assert target.read_bytes() == before
    assert not list(target.parent.glob(".*.tmp"))


def test_every_record_answers_three_arabic_and_three_english_questions():
    enrichment = read_enrichment(DATA / "enrichment")
    ids = [json.loads(line)["id"] for line in (SHIPPED / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert list(enrichment.questions) == ids  # every record, in record order
    arabic = re.compile(r"[\u0621-\u064a]")
    for rid, asked in enrichment.questions.items():
        assert len(asked["ar"]) == 3 and len(asked["en"]) == 3, rid
        assert all(arabic.search(q) for q in asked["ar"]) and not any(arabic.search(q) for q in asked["en"]), rid
        assert not any(re.search(r"[0-9٠-٩]\.[0-9٠-٩]", q) for q in (*asked["ar"], *asked["en"])), rid  # no ids


def test_enrichment_refuses_a_record_left_out_and_a_malformed_line(tmp_path, dataset):
    from recsearch.errors import RestorationError

    enrichment = read_enrichment(DATA / "enrichment")
    ids = [str(r["id"]) for r in dataset.records]
    enrichment.check_ids(ids)
    with pytest.raises(RestorationError, match=r"questions: nothing for \['9.9'\]"):
        enrichment.check_ids([*ids, "9.9"])
    folder = tmp_path / "enrichment"
    shutil.copytree(DATA / "enrichment", folder)
    (folder / "questions.jsonl").write_text('{"id": "1.1", "ar": ["س"], "en": []}\n', encoding="utf-8")
    with pytest.raises(RestorationError, match=r"questions.jsonl:1"):
        read_enrichment(folder)
    shutil.copy(DATA / "enrichment" / "questions.jsonl", folder / "questions.jsonl")
    rows = (folder / "record_themes.tsv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace("international_cooperation", "international_cooperaton", 1)
    (folder / "record_themes.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.raises(RestorationError, match=r"record_themes.tsv:2: 1.1: .*international_cooperaton"):
        read_enrichment(folder)


def test_every_record_has_themes_with_quoted_evidence_and_a_strength():
    import csv

    records = {json.loads(line)["id"]: json.loads(line) for line in (SHIPPED / "records.jsonl").read_text(encoding="utf-8").splitlines()}
    profile = json.loads((SHIPPED / "collection.json").read_text(encoding="utf-8"))
    themes = profile["facets"]["theme"]["values"]
    assert 20 <= len(themes) <= 40
    assert {v["group"] for v in themes.values()} <= {"prevention", "protection", "prosecution", "partnership", "governance"}
    for facet in ("theme", "sdg", "strength"):  # every label in the seven languages
        for value, spec in profile["facets"][facet]["values"].items():
            assert set(spec["label"]) == {"ar", "en", "fr", "es", "ru", "zh", "de"} and all(spec["label"].values()), value
    with open(DATA / "enrichment" / "record_themes.tsv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert [r["id"] for r in rows] == list(records)  # every record, in order
    for row in rows:
        rec = records[row["id"]]
        tags = row["themes"].split() + row["sdg_targets"].split()
        evidence = dict(item.split("=", 1) for item in row["evidence"].split("; "))
        assert list(evidence) == tags, row["id"]  # every tag justified, nothing else
        for phrase in evidence.values():
            assert phrase in rec["text"] or phrase in (rec.get("lead_in") or ""), (row["id"], phrase)
        assert rec["facets"]["theme"] == row["themes"].split() and len(rec["facets"]["strength"]) == 1
