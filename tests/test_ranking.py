"""Candidates first, then fusion: the same top k as exhaustive scoring, filters inside."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import ROOT
from fakes import FakeEncoder
from recsearch.errors import QueryError
from recsearch.ranking import SearchSettings
from recsearch.search import Searcher

QUERIES = [
    "تعويض ضحايا الاتجار",
    "حماية الشهود",
    "التعاون الدولي في تسليم المجرمين",
    "compensation for victims",
    "non-punishment of victims",
    "training judges and prosecutors",
    "indemnisation des victimes",
    "الاتجار",
    "shelters for children",
    "corruption",
]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus):
    return Searcher.build(corpus, [FakeEncoder(), FakeEncoder(32, "fake-32")], tmp_path_factory.mktemp("ix") / "i",
                          show_progress=False, cache=False)


def ids(results):
    return [h.id for h in results]


@pytest.fixture(params=["small collection path", "retrieval path"])
def candidates(request, searcher, monkeypatch):
    """The shipped collection fits the statistics sample, so its candidates come from exact
    scores; with a smaller sample they come from FAISS and bm25s, as in a large collection."""
    if request.param == "retrieval path":
        import recsearch.filters

        monkeypatch.setattr(recsearch.filters, "STATS_SAMPLE", 50)
    return Searcher(searcher.corpus, searcher.channels)  # a fresh filter cache


@pytest.mark.parametrize("mode", ["hybrid", "dense", "lexical"])
def test_candidates_give_the_exhaustive_top_k(candidates, mode):
    searcher = candidates
    exhaustive = searcher.configure(exhaustive=True)
    for q in QUERIES:
        for k in (1, 10, 30):
            assert ids(searcher.search(q, k, mode=mode)) == ids(exhaustive.search(q, k, mode=mode)), (q, k)
        fused = searcher.search(q, 10, mode=mode)
        assert [h.score for h in fused] == pytest.approx([h.score for h in exhaustive.search(q, 10, mode=mode)])


def test_filtered_candidates_give_the_exhaustive_top_k(candidates, corpus):
    searcher = candidates
    exhaustive = searcher.configure(exhaustive=True)
    for q in QUERIES[:5]:
        for filters in ({"meeting": 6}, {"year": (2009, 2011)}, {"addressee": "secretariat"}):
            got = searcher.search(q, 10, **filters)
            assert ids(got) == ids(exhaustive.search(q, 10, **filters))


def test_a_shallow_pool_still_returns_k_allowed_hits(candidates, corpus):
    shallow = candidates.configure(depth=1, keyword_depth=1)  # k' = max(k, 100)
    hits = shallow.search("الاتجار بالأشخاص", k=50, meeting=[7, 8])
    assert len(hits) == 50 and {h.meeting.number for h in hits} == {7, 8}


def test_channel_ranks_and_scores_are_reported_for_every_hit(searcher):
    hits = searcher.search("compensation for victims", 5)
    for h in hits:
        assert set(h.channels) == {"dense0", "dense1", "bm25_ar", "bm25_en"}
        assert all(c["rank"] >= 1 for c in h.channels.values())


def test_settings_are_public_configuration(searcher):
    one = searcher.configure(channels=("dense0", "bm25_ar"))
    assert set(one.search("الاتجار", 3)[0].channels) == {"dense0", "bm25_ar"}
    assert searcher.settings == SearchSettings()  # configure returns a new Searcher
    rrf = searcher.configure(fusion="rrf")
    assert ids(rrf.search("compensation for victims", 10)) != ids(searcher.search("compensation for victims", 10))
    no_glossary = searcher.configure(expand=False)
    assert no_glossary.search("компенсация жертвам торговли людьми", 1, mode="lexical") == []
    assert searcher.search("компенсация жертвам торговли людьми", 1, mode="lexical")  # the glossary reaches the text
    ar_only = searcher.configure(variants=("ar",), channels=("dense0",))
    assert ids(ar_only.search("compensation", 5, mode="dense")) != ids(searcher.configure(channels=("dense0",)).search("compensation", 5, mode="dense"))
    with pytest.raises(QueryError, match="unknown settings"):
        searcher.configure(fuzion="rrf")
    with pytest.raises(QueryError, match="no channels"):
        searcher.configure(channels=("dense7",))
    with pytest.raises(QueryError, match="fusion"):
        searcher.configure(fusion="borda")
    with pytest.raises(QueryError, match="depth"):
        searcher.configure(depth=0)


def test_an_hnsw_index_answers_like_the_flat_one(tmp_path, corpus, searcher):
    hnsw = Searcher.build(corpus, [FakeEncoder(), FakeEncoder(32, "fake-32")], tmp_path / "h", index_kind="hnsw",
                          show_progress=False, cache=False)
    assert {c.index.kind for c in hnsw.channels if c.kind == "dense"} == {"hnsw"}
    loaded = Searcher.load(tmp_path / "h", [FakeEncoder(), FakeEncoder(32, "fake-32")], corpus=corpus)
    for q in QUERIES:
        assert ids(loaded.search(q, 10)) == ids(searcher.search(q, 10))


@pytest.mark.integration
def test_on_the_shipped_index_every_dev_query_gets_the_exhaustive_top_10():
    shipped = Searcher.load()
    exhaustive = shipped.configure(exhaustive=True)
    queries = [json.loads(line)["query"] for name in ("queries_dev.jsonl",) for line in (ROOT / "tests" / "data" / name).open()]
    queries += ["cryptocurrency mining regulation", "football world cup", "how to train a puppy"]
    for q in queries:
        assert ids(shipped.search(q, 10)) == ids(exhaustive.search(q, 10)), q
