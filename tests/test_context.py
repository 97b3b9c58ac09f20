"""The LLM context block: numbered, every entry with its full citation, English marked unofficial."""

from __future__ import annotations

import re

import pytest

from recsearch.context import format_context
from recsearch.errors import QueryError
from recsearch.hits import Hit


@pytest.fixture()
def hits(corpus):
    return [
        Hit.from_record(corpus["4.46.g"], rank=1, score=2.0),
        Hit.from_record(corpus["5.34"], rank=2, score=1.0, duplicates=("5.35",)),
    ]


def test_every_entry_is_numbered_with_its_full_citation_and_text(hits, corpus):
    block = format_context(hits, "compensation")
    assert re.findall(r"^\[(\d)\] ", block, re.M) == ["1", "2"]
    for hit in hits:
        rec = corpus[hit.id]
        assert f"] {rec.citation('en')}" in block
        assert rec.text in block and rec.text_en in block
    assert corpus["4.46.g"].chapeau in block  # an item is read with its lead-in
    assert "identical to 5.35" in block
    assert "unofficial" in block and "authoritative" in block


def test_languages(hits, corpus):
    arabic = format_context(hits, "تعويض", lang="ar")
    assert corpus["4.46.g"].citation("ar") in arabic and corpus["4.46.g"].text_en not in arabic
    english = format_context(hits, "compensation", lang="en")
    assert corpus["4.46.g"].citation("en") in english and corpus["4.46.g"].text not in english
    assert "English (unofficial rendering):" in english
    with pytest.raises(QueryError):
        format_context(hits, "x", lang="fr")


def test_an_official_english_text_is_not_called_unofficial(corpus):
    official = corpus.with_english({"4.46.g": "Official text."})
    block = format_context([Hit.from_record(official["4.46.g"], rank=1, score=1.0)], "x", lang="en")
    assert "English: Official text." in block and "unofficial" not in block


def test_no_hits_say_so():
    assert "No recommendation matched" in format_context([], "x")


def test_searcher_context_uses_search(corpus):
    from fakes import FakeEncoder
    from recsearch.search import Searcher

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        searcher = Searcher.build(corpus, FakeEncoder(), f"{tmp}/index", show_progress=False, cache=False)
        hits = searcher.search("تعويض الضحايا", k=3, lang="en")
        block = searcher.context("تعويض الضحايا", k=3, lang="en")
        assert [line.split("] ", 1)[1] for line in block.splitlines() if line.startswith("[")] == [h.citation for h in hits]
        with pytest.raises(QueryError):
            searcher.context("x", lang="de")
