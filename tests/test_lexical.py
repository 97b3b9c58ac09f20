"""BM25 lexical index: ranking, exact filtering, validation, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest

from recsearch.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    QueryTypeError,
)
from recsearch.lexical import LexicalIndex

DOCS = [
    ("I.1", "ينبغي للدول أن تعتمد نهجا شاملا ومتوازنا في مكافحة الاتجار بالأشخاص."),
    ("I.2", "ينبغي للدول التي لم تصبح بعد أطرافا في بروتوكول الاتجار بالأشخاص أن تفعل ذلك."),
    ("II.24(a)", "ينبغي للدول أن تكفل حصول ضحايا الاتجار على تعويض عن الضرر."),
    ("IV.45(b)", "تعزيز التعاون الدولي بين أجهزة إنفاذ القانون والنيابة العامة."),
    ("V.3", "ينبغي للدول أن توفر للضحايا المساعدة القانونية والطبية والنفسية والتعويض."),
    ("VI.7", "دعم المنظمات غير الحكومية التي تقدم المأوى للضحايا."),
    ("VII.1(c)", "The Working Group recommended that States protect victims of trafficking."),
]


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(DOCS)


def test_results_are_recommendation_ids_ranked_by_relevance(index):
    hits = index.search("تعويض الضحايا", k=3)
    ids = [h[0] for h in hits]
    assert set(ids) == {"II.24(a)", "V.3", "VI.7"}
    assert ids[0] in {"II.24(a)", "V.3"}  # both mention compensation and victims
    scores = [h[1] for h in hits]
    assert scores == sorted(scores, reverse=True) and all(s > 0 for s in scores)
    assert all(isinstance(i, str) for i in ids)


def test_spelling_variants_in_the_query_still_match(index):
    # no hamza, ه for ة, ي for ى: typed the way many people type
    assert index.search("المنظمات الغير حكوميه", k=1)[0][0] == "VI.7"
    assert index.search("بروتوكول الاتجار بالاشخاص", k=1)[0][0] == "I.2"
    assert index.search("Victims", k=1)[0][0] == "VII.1(c)"


def test_only_matching_documents_are_returned(index):
    assert index.search("فيينا", k=5) == []
    assert index.search("في من على إلى", k=5) == []  # stopwords only
    assert len(index.search("التعاون", k=10)) == 1


def test_filter_applies_before_the_cut_off(index):
    query = "ينبغي للدول الاتجار الضحايا"
    full = index.search(query, k=len(DOCS))
    allowed = {"VI.7", "IV.45(b)"}
    # the unfiltered top-2 lies entirely outside the filter: filtering after the cut-off would return nothing
    assert not {h[0] for h in full[:2]} & allowed
    got = index.search(query, k=2, allowed_ids=allowed)
    assert got == [h for h in full if h[0] in allowed][:2]
    assert [h[0] for h in got] == ["VI.7", "IV.45(b)"]


def test_filter_never_returns_ids_outside_it(index):
    for allowed in ({"IV.45(b)"}, {"VI.7", "nope"}, set(), {"unknown"}):
        hits = index.search("ينبغي للدول التعاون الضحايا المنظمات", k=5, allowed_ids=allowed)
        assert {h[0] for h in hits} <= allowed
    assert index.search("التعاون", k=5, allowed_ids=["IV.45(b)"]) == index.search("التعاون", k=5)


def test_ties_are_broken_by_index_order():
    idx = LexicalIndex.build([("b", "حماية الشهود"), ("a", "حماية الشهود"), ("c", "حماية الشهود")])
    assert [h[0] for h in idx.search("الشهود", k=3)] == ["b", "a", "c"]


def test_score_all_is_aligned_with_ids(index):
    scores = index.score_all("التعاون الدولي")
    assert scores.shape == (len(DOCS),) and scores.dtype == np.float32
    assert index.ids[int(np.argmax(scores))] == "IV.45(b)"
    assert np.count_nonzero(index.score_all("التعاون")) == 1
    assert not index.score_all("فيينا").any()


def test_argument_validation(index):
    with pytest.raises(QueryError):
        index.search("x", k=0)
    with pytest.raises(QueryTypeError):
        index.search("x", k=True)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        index.search("x", k=2, allowed_ids="I.1")  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        index.search(None, k=2)  # type: ignore[arg-type]
    with pytest.raises(QueryError, match="duplicate"):
        LexicalIndex.build([("a", "x"), ("a", "y")])
    with pytest.raises(QueryError):
        LexicalIndex.build([])
    with pytest.raises(QueryTypeError):
        LexicalIndex.build([(1, "x")])  # type: ignore[list-item]
    with pytest.raises(QueryError):
        LexicalIndex("fr")


def test_documents_without_terms_are_indexed_but_never_match():
    idx = LexicalIndex.build([("empty", "في من"), ("full", "حماية الشهود")])
    assert len(idx) == 2 and "empty" in idx
    assert [h[0] for h in idx.search("حماية", k=5)] == ["full"]


def test_english_channel():
    idx = LexicalIndex.build(
        [("a", "Protection of victims"), ("b", "International cooperation"), ("c", "Protecting witnesses")],
        language="en",
    )
    assert {h[0] for h in idx.search("protect", k=5)} == {"a", "c"}
    assert idx.settings.language == "en"


def test_save_load_round_trip(index, tmp_path):
    index.save(tmp_path / "lex")
    meta = json.loads((tmp_path / "lex" / "lexical.json").read_text(encoding="utf-8"))
    assert meta["ids"] == [d for d, _ in DOCS]
    assert meta["settings"]["language"] == "ar" and meta["settings"]["normalization_version"] >= 1
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.ids == index.ids and loaded.settings == index.settings
    for q in ("تعويض الضحايا", "بروتوكول", "victims"):
        assert loaded.search(q, k=4) == index.search(q, k=4)


def test_load_missing_folder(tmp_path):
    with pytest.raises(IndexNotFoundError, match="recsearch index build"):
        LexicalIndex.load(tmp_path / "nothing")


def test_load_rejects_damaged_metadata(index, tmp_path):
    index.save(tmp_path)
    (tmp_path / "lexical.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="recsearch index build"):
        LexicalIndex.load(tmp_path)


def test_load_rejects_other_normalization_version(index, tmp_path):
    index.save(tmp_path)
    meta = json.loads((tmp_path / "lexical.json").read_text(encoding="utf-8"))
    meta["settings"]["normalization_version"] += 1
    (tmp_path / "lexical.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexMismatchError, match="normalisation"):
        LexicalIndex.load(tmp_path)


def test_load_rejects_truncated_arrays_and_id_count_mismatch(index, tmp_path):
    index.save(tmp_path / "a")
    data = tmp_path / "a" / "bm25s" / "data.csc.index.npy"
    data.write_bytes(data.read_bytes()[:-7])
    with pytest.raises(IndexCorruptError):
        LexicalIndex.load(tmp_path / "a")

    index.save(tmp_path / "b")
    meta = json.loads((tmp_path / "b" / "lexical.json").read_text(encoding="utf-8"))
    meta["ids"] = meta["ids"][:-1]
    (tmp_path / "b" / "lexical.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="ids"):
        LexicalIndex.load(tmp_path / "b")


def test_score_terms_equals_score_all_of_the_same_text(index):
    query = "تعويض الضحايا وحمايتهم"
    assert np.array_equal(index.score_terms(index.tokenize(query)), index.score_all(query))
    assert not index.score_terms(["not-a-term"]).any()
