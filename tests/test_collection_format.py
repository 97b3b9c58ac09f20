"""The collection format (docs/collection-format.md): collection.json, records.jsonl, the
folder reader and the canonical, atomic writer. Every collection here is fictional."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
from pathlib import Path

import pytest

from recsearch.collection import (
    CollectionFormatError,
    Corpus,
    Meeting,
    Profile,
    Recommendation,
    Translation,
    load_collections,
    parse_profile,
    parse_records,
    read_collection,
    write_collection,
)
from recsearch.collection import folder as folder_module
from recsearch.collection.format import CITATION_FIELDS, MAX_PROBLEMS, PROFILE_FIELDS, RECORD_FIELDS
from recsearch.errors import CorpusError, RecsearchError

FIXTURE = Path(__file__).resolve().parent / "data" / "fictional_collection"

PROFILE = {
    "symbol": "FICTIONAL/TEST/1",
    "title": "A fictional test collection",
    "language": "en",
    "meetings": [
        {"number": 1, "name": "First fictional meeting", "place": "Nowhere City", "start": "2001-02-03", "end": "2001-02-05"},
        {"number": 2, "name": {"en": "Second fictional meeting"}},
    ],
}


def profile(**changes) -> Profile:
    data = {**PROFILE, **changes}
    return parse_profile({k: v for k, v in data.items() if v is not ...})


def profile_problems(**changes) -> list[str]:
    data = {k: v for k, v in {**PROFILE, **changes}.items() if v is not ...}
    with pytest.raises(CollectionFormatError) as info:
        parse_profile(data)
    return info.value.problems


def rec(**fields) -> str:
    base = {"id": "1.1", "text": "A fictional recommendation."}
    return json.dumps({k: v for k, v in {**base, **fields}.items() if v is not ...}, ensure_ascii=False)


def records(*lines: str, prof: Profile | None = None) -> list[Recommendation]:
    return parse_records(list(lines), prof or profile())


def record_problems(*lines: str, prof: Profile | None = None) -> list[str]:
    with pytest.raises(CollectionFormatError) as info:
        parse_records(list(lines), prof or profile())
    return info.value.problems


# --------------------------------------------------------------------------- the error


def test_error_is_a_corpus_error_and_a_value_error_listing_every_problem_one_per_line():
    with pytest.raises(CollectionFormatError) as info:
        parse_profile({"symbol": "", "title": "", "language": "english"})
    err = info.value
    assert isinstance(err, CorpusError) and isinstance(err, ValueError) and isinstance(err, RecsearchError)
    assert err.problems == [
        "collection.json: field 'symbol': must not be empty",
        "collection.json: field 'title': must not be empty",
        'collection.json: field \'language\': expected an ISO 639-1 code like "en", got "english"',
    ]
    assert str(err).split("\n") == err.problems
    again = pickle.loads(pickle.dumps(err))
    assert again.problems == err.problems and str(again) == str(err)


def test_problems_are_capped_and_the_rest_counted():
    lines = [rec(id=f"r{i}", text="") for i in range(MAX_PROBLEMS + 7)]
    with pytest.raises(CollectionFormatError) as info:
        records(*lines)
    assert len(info.value.problems) == MAX_PROBLEMS
    assert info.value.more == 7
    assert str(info.value).splitlines()[-1] == "… and 7 more problems"


# --------------------------------------------------------------------------- collection.json


def test_minimal_profile_and_defaults():
    p = parse_profile({"symbol": "FICTIONAL/TEST/1", "title": "A fictional test collection", "language": "en"})
    assert (p.name, p.symbol, p.title, p.language) == ("fictional-test-1", "FICTIONAL/TEST/1", "A fictional test collection", "en")
    assert p.body is None and p.note is None and p.meetings == () and dict(p.citation) == {}


def test_name_defaults_to_a_slug_of_the_folder_then_of_the_symbol():
    base = {"symbol": "FICTIONAL/TEST/1", "title": "T", "language": "en"}
    assert parse_profile(base, default_name="My Fictional_Folder").name == "my-fictional_folder"
    assert parse_profile(base, default_name="تجربة").name == "fictional-test-1"  # nothing left of the folder name
    assert parse_profile({**base, "name": "given"}, default_name="folder").name == "given"


@pytest.mark.parametrize("missing", ["symbol", "title", "language"])
def test_profile_required_fields(missing):
    assert profile_problems(**{missing: ...}) == [f"collection.json: missing required field '{missing}'"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("symbol", 3, "field 'symbol': expected a string, got 3"),
        ("title", ["x"], 'field \'title\': expected a string, got ["x"]'),
        ("language", None, "field 'language': expected a string, got null"),
        ("name", 7, "field 'name': expected a string, got 7"),
        ("body", True, "field 'body': expected a string, got true"),
        ("note", {"en": "x"}, 'field \'note\': expected a string, got {"en": "x"}'),
        ("meetings", {"number": 1}, 'field \'meetings\': expected a list, got {"number": 1}'),
        ("citation", 5, "field 'citation': expected a string or an object {language: template}, got 5"),
    ],
)
def test_profile_wrong_types(key, value, expected):
    assert profile_problems(**{key: value}) == [f"collection.json: {expected}"]


@pytest.mark.parametrize("value", ["english", "EN", "e", "eng", ""])
def test_profile_language_must_be_iso_639_1(value):
    assert profile_problems(language=value) == [
        f'collection.json: field \'language\': expected an ISO 639-1 code like "en", got {json.dumps(value)}'
    ]


@pytest.mark.parametrize("value", ["My Collection", "-x", "_x", "x" * 41, "Fictional", ""])
def test_profile_name_must_be_a_short_key(value):
    [problem] = profile_problems(name=value)
    assert problem.startswith("collection.json: field 'name': expected a short key of 1-40 lower-case letters")
    assert json.dumps(value) in problem


def test_profile_name_accepts_short_keys():
    for value in ("x", "wg4", "fictional-test_1", "0" + "a" * 39):
        assert profile(name=value).name == value


def test_profile_unknown_keys_with_and_without_suggestion():
    assert profile_problems(titel="x", zzz=1) == [
        "collection.json: unknown field 'titel' (did you mean 'title'?)",
        "collection.json: unknown field 'zzz'",
    ]


def test_profile_not_an_object():
    with pytest.raises(CollectionFormatError) as info:
        parse_profile([PROFILE], source="x/collection.json")
    assert info.value.problems == ["x/collection.json: expected a JSON object, got a list"]


def test_profile_errors_name_the_given_source():
    with pytest.raises(CollectionFormatError, match=r"^in/my-profile\.json: missing required field 'title'$"):
        parse_profile({"symbol": "S", "language": "en"}, source="in/my-profile.json")


# meetings


def test_meetings_are_read_with_labels_dates_and_notes():
    p = profile(
        meetings=[
            {"number": 3, "name": "Third", "place": {"en": "Nowhere", "fr": "Nulle part"}, "start": "2019-07-08",
             "end": "2019-07-09", "dates": "8-9 July 2019", "note": "adopted nothing"},
        ]
    )
    [m] = p.meetings
    assert m == Meeting(3, {"en": "Third"}, {"en": "Nowhere", "fr": "Nulle part"}, "2019-07-08", "2019-07-09",
                        {"en": "8-9 July 2019"}, {"en": "adopted nothing"})


def test_a_plain_label_is_in_the_collection_language():
    p = profile(language="fr", meetings=[{"number": 1, "name": "Première réunion", "place": "Nulle part"}])
    assert dict(p.meetings[0].name) == {"fr": "Première réunion"}
    assert dict(p.meetings[0].place) == {"fr": "Nulle part"}


@pytest.mark.parametrize(
    ("meeting", "expected"),
    [
        ({"name": "x"}, "missing required field 'meetings[0].number'"),
        ({"number": 1}, "missing required field 'meetings[0].name'"),
        ({"number": "1", "name": "x"}, 'field \'meetings[0].number\': expected an integer, got "1"'),
        ({"number": 1.0, "name": "x"}, "field 'meetings[0].number': expected an integer, got 1.0"),
        ({"number": True, "name": "x"}, "field 'meetings[0].number': expected an integer, got true"),
        ({"number": 0, "name": "x"}, "field 'meetings[0].number': must be at least 1, got 0"),
        ({"number": 1, "name": 3}, "field 'meetings[0].name': expected a string or an object {language: text}, got 3"),
        ({"number": 1, "name": {}}, "field 'meetings[0].name': must not be empty"),
        ({"number": 1, "name": ""}, "field 'meetings[0].name.en': must not be empty"),
        ({"number": 1, "name": {"english": "x"}}, 'field \'meetings[0].name\': key "english" is not an ISO 639-1 code like "en"'),
        ({"number": 1, "name": "x", "place": 4}, "field 'meetings[0].place': expected a string or an object {language: text}, got 4"),
        ({"number": 1, "name": "x", "dates": ["x"]}, 'field \'meetings[0].dates\': expected a string or an object {language: text}, got ["x"]'),
        ({"number": 1, "name": "x", "plase": "y"}, "unknown field 'meetings[0].plase' (did you mean 'place'?)"),
    ],
)
def test_meeting_fields(meeting, expected):
    assert profile_problems(meetings=[meeting]) == [f"collection.json: {expected}"]


@pytest.mark.parametrize("value", ["8 July 2019", "2019-13-01", "2019-02-30", "20190708", "2019-7-8", "2019-07-08T10:00"])
def test_meeting_dates_must_be_iso_dates(value):
    assert profile_problems(meetings=[{"number": 1, "name": "x", "start": value}]) == [
        f'collection.json: field \'meetings[0].start\': expected an ISO date like "2019-07-08", got {json.dumps(value)}'
    ]


def test_meeting_end_before_start_and_end_without_start():
    problems = profile_problems(
        meetings=[
            {"number": 1, "name": "x", "start": "2019-07-08", "end": "2019-07-01"},
            {"number": 2, "name": "y", "end": "2019-07-01"},
            {"number": 3, "name": "z", "start": "2019-07-08", "end": "2019-07-08"},
        ]
    )
    assert problems == [
        'collection.json: field \'meetings[0].end\': "2019-07-01" is before start "2019-07-08"',
        "collection.json: field 'meetings[1].end': given without 'start'",
    ]


def test_meeting_numbers_are_unique():
    assert profile_problems(meetings=[{"number": 2, "name": "x"}, {"number": 1, "name": "y"}, {"number": 2, "name": "z"}]) == [
        "collection.json: field 'meetings': number 2 is used twice (meetings[0] and meetings[2])"
    ]


# citation


def test_citation_forms():
    assert dict(profile(citation="{symbol}, para. {paragraph}").citation) == {"": "{symbol}, para. {paragraph}"}
    both = profile(citation={"default": "{symbol} {id}", "ar": "{symbol}، الفقرة {paragraph:ar}{extra[item_ar]}"})
    assert dict(both.citation) == {"": "{symbol} {id}", "ar": "{symbol}، الفقرة {paragraph:ar}{extra[item_ar]}"}
    assert dict(profile(citation={"": "{symbol}"}).citation) == {"": "{symbol}"}


def test_citation_templates_format_records():
    p = profile(citation={"default": "{symbol}{meeting_part}, para. {paragraph}{item_part}", "ar": "{symbol} {paragraph:ar}"})
    [r] = records(rec(meeting=1, paragraph=12, item="c"), prof=p)
    assert r.citation("en") == "FICTIONAL/TEST/1, First fictional meeting (Nowhere City, 3–5 February 2001), para. 12 (c)"
    assert r.citation("ar") == "FICTIONAL/TEST/1 ١٢"


def test_citation_template_with_unknown_field_names_it():
    [problem] = profile_problems(citation={"en": "{symbl}, para. {paragraph}"})
    assert problem.startswith("collection.json: field 'citation.en': unknown template field 'symbl' (did you mean 'symbol'?)")
    assert all(name in problem for name in CITATION_FIELDS)
    [problem] = profile_problems(citation="{symbol} {meeting.name}x{nothing}")
    assert problem.startswith("collection.json: field 'citation': unknown template field 'nothing'")


@pytest.mark.parametrize(
    ("template", "fragment"),
    [
        ("{symbol", "not a valid template"),
        ("{} {symbol}", "positional field {}"),
        ("{0}", "positional field {0}"),
        ("{year:d}", "template does not format"),
        ("{symbol.upper.x}", "template does not format"),
        ("", "must not be empty"),
    ],
)
def test_citation_templates_that_do_not_format(template, fragment):
    [problem] = profile_problems(citation={"fr": template})
    assert problem.startswith("collection.json: field 'citation.fr': ")
    assert fragment in problem


def test_citation_keys():
    assert profile_problems(citation={"english": "{symbol}"}) == [
        'collection.json: field \'citation\': key "english" is not "default" or an ISO 639-1 code like "en"'
    ]
    assert profile_problems(citation={"": "{symbol}", "default": "{id}"}) == [
        'collection.json: field \'citation\': the default template is given twice, as "" and as "default"; keep one'
    ]


def test_citation_fields_are_the_models():
    r = records(rec())[0]
    assert set(CITATION_FIELDS) == set(r.citation_fields("en"))


# --------------------------------------------------------------------------- records.jsonl


def test_minimal_record_and_defaults():
    [r] = records(rec())
    assert (r.id, r.text, r.lang, r.meeting, r.paragraph, r.item, r.lead_in, r.url) == (
        "1.1", "A fictional recommendation.", "en", None, None, None, None, None
    )
    assert r.footnotes == () and dict(r.translations) == {} and dict(r.facets) == {} and dict(r.extra) == {}
    assert r.collection.name == "fictional-test-1" and r.key == "fictional-test-1:1.1"


def test_full_record():
    [r] = records(
        rec(lang="fr", meeting=2, paragraph="12 bis", item="g", lead_in="Les États devraient :", url="https://example.org/x",
            translations={"en": {"text": "Fictional.", "lead_in": "States should:", "official": True}},
            footnotes=["Fn one.", "Fn two."], facets={"addressee": "States", "topic": ["a", "b"]}, extra={"k": [1, {"n": None}]})
    )
    assert r.lang == "fr" and r.meeting is r.collection.meetings_by_number[2]
    assert (r.paragraph, r.item, r.lead_in, r.url) == ("12 bis", "g", "Les États devraient :", "https://example.org/x")
    assert dict(r.translations) == {"en": Translation("Fictional.", "States should:", True)}
    assert [(f.number, f.text) for f in r.footnotes] == [(1, "Fn one."), (2, "Fn two.")]
    assert dict(r.facets) == {"addressee": ("States",), "topic": ("a", "b")}
    assert dict(r.extra) == {"k": [1, {"n": None}]}
    assert r.text_en == "Fictional." and r.text_en_official


def test_null_optional_fields_are_absent():
    [r] = records(rec(lang=None, meeting=None, paragraph=None, item=None, lead_in=None, url=None))
    assert (r.lang, r.meeting, r.paragraph, r.item, r.lead_in, r.url) == ("en", None, None, None, None, None)


@pytest.mark.parametrize("missing", ["id", "text"])
def test_record_required_fields(missing):
    assert record_problems(rec(**{missing: ...})) == [f"records.jsonl line 1: missing required field '{missing}'"]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("id", 11, "field 'id': expected a string, got 11"),
        ("text", ["x"], 'field \'text\': expected a string, got ["x"]'),
        ("lang", 1, "field 'lang': expected a string, got 1"),
        ("meeting", "1", 'field \'meeting\': expected an integer, got "1"'),
        ("meeting", 1.0, "field 'meeting': expected an integer, got 1.0"),
        ("meeting", True, "field 'meeting': expected an integer, got true"),
        ("paragraph", 1.5, "field 'paragraph': expected an integer or a non-empty string, got 1.5"),
        ("paragraph", True, "field 'paragraph': expected an integer or a non-empty string, got true"),
        ("item", 3, "field 'item': expected a string, got 3"),
        ("lead_in", 3, "field 'lead_in': expected a string, got 3"),
        ("url", 3, "field 'url': expected a string, got 3"),
        ("translations", "fr", 'field \'translations\': expected an object {language: a string or an object {"text", "lead_in", "official"}}, got "fr"'),
        ("footnotes", "x", 'field \'footnotes\': expected a list of strings or of objects {"number", "text"}, got "x"'),
        ("facets", ["x"], 'field \'facets\': expected an object {name: string or list of strings}, got ["x"]'),
        ("extra", [], "field 'extra': expected a JSON object, got []"),
    ],
)
def test_record_wrong_types(key, value, expected):
    assert record_problems(rec(**{key: value})) == [f"records.jsonl line 1: {expected}"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", "must not be empty"),
        (" 1.1", 'must not start or end with whitespace, got " 1.1"'),
        ("1.1\t", 'must not start or end with whitespace, got "1.1\\t"'),
        ("wg4:1.1", "must not contain ':' (it separates a collection from an id), got \"wg4:1.1\""),
    ],
)
def test_record_id_rules(value, expected):
    assert record_problems(rec(id=value)) == [f"records.jsonl line 1: field 'id': {expected}"]


@pytest.mark.parametrize("key", ["text", "item", "lead_in"])
@pytest.mark.parametrize("value", ["", "   "])
def test_record_strings_must_not_be_blank(key, value):
    assert record_problems(rec(**{key: value})) == [f"records.jsonl line 1: field '{key}': must not be empty"]


def test_duplicate_ids_name_both_lines_and_blank_lines_count():
    problems = record_problems(rec(id="1.1"), "", "   ", rec(id="1.2"), rec(id="1.1"), rec(id="1.2"))
    assert problems == [
        "records.jsonl line 5: id '1.1' already used on line 1",
        "records.jsonl line 6: id '1.2' already used on line 4",
    ]


def test_unknown_record_field_with_suggestion():
    assert record_problems(rec(meetings=2, colour="red")) == [
        "records.jsonl line 1: unknown field 'meetings' (did you mean 'meeting'?)",
        "records.jsonl line 1: unknown field 'colour'",
    ]


def test_record_lang_must_be_iso_639_1():
    assert record_problems(rec(lang="French")) == [
        'records.jsonl line 1: field \'lang\': expected an ISO 639-1 code like "en", got "French"'
    ]


def test_unknown_meeting():
    assert record_problems(rec(meeting=7)) == [
        "records.jsonl line 1: field 'meeting': 7 is not a meeting of the collection (collection.json lists 1, 2)"
    ]
    no_meetings = profile(meetings=...)
    assert record_problems(rec(meeting=1), prof=no_meetings) == [
        "records.jsonl line 1: field 'meeting': 1 is not a meeting of the collection (collection.json lists no meetings)"
    ]


def test_paragraph_forms():
    assert records(rec(paragraph=3))[0].paragraph == 3
    assert records(rec(paragraph="IV.3"))[0].paragraph == "IV.3"
    assert record_problems(rec(paragraph=0)) == ["records.jsonl line 1: field 'paragraph': must be at least 1, got 0"]
    assert record_problems(rec(paragraph=" ")) == ["records.jsonl line 1: field 'paragraph': must not be empty"]


@pytest.mark.parametrize(
    "value", ["ftp://example.org/x", "example.org/x", "https://", "https://example.org/a b", "http:/x"]
)
def test_bad_url(value):
    assert record_problems(rec(url=value)) == [
        f"records.jsonl line 1: field 'url': expected a URL starting with http:// or https://, got {json.dumps(value)}"
    ]


def test_url_accepted():
    assert records(rec(url="http://example.org/a?b=1#c"))[0].url == "http://example.org/a?b=1#c"


# translations


def test_translations_in_both_forms():
    [r] = records(rec(translations={"fr": "Texte fictif.", "de": {"text": "Fiktiv.", "lead_in": "Staaten sollten:", "official": True},
                                    "es": {"text": "Ficticio.", "lead_in": None}}))
    assert dict(r.translations) == {
        "fr": Translation("Texte fictif.", None, False),
        "de": Translation("Fiktiv.", "Staaten sollten:", True),
        "es": Translation("Ficticio.", None, False),
    }
    assert list(r.translations) == ["fr", "de", "es"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"fr": 3}, 'field \'translations.fr\': expected a string or an object {"text", "lead_in", "official"}, got 3'),
        ({"fr": ""}, "field 'translations.fr.text': must not be empty"),
        ({"fr": {"official": True}}, "missing required field 'translations.fr.text'"),
        ({"fr": {"text": "x", "offical": True}}, "unknown field 'translations.fr.offical' (did you mean 'official'?)"),
        ({"fr": {"text": "x", "official": "yes"}}, 'field \'translations.fr.official\': expected true or false, got "yes"'),
        ({"fr": {"text": "x", "lead_in": 1}}, "field 'translations.fr.lead_in': expected a string, got 1"),
        ({"french": "x"}, 'field \'translations\': language "french" is not an ISO 639-1 code like "en"'),
        ({"en": "x"}, "field 'translations': 'en' is the record's own language; its text goes in 'text'"),
    ],
)
def test_translation_rules(value, expected):
    assert record_problems(rec(translations=value)) == [f"records.jsonl line 1: {expected}"]


def test_translation_in_own_language_follows_the_records_lang():
    [r] = records(rec(lang="fr", translations={"en": "Fictional."}))
    assert r.text_en == "Fictional." and not r.text_en_official
    assert record_problems(rec(lang="fr", translations={"fr": "x"})) == [
        "records.jsonl line 1: field 'translations': 'fr' is the record's own language; its text goes in 'text'"
    ]


# footnotes


def test_footnotes_in_both_forms():
    assert [(f.number, f.text) for f in records(rec(footnotes=["a", "b", "c"]))[0].footnotes] == [(1, "a"), (2, "b"), (3, "c")]
    objects = records(rec(footnotes=[{"number": 4, "text": "d"}, {"number": 9, "text": "e"}]))[0].footnotes
    assert [(f.number, f.text) for f in objects] == [(4, "d"), (9, "e")]
    assert records(rec(footnotes=[]))[0].footnotes == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["a", {"number": 2, "text": "b"}], 'field \'footnotes\': give every footnote as a string, or every one as an object {"number", "text"}, not both'),
        ([{"number": 1, "text": "a"}, {"number": 1, "text": "b"}], "field 'footnotes': footnote number 1 is used twice"),
        ([{"number": 0, "text": "a"}], "field 'footnotes[0].number': must be at least 1, got 0"),
        ([{"number": 1}], "missing required field 'footnotes[0].text'"),
        ([{"number": 1, "text": "a", "txt": "b"}], "unknown field 'footnotes[0].txt' (did you mean 'text'?)"),
        (["a", ""], "field 'footnotes[1].text': must not be empty"),
        ([3], 'field \'footnotes[0]\': expected a string or an object {"number", "text"}, got 3'),
    ],
)
def test_footnote_rules(value, expected):
    assert record_problems(rec(footnotes=value)) == [f"records.jsonl line 1: {expected}"]


# facets


def test_facets_str_becomes_a_one_tuple_and_lists_keep_order():
    [r] = records(rec(facets={"addressee": "States", "topic": ["b", "a"], "x_2": []} | {"x_2": ["only"]}))
    assert dict(r.facets) == {"addressee": ("States",), "topic": ("b", "a"), "x_2": ("only",)}


@pytest.mark.parametrize("name", ["Topic", "2topic", "_topic", "top-ic", "t" * 41, ""])
def test_bad_facet_names(name):
    assert record_problems(rec(facets={name: "x"})) == [
        f"records.jsonl line 1: field 'facets': facet name {json.dumps(name)} must be 1-40 lower-case letters, digits or '_', starting with a letter"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ([], "field 'facets.topic': must not be empty"),
        ("", "field 'facets.topic[0]': must not be empty"),
        (["a", " "], "field 'facets.topic[1]': must not be empty"),
        (["a", "a"], "field 'facets': facet 'topic' lists \"a\" twice"),
        (3, "field 'facets.topic': expected a string or a list of strings, got 3"),
        ([1], "field 'facets.topic[0]': expected a string, got 1"),
    ],
)
def test_bad_facet_values(value, expected):
    assert record_problems(rec(facets={"topic": value})) == [f"records.jsonl line 1: {expected}"]


def test_extra_is_kept_as_is():
    extra = {"raw": "x", "nested": {"list": [1, 2.5, None, True]}, "Any Key": "y"}
    assert dict(records(rec(extra=extra))[0].extra) == extra


# lines


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"id": "1", "text": ', "not valid JSON (Expecting value at line 1 column 21)"),
        ('{"id": "1", "text": "a", "text": "b"}', 'key "text" appears twice in one object'),
        ('{"id": "1", "text": "a", "extra": {"k": 1, "k": 2}}', 'key "k" appears twice in one object'),
        ('{"id": "1", "text": "a", "paragraph": NaN}', "NaN is not a JSON number"),
        ('["1", "a"]', "expected a JSON object, got a list"),
        ('"text"', "expected a JSON object, got a string"),
        ("null", "expected a JSON object, got null"),
    ],
)
def test_bad_lines(line, expected):
    assert record_problems(rec(id="0"), line) == [f"records.jsonl line 2: {expected}"]


def test_no_records():
    assert record_problems() == ["records.jsonl: no records; a collection needs at least one record"]
    assert record_problems("", "  ") == ["records.jsonl: no records; a collection needs at least one record"]


def test_all_errors_of_a_file_are_collected():
    problems = record_problems(
        rec(id="a", meetings=1),
        rec(id="b", text=3, url="x"),
        "{",
        rec(id="a", facets={"Bad": "x"}),
    )
    assert [p.split(":")[0] for p in problems] == ["records.jsonl line 1", "records.jsonl line 2", "records.jsonl line 2",
                                                   "records.jsonl line 3", "records.jsonl line 4", "records.jsonl line 4"]
    assert problems[4] == "records.jsonl line 4: id 'a' already used on line 1"


def test_parse_records_reads_an_open_file_a_text_crlf_and_a_bom():
    text = "\ufeff" + rec(id="a") + "\r\n\r\n" + rec(id="b") + "\r\n"
    from_file = parse_records(io.StringIO(text, newline=""), profile())
    from_text = parse_records(text, profile())
    assert [r.id for r in from_file] == [r.id for r in from_text] == ["a", "b"]
    with pytest.raises(CollectionFormatError, match=r"^data/x\.jsonl line 4: field 'text': must not be empty$"):
        parse_records(text + rec(id="c", text=""), profile(), source="data/x.jsonl")


def test_text_may_hold_line_separators():
    [r] = parse_records(rec(text="one\u2028two\u0085three") + "\n", profile())
    assert r.text == "one\u2028two\u0085three"


# --------------------------------------------------------------------------- folders


def test_the_fixture_collection():
    prof, recs = read_collection(FIXTURE)
    assert (prof.name, prof.symbol, prof.title, prof.language) == ("fictional", "FICTIONAL/TEST/1", "A fictional test collection", "en")
    assert [m.number for m in prof.meetings] == [1, 2]
    assert len(recs) == 6 and all(r.lang == "en" for r in recs)
    assert [r.id for r in recs if r.translations] == ["1.2"] and list(recs[1].translations) == ["fr"]
    assert all(r.facets.get("addressee") and r.facets.get("topic") for r in recs)
    assert recs[2].citation() == "FICTIONAL/TEST/1, First fictional meeting, para. 3 (a)"
    assert "fictional" in prof.note.lower() and all("ictional" in r.text or "maginary" in r.text for r in recs)


def test_read_collection_accepts_the_collection_json_path():
    prof, recs = read_collection(FIXTURE / "collection.json")
    assert prof.name == "fictional" and len(recs) == 6


def test_read_collection_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(CorpusError, match=r"no collection folder at .*recsearch collection import") as info:
        read_collection(tmp_path / "nope")
    assert not isinstance(info.value, CollectionFormatError)


@pytest.mark.parametrize("missing", ["collection.json", "records.jsonl"])
def test_read_collection_missing_file(tmp_path, missing):
    write_collection(tmp_path / "c", PROFILE, [json.loads(rec())])
    (tmp_path / "c" / missing).unlink()
    with pytest.raises(CorpusError, match=rf"has no {missing}: a collection folder holds collection.json and records.jsonl"):
        read_collection(tmp_path / "c")


def test_read_collection_on_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(CorpusError, match="is a file, not a collection folder"):
        read_collection(tmp_path / "f")


def test_read_collection_errors_name_the_files(tmp_path):
    folder = write_collection(tmp_path / "c", PROFILE, [json.loads(rec())])
    (folder / "records.jsonl").write_text(rec(id="a") + "\n" + rec(id="a", mneeting=1) + "\n", encoding="utf-8")
    with pytest.raises(CollectionFormatError) as info:
        read_collection(folder)
    assert info.value.problems == [
        f"{folder / 'records.jsonl'} line 2: id 'a' already used on line 1",
        f"{folder / 'records.jsonl'} line 2: unknown field 'mneeting' (did you mean 'meeting'?)",
    ]
    (folder / "collection.json").write_text('{"symbol": "S", "title": "T", "language": "en",}', encoding="utf-8")
    with pytest.raises(CollectionFormatError, match=r"collection\.json: not valid JSON \(Expecting property name enclosed in double quotes at line 1 column 48\)$"):
        read_collection(folder)


def test_read_collection_non_utf8_names_the_line(tmp_path):
    folder = write_collection(tmp_path / "c", PROFILE, [json.loads(rec())])
    (folder / "records.jsonl").write_bytes(rec(id="a").encode() + b"\n" + rec(id="b", text="caf\xe9").encode("latin-1") + b"\n")
    with pytest.raises(CollectionFormatError, match=r"records\.jsonl line 2: not UTF-8 text \(byte 0xe9\)"):
        read_collection(folder)


def test_default_name_is_the_folder_name(tmp_path):
    folder = write_collection(tmp_path / "My_Folder", PROFILE, [json.loads(rec())])
    assert folder.name == "My_Folder"
    assert read_collection(folder)[0].name == "my_folder"


def test_load_collections(tmp_path):
    a = write_collection(tmp_path / "a", {**PROFILE, "name": "alpha"}, [json.loads(rec(id="1")), json.loads(rec(id="2"))])
    b = write_collection(tmp_path / "b", {**PROFILE, "name": "beta"}, [json.loads(rec(id="1"))])
    corpus = load_collections([a, b])
    assert isinstance(corpus, Corpus) and len(corpus) == 3
    assert corpus.ids == ["alpha:1", "alpha:2", "beta:1"]
    assert list(corpus.collections) == ["alpha", "beta"]
    assert corpus["beta:1"].collection.name == "beta" and corpus["2"].key == "alpha:2"
    assert len(load_collections(str(a))) == 2  # one path given as a str


def test_load_collections_refuses_two_collections_with_one_name(tmp_path):
    a = write_collection(tmp_path / "a", {**PROFILE, "name": "same"}, [json.loads(rec())])
    b = write_collection(tmp_path / "b", {**PROFILE, "name": "same"}, [json.loads(rec())])
    with pytest.raises(CorpusError, match="two collections are named 'same'"):
        load_collections([a, b])
    with pytest.raises(CorpusError, match="no collection folders given"):
        load_collections([])


# writing


def test_written_files_are_canonical(tmp_path):
    folder = write_collection(tmp_path / "c", {"title": "Fictional", "symbol": "FICTIONAL/1", "language": "en", "name": "c"},
                              [{"text": "Fictional é.", "id": "1", "facets": {"z": "1", "a": ["2"]}}])
    assert (folder / "collection.json").read_bytes() == (
        '{\n  "language": "en",\n  "name": "c",\n  "symbol": "FICTIONAL/1",\n  "title": "Fictional"\n}\n'
    ).encode()
    assert (folder / "records.jsonl").read_bytes() == '{"facets": {"a": ["2"], "z": "1"}, "id": "1", "text": "Fictional é."}\n'.encode()
    assert sorted(p.name for p in folder.iterdir()) == ["collection.json", "records.jsonl"]


def test_written_folder_reads_back_to_equal_records(tmp_path):
    source_profile, source_records = read_collection(FIXTURE)
    data = json.loads((FIXTURE / "collection.json").read_text(encoding="utf-8"))
    rows = [json.loads(line) for line in (FIXTURE / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    folder = write_collection(tmp_path / "copy", data, rows)
    prof, recs = read_collection(folder)
    assert prof.to_dict() == source_profile.to_dict()
    assert [r.to_dict() for r in recs] == [r.to_dict() for r in source_records]
    for name in ("collection.json", "records.jsonl"):  # the fixture is canonical
        assert (folder / name).read_bytes() == (FIXTURE / name).read_bytes()


def test_model_to_format_round_trips_through_the_writer(tmp_path):
    prof, recs = read_collection(FIXTURE)
    folder = write_collection(tmp_path / "again", prof.to_format(), [r.to_format() for r in recs])
    assert [r.to_dict() for r in read_collection(folder)[1]] == [r.to_dict() for r in recs]


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"<dir>") for p in sorted(root.rglob("*"))}


def test_write_collection_writes_nothing_on_error(tmp_path):
    existing = write_collection(tmp_path / "c", PROFILE, [json.loads(rec())])
    before = _snapshot(tmp_path)
    with pytest.raises(CollectionFormatError) as info:
        write_collection(existing, PROFILE, [json.loads(rec(id="a")), json.loads(rec(id="a", meeting=9))])
    assert info.value.problems == [
        "records.jsonl line 2: id 'a' already used on line 1",
        "records.jsonl line 2: field 'meeting': 9 is not a meeting of the collection (collection.json lists 1, 2)",
    ]
    with pytest.raises(CollectionFormatError, match="collection.json: missing required field 'title'"):
        write_collection(tmp_path / "new", {"symbol": "S", "language": "en"}, [json.loads(rec())])
    with pytest.raises(CollectionFormatError, match=r"records\.jsonl line 1: not JSON-serialisable"):
        write_collection(tmp_path / "new", PROFILE, [{"id": "1", "text": "x", "extra": {"when": object()}}])
    with pytest.raises(CollectionFormatError, match=r"records\.jsonl line 1: not JSON-serialisable"):
        write_collection(tmp_path / "new", PROFILE, [{"id": "1", "text": "x", "extra": {"v": float("nan")}}])
    with pytest.raises(CollectionFormatError, match=r"records\.jsonl: expected a list of records"):
        write_collection(tmp_path / "new", PROFILE, {"id": "1", "text": "x"})
    with pytest.raises(CollectionFormatError, match="no records"):
        write_collection(tmp_path / "new", PROFILE, [])
    assert _snapshot(tmp_path) == before
    assert not (tmp_path / "new").exists()


def test_write_collection_replaces_a_collection_atomically(tmp_path):
    folder = write_collection(tmp_path / "c", PROFILE, [json.loads(rec(id="old"))])
    write_collection(folder, PROFILE, [json.loads(rec(id="new1")), json.loads(rec(id="new2"))])
    assert [r.id for r in read_collection(folder)[1]] == ["new1", "new2"]
    assert os.listdir(tmp_path) == ["c"]  # no .tmp- or .old- folder left


def test_write_collection_into_an_empty_folder(tmp_path):
    (tmp_path / "empty").mkdir()
    write_collection(tmp_path / "empty", PROFILE, [json.loads(rec())])
    assert read_collection(tmp_path / "empty")[1][0].id == "1.1"


def test_write_collection_refuses_a_folder_that_is_not_a_collection(tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "precious.txt").write_text("keep me")
    with pytest.raises(CorpusError, match="non-empty folder without collection.json: refusing to replace it"):
        write_collection(other, PROFILE, [json.loads(rec())])
    assert _snapshot(other) == {"precious.txt": b"keep me"}
    (tmp_path / "file").write_text("x")
    with pytest.raises(CorpusError, match="exists and is not a folder"):
        write_collection(tmp_path / "file", PROFILE, [json.loads(rec())])
    assert sorted(os.listdir(tmp_path)) == ["file", "other"]


def test_a_failed_write_leaves_the_previous_folder_intact(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "c", PROFILE, [json.loads(rec(id="old"))])
    before = _snapshot(tmp_path)
    real = folder_module._write_file

    def fail_on_records(path, text):
        if path.name == "records.jsonl":
            raise OSError("disk full (simulated)")
        real(path, text)

    monkeypatch.setattr(folder_module, "_write_file", fail_on_records)
    with pytest.raises(OSError, match="simulated"):
        write_collection(folder, PROFILE, [json.loads(rec(id="new"))])
    assert _snapshot(tmp_path) == before
    assert [r.id for r in read_collection(folder)[1]] == ["old"]


def test_a_failed_swap_puts_the_previous_folder_back(tmp_path, monkeypatch):
    folder = write_collection(tmp_path / "c", PROFILE, [json.loads(rec(id="old"))])
    before = _snapshot(tmp_path)
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name.startswith(".tmp-"):
            raise OSError("rename failed (simulated)")
        real_rename(src, dst)

    from recsearch import _io

    monkeypatch.setattr(_io, "_rename_exchange", lambda a, b: False)  # the two-rename path
    monkeypatch.setattr(folder_module.os, "rename", rename)
    with pytest.raises(OSError, match="simulated"):
        write_collection(folder, PROFILE, [json.loads(rec(id="new"))])
    monkeypatch.undo()
    assert _snapshot(tmp_path) == before


def test_leftovers_of_a_killed_write_are_cleaned_up(tmp_path):
    folder = write_collection(tmp_path / "c", PROFILE, [json.loads(rec(id="old"))])
    stale = tmp_path / ".tmp-c-0123456789ab"
    stale.mkdir()
    (stale / "records.jsonl").write_text("half")
    unrelated = tmp_path / ".tmp-c-notours"
    unrelated.mkdir()
    write_collection(folder, PROFILE, [json.loads(rec(id="new"))])
    assert sorted(os.listdir(tmp_path)) == [".tmp-c-notours", "c"]
    # killed between its two renames: the previous folder is put back before writing
    os.rename(folder, tmp_path / ".old-c-0123456789ab")
    assert not folder.exists()
    write_collection(tmp_path / "d", PROFILE, [json.loads(rec(id="other"))])  # another folder's write leaves it
    assert (tmp_path / ".old-c-0123456789ab").is_dir()
    from recsearch._io import recover_folder

    recover_folder(folder, "collection.json")
    assert [r.id for r in read_collection(folder)[1]] == ["new"]
    assert not (tmp_path / ".old-c-0123456789ab").exists()


def test_each_template_must_format_every_record():
    p = profile(citation={"default": "{symbol} {extra[note][0]}"})
    assert records(rec(extra={"note": "abc"}), prof=p)[0].citation() == "FICTIONAL/TEST/1 a"
    assert record_problems(rec(id="x", extra={"note": "abc"}), rec(id="y", extra={"note": {"a": 1}}), prof=p) == [
        "records.jsonl line 2: the template in collection.json field 'citation' does not format this record: KeyError: 0"
    ]


def test_the_reference_pages_examples_are_valid(tmp_path):
    from recsearch.collection import import_collection

    page = (Path(__file__).resolve().parents[1] / "docs" / "collection-format.md").read_text(encoding="utf-8")
    from recsearch.collection.format import MeetingIn, TranslationIn

    documented = set(re.findall(r"^\| `(\w+)` \|", page, flags=re.M))
    assert set(CITATION_FIELDS) | set(PROFILE_FIELDS) | set(RECORD_FIELDS) | set(MeetingIn.model_fields) <= documented
    assert set(TranslationIn.model_fields) <= documented
    examples = page.split("## Examples", 1)[1]
    blocks = [b.split("```", 1)[0] for b in examples.split("```json\n")[1:]]
    minimal_profile, minimal_record, full_profile, full_record = (json.loads(b) for b in blocks[:4])
    assert records(json.dumps(minimal_record), prof=parse_profile(minimal_profile))[0].id == "1"
    prof = parse_profile(full_profile)
    linked = {"id": "1.1", "text": "Fictional States should keep a register."}  # what the example's link points to
    _, r = records(json.dumps(linked), json.dumps(full_record), prof=prof)
    assert r.citation("en") == "FICTIONAL/TEST/1, Second fictional meeting, para. 3 (a)"
    assert r.citation("fr") == "FICTIONAL/TEST/1, Deuxième réunion fictive, par. 3"
    assert set(RECORD_FIELDS) == set(full_record) and set(PROFILE_FIELDS) == set(full_profile)  # every field shown
    csv_text = examples.split("```csv\n", 1)[1].split("```", 1)[0]
    (tmp_path / "records.csv").write_text(csv_text, encoding="utf-8")
    (tmp_path / "collection.json").write_text(json.dumps(full_profile), encoding="utf-8")
    [from_csv] = read_collection(import_collection(tmp_path / "records.csv", tmp_path / "collection.json", tmp_path / "out"))[1]
    assert from_csv.facets["topic"] == ("lighthouses", "registers") and from_csv.footnotes[0].number == 1
    assert from_csv.citation() == "FICTIONAL/TEST/1, First fictional meeting, para. 1"


# ---------------------------------------------------------------- facet declarations and links

THEMES = {"theme": {"label": "theme", "values": {"lamps": {"label": {"en": "lamps", "fr": "lampes"}, "group": "light"}, "ships": {"label": "ships"}}}}


def test_declared_facets_give_labels_and_check_every_record_s_values():
    prof = profile(facets=THEMES)
    spec = prof.facets["theme"]
    assert spec.values["lamps"].label_in("fr") == "lampes" and spec.values["ships"].label == {"en": "ships"}
    assert spec.values["lamps"].group == "light" and parse_profile(prof.to_format()).facets["theme"] == spec
    assert records(rec(facets={"theme": ["lamps", "ships"]}), prof=prof)[0].facets["theme"] == ("lamps", "ships")
    assert records(rec(facets={"colour": "blue"}), prof=prof)[0].facets["colour"] == ("blue",)  # undeclared: free
    assert record_problems(rec(facets={"theme": "lamp"}), prof=prof) == [
        "records.jsonl line 1: field 'facets.theme': \"lamp\" is not a value collection.json declares for 'theme' (did you mean 'lamps'?)"
    ]
    assert any("facets.theme.values" in p for p in profile_problems(facets={"theme": {"label": "theme", "values": {}}}))


def test_links_point_at_other_records_of_the_collection_and_reverse_on_the_corpus():
    from recsearch.collection.model import Corpus

    a = rec(id="1.1")
    b = rec(id="2.1", links={"references": [{"id": "1.1", "note": "para. 1 of the report"}], "restates": [{"id": "1.1"}]})
    r1, r2 = records(a, b)
    assert r2.links["references"][0].note == "para. 1 of the report" and r2.to_format()["links"]["restates"] == [{"id": "1.1"}]
    corpus = Corpus([r1, r2])
    assert corpus.links_of(r1) == {"references": (), "cited_by": ("2.1",), "restates": (), "restated_by": ("2.1",)}
    assert corpus.links_of(r2)["references"] == ("1.1",)
    problems = record_problems(a, rec(id="2.1", links={"references": [{"id": "9.9"}, {"id": "2.1"}]}))
    assert problems == [
        "records.jsonl line 2: field 'links.references': no record '9.9' in this collection",
        "records.jsonl line 2: field 'links.references': a record cannot link to itself",
    ]
    assert any("links" in p for p in record_problems(rec(links={"mentions": [{"id": "1.1"}]})))
