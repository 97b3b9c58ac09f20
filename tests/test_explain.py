"""Why a hit matched: positions of the query's words in its texts, best variant, channel ranks."""

from __future__ import annotations

import json

import pytest

from fakes import FakeEncoder
from recsearch.display import highlighted
from recsearch.explain import Explainer
from recsearch.search import Searcher


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus):
    return Searcher.build(corpus, FakeEncoder(), tmp_path_factory.mktemp("explain") / "index", show_progress=False, cache=False)


def test_positions_point_at_the_matched_words_in_each_field(searcher):
    hits = searcher.search("compensation for victims of trafficking", k=5)
    seen = 0
    for h in hits:
        for m in h.explanation.matches:
            assert getattr(h, m.field)[m.start : m.end] == m.word
            seen += 1
    assert seen and any(m.field == "text_en" and m.word.lower().startswith("compensat") for h in hits for m in h.explanation.matches)
    assert any(m.field in ("text", "chapeau") for h in hits for m in h.explanation.matches)  # the Arabic, via the glossary


def test_own_words_and_glossary_concepts_are_told_apart(searcher):
    [top] = searcher.search("تعويض ضحايا الاتجار", k=1)
    vias = {m.via for m in top.explanation.matches}
    assert "query" in vias and set(top.explanation.concepts) == vias - {"query"} and top.explanation.concepts
    assert top.explanation.words == tuple(dict.fromkeys(m.word for m in top.explanation.matches))


def test_best_variant_and_ranks_come_from_the_channels(searcher):
    hits = searcher.search("compensation for victims", k=5)
    for h in hits:
        assert h.explanation.ranks == {name: c["rank"] for name, c in h.channels.items()}
        assert set(h.explanation.best_variant.values()) <= set(searcher.channels[0].variant_names)
    d = hits[0].to_dict()["explanation"]
    json.dumps(d, ensure_ascii=False)
    assert d["matches"] and {"field", "start", "end", "word", "via"} == set(d["matches"][0]) and d["ranks"]


def test_a_query_sharing_no_word_has_no_matches():
    ex = Explainer().explain({"text_en": "Lighthouses need keepers."}, {"en": {"zebra": "query"}})
    assert ex.matches == () and ex.concepts == ()
    ex = Explainer().explain({"text_en": "Lighthouses need keepers; keepers rest."}, {"en": {"keeper": "query"}})
    assert [(m.start, m.end) for m in ex.matches] == [(17, 24), (26, 33)]


def test_highlighting_marks_exactly_the_matched_words(searcher, capsys):
    from recsearch.cli import main

    [top] = searcher.search("compensation for victims", k=1)
    marked = highlighted(top, "text_en", "plain")
    assert marked.replace("[", "").replace("]", "") == top.text_en
    assert all(f"[{m.word}]" in marked for m in top.explanation.matches if m.field == "text_en")
    assert highlighted(top, "text_en", None) == top.text_en
    assert "\033[1;33m" in highlighted(top, "text_en", "ansi")
    assert main(["search", "compensation for victims", "-k", "1", "--english"]) == 0
    assert "[compensation]" in capsys.readouterr().out.lower()  # piped output: plain markers
