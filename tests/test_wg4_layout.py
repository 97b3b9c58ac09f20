from recsearch.wg4.layout import ABJAD_TO_LATIN, parse_layout
from recsearch.wg4.source import read_source

from conftest import DATA


def _layout():
    return parse_layout(read_source(DATA / "source_ar.txt"))


def test_eight_meetings_and_only_the_third_is_a_note():
    layout = _layout()
    assert [m.number for m in layout.meetings] == list(range(1, 9))
    third = layout.meetings[2]
    assert third.units == [] and third.note_lines
    assert all(not m.note_lines for m in layout.meetings if m.number != 3)


def test_abjad_maps_onto_english_letters():
    assert ABJAD_TO_LATIN["أ"] == "a" and ABJAD_TO_LATIN["ه"] == "e" and ABJAD_TO_LATIN["ف"] == "q"
    assert len(set(ABJAD_TO_LATIN.values())) == 17


def test_footnotes_are_lifted_out_of_the_text():
    layout = _layout()
    assert sorted(layout.footnotes) == [1, 2, 3, 4, 5]
    footnote_lines = {line.number for fn in layout.footnotes.values() for line in fn.lines}
    unit_lines = {line.number for m in layout.meetings for u in m.units for line in u.lines}
    assert footnote_lines and not footnote_lines & unit_lines


def test_markers_are_removed_from_raw_lines():
    layout = _layout()
    for meeting in layout.meetings:
        for unit in meeting.units:
            for line in unit.lines:
                assert ")١(" not in line.raw and ")٥(" not in line.raw
                assert " -١ " not in f" {line.raw} "
