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


def test_english_rendering_is_shown_under_the_arabic_and_marked_unofficial(hit):
    results = Results([hit])
    results.language = "fr"
    out = format_results(results, rtl=False, width=200)
    assert out.index(hit.text[:12]) < out.index(hit.text_en[:10])
    assert "Unofficial" in out and hit.chapeau_en in out
    results.language = "ar"
    assert "Unofficial" not in format_results(results, rtl=False, width=200)


def test_no_results_say_so():
    assert "no recommendation matches" in format_results(Results(), width=80)
