"""Filters on provenance and facets: parsing and checking values, merging what the query
said, the masks, and the notes that explain them."""

from __future__ import annotations

import numpy as np
import pytest

from recsearch.errors import QueryError, QueryTypeError
from recsearch.filters import FilterIndex, Filters, filter_notes, parse_filters, stats_sample, with_understood
from recsearch.understand import Understood, calendar_of


@pytest.fixture(scope="module")
def index(corpus) -> FilterIndex:
    return FilterIndex(corpus)


def test_an_empty_filter_is_false_and_any_one_constraint_makes_it_true():
    assert not Filters()
    for one in (Filters(meetings=(1,)), Filters(years=(2009,)), Filters(addressees=("unodc",)), Filters(facets=(("theme", ("x",)),))):
        assert one


def test_to_dict_names_every_constraint():
    f = Filters((1, 2), (2009,), ("unodc",), (("sdg", ("8.7",)), ("theme", ("corruption", "gender"))))
    assert f.to_dict() == {
        "meeting": [1, 2], "year": [2009], "addressee": ["unodc"], "sdg": ["8.7"], "theme": ["corruption", "gender"],
    }


def test_meetings_and_years_in_any_accepted_form(corpus):
    assert parse_filters(corpus, meeting=range(4, 6)).meetings == (4, 5)
    assert parse_filters(corpus, meeting=["7", 2, 2]).meetings == (2, 7)  # digits as text, duplicates once
    assert parse_filters(corpus, year=(2010, 2013)).years == (2010, 2011, 2013)  # inclusive at both ends
    assert parse_filters(corpus, year=(2013, 2013)).years == (2013,)
    assert parse_filters(corpus, year=[2018, 2009]).years == (2009, 2018)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"meeting": object()}, QueryTypeError, "meeting must be an int or a list of ints, got object"),
        ({"meeting": [True]}, QueryTypeError, "meeting values must be ints, got True"),
        ({"meeting": ["²"]}, QueryTypeError, "meeting values must be ints, got '²'"),
        ({"meeting": [4, 9]}, QueryError, "unknown meeting 9; valid meetings: [1, 2, 3, 4, 5, 6, 7, 8]"),
        ({"year": (2015, 2011)}, QueryError, "year range (2015, 2011) is empty: the start is after the end"),
        ({"year": (2019, 2030)}, QueryError, "no meeting between 2019 and 2030"),
        ({"year": [2009, 2012]}, QueryError, "no meeting in 2012; the loaded collections have meetings in [2009, 2010"),
        ({"addressee": 5}, QueryTypeError, "addressee must be a str or a list of str, got int"),
        ({"addressee": [5]}, QueryTypeError, "addressee values must be str, got 5"),
        ({"addressee": "police"}, QueryError, "unknown addressee 'police'; valid values: ["),
        ({"facets": ["theme"]}, QueryTypeError, "facets must be a mapping of facet name to values, got list"),
        ({"facets": {"colour": "red"}}, QueryError, "unknown facet 'colour'; the loaded collections have ["),
        ({"facets": {3: "red"}}, QueryError, "unknown facet 3"),
    ],
)
def test_a_bad_value_gets_a_typed_error_that_names_it(corpus, arguments, error, message):
    with pytest.raises(error) as caught:
        parse_filters(corpus, **arguments)
    assert str(caught.value).startswith(message)


def test_facets_take_labels_merge_addressees_and_skip_none(corpus):
    f = parse_filters(corpus, addressee="unodc", facets={"addressee": ["conference", "unodc"], "theme": None, "strength": "should"})
    assert f.addressees == ("unodc", "conference") and f.facets == (("strength", ("should",)),)
    label = corpus.facet_label("theme", "victim_identification")
    assert parse_filters(corpus, facets={"theme": label.upper()}).facets == (("theme", ("victim_identification",)),)
    both = parse_filters(corpus, facets={"theme": "corruption", "sdg": "8.7"})
    assert both.facets == (("sdg", ("8.7",)), ("theme", ("corruption",)))  # sorted by name


def test_what_the_query_said_joins_the_filters_unless_a_meeting_or_year_was_given(corpus):
    calendar = calendar_of(corpus.meetings)
    given = Filters(addressees=("unodc",), facets=(("theme", ("corruption",)),))
    read = Understood("q", "q", "en", meetings=(5,), facets=(("theme", "gender"), ("sdg", "8.7"), ("sdg", "5.2")))
    merged = with_understood(given, read, False, calendar)
    assert merged == Filters((5,), (), ("unodc",), (("sdg", ("8.7", "5.2")), ("theme", ("corruption",))))  # explicit theme wins
    assert with_understood(given, read, True, calendar) is given  # an explicit meeting or year: the query's are not used
    assert with_understood(given, None, False, calendar) is given
    years = with_understood(Filters(meetings=(2,)), Understood("q", "q", "en", years=(2015,)), False, calendar)
    assert years.meetings == (2,) and years.years == (2015,)


def test_a_meeting_and_a_year_read_together_must_agree(corpus):
    calendar = calendar_of(corpus.meetings)
    first_in_2009 = with_understood(Filters(), Understood("q", "q", "en", meetings=(1, 5), years=(2009,)), False, calendar)
    assert (first_in_2009.meetings, first_in_2009.years) == ((1,), ())  # the meeting held in that year
    disagree = with_understood(Filters(), Understood("q", "q", "en", meetings=(5,), years=(2009,)), False, calendar)
    assert (disagree.meetings, disagree.years) == ((5,), ())  # no agreement: the meeting named wins


def test_masks_pass_exactly_the_records_that_match(corpus, index):
    records = list(corpus)
    assert index.mask(Filters()) is None
    m = index.mask(Filters(years=(2013,)))
    assert [r.id for r, keep in zip(records, m) if keep] == [r.id for r in records if r.meeting and r.meeting.year == 2013]
    m = index.mask(Filters(meetings=(3,)))
    assert sorted(r.id for r, keep in zip(records, m) if keep) == [f"4.46.{c}" for c in "abcdefghij"]  # proposed at 3
    m = index.mask(Filters(addressees=("unodc", "secretariat")))
    assert all(bool({"unodc", "secretariat"} & set(r.addressees)) == bool(keep) for r, keep in zip(records, m))
    assert not m.flags.writeable and index.mask(Filters(addressees=("unodc", "secretariat"))) is m  # cached


def test_a_facet_matrix_is_built_once_read_only_and_boolean(corpus, index):
    columns, matrix = index.facet_matrix("theme")
    assert matrix.dtype == bool and not matrix.flags.writeable and index.facet_matrix("theme")[1] is matrix
    records = list(corpus)
    for row in (0, 100, 287):
        assert {v for v, col in columns.items() if matrix[row, col]} == set(records[row].facets.get("theme", ()))


def test_the_statistics_sample_is_all_allowed_rows_up_to_its_size_then_a_fixed_one():
    order = np.random.default_rng(0).permutation(10)
    allowed = np.zeros(10, dtype=bool)
    allowed[[1, 4, 7]] = True
    assert stats_sample(allowed, order, 5).tolist() == [1, 4, 7]
    assert stats_sample(None, order, 4).tolist() == sorted(order[:4].tolist())
    allowed[:] = True
    assert stats_sample(allowed, order, 3).tolist() == sorted(order[:3].tolist())


def test_notes_say_which_meetings_adopted_nothing_and_what_the_query_named_that_is_missing(corpus, index):
    notes = filter_notes(corpus, index, Filters(meetings=(3,)), None)
    assert len(notes) == 1 and "adopted no recommendations itself; the 10 proposed there were adopted at the" in notes[0]
    assert "(4.46.a, 4.46.b, 4.46.c," in notes[0] and notes[0].endswith("4.46.j): those are what this search returns for it.")
    missing = filter_notes(corpus, index, Filters(), Understood("q", "q", "en", missing_meetings=(12,), missing_years=(2030,)))
    assert missing[0] == (
        "There is no meeting 12 in the loaded collections (they have meetings 1, 2, 3, 4, 5, 6, 7, 8); "
        "the query was searched without that constraint."
    )
    assert missing[1] == (
        "No meeting was held in 2030 (meetings were held in 2009, 2010, 2011, 2013, 2015, 2017, 2018); "
        "the year was not used as a filter."
    )
    assert filter_notes(corpus, index, Filters(meetings=(5,)), None) == []


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Three meetings: the first adopted nothing but proposed 2.1, the third (no dates) did
    nothing; the topic "fog" is declared but no record has it."""
    from recsearch import load_corpus
    from recsearch.collection import write_collection

    folder = write_collection(tmp_path_factory.mktemp("small") / "c", {
        "symbol": "FICT/2", "title": "t", "language": "en",
        "meetings": [
            {"number": 1, "name": "First fictional meeting", "place": "Nowhere City", "start": "2001-02-03", "end": "2001-02-05"},
            {"number": 2, "name": "Second fictional meeting", "place": "Elsewhere Town", "start": "2002-03-04"},
            {"number": 3, "name": "Third fictional meeting"},
        ],
        "facets": {"topic": {"label": {"en": "topic"}, "values": {
            "lighthouses": {"label": {"en": "lighthouses", "fr": "phares"}}, "fog": {"label": "fog"}}}},
    }, [
        {"id": "2.1", "text": "Keep lighthouses lit.", "meeting": 2, "proposed_at": 1, "paragraph": 1, "facets": {"topic": "lighthouses"}},
        {"id": "2.2", "text": "Keep registers.", "meeting": 2, "paragraph": 2},
    ])
    corpus = load_corpus(folder)
    return corpus, FilterIndex(corpus)


def test_notes_give_a_meetings_place_and_dates_when_it_has_them(small):
    corpus, index = small
    assert filter_notes(corpus, index, Filters(meetings=(1, 2, 3)), None) == [
        "The First fictional meeting (Nowhere City, 3–5 February 2001) adopted no recommendations itself; the one proposed "
        "there was adopted at the Second fictional meeting (2.1): that is what this search returns for it.",
        "The Third fictional meeting adopted no recommendations.",
    ]


def test_a_declared_value_no_record_has_is_refused_by_value_and_by_label(small):
    corpus, _ = small
    for asked in ("fog", "FOG"):
        with pytest.raises(QueryError, match=r"unknown topic '(fog|FOG)'; valid values: \['lighthouses'\]"):
            parse_filters(corpus, facets={"topic": asked})
    assert parse_filters(corpus, facets={"topic": " Phares "}).facets == (("topic", ("lighthouses",)),)


def test_the_statistics_sample_of_a_filter_is_its_rows_and_says_it_is_complete(small):
    corpus, index = small
    rows, complete = index.sample(Filters())
    assert rows.tolist() == [0, 1] and complete and not rows.flags.writeable
    assert index.sample(Filters())[0] is rows  # cached
    rows, complete = index.sample(Filters(meetings=(1,)))  # proposed at 1: row 0
    assert rows.tolist() == [0] and complete
    assert stats_sample(None, np.arange(5000)).tolist() == list(range(1024))  # the default size


def test_masks_and_samples_are_cached_up_to_the_cache_size_then_the_cache_starts_again(corpus):
    index = FilterIndex(corpus)
    index.CACHE_SIZE = 2
    one, two, three = (Filters(meetings=(n,)) for n in (1, 2, 4))
    first = index.mask(one)
    index.mask(two)
    assert index.mask(one) is first  # still cached: two of two
    index.mask(three)  # a third: the cache starts again with it
    assert index.mask(one) is not first and np.array_equal(index.mask(one), first)
    rows = index.sample(one)[0]
    index.sample(two)
    assert index.sample(one)[0] is rows
    index.sample(three)
    assert index.sample(one)[0] is not rows


def test_single_values_and_padded_digits_are_accepted(corpus):
    assert parse_filters(corpus, meeting=5).meetings == (5,)
    assert parse_filters(corpus, meeting=" 6 ").meetings == (6,)
    assert parse_filters(corpus, year=2011).years == (2011,)
    assert parse_filters(corpus, year=(2011,)).years == (2011,)  # one year, not a range
    assert parse_filters(corpus, year=(2009, 2011, 2013)).years == (2009, 2011, 2013)  # three years
    assert parse_filters(corpus, year=("2009", "2013")).years == (2009, 2013)  # text: two years, not a range


def test_the_facet_arrays_hold_each_records_meeting_year_and_proposing_meeting(corpus):
    index = FilterIndex(corpus)
    records = list(corpus)
    assert index.meeting.dtype == index.year.dtype == index.proposed.dtype == np.int32
    assert index.meeting.tolist() == [r.meeting.number for r in records]
    assert index.year.tolist() == [r.year for r in records]
    assert index.proposed.tolist() == [r.proposed_at.number if r.proposed_at else 0 for r in records]
    assert index.adopting == frozenset({1, 2, 4, 5, 6, 7, 8}) and len(index) == 288
    assert sorted(index.order.tolist()) == list(range(288))
