"""Terminal output: Arabic laid out right-to-left with its brackets, English where it helps."""

from __future__ import annotations

import unicodedata

import pytest

from recsearch.display import format_results, rtl_block
from recsearch.hits import Hit
from recsearch.search import Results


@pytest.fixture()
def hit(corpus):
    return Hit.from_record(corpus["4.46.i"], rank=1, score=1.5)


def test_visual_order_keeps_brackets_facing_their_words():
    [line] = rtl_block("أ (ب) ج", width=40, indent=0)
    assert unicodedata.normalize("NFKC", line.strip()) == "ج (ب) أ"  # shaped letters fold back
    [mixed] = rtl_block("انظر (CTOC/COP) هنا", width=40, indent=0)
    assert "(CTOC/COP)" in mixed


def test_logical_order_is_the_text_as_stored(hit):
    out = format_results(Results([hit]), rtl=False, width=200, english=False)
    assert hit.text[:60] in out and hit.citation in out
    assert "English" not in out


def test_english_rendering_is_shown_under_the_arabic_and_marked_unofficial(hit, corpus):
    results = Results([hit])
    results.language = "fr"
    out = format_results(results, rtl=False, width=200)
    assert out.index(hit.text[:12]) < out.index(hit.text_en[:10])
    assert "Unofficial" in out and hit.chapeau_en in out
    twice = Results([hit, Hit.from_record(corpus["4.46.j"], rank=2, score=1.0)])
    twice.language = "fr"
    assert format_results(twice, rtl=False, width=200).count("Unofficial") == 1  # said once, not per hit
    results.language = "ar"
    assert "Unofficial" not in format_results(results, rtl=False, width=200)


def test_no_results_say_so():
    assert "no recommendation matches" in format_results(Results(), width=80)


def test_csv_and_json_carry_what_a_report_needs(capsys):
    import csv
    import io
    import json

    from recsearch.cli import CSV_COLUMNS, main

    assert main(["search", "compensation for victims", "-k", "3", "--csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == CSV_COLUMNS and len(rows) == 4
    assert rows[1][CSV_COLUMNS.index("citation")].startswith("CTOC/COP/WG.4/2019/5") and rows[1][CSV_COLUMNS.index("themes")]
    assert main(["search", "compensation at the third meeting", "-k", "2", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["filters"]["meeting"] == [3] and answer["understood"]["meetings"] == [3] and answer["notes"]
    assert [h["id"][:4] for h in answer["results"]] == ["4.46", "4.46"]
