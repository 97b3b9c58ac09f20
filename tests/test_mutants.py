"""Tests written against the small bugs an outside mutation run left alive (hardening issue,
item 18): each fails when its bug is put back."""

from __future__ import annotations

import pytest

from fakes import FakeEncoder
from recsearch.filters import Filters, with_understood
from recsearch.search import Searcher
from recsearch.understand import understand

CALENDAR = {1: 2009, 2: 2010, 3: 2010, 4: 2011, 5: 2013, 6: 2015, 7: 2017, 8: 2018}


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus):
    return Searcher.build(corpus, FakeEncoder(), tmp_path_factory.mktemp("mutants") / "index", show_progress=False, cache=False)


def test_a_year_range_includes_both_ends(searcher):
    hits = searcher.search("victims", k=50, year=(2013, 2015))
    assert {h.meeting.year for h in hits} == {2013, 2015}


@pytest.mark.parametrize("ordinal, n", [("الأول", 1), ("الخامس", 5), ("السادس", 6), ("السابع", 7), ("الثامن", 8)])
def test_each_arabic_ordinal_names_its_own_meeting(ordinal, n):
    assert understand(f"ماذا أوصى الاجتماع {ordinal} بشأن الضحايا", CALENDAR).meetings == (n,)


def test_russian_inflections_meet_the_glossary_through_the_stemmer():
    from recsearch.glossary import default_glossary

    # "компенсацией" (instrumental) is in no variant list: only the Russian stemmer finds it
    assert "compensation" in {c.id for c in default_glossary().match("с компенсацией жертвам")}


def test_a_meeting_and_a_year_read_together_must_agree():
    agreed = with_understood(Filters(), understood("the first meeting, in 2009"), False, CALENDAR)
    assert agreed.meetings == (1,) and agreed.years == ()
    clash = with_understood(Filters(), understood("the first meeting in 2015"), False, CALENDAR)
    assert clash.meetings == (1,)  # no agreement: the meeting named wins, not every 2015 record


def understood(q):
    return understand(q, CALENDAR)


def test_lexical_mode_returns_only_records_sharing_a_term(searcher):
    for s in (searcher, searcher.configure(exhaustive=True)):  # candidates, or every record scored
        hits = s.search("television", k=288, mode="lexical")
        assert hits[0].id == "1.7.b" and len(hits) < 288  # nothing padded with records sharing no term
        assert all(max(c["score"] for c in h.channels.values()) > 0 for h in hits)
        assert s.search("zzqx wwvy", k=5, mode="lexical") == []


def test_keyword_channels_carry_weight_in_hybrid_fusion(searcher):
    # words only one record's English holds: BM25 finds it, the trigram fake encoder alone does not
    dense_only = searcher.configure(keyword_weight=0.0)
    for word, rec in (("television", "1.7.b"), ("curricula", "1.7.a")):
        assert searcher.search(word, k=1)[0].id == rec
        assert dense_only.search(word, k=1)[0].id != rec


def test_a_tool_error_is_a_message_not_a_traceback(searcher):
    from recsearch.tools import call_tool

    out = call_tool("get_recommendation", {"id": "9.99"}, searcher=searcher)
    assert out["error"]["type"] == "unknown_id"
    assert out["error"]["message"].startswith("no recommendation with id '9.99'") and "Traceback" not in out["error"]["message"]
