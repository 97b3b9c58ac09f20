"""The relevance model: features, calibration file, and how the Searcher applies it."""

from __future__ import annotations

import json

import numpy as np
import pytest

from fakes import FakeEncoder
from recsearch.errors import IndexCorruptError, IndexMismatchError, QueryError, QueryTypeError
from recsearch.relevance import RelevanceModel, channel_signature, load_relevance
from recsearch.search import Searcher


def model_for(channels, **coef) -> RelevanceModel:
    return RelevanceModel(channels=channel_signature(channels), coef=coef, intercept=-1.0, answer_at=0.5)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus):
    path = tmp_path_factory.mktemp("rel") / "index"
    return Searcher.build(corpus, FakeEncoder(), path, show_progress=False, cache=False)


def test_features_read_raw_scores_their_distance_above_the_mean_and_the_best_keyword_score():
    m = RelevanceModel(
        channels={"d": "enc", "k1": "keyword:ar", "k2": "keyword:en"},
        coef={"d": 1.0, "d:above_mean": 2.0, "keyword:max_log1p": 3.0},
        intercept=0.5,
        answer_at=0.3,
    )
    scores = {"d": np.array([0.9, 0.2]), "k1": np.array([0.0, 4.0]), "k2": np.array([2.0, 1.0])}
    f = m.features(scores, {"d": 0.1, "k1": 0.0, "k2": 0.0})
    assert np.allclose(f["d:above_mean"], [0.8, 0.1]) and np.allclose(f["keyword:max_log1p"], np.log1p([2.0, 4.0]))
    z = 0.5 + 1.0 * np.array([0.9, 0.2]) + 2.0 * np.array([0.8, 0.1]) + 3.0 * np.log1p([2.0, 4.0])
    assert np.allclose(m.predict(scores, {"d": 0.1}), 1 / (1 + np.exp(-z)))
    assert m.needs == {"d", "k1", "k2"}


@pytest.mark.parametrize(
    "change, message",
    [({"answer_at": 1.0}, "answer_at"), ({"coef": {"nope": 1.0}}, "not a feature"), ({"coef": {"d": float("nan")}}, "not finite")],
)
def test_a_malformed_model_is_refused(change, message):
    args = dict(channels={"d": "enc"}, coef={"d": 1.0}, intercept=0.0, answer_at=0.5) | change
    with pytest.raises(ValueError, match=message):
        RelevanceModel(**args)


def test_a_damaged_model_file_is_an_index_error_naming_it(tmp_path):
    bad = tmp_path / "relevance.json"
    bad.write_text('{"channels": {}, "coef": ', encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="relevance.json"):
        load_relevance(bad)
    good = model_for([], ).to_dict() | {"answer_at": 0.25}
    bad.write_text(json.dumps(good), encoding="utf-8")
    assert load_relevance(bad).answer_at == 0.25


def test_relevance_is_a_probability_that_never_rises_down_the_list(searcher):
    model = model_for(searcher.channels, dense0=6.0, **{"dense0:above_mean": 4.0, "keyword:max_log1p": 0.5})
    s = Searcher(searcher.corpus, searcher.channels, relevance=model)
    for query in ("تعويض ضحايا الاتجار", "compensation for victims", "zzzz qqqq"):
        hits = s.search(query, k=10)
        rel = [h.relevance for h in hits]
        assert all(0.0 <= r <= 1.0 for r in rel) and rel == sorted(rel, reverse=True)
        assert hits.answer_at == 0.5 and hits.no_good_match == (rel[0] < 0.5)
        assert hits[0].to_dict()["relevance"] == round(rel[0], 4)


def test_no_good_match_follows_the_bar_and_min_relevance_drops_hits(searcher):
    lenient = model_for(searcher.channels, dense0=50.0)
    s = Searcher(searcher.corpus, searcher.channels, relevance=lenient)
    hits = s.search("compensation for victims", k=10)
    assert hits.no_good_match is False
    strict = Searcher(searcher.corpus, searcher.channels, relevance=RelevanceModel(lenient.channels, {"dense0": 0.0}, -20.0, 0.5))
    assert strict.search("compensation for victims", k=10).no_good_match is True
    bar = hits[4].relevance
    kept = s.search("compensation for victims", k=10, min_relevance=bar)
    assert [h.id for h in kept] == [h.id for h in hits if h.relevance >= bar] and len(kept) >= 5
    for bad, error in ((1.5, QueryError), (float("nan"), QueryError), ("0.5", QueryTypeError), (True, QueryTypeError)):
        with pytest.raises(error, match="min_relevance"):
            s.search("victims", min_relevance=bad)


def test_relevance_is_scored_with_every_channel_whatever_the_mode(searcher):
    model = model_for(searcher.channels, dense0=6.0, **{"keyword:max_log1p": 0.5})
    s = Searcher(searcher.corpus, searcher.channels, relevance=model)
    for mode in ("lexical", "dense"):  # each lacks a channel the model reads: scored for the hits anyway
        hits = s.search("compensation for victims", k=5, mode=mode)
        assert hits and all(h.relevance is not None for h in hits) and hits.no_good_match is not None


def test_without_a_model_relevance_is_unknown_not_guessed(searcher):
    bare = Searcher(searcher.corpus, searcher.channels)  # fake encoder: the shipped model does not apply
    hits = bare.search("compensation for victims", k=3)
    assert bare.relevance is None and hits.no_good_match is None and all(h.relevance is None for h in hits)
    with pytest.raises(QueryError, match="relevance model"):
        bare.search("victims", min_relevance=0.5)
    other = RelevanceModel({"dense0": "some/other-encoder"}, {"dense0": 1.0}, 0.0, 0.5)
    with pytest.raises(IndexMismatchError, match="fitted for channels"):
        Searcher(searcher.corpus, searcher.channels, relevance=other)


@pytest.fixture(scope="module")
def unsure(searcher):
    """A searcher whose model never believes it has an answer."""
    model = RelevanceModel(channel_signature(searcher.channels), {"dense0": 0.0}, -20.0, 0.5)
    return Searcher(searcher.corpus, searcher.channels, relevance=model)


def test_every_surface_says_when_nothing_answers_well(unsure):
    from recsearch.display import format_results
    from recsearch.tools import call_tool, tool_definitions

    out = call_tool("search_recommendations", {"query": "compensation for victims", "k": 3}, searcher=unsure)
    assert out["no_good_match"] is True and all(0 <= r["relevance"] < 0.5 for r in out["results"])
    described = tool_definitions(unsure)[0]["description"]
    assert "no_good_match" in described and "relevance" in described
    assert "No recommendation answers this question well" in unsure.context("compensation for victims", k=2)
    shown = format_results(unsure.search("compensation for victims", k=2), rtl=False)
    assert shown.startswith("no recommendation answers this well") and "relevance 0.00" in shown


def test_http_search_carries_no_good_match_and_relevance(unsure):
    testclient = pytest.importorskip("fastapi.testclient")
    from recsearch.http_api import create_app

    body = testclient.TestClient(create_app(unsure)).get("/search", params={"q": "compensation", "k": 2}).json()
    assert body["no_good_match"] is True and [r["relevance"] for r in body["results"]] == [0.0, 0.0]


def test_query_length_and_products_of_features():
    from recsearch.relevance import query_words

    assert query_words("compensation for victims") == 3 and query_words("儿童") == 1 and query_words("保护儿童受害者") == 4
    m = RelevanceModel(
        channels={"d": "enc"}, coef={"query:log_words": 1.0, "d*query:log_words": 2.0}, intercept=0.0, answer_at=0.5
    )
    scores = {"d": np.array([0.5, 0.25])}
    f = m.features(scores, {}, "two words")
    assert np.allclose(f["query:log_words"], np.log1p(2)) and np.allclose(f["d*query:log_words"], [0.5 * np.log1p(2), 0.25 * np.log1p(2)])
    assert m.needs == {"d"}
    with pytest.raises(ValueError, match="not a feature"):
        RelevanceModel(channels={"d": "enc"}, coef={"d*nope": 1.0}, intercept=0.0, answer_at=0.5)
