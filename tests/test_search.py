"""Searcher on a small fake encoder: API, filters, duplicates, persistence and bad input."""

from __future__ import annotations

import json
import shutil
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes import FakeEncoder
from recsearch.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    QueryTypeError,
    UnknownRecommendationError,
)
from recsearch.search import Searcher


@pytest.fixture(scope="module")
def built(tmp_path_factory, corpus):
    path = tmp_path_factory.mktemp("idx") / "index"
    searcher = Searcher.build(corpus, FakeEncoder(), path, show_progress=False, cache=False)
    return searcher, path


@pytest.fixture(scope="module")
def searcher(built):
    return built[0]


def test_search_returns_ranked_hits_with_provenance(searcher, corpus):
    hits = searcher.search("تعويض ضحايا الاتجار", k=5)
    assert [h.rank for h in hits] == [1, 2, 3, 4, 5]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:]))
    top = hits[0]
    rec = corpus[top.id]
    assert top.text == rec.text and top.meeting.number == rec.meeting.number
    # an Arabic query is cited in Arabic by default; both forms are always on the hit
    assert top.citation == rec.citation("ar") == top.citation_ar and top.citation_en == rec.citation("en")
    assert top.text_en == rec.text_en and top.text_en_note and "nofficial" in top.text_en_note
    json.dumps([h.to_dict() for h in hits], ensure_ascii=False)


def test_citation_language_follows_the_query_unless_given(searcher, corpus):
    en = searcher.search("compensation for victims", k=3)
    assert all(h.citation == corpus[h.id].citation("en") for h in en)
    forced = searcher.search("تعويض ضحايا الاتجار", k=3, lang="en")
    assert all(h.citation.startswith("CTOC/COP/WG.4/2019/5, ") for h in forced)
    assert all(h.citation == corpus[h.id].citation("ar") for h in searcher.similar("4.46.g", k=3, lang="ar"))
    with pytest.raises(QueryError, match="citation language"):
        searcher.search("x", lang="fr")


def test_search_is_search_batch_of_one(searcher):
    q = "حماية الشهود"
    assert [h.id for h in searcher.search(q, k=7)] == [h.id for h in searcher.search_batch([q], k=7)[0]]


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_modes(searcher, mode):
    hits = searcher.search("مصادرة عائدات الجريمة", k=5, mode=mode)
    assert 0 < len(hits) <= 5
    if mode == "lexical":
        assert set(hits[0].channels) == {"bm25_ar", "bm25_en"}
    if mode == "dense":
        assert not {"bm25_ar", "bm25_en"} & set(hits[0].channels)


def test_filters_apply_before_the_cutoff(searcher, corpus):
    hits = searcher.search("الاتجار بالأشخاص", k=10, meeting=6)
    assert len(hits) == 10 and {h.meeting.number for h in hits} == {6}
    few = searcher.search("الاتجار بالأشخاص", k=50, meeting=[7, 8])
    assert len(few) == 50 and {h.meeting.number for h in few} == {7, 8}
    assert {h.meeting.year for h in searcher.search("الضحايا", k=30, year=(2013, 2015))} <= {2013, 2015}
    sec = searcher.search("الضحايا", k=100, addressee="secretariat")
    assert sec and all("secretariat" in h.addressees for h in sec)
    assert len(sec) == sum(1 for r in corpus if "secretariat" in r.addressees)


def test_a_meeting_that_adopted_none_gives_what_it_proposed_and_says_so(searcher, corpus):
    hits = searcher.search("الاتجار", meeting=3, k=50)
    proposed = {r.id for r in corpus if r.proposed_at and r.proposed_at.number == 3}
    assert proposed == {f"4.46.{x}" for x in "abcdefghij"}  # derived from their lead-in's date
    assert {h.id for h in hits} == proposed and all(h.proposed_at == 3 and h.meeting.number == 4 for h in hits)
    assert any("3rd meeting" in n and "adopted no recommendations itself" in n and "4.46.a" in n for n in hits.notes)
    fourth = searcher.search("الاتجار", meeting=4, k=50)
    assert all(h.meeting.number == 4 for h in fourth) and not fourth.notes


def test_meetings_and_years_named_but_not_held_are_reported_not_dropped(searcher):
    ninth = searcher.search("what did the ninth meeting say about children", k=3)
    assert ninth.understood.missing_meetings == (9,) and ninth.filters.meetings == ()
    assert any("no meeting 9" in n for n in ninth.notes) and "ninth" not in ninth.understood.text
    later = searcher.search("the 2016 meeting on corruption", k=3)
    assert later.understood.missing_years == (2016,) and any("No meeting was held in 2016" in n for n in later.notes)
    with pytest.raises(QueryError, match="no meeting in 2016"):
        searcher.search("corruption", year=2016)


def test_k_larger_than_the_corpus_gives_all_of_it_once(searcher, corpus):
    hits = searcher.search("الاتجار", k=10_000)
    assert len(hits) == len(corpus) - 1  # 5.35 shares 5.34's slot
    assert len({h.id for h in hits}) == len(hits)


def test_identical_recommendations_take_one_slot(searcher, corpus):
    hits = searcher.search(corpus["5.34"].text, k=5)
    assert hits[0].id in ("5.34", "5.35")
    assert set(hits[0].ids) == {"5.34", "5.35"}
    assert not {"5.34", "5.35"} & {h.id for h in hits[1:]}


def test_query_understanding_turns_meetings_and_years_into_filters(searcher):
    r = searcher.search("ماذا أوصى الفريق في الاجتماع الخامس بشأن الموافقة؟", k=5)
    assert r.understood.meetings == (5,) and {h.meeting.number for h in r} == {5}
    r = searcher.search("recommendations on victims in 2011", k=5)
    assert r.understood.years == (2011,) and {h.meeting.year for h in r} == {2011}
    explicit = searcher.search("في الاجتماع الخامس", k=5, meeting=2)
    assert {h.meeting.number for h in explicit} == {2}
    literal = searcher.search("في الاجتماع الخامس", k=30, understand_query=False)
    assert len({h.meeting.number for h in literal}) > 1


def test_similar_excludes_itself_and_its_twin(searcher):
    hits = searcher.search("x", k=1)  # warm
    more = searcher.similar("5.34", k=5)
    assert len(more) == 5 and not {"5.34", "5.35"} & {h.id for h in more}
    assert {h.meeting.number for h in searcher.similar("4.46.g", k=5, meeting=4)} == {4}
    with pytest.raises(UnknownRecommendationError):
        searcher.similar("9.99")
    assert hits


@pytest.mark.parametrize("query", ["", "   ", "\u200f\u200e", "\u202b \u202c", "\t\n"])
def test_blank_queries_are_value_errors(searcher, query):
    with pytest.raises(QueryError) as info:
        searcher.search(query)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("query", [None, 42, b"bytes", ["list"]])
def test_non_string_queries_are_type_errors(searcher, query):
    with pytest.raises(QueryTypeError) as info:
        searcher.search(query)
    assert isinstance(info.value, TypeError)


@pytest.mark.parametrize("k", [0, -1])
def test_bad_k(searcher, k):
    with pytest.raises(ValueError):
        searcher.search("الضحايا", k=k)


def test_huge_query_is_a_clear_value_error(searcher):
    with pytest.raises(QueryError, match="limit"):
        searcher.search("الضحايا " * 20_000)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"meeting": 9}, "valid meetings"),
        ({"year": 2012}, "meetings in"),
        ({"year": (2019, 2020)}, "no meeting between"),
        ({"addressee": "everyone"}, "unknown addressee .everyone.; valid values"),
        ({"mode": "fuzzy"}, "valid modes"),
    ],
)
def test_unknown_filter_values_list_the_valid_ones(searcher, kwargs, match):
    with pytest.raises(ValueError, match=match):
        searcher.search("الضحايا", **kwargs)


def test_threads_get_exactly_the_serial_results(searcher):
    queries = ["تعويض الضحايا", "التعاون الدولي", "مكافحة الفساد", "حماية الأطفال"] * 4
    serial = [[h.id for h in searcher.search(q, k=10)] for q in queries]
    got: dict[int, list[str]] = {}

    def work(i: int) -> None:
        got[i] = [h.id for h in searcher.search(queries[i], k=10)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(queries))]
    for t in threads[:8]:
        t.start()
    for t in threads[:8]:
        t.join()
    for t in threads[8:]:
        t.start()
    for t in threads[8:]:
        t.join()
    assert [got[i] for i in range(len(queries))] == serial


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=60))
def test_arbitrary_unicode_never_crashes(searcher, query):
    try:
        hits = searcher.search(query, k=3)
    except QueryError as exc:
        assert "empty" in str(exc)  # blank after cleaning: a clear, typed refusal, and nothing else
        return
    assert 1 <= len(hits) <= 3 and all(h.citation.startswith("CTOC/COP/WG.4/2019/5") for h in hits)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["\u200f", "\x00", "😀", "ـ", "ﻻ", "a", "ب", " ", "\u202e", "中"]), max_size=20))
def test_rtl_marks_emoji_nul_and_mixed_scripts(searcher, parts):
    query = "".join(parts)
    try:
        hits = searcher.search(query, k=2)
    except QueryError as exc:
        assert "empty" in str(exc)
        return
    assert 1 <= len(hits) <= 2 and all(h.id for h in hits)


def test_load_round_trip(built, corpus):
    searcher, path = built
    fake = FakeEncoder()
    loaded = Searcher.load(path, encoder=fake, corpus=corpus)
    q = "تدريب القضاة"
    assert [h.id for h in loaded.search(q)] == [h.id for h in searcher.search(q)]


def test_load_without_the_custom_encoder_says_so(built, corpus):
    with pytest.raises(IndexMismatchError, match="custom encoder"):
        Searcher.load(built[1], corpus=corpus)


def test_load_with_another_encoder_is_refused(built, corpus):
    with pytest.raises(IndexMismatchError, match="built with"):
        Searcher.load(built[1], encoder=FakeEncoder(dim=32), corpus=corpus)


def _copy(path: Path, tmp_path: Path) -> Path:
    dest = tmp_path / "copy"
    shutil.copytree(path, dest)
    return dest


def test_every_index_file_is_verified(built, corpus, tmp_path):
    files = [p for p in sorted(built[1].rglob("*")) if p.is_file()]
    assert len(files) >= 4
    for i, original in enumerate(files):
        copy = tmp_path / f"c{i}"
        shutil.copytree(built[1], copy)
        target = copy / original.relative_to(built[1])
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0x01
        target.write_bytes(bytes(data))
        with pytest.raises((IndexCorruptError, IndexMismatchError)):
            Searcher.load(copy, encoder=FakeEncoder(), corpus=corpus)


def test_truncated_and_missing_files_are_refused(built, corpus, tmp_path):
    copy = _copy(built[1], tmp_path)
    vec = next(p for p in copy.rglob("*.npy"))
    vec.write_bytes(vec.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match=r"is truncated \(\d+ bytes, expected \d+\)"):  # the message, not the path
        Searcher.load(copy, encoder=FakeEncoder(), corpus=corpus)
    vec.unlink()
    with pytest.raises(IndexNotFoundError):
        Searcher.load(copy, encoder=FakeEncoder(), corpus=corpus)
    with pytest.raises(IndexNotFoundError):
        Searcher.load(tmp_path / "nothing-here", encoder=FakeEncoder(), corpus=corpus)


def test_an_index_of_another_corpus_is_refused(built, corpus, tmp_path):
    from dataclasses import replace

    from recsearch import Corpus

    records = list(corpus)
    records[0] = replace(records[0], text=records[0].text + " تعديل")
    changed = Corpus(records)
    with pytest.raises(IndexMismatchError, match="1.1"):
        Searcher.load(built[1], encoder=FakeEncoder(), corpus=changed)


class _Exploding(FakeEncoder):
    def encode_passages(self, texts, **kwargs):
        raise RuntimeError("disk full")


def test_a_failed_rebuild_leaves_the_old_index_intact(built, corpus, tmp_path):
    copy = _copy(built[1], tmp_path)
    before = {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()}
    with pytest.raises(RuntimeError, match="disk full"):
        Searcher.build(corpus, _Exploding(), copy, show_progress=False, cache=False)
    assert {p: p.read_bytes() for p in copy.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]
    Searcher.load(copy, encoder=FakeEncoder(), corpus=corpus)


def _reseal(path: Path, edit) -> None:
    from recsearch import store

    data = json.loads((path / store.MANIFEST_NAME).read_text(encoding="utf-8"))
    edit(data)
    data.pop("checksum")
    data["checksum"] = store._body_checksum(data)
    (path / store.MANIFEST_NAME).write_text(json.dumps(data), encoding="utf-8")


def test_a_manifest_with_swapped_channels_is_refused_at_load(corpus, tmp_path):
    path = tmp_path / "two"
    Searcher.build(corpus, ["hashing:64", "hashing:32"], path, show_progress=False, cache=False)
    assert [e.dim for e in Searcher.load(path, corpus=corpus).encoders] == [64, 32]
    keys = ("encoder", "spec", "dim")

    def swap(data):
        a, b = data["channels"][0], data["channels"][1]
        for key in keys:
            a[key], b[key] = b[key], a[key]

    _reseal(path, swap)
    with pytest.raises(IndexCorruptError, match="dense0 holds flat vectors of dim 64"):
        Searcher.load(path, corpus=corpus)


def test_an_index_built_by_spec_loads_without_naming_its_encoders(corpus, tmp_path):
    Searcher.build(corpus, "hashing", tmp_path / "h", show_progress=False, cache=False)
    loaded = Searcher.load(tmp_path / "h", corpus=corpus)
    assert [e.name for e in loaded.encoders] == ["hashing-256/v1"]
    assert loaded.search("تعويض الضحايا", 3)


@pytest.mark.parametrize("kwargs", [{"meeting": "²"}, {"year": ("²", "³")}, {"meeting": ["5", "٣²"]}])
def test_digits_that_are_not_decimal_are_type_errors_not_crashes(searcher, kwargs):
    with pytest.raises(QueryTypeError, match="must be ints"):
        searcher.search("victims", 3, **kwargs)


def test_arabic_indic_digit_strings_are_read_as_numbers(searcher):
    assert {h.meeting.number for h in searcher.search("victims", 5, meeting="٥")} == {5}
