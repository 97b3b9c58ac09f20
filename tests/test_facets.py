"""Facets people browse by: filters on theme, SDG target and strength, counts, links on hits."""

from __future__ import annotations

from collections import Counter

import pytest

from fakes import FakeEncoder
from recsearch.errors import QueryError, QueryTypeError
from recsearch.search import Searcher


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus):
    return Searcher.build(corpus, FakeEncoder(), tmp_path_factory.mktemp("facets") / "index", show_progress=False, cache=False)


@pytest.mark.parametrize("facet, value", [("theme", "victim_identification"), ("sdg", "8.7"), ("strength", "may")])
def test_a_facet_filter_returns_only_matching_records_and_all_of_them_up_to_k(searcher, corpus, facet, value):
    carrying = {r.id for r in corpus if value in r.facets.get(facet, ())}
    hits = searcher.search("victims of trafficking", k=50, **{facet: value})
    assert hits and {h.id for h in hits} | {d for h in hits for d in h.duplicates} <= carrying
    assert len({i for h in hits for i in h.ids}) == min(50, len(carrying))
    assert all(value in h.facets[facet] for h in hits)


def test_facet_values_can_be_labels_and_combine_with_meetings(searcher, corpus):
    by_label = searcher.search("victims", k=50, theme="Identification of victims", meeting=5)
    assert by_label and all("victim_identification" in h.themes and h.meeting.number == 5 for h in by_label)
    assert by_label.filters.to_dict()["theme"] == ["victim_identification"]
    either = searcher.search("victims", k=50, facets={"theme": ["corruption", "organ_removal"]})
    assert {t for h in either for t in h.themes} & {"corruption", "organ_removal"} and all(
        {"corruption", "organ_removal"} & set(h.themes) for h in either
    )


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"theme": "gardening"}, QueryError, "unknown theme 'gardening'; valid values"),
        ({"facets": {"colour": "blue"}}, QueryError, "unknown facet 'colour'"),
        ({"facets": ["theme"]}, QueryTypeError, "facets must be a dict"),
        ({"theme": 3}, QueryTypeError, "theme must be a str"),
        ({"theme": "corruption", "facets": {"theme": "corruption"}}, QueryError, "given twice"),
    ],
)
def test_bad_facet_filters_are_clear_errors(searcher, kwargs, error, message):
    with pytest.raises(error, match=message):
        searcher.search("victims", **kwargs)


def test_facet_counts_over_the_collection_a_filter_and_a_query(searcher, corpus):
    expected = Counter(t for r in corpus for t in r.facets.get("theme", ()))
    counts = searcher.facet_counts("theme")
    assert {c.value: c.count for c in counts} == dict(expected)
    assert [c.count for c in counts] == sorted((c.count for c in counts), reverse=True)
    assert all(c.group in {"prevention", "protection", "prosecution", "partnership", "governance"} for c in counts)
    in_2015 = Counter(r.facets["strength"][0] for r in corpus if r.year == 2015)
    assert {c.value: c.count for c in searcher.facet_counts("strength", year=2015)} == dict(in_2015)
    hits = searcher.search("compensation for victims", k=10)
    from_hits = Counter(t for h in hits for t in h.themes)
    assert {c.value: c.count for c in searcher.facet_counts("theme", "compensation for victims", k=10)} == dict(from_hits)
    assert searcher.facet_counts("sdg", lang="fr")[0].label != searcher.facet_counts("sdg")[0].label
    with pytest.raises(QueryError, match="unknown facet"):
        searcher.facet_counts("colour")


def test_hits_carry_links_both_ways(searcher):
    [h243] = [h for h in searcher.search("non-punishment", k=50, meeting=2) if h.id == "2.43"]
    assert {"1.11.a", "1.11.b"} <= set(h243.references)
    [h111] = [h for h in searcher.search("non-punishment", k=50, meeting=1) if h.id == "1.11.b"]
    assert "2.43" in h111.cited_by and "8.1.c" in h111.restated_by
    d = h111.to_dict()
    assert d["themes"] == list(h111.themes) and d["theme_labels"] and d["strength"] == h111.strength
    assert d["restated_by"] == list(h111.restated_by)


def test_restatements_are_symmetric_and_cross_meetings(corpus):
    for rec in corpus:
        links = corpus.links_of(rec)
        for earlier in links["restates"]:
            assert rec.id in corpus.links_of(corpus[earlier])["restated_by"]
            assert corpus[earlier].meeting.number < rec.meeting.number
        for cited in links["references"]:
            assert rec.id in corpus.links_of(corpus[cited])["cited_by"]


def test_tools_http_and_cli_filter_by_theme(searcher, capsys):
    from recsearch.cli import main
    from recsearch.tools import call_tool, tool_definitions

    schema = tool_definitions(searcher)[0]["parameters"]["properties"]
    assert "victim_identification" in schema["theme"]["enum"] and "8.7" in schema["sdg"]["enum"]
    out = call_tool("search_recommendations", {"query": "victims", "k": 5, "theme": "compensation"}, searcher=searcher)
    assert out["results"] and all("compensation" in r["themes"] for r in out["results"])
    testclient = pytest.importorskip("fastapi.testclient")
    from recsearch.http_api import create_app

    client = testclient.TestClient(create_app(searcher))
    body = client.get("/search", params={"q": "victims", "k": 5, "sdg": "16.2"}).json()
    assert body["results"] and all("16.2" in r["sdg_targets"] for r in body["results"])
    counts = client.get("/facets/strength").json()["counts"]
    assert {c["value"]: c["count"] for c in counts}["should"] > 100
    assert client.get("/facets/colour").status_code == 422
    assert main(["corpus", "list", "--theme", "organ_removal", "--meeting", "4", "--json"]) == 0
    listed = __import__("json").loads(capsys.readouterr().out)
    assert listed and all("organ_removal" in r["facets"]["theme"] and r["id"].startswith("4.") for r in listed)


def test_a_theme_read_from_a_browse_query_filters_like_an_explicit_one(searcher):
    hits = searcher.search("recommendations on victim identification in 2017", k=20)
    assert hits.filters.to_dict()["theme"] == ["victim_identification"] and hits.filters.years == (2017,)
    assert hits and all("victim_identification" in h.themes and h.meeting.number == 7 for h in hits)
    explicit = searcher.search("recommendations on victim identification in 2017", k=20, theme="compensation")
    assert explicit.filters.to_dict()["theme"] == ["compensation"]  # the explicit facet wins


def test_a_facet_filter_takes_a_declared_alias_as_it_takes_a_label(searcher):
    by_alias = searcher.search("victims", k=5, theme="victim identification")  # the alias; the label is "identification of victims"
    assert by_alias.filters.to_dict()["theme"] == ["victim_identification"]
