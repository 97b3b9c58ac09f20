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


def _write(tmp_path, *rows: str):
    path = tmp_path / "glossary.tsv"
    path.write_text("\n".join(["id\t" + "\t".join(LANGUAGES), *rows]) + "\n", encoding="utf-8")
    return path


def test_a_small_glossary_file_is_read_as_written(tmp_path):
    path = _write(
        tmp_path,
        "forced\tالعمل القسري|السخرة\tforced labour|compulsory labour\t\t\t\t强迫劳动\t",
        "",  # a blank line in the middle is skipped, not the end of the file
        "fund\tالصندوق الاستئماني\ttrust fund\t\t\t\t\t",
    )
    glossary = load_glossary(path)
    assert [c.id for c in glossary.concepts] == ["forced", "fund"]
    forced = glossary.concepts[0]
    assert forced.terms["ar"] == ("العمل القسري", "السخرة") and forced.terms["en"] == ("forced labour", "compulsory labour")
    assert forced.terms["fr"] == () and forced.terms["zh"] == ("强迫劳动",)
    # a language a concept leaves out is simply not matched or expanded
    assert glossary.expand("compulsory labour", "fr") == [] and glossary.expand("trust fund", "de") == []
    assert glossary.expand("السخرة", "en") == ["forced labour", "compulsory labour"]


def test_chinese_variants_match_as_substrings_anywhere(tmp_path):
    glossary = load_glossary(_write(tmp_path, "forced\tالسخرة\tforced labour\t\t\t\t强迫劳动|劳役\t"))
    assert [c.id for c in glossary.match("关于强迫劳动的被害人")] == ["forced"]  # not at the start
    assert [c.id for c in glossary.match("劳役")] == ["forced"]
    assert glossary.match("强迫") == [] and glossary.match("forced") == []


def test_an_arabic_variant_with_the_article_matches_with_or_without_it(tmp_path):
    glossary = load_glossary(_write(tmp_path, "fund\tالصندوق الاستئماني\ttrust fund\t\t\t\t\t"))
    for query in ("الصندوق الاستئماني", "للصندوق الاستئماني", "بالصندوق الاستئماني", "صندوق الاستئماني"):
        assert [c.id for c in glossary.match(query)] == ["fund"], query
    assert glossary.match("الصندوق") == [] and glossary.match("الاستئماني الصندوق") == []


def test_a_glossary_error_names_the_line_and_the_expected_header(tmp_path):
    with pytest.raises(CorpusError, match=r"glossary\.tsv:4: expected 8 tab-separated cells, got 2"):
        load_glossary(_write(tmp_path, "a\t" + "\t".join("x" * 7), "", "b\tx"))
    other = tmp_path / "other.tsv"
    other.write_text("ID\tar\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"header must be the columns \['id', 'ar', 'en'"):
        load_glossary(other)
    empty = tmp_path / "empty.tsv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(CorpusError, match="header must be"):
        load_glossary(empty)


def test_arabic_clitics_up_to_four_letters_and_a_three_letter_core_with_a_bare_clitic(tmp_path):
    glossary = load_glossary(_write(
        tmp_path,
        "fund\tالصندوق الاستئماني\ttrust fund\t\t\t\t\t",
        "work\tعمل\twork\t\t\t\t\t",
    ))
    assert [c.id for c in glossary.match("وبالصندوق الاستئماني")] == ["fund"]  # و + ب + ال: four letters
    assert [c.id for c in glossary.match("وعمل")] == ["work"]  # a three-letter core takes a bare clitic
    assert [c.id for c in glossary.match("والعمل")] == ["work"]
    assert glossary.match("وصندوق") == []


def test_ids_and_variants_are_read_without_their_spaces(tmp_path):
    glossary = load_glossary(_write(tmp_path, " forced \t السخرة | العمل القسري \t forced labour |  \t\t\t\t\t"))
    (concept,) = glossary.concepts
    assert concept.id == "forced" and concept.terms["ar"] == ("السخرة", "العمل القسري")
    assert concept.terms["en"] == ("forced labour",)  # an empty variant is dropped
    assert glossary.expand("forced labour", "ar") == ["السخرة", "العمل القسري"]


def test_a_glossary_built_in_python_may_leave_languages_out():
    from recsearch.glossary import Concept, Glossary

    glossary = Glossary([Concept("fund", {"en": ("trust fund",)})])
    assert [c.id for c in glossary.match("the trust fund")] == ["fund"] and glossary.expand("trust fund", "ar") == []


def test_a_variant_that_folds_to_nothing_does_not_hide_the_next_one(tmp_path):
    glossary = load_glossary(_write(tmp_path, "fund\t؟|الصندوق الاستئماني\t—|trust fund\t\t\t\t。|信托 基金|奴\t"))
    for query in ("trust fund", "الصندوق الاستئماني", "信托基金", "奴"):  # a spaced or one-character Chinese variant too
        assert [c.id for c in glossary.match(query)] == ["fund"], query


def test_the_header_must_be_tab_separated(tmp_path):
    spaced = tmp_path / "spaced.tsv"
    spaced.write_text(" ".join(["id", *LANGUAGES]) + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="header must be the columns"):
        load_glossary(spaced)
