"""The English rendering: one per id, none empty, every reference of the Arabic kept, and
replaceable by the official text."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import DATA, ROOT
from recsearch.wg4.english import read_english, reference_gaps
from recsearch.collection.model import ENGLISH_OFFICIAL_NOTE, ENGLISH_UNOFFICIAL_NOTE
from recsearch.errors import CorpusError, UnknownRecommendationError


@pytest.fixture(scope="module")
def rows():
    return [json.loads(line) for line in (DATA / "recommendations_en.jsonl").read_text(encoding="utf-8").splitlines()]


def test_one_rendering_per_id_in_document_order(rows, spec_ids):
    assert [r["id"] for r in rows] == spec_ids
    assert all(set(r) == {"id", "text_en", "chapeau_en"} for r in rows)


def test_none_empty_and_lead_ins_where_the_arabic_has_them(rows, corpus):
    for r in rows:
        rec = corpus[r["id"]]
        assert r["text_en"].strip() == r["text_en"] and len(r["text_en"]) > 20, r["id"]
        assert (r["chapeau_en"] is None) == (rec.chapeau is None), r["id"]
        assert not any("\u0600" <= ch <= "\u06ff" for ch in r["text_en"] + (r["chapeau_en"] or "")), r["id"]


def test_every_reference_of_the_arabic_is_in_the_english(corpus):
    gaps = {
        rec.id: reference_gaps(ar, en)
        for rec in corpus
        for ar, en in ((rec.text, rec.text_en), (rec.chapeau or "", rec.chapeau_en or ""))
        if reference_gaps(ar, en)
    }
    assert gaps == {}


def test_the_english_uses_the_fields_established_terms(corpus):
    english = " ".join(r.full_text_en for r in corpus)
    for term in ("States parties", "Trafficking in Persons Protocol", "non-punishment", "mutual legal assistance",
                 "the Conference", "the Secretariat", "UNODC", "abuse of a position of vulnerability"):  # fmt: skip
        assert term in english, term


@pytest.mark.parametrize(
    ("arabic", "english", "gap"),
    [
        ("وفقا للمادة ٦ من البروتوكول", "under article 5 of the Protocol", "article 6"),
        ("الفقرة ٢ من المادة ٣", "article 3 of the Protocol", "paragraph 2"),
        ("‘١’ أحكام؛ ‘٢’ صناديق", "(i) provisions; funds", "sub-item ‘2’ → (ii)"),
        ("الفقرة الفرعية (أ) من المادة ٣", "article 3, subparagraph (b)", "(أ) → (a)"),
        ("يوم ١٩ تشرين الأول/أكتوبر ٢٠١٠", "on 19 November 2010", "month October"),
        ("مقرر المؤتمر ٤/٤", "Conference decision 4/5", "number 4/4"),
    ],
)
def test_reference_gaps_finds_what_a_translator_dropped(arabic, english, gap):
    assert gap in reference_gaps(arabic, english)


def test_reference_gaps_accepts_a_faithful_rendering():
    ar = "عند الوفاء بمتطلبات الفقرة ٦ من المادة ٦ ‘١’ أحكام؛ ‘٢’ صناديق، يوم ١٩ تشرين الأول/أكتوبر ٢٠١٠"
    en = "In meeting article 6, paragraph 6: (i) provisions; (ii) funds, on 19 October 2010"
    assert reference_gaps(ar, en) == []


def test_the_shipped_rendering_is_marked_unofficial(corpus):
    rec = corpus["4.46.g"]
    assert rec.text_en and not rec.text_en_official and rec.text_en_note == ENGLISH_UNOFFICIAL_NOTE.format(language="Arabic")
    assert rec.to_dict()["text_en_note"] == ENGLISH_UNOFFICIAL_NOTE.format(language="Arabic")


def test_an_official_text_replaces_the_rendering_by_id(corpus, tmp_path):
    official = tmp_path / "official.jsonl"
    official.write_text(
        json.dumps({"id": "4.46.g", "text_en": "Official text of (g).", "chapeau_en": "Official lead-in:"}) + "\n",
        encoding="utf-8",
    )
    replaced = corpus.with_english(official)
    rec = replaced["4.46.g"]
    assert (rec.text_en, rec.chapeau_en, rec.text_en_note) == ("Official text of (g).", "Official lead-in:", ENGLISH_OFFICIAL_NOTE)
    assert replaced["4.46.h"] == corpus["4.46.h"]  # the others keep the rendering
    assert corpus["4.46.g"].text_en != rec.text_en  # the original corpus is untouched
    assert replaced.with_english({"1.1": "Plain text."})["1.1"].full_text_en == "Plain text."


@pytest.mark.parametrize(
    "content",
    ['{"id": "1.1"}\n', '{"id": "1.1", "text_en": "  "}\n', "not json\n", '{"id": "1.1", "text_en": "a", "chapeau_en": 3}\n',
     '{"id": "1.1", "text_en": "a"}\n{"id": "1.1", "text_en": "b"}\n'],
)  # fmt: skip
def test_a_bad_english_file_is_a_clear_error_naming_the_line(tmp_path, content):
    path = tmp_path / "en.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=r"en\.jsonl:\d"):
        read_english(path)


def test_unknown_ids_and_missing_files_are_refused(corpus, tmp_path):
    with pytest.raises(UnknownRecommendationError, match="9.99"):
        corpus.with_english({"9.99": "text"})
    with pytest.raises(CorpusError, match="not found"):
        corpus.with_english(tmp_path / "nope.jsonl")


def test_the_merge_script_regenerates_the_shipped_file():
    before = (DATA / "recommendations_en.jsonl").read_bytes()
    subprocess.run([sys.executable, str(ROOT / "scripts" / "merge_english.py")], check=True, capture_output=True)
    assert (DATA / "recommendations_en.jsonl").read_bytes() == before


# Verbs ending in "ing" that are not gerunds (none opens an item today).
_NOT_GERUNDS = {"bring", "string"}


def test_items_after_a_should_lead_in_start_with_a_bare_verb(rows):
    """After "States parties should:" an item starts "Strengthen…", not "Strengthening…" (UN style,
    as in the eighth meeting); "should consider:" takes a gerund and is not checked."""
    gerunds = {}
    for r in rows:
        if (r["chapeau_en"] or "").rstrip().lower().endswith("should:"):
            first = r["text_en"].split()[0].strip(",;:.").lower()
            if first.endswith("ing") and first not in _NOT_GERUNDS:
                gerunds[r["id"]] = first
    assert gerunds == {}


def test_4_16_uses_the_protocols_term_for_vulnerability(rows):
    text = next(r["text_en"] for r in rows if r["id"] == "4.16")
    assert "abuse of a position of vulnerability" in text
    assert "exploitation of the vulnerability" not in text
