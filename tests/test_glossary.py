"""The domain glossary: its shape, and query expansion that really fires across languages."""

from __future__ import annotations

from collections import defaultdict

import pytest

from conftest import DATA
from recsearch.errors import CorpusError
from recsearch.glossary import LANGUAGES, load_glossary

REQUIRED = (  # concepts the field cannot do without (the glossary issue names them)
    "trafficking_in_persons", "smuggling_of_migrants", "victim_identification", "non_punishment", "compensation",
    "organ_removal", "forced_labour", "recruitment_fees", "consent", "abuse_of_vulnerability",
    "joint_investigations", "extradition", "shelters", "reflection_period", "interpretation",
    "national_rapporteur", "trust_fund", "blue_heart",
)  # fmt: skip


@pytest.fixture(scope="module")
def glossary():
    return load_glossary()


def test_shape(glossary):
    header = (DATA / "glossary.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert header == ["id", *LANGUAGES]
    assert len(glossary) >= 150
    ids = [c.id for c in glossary.concepts]
    assert len(ids) == len(set(ids))
    for c in glossary.concepts:
        assert c.terms["ar"] and c.terms["en"], c.id
        assert all(c.terms[lang] for lang in LANGUAGES), c.id  # every language has a term
    assert set(REQUIRED) <= set(ids)


def test_no_concept_is_written_twice(glossary):
    owners = defaultdict(set)
    for c in glossary.concepts:
        for lang in LANGUAGES:
            for v in c.terms[lang]:
                owners[(lang, v.casefold())].add(c.id)
    shared = {k: v for k, v in owners.items() if len(v) > 1}
    assert shared == {}
    primaries = [c.terms["en"][0].casefold() for c in glossary.concepts]
    assert len(primaries) == len(set(primaries))


@pytest.mark.parametrize(
    ("query", "concept"),
    [
        ("indemnisation des victimes de la traite", "compensation"),
        ("¿Qué dicen sobre el trabajo forzoso?", "forced_labour"),
        ("компенсация жертвам торговли людьми", "compensation"),
        ("强迫劳动的被害人", "forced_labour"),
        ("Zwangsarbeit und Schuldknechtschaft", "debt_bondage"),
        ("non-punishment of victims", "non_punishment"),
        ("عدم معاقبة الضحايا", "non_punishment"),
        ("والمترجمين الشفويين", "interpretation"),  # a clitic-prefixed Arabic form
        ("الاتجار بالاعضاء", "organ_removal"),  # without hamza
        ("Blue Heart Campaign", "blue_heart"),
    ],
)
def test_expansion_fires_on_multilingual_queries(glossary, query, concept):
    found = [c.id for c in glossary.match(query)]
    assert concept in found, found
    match = next(c for c in glossary.match(query) if c.id == concept)
    assert glossary.expand(query, "ar") and set(match.terms["ar"]) <= set(glossary.expand(query, "ar"))
    assert set(match.terms["en"]) <= set(glossary.expand(query, "en"))


def test_arabic_punctuation_and_short_words(glossary):
    assert "compensation" in [c.id for c in glossary.match("هل يحق لي تعويض؟")]  # "؟" is not part of the word
    assert "slavery_servitude" in [c.id for c in glossary.match("مكافحة الرق")]
    assert "slavery_servitude" in [c.id for c in glossary.match("والرق")]
    assert "slavery_servitude" not in [c.id for c in glossary.match("ورق وفرق")]  # a two-letter core needs the article


def test_a_multi_word_variant_needs_its_words_in_order(glossary):
    assert "forced_labour" in [c.id for c in glossary.match("what about forced labour in factories")]
    assert "forced_labour" not in [c.id for c in glossary.match("labour was not forced")]


def test_unrelated_text_names_no_concept(glossary):
    assert glossary.match("the weather in Lisbon is sunny") == []
    assert glossary.expand("", "en") == []


def test_expansion_reaches_the_keyword_channels_from_another_language():
    """A French query has no word in common with the Arabic or English text: only the
    glossary gives the keyword channels something to match."""
    from recsearch.lexical import LexicalIndex

    texts = ["States parties should provide compensation to victims", "extradition of offenders"]
    index = LexicalIndex.build(texts, language="en")
    query = "indemnisation"
    assert not index.scores(index.tokenize(query)).any()
    assert index.search(query, k=2)[0].tolist() == []
    expansion = load_glossary().expand(query, "en")
    assert expansion  # the glossary knows the concept in English
    expanded = f"{query} {' '.join(expansion)}"
    scores = index.scores(index.tokenize(expanded))
    assert scores[0] > 0 and scores[0] > scores[1]
    assert index.search(expanded, k=2)[0].tolist()[:1] == [0]


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("id\tar\ten\n", "header"),
        ("id\t" + "\t".join(LANGUAGES) + "\nx\tأ\tb\n", "cells"),
    ],
)
def test_a_damaged_glossary_is_a_clear_error(tmp_path, content, match):
    path = tmp_path / "glossary.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CorpusError, match=match):
        load_glossary(path)
    with pytest.raises(CorpusError, match="not found"):
        load_glossary(tmp_path / "missing.tsv")
