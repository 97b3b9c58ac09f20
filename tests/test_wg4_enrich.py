"""Strength, references and restatements of the WG.4 collection (recsearch.wg4.enrich,
scripts/enrich_wg4.py, data/enrichment/*.tsv)."""

from __future__ import annotations

import copy
import csv
import importlib.util
import json
import re

import pytest

from recsearch.wg4.enrich import (
    STRENGTHS,
    Reference,
    cited_by,
    english_strength,
    references,
    report_offset,
    strength,
    strength_of,
)

from conftest import DATA, ROOT

RECORDS = DATA / "collections" / "wg4" / "records.jsonl"
ENRICHMENT = DATA / "enrichment"


@pytest.fixture(scope="module")
def records() -> list[dict]:
    return [json.loads(line) for line in RECORDS.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def by_id(records) -> dict[str, dict]:
    return {r["id"]: r for r in records}


@pytest.fixture(scope="module")
def refs(records):
    return references(records)


def read_tsv(path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


# ---------------------------------------------------------------------------- strength


@pytest.mark.parametrize(
    "rec_id, expected",
    [
        # should: the modal, its variants, and a lead-in that carries it
        ("1.4", "should"),  # ينبغي أن تكثف الأمانة
        ("5.1", "should"),  # يجب على الدول الأطراف أن تقر
        ("2.52", "should"),  # على الدول الأطراف أن تسعى
        ("4.46.a", "should"),  # ينبغي الإقرار (an item under "the following recommendations")
        ("1.5.a", "should"),  # ينبغي أن تقوم الدول الأطراف بما يلي: + تجريم
        ("1.12.c", "should"),  # the item's second sentence "ويمكن أن يشمل" is not the ask
        ("2.25.b", "should"),  # "…أن تكفل ما يلي: يجوز إثبات…": what is to be ensured, not a permission
        ("4.2", "should"),  # ينبغي للدول الأطراف أن تشجع هيئات… (States should encourage others)
        ("4.1", "should"),  # ينبغي التشجيع على التنسيق
        ("1.1", "should"),  # أوصى الفريق العامل الدول باتباع…
        ("2.24.a", "should"),  # يقدم المؤتمر الإرشادات: a directive with no modal, under a heading
        # should_consider
        ("1.13", "should_consider"),  # ينبغي أن تنظر الدول الأطراف في
        ("2.3", "should_consider"),  # ينبغي للدول الأطراف أن تنظر في
        ("5.11", "should_consider"),  # ينبغي للدول الأطراف النظر في
        ("2.17", "should_consider"),  # ينبغي للدول الأطراف، بناء على …، أن تنظر في
        ("4.30", "should_consider"),  # ينبغي للدول الأطراف التي لم تسهم بعد … أن تنظر في
        ("1.3", "should_consider"),  # "التي يمكن أن تواجهها" is a relative clause, not the ask
        ("1.7.a", "should_consider"),  # lead-in ينبغي + item النظر في
        ("1.19.a", "should_consider"),  # lead-in ينبغي أن ينظر المؤتمر فيما يلي
        ("7.1.a", "should_consider"),  # أوصى الفريق العامل بأن ينظر مؤتمر الأطراف في اعتماد…
        ("4.46.h", "should_consider"),  # the item's own verb under "أقر الفريق العامل التوصيات التالية"
        # encouraged
        ("2.4", "encouraged"),  # شجعت الدول الأطراف
        ("2.12", "encouraged"),  # الدول الأطراف مشجعة على
        ("4.19", "encouraged"),  # تشجع الدول الأطراف على
        ("5.24", "encouraged"),  # تشجع الدول على النظر في: encouraged to consider
        ("6.19", "encouraged"),  # تشجع الدول … ومن ثم، ينبغي للدول: the first verb decides
        # may
        ("2.30", "may"),  # قد تلجأ الدول الأطراف
        ("4.12", "may"),  # يمكن للدول الأطراف أن تركز
        ("6.10", "may"),  # يمكن للدول أن تنظر في: may consider
        # other
        ("2.43", "other"),  # كرر الفريق العامل تأكيد أنه ينبغي…: a reiteration
        ("4.45.a", "other"),  # topics for the Working Group's future meetings
        ("5.41", "other"),  # طلب الفريق العامل إلى الأمانة: procedural
        ("5.42", "other"),  # اقترح الفريق العامل
        ("5.43", "other"),  # an issue to consider at future meetings
        ("6.14", "other"),  # ينبغي للفريق العامل أن ينظر، أثناء اجتماعاته القادمة، في موضوع…
    ],
)
def test_strength_of_real_records(by_id, rec_id, expected):
    assert strength(by_id[rec_id]) == expected


def test_every_value_occurs_and_every_record_has_one(records):
    values = [strength(r) for r in records]
    assert set(values) == set(STRENGTHS)
    for r in records:
        value, verb = strength_of(r)
        assert value in STRENGTHS
        assert value == "other" or verb, r["id"]


def test_diacritics_and_tatweel_do_not_matter():
    assert strength({"text": "تُشـــجَّعُ الدولُ الأطرافُ على تبادل المعلومات."}) == "encouraged"
    assert strength({"text": "ينبـغـي للدول الأطـراف أن تَنظُرَ في إنشاء آلية."}) == "should_consider"
    assert strength({"text": "يُمكِنُ للدول أن تُركِّز على الوسائل."}) == "may"


def test_the_verb_is_quoted_from_the_text(by_id):
    assert strength_of(by_id["1.3"]) == ("should_consider", "ينبغي أن ينظر المؤتمر في")
    assert strength_of(by_id["2.4"])[1].startswith("شجعت الدول الأطراف")


#: Records whose English rendering reads differently from the Arabic (the Arabic is kept).
#: None at present: the readings agree on all 288 records.
ENGLISH_DISAGREES: dict[str, str] = {}


def test_english_rendering_agrees_with_the_arabic_reading(records):
    disagree = {r["id"]: english_strength(r) for r in records if english_strength(r) != strength(r)}
    assert disagree == ENGLISH_DISAGREES


# ---------------------------------------------------------------------------- references


def test_2_43_points_to_both_items_of_1_11(refs):
    assert [r.target for r in refs["2.43"]] == ["1.11.a", "1.11.b"]
    assert all(isinstance(r, Reference) and "para. 12" in r.how for r in refs["2.43"])


def test_offset_is_derived_from_the_document(records):
    assert report_offset(records) == (-1, 5, 6)
    # renumber meeting 1 one paragraph down: the same citations now agree on offset 0
    shifted = copy.deepcopy(records)
    for r in shifted:
        if r["meeting"] == 1:
            r["paragraph"] += 1
    assert report_offset(shifted)[0] == 0
    assert [r.target for r in references(shifted)["2.43"]] == ["1.11.a", "1.11.b"]


def test_every_report_paragraph_citation_resolves(records, by_id, refs):
    cited = 0
    for r in records:
        if r["meeting"] != 2:
            continue
        for m in re.finditer(r"paragraph (\d+) of the report", r["translations"]["en"]["text"]):
            cited += 1
            n = int(m.group(1))
            want = [x["id"] for x in records if x["meeting"] == 1 and x["paragraph"] == n - 1]
            assert want, (r["id"], n)
            got = [ref.target for ref in refs.get(r["id"], []) if by_id[ref.target]["meeting"] == 1]
            assert got == want, r["id"]
    assert cited == 6


def test_treaty_articles_resolutions_and_decisions_are_not_links(refs):
    # article 6(2) of the Protocol, article 3(a), articles 25/26/15 of the Convention, GA resolution
    # 64/293, Conference decisions 4/4 and 4/1, an expert meeting's recommendation
    for rec_id in ("2.5", "2.25.a", "2.26", "2.29", "2.30", "4.46.c", "4.46.d", "4.46.i", "5.24", "7.1.d", "4.45.g", "1.1", "1.19.b", "2.22"):
        assert rec_id not in refs
    assert references([{"id": "9.1", "meeting": 9, "paragraph": 1, "text": "وفقاً للفقرة ٦ من المادة ٦ من البروتوكول، ينبغي للدول الأطراف أن تكفل ذلك."}], {9: 2030}) == {}


def test_other_pointers_are_resolved_by_content(refs):
    assert [r.target for r in refs["7.1.f"]] == ["4.24"]  # "توصيته السابقة" (its previous recommendation)
    assert [r.target for r in refs["5.44"]] == [f"4.45.{c}" for c in "abcdefghijk"]  # WG.4/2011/8, II.A.5


def test_targets_exist_and_are_earlier(refs, by_id):
    for source, targets in refs.items():
        assert targets and len({t.target for t in targets}) == len(targets)
        for t in targets:
            assert by_id[t.target]["meeting"] < by_id[source]["meeting"]


def test_cited_by_is_the_exact_reverse(refs):
    back = cited_by(refs)
    forward = {(s, t.target) for s, ts in refs.items() for t in ts}
    reverse = {(s, t) for t, ss in back.items() for s in ss}
    assert forward == reverse
    assert sum(len(v) for v in back.values()) == len(forward)
    assert "2.43" in back["1.11.b"]


# ---------------------------------------------------------------------------- the TSV files


@pytest.fixture(scope="module")
def script():
    spec = importlib.util.spec_from_file_location("enrich_wg4", ROOT / "scripts" / "enrich_wg4.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_tsv_files_equal_what_the_script_computes_now(script, records):
    for path, text in script.outputs(records).items():
        assert path.read_text(encoding="utf-8") == text, f"{path.name} is stale: run scripts/enrich_wg4.py"


def test_strength_tsv_has_every_record_in_order(records):
    rows = read_tsv(ENRICHMENT / "strength.tsv")
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert {r["strength"] for r in rows} == set(STRENGTHS)


@pytest.mark.parametrize(
    "name, columns",
    [
        ("strength.tsv", ("id",)),
        ("references.tsv", ("id", "target")),
        ("restatements.tsv", ("id", "restates")),
        ("restatement_candidates.tsv", ("id", "candidate")),
    ],
)
def test_every_id_in_the_tsv_files_exists(by_id, name, columns):
    rows = read_tsv(ENRICHMENT / name)
    assert rows
    for row in rows:
        for col in columns:
            assert row[col] in by_id, (name, row)


@pytest.fixture(scope="module")
def restatements() -> list[dict]:
    return read_tsv(ENRICHMENT / "restatements.tsv")


def test_restatements_cross_meetings_later_first_no_duplicates(restatements, by_id):
    pairs = [(r["id"], r["restates"]) for r in restatements]
    assert len(pairs) == len(set(pairs))
    assert not {(b, a) for a, b in pairs} & set(pairs)
    for later, earlier in pairs:
        assert by_id[later]["meeting"] > by_id[earlier]["meeting"], (later, earlier)
    assert all(r["note"].strip() for r in restatements)
    assert ("8.1.c", "1.11.b") in pairs  # not punishing victims for offences committed as a result of being trafficked
    assert 20 <= len(pairs) <= 150


def test_rejected_candidates_are_not_kept_and_have_a_reason(restatements, by_id):
    kept = {(r["id"], r["restates"]) for r in restatements}
    rows = read_tsv(ENRICHMENT / "restatement_candidates.tsv")
    pairs = [(r["id"], r["candidate"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert not kept & set(pairs)
    for r in rows:
        assert r["reason"].strip()
        assert by_id[r["id"]]["meeting"] > by_id[r["candidate"]]["meeting"]
