"""Function-calling tools: valid schemas, round trips for every tool, bad arguments as JSON errors."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fakes import FakeEncoder
from recsearch import call_tool, tool_schema
from recsearch.search import Searcher
from recsearch.tools import MAX_K, TOOL_NAMES, validate_arguments


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus):
    return Searcher.build(corpus, FakeEncoder(), tmp_path_factory.mktemp("tools") / "index", show_progress=False, cache=False)


def test_schema_is_openai_style_json(searcher):
    schema = json.loads(json.dumps(tool_schema(searcher)))  # plain JSON all the way down
    assert [t["function"]["name"] for t in schema] == list(TOOL_NAMES) == [
        "search_recommendations", "get_recommendation", "similar_recommendations",
    ]  # fmt: skip
    for tool in schema:
        assert tool["type"] == "function"
        fn = tool["function"]
        assert fn["description"] and fn["parameters"]["type"] == "object"
        assert set(fn["parameters"]["required"]) <= set(fn["parameters"]["properties"])
        assert fn["parameters"]["additionalProperties"] is False
    tool_schema(searcher)[0]["function"]["name"] = "changed"  # callers get a copy
    assert tool_schema(searcher)[0]["function"]["name"] == "search_recommendations"


def test_schema_enums_and_descriptions_are_the_corpus_values(searcher, corpus):
    search = tool_schema(searcher)[0]["function"]
    props = search["parameters"]["properties"]
    assert props["meeting"]["enum"] == sorted(corpus.meetings) == list(range(1, 9))
    assert props["year"]["enum"] == sorted({m.year for m in corpus.meetings.values()})
    assert props["addressee"]["enum"] == list(corpus.facet_values("addressee"))
    assert "288 recommendations" in search["description"] and "CTOC/COP/WG.4/2019/5" in search["description"]
    assert "Meetings [3] adopted none" in props["meeting"]["description"]


def test_search_round_trip(searcher, corpus):
    reply = call_tool("search_recommendations", {"query": "تعويض الضحايا", "k": 3, "lang": "en"}, searcher=searcher)
    json.dumps(reply, ensure_ascii=False)
    assert reply["tool"] == "search_recommendations" and len(reply["results"]) == 3
    first = reply["results"][0]
    assert first["citation"] == corpus[first["id"]].citation("en") and first["text"] == corpus[first["id"]].text
    assert "channels" not in first and first["text_en_note"]
    assert reply["understood"]["language"] == "ar"


def test_arguments_may_be_a_json_string_and_defaults_apply(searcher):
    reply = call_tool("search_recommendations", '{"query": "الضحايا", "meeting": 6}', searcher=searcher)
    assert len(reply["results"]) == 5 and {r["meeting"]["number"] for r in reply["results"]} == {6}


def test_get_and_similar_round_trip(searcher, corpus):
    got = call_tool("get_recommendation", {"id": "4.46.g"}, searcher=searcher)
    assert got["recommendation"]["citation"] == corpus["4.46.g"].citation() and "extra" not in got["recommendation"]
    json.dumps(got, ensure_ascii=False)
    more = call_tool("similar_recommendations", {"id": "5.34", "k": 4}, searcher=searcher)
    ids = [r["id"] for r in more["results"]]
    assert len(ids) == 4 and not {"5.34", "5.35"} & set(ids)


@pytest.mark.parametrize(
    ("name", "arguments", "kind", "words"),
    [
        ("delete_everything", {}, "unknown_tool", "unknown tool"),
        ("search_recommendations", {}, "invalid_argument", "missing required"),
        ("search_recommendations", {"query": "   "}, "invalid_argument", "empty"),
        ("search_recommendations", {"query": "x", "k": 0}, "invalid_argument", ">= 1"),
        ("search_recommendations", {"query": "x", "k": MAX_K + 1}, "invalid_argument", f"<= {MAX_K}"),
        ("search_recommendations", {"query": "x", "k": "3"}, "invalid_argument", "integer"),
        ("search_recommendations", {"query": "x", "k": True}, "invalid_argument", "integer"),
        ("search_recommendations", {"query": 42}, "invalid_argument", "string"),
        ("search_recommendations", {"query": "x", "meeting": 9}, "invalid_argument", "one of"),
        ("search_recommendations", {"query": "x", "addressee": "police"}, "invalid_argument", "one of"),
        ("search_recommendations", {"query": "x", "colour": "red"}, "invalid_argument", "unknown argument"),
        ("search_recommendations", "{not json", "invalid_argument", "not valid JSON"),
        ("search_recommendations", "[1, 2]", "invalid_argument", "JSON object"),
        ("search_recommendations", {"query": "x" * 2001}, "invalid_argument", "limit"),
        ("get_recommendation", {"id": "9.99"}, "unknown_id", "no recommendation"),
        ("similar_recommendations", {"id": "4.46.z"}, "unknown_id", "did you mean"),
    ],
)
def test_bad_calls_are_json_errors_not_tracebacks(searcher, name, arguments, kind, words):
    reply = call_tool(name, arguments, searcher=searcher)
    assert set(reply) == {"error"} and reply["error"]["type"] == kind
    assert words in reply["error"]["message"]
    json.dumps(reply)


def test_validate_arguments_fills_defaults():
    assert validate_arguments("similar_recommendations", {"id": "1.1"}) == {"id": "1.1", "k": 5}


@pytest.mark.integration
def test_call_tool_uses_the_shipped_index_by_default():
    reply = call_tool("search_recommendations", {"query": "compensation for trafficking victims", "k": 3})
    assert reply["results"] and all(r["citation"].startswith("CTOC/COP/WG.4/2019/5, ") for r in reply["results"])


@pytest.mark.parametrize(
    "arguments, kind",
    [
        ("[" * 100_000 + "]" * 100_000, "invalid_argument"),  # deeply nested JSON
        ({1: "x", "query": "victims"}, "invalid_argument"),  # a key that is not a string
        ({"query": b"victims"}, "invalid_argument"),
        ({"query": "victims", "k": {1, 2}}, "invalid_argument"),
        ({"query": {"nested": [1, 2]}}, "invalid_argument"),
    ],
)
def test_odd_arguments_come_back_as_error_dicts(searcher, arguments, kind):
    reply = call_tool("search_recommendations", arguments, searcher=searcher)
    assert reply["error"]["type"] == kind and len(reply["error"]["message"]) < 400
    json.dumps(reply)


def test_numpy_integers_are_integers_for_the_tools_too(searcher):
    import numpy as np

    reply = call_tool("search_recommendations", {"query": "victims", "k": np.int64(2)}, searcher=searcher)
    assert len(reply["results"]) == 2
    json.dumps(reply)


@pytest.mark.parametrize(
    ("arguments", "holds"),
    [
        ({"meeting": 6}, lambda r: r["meeting"]["number"] == 6),
        ({"year": 2015}, lambda r: r["meeting"]["year"] == 2015),
        ({"addressee": "unodc"}, lambda r: "unodc" in r["addressees"]),
        ({"strength": "encouraged"}, lambda r: r["strength"] == "encouraged"),
        ({"theme": "victim_identification"}, lambda r: "victim_identification" in r["themes"]),
        ({"sdg": "16.2"}, lambda r: "16.2" in r["sdg_targets"]),
    ],
    ids=["meeting", "year", "addressee", "strength", "theme", "sdg"],
)
def test_every_filter_argument_reaches_the_search(searcher, arguments, holds):
    reply = call_tool("search_recommendations", {"query": "victims", "k": 5, **arguments}, searcher=searcher)
    assert reply["results"] and all(holds(r) for r in reply["results"]), reply["results"][0]
    unfiltered = call_tool("search_recommendations", {"query": "victims", "k": 50}, searcher=searcher)
    assert not all(holds(r) for r in unfiltered["results"])  # the filter is what made it hold


def test_similar_takes_its_filters_and_k(searcher):
    more = call_tool("similar_recommendations", {"id": "5.34", "k": 3, "meeting": 2, "lang": "ar"}, searcher=searcher)
    assert len(more["results"]) == 3 and {r["meeting"]["number"] for r in more["results"]} == {2}
    assert all(r["citation"] == r["citation_ar"] for r in more["results"])


def test_an_error_message_shows_the_offending_value_in_short(searcher):
    def message(arguments, name="search_recommendations"):
        return call_tool(name, arguments, searcher=searcher)["error"]["message"]

    shown = message({"query": "x", "lang": "x" * 200}).split("got ", 1)[1]
    assert shown.startswith('"xxx') and shown.endswith("...") and len(shown) == 80
    assert message({"query": "x", "lang": "x" * 78}).endswith('"' + "x" * 78 + '"')  # 80 characters: whole
    assert message({"query": "x", "lang": "x" * 79}).endswith('got "' + "x" * 76 + "...")  # 81: cut to 80
    assert message({"query": "x", "lang": "عربي"}).endswith('got "عربي"')  # as written, not \u escapes
    assert message({"query": "x", "k": "3"}).endswith('got "3"')
    assert message({"query": "x", "k": {1}}).endswith("got a set")
    assert "'delete_everything'" in message({}, "delete_everything")


def test_a_fault_that_is_not_the_callers_is_an_error_of_type_error(searcher, monkeypatch):
    from recsearch.errors import IndexCorruptError

    def broken(*args, **kwargs):
        raise IndexCorruptError("index damaged: rebuild it")

    monkeypatch.setattr(searcher, "search", broken)
    reply = call_tool("search_recommendations", {"query": "victims"}, searcher=searcher)
    assert reply == {"error": {"type": "error", "message": "index damaged: rebuild it"}}


def test_without_a_searcher_the_default_one_answers(searcher, monkeypatch):
    import recsearch.tools as tools

    monkeypatch.setattr(tools, "_default", searcher)
    assert call_tool("get_recommendation", {"id": "4.46.g"})["recommendation"]["id"] == "4.46.g"


def test_each_filter_parameter_says_what_it_keeps_and_lists_the_labels(searcher, corpus):
    props = tool_schema(searcher)[0]["function"]["parameters"]["properties"]
    assert props["meeting"]["type"] == props["year"]["type"] == "integer"
    assert props["meeting"]["description"] == "Only recommendations adopted at this meeting. Meetings [3] adopted none themselves."
    assert props["year"]["description"] == "Only recommendations adopted in this year."
    assert props["year"]["enum"] == [2009, 2010, 2011, 2013, 2015, 2017, 2018]
    assert props["addressee"]["type"] == "string" and props["addressee"]["description"] == "Only recommendations addressed to this actor."
    for facet, what in (("theme", "on this theme"), ("sdg", "serving this SDG target"), ("strength", "that ask this strongly")):
        values = list(corpus.facet_values(facet))
        assert props[facet]["type"] == "string" and props[facet]["enum"] == values
        pairs = "; ".join(f"{v} = {corpus.facet_label(facet, v)}" for v in values)
        assert props[facet]["description"] == f"Only recommendations {what} ({pairs})."
    assert "should = should; should_consider = should consider" in props["strength"]["description"]


def test_a_tool_hit_keeps_what_matched_but_not_offsets_or_channel_scores(searcher):
    hit = call_tool("search_recommendations", {"query": "victims compensation", "k": 1}, searcher=searcher)["results"][0]
    assert "channels" not in hit
    assert set(hit["explanation"]) == {"words", "concepts", "best_variant"} and hit["explanation"]["words"]


def test_each_reply_has_exactly_its_documented_keys(searcher):
    search = call_tool("search_recommendations", {"query": "victims at the sixth meeting", "k": 2}, searcher=searcher)
    assert set(search) == {"tool", "no_good_match", "notes", "results", "unfiltered_results", "understood"}
    assert search["tool"] == "search_recommendations" and search["understood"]["meetings"] == [6]
    similar = call_tool("similar_recommendations", {"id": "5.34", "k": 2}, searcher=searcher)
    assert set(similar) == {"tool", "id", "results"} and (similar["tool"], similar["id"]) == ("similar_recommendations", "5.34")
    got = call_tool("get_recommendation", {"id": "5.34"}, searcher=searcher)
    assert set(got) == {"tool", "recommendation"} and got["tool"] == "get_recommendation"


def test_notes_and_unfiltered_results_are_passed_on(searcher, monkeypatch):
    real = searcher.search

    def with_unfiltered(query, k, **options):
        results = real(query, k, **options)
        results.notes = ("a note",)
        results.unfiltered = real("compensation", 2)
        return results

    monkeypatch.setattr(searcher, "search", with_unfiltered)
    reply = call_tool("search_recommendations", {"query": "victims", "k": 2}, searcher=searcher)
    assert reply["notes"] == ["a note"]
    assert [h["id"] for h in reply["unfiltered_results"]] == [h.id for h in real("compensation", 2)]
    assert "channels" not in reply["unfiltered_results"][0]  # rendered as tool hits


GOLDEN_SCHEMA = Path(__file__).resolve().parent / "data" / "tool_schema_wg4.json"


def test_the_tool_schema_is_the_reviewed_one(searcher):
    """What a model reads is a contract: any change to a name, a description or an enum shows
    up here, to be reviewed and then written with RECSEARCH_UPDATE_GOLDEN=1."""
    schema = json.loads(json.dumps(tool_schema(searcher), ensure_ascii=False))
    if os.environ.get("RECSEARCH_UPDATE_GOLDEN") == "1":
        GOLDEN_SCHEMA.write_text(json.dumps(schema, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    assert schema == json.loads(GOLDEN_SCHEMA.read_text(encoding="utf-8"))


def test_bounds_are_inclusive_and_checked_by_the_tool_with_its_own_words(searcher):
    def reply(arguments, name="search_recommendations"):
        return call_tool(name, arguments, searcher=searcher)

    assert len(reply({"query": "victims", "k": 1})["results"]) == 1
    assert len(reply({"query": "victims", "k": MAX_K})["results"]) == MAX_K
    assert "results" in reply({"query": "victims " + "x" * 1992})  # exactly 2,000 characters
    assert reply({"query": "x" * 2001})["error"]["message"] == "query is 2001 characters long; the limit is 2000"
    assert reply({"query": "  "})["error"]["message"] == "query must not be empty"
    assert reply({"id": "x" * 201}, "get_recommendation")["error"] == {
        "type": "invalid_argument", "message": "id is 201 characters long; the limit is 200",
    }
    assert reply({"query": "x", "k": 0})["error"]["message"] == "k must be >= 1, got 0"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (None, "missing required argument(s) ['query'] for search_recommendations"),
        ("", "missing required argument(s) ['query'] for search_recommendations"),
        ({1: "a", 2: "b", 3: "c", 4: "d", "query": "x"}, "argument names must be strings, got ['1', '2', '3']"),
    ],
)
def test_missing_or_odd_arguments_get_the_precise_message(searcher, arguments, message):
    assert call_tool("search_recommendations", arguments, searcher=searcher)["error"]["message"] == message


def test_validate_arguments_refuses_an_unknown_tool_and_uses_the_searchers_collections(tmp_path):
    from recsearch.errors import QueryError
    from conftest import TEST_DATA

    with pytest.raises(QueryError, match="unknown tool 'nope'"):
        validate_arguments("nope", {})
    fictional = Searcher.build(
        collections=[TEST_DATA / "fictional_collection"], encoder="hashing", path=tmp_path / "index", show_progress=False, cache=False
    )
    assert validate_arguments("search_recommendations", {"query": "x", "meeting": 2}, fictional)["meeting"] == 2
    props = tool_schema(fictional)[0]["function"]["parameters"]["properties"]
    assert props["meeting"]["description"] == "Only recommendations adopted at this meeting."  # each adopted some
    got = call_tool("get_recommendation", {"id": "2.2"}, searcher=fictional)["recommendation"]
    assert got["id"] == "2.2" and "extra" not in got  # the collection's free-form data stays in Python
    with pytest.raises(QueryError, match=r"meeting must be one of \[1, 2\]"):
        validate_arguments("search_recommendations", {"query": "x", "meeting": 5}, fictional)


def test_the_id_parameter_gives_the_collections_first_id_as_its_example(tmp_path):
    from recsearch import load_corpus
    from recsearch.collection import write_collection
    from recsearch.tools import _build_tools

    folder = write_collection(
        tmp_path / "c",
        {"symbol": "FICT/3", "title": "t", "language": "en", "meetings": [{"number": 2, "name": "Second meeting"}]},
        [{"id": "2.7", "text": "Keep lighthouses lit.", "meeting": 2, "paragraph": 7}],
    )
    tools = {t["name"]: t for t in _build_tools(load_corpus(folder))}
    assert tools["get_recommendation"]["parameters"]["properties"]["id"]["description"] == "Recommendation id, e.g. '2.7'."
