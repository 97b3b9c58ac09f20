import builtins
import json

import pytest

from recsearch import load_corpus
from recsearch.errors import CorpusError, UnknownRecommendationError


def test_corpus_container_protocol(corpus, spec_ids):
    assert len(corpus) == 288
    assert [r.id for r in corpus] == spec_ids == corpus.ids
    assert "4.46.g" in corpus and "9.1" not in corpus
    assert corpus["4.46.g"].item == "g" and corpus["4.46.g"].paragraph == 46
    assert sorted(corpus.meetings) == list(range(1, 9))


def test_unknown_id_is_a_key_error_with_suggestions(corpus):
    with pytest.raises(UnknownRecommendationError, match="did you mean") as info:
        corpus["4.46.z"]
    assert isinstance(info.value, KeyError)


def test_english_and_arabic_citations(corpus):
    rec = corpus["4.46.g"]
    assert rec.citation() == "CTOC/COP/WG.4/2019/5, 4th meeting (Vienna, 10–12 October 2011), para. 46 (g)"
    assert rec.citation("ar") == (
        "CTOC/COP/WG.4/2019/5، الاجتماع الرابع (فيينا، ١٠ إلى ١٢ تشرين الأول/أكتوبر ٢٠١١)، الفقرة ٤٦ (ز)"
    )
    assert corpus["1.1"].citation() == "CTOC/COP/WG.4/2019/5, 1st meeting (Vienna, 14–15 April 2009), para. 1"
    assert corpus["8.2.h"].citation().startswith("CTOC/COP/WG.4/2019/5, 8th meeting (Vienna, 2–3 July 2018)")
    assert rec.citation("fr") == rec.citation("en")  # no French template: the English one


def test_record_to_dict_is_json_serialisable(corpus):
    d = corpus["1.2"].to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False))["citation"].endswith("para. 2")
    assert [f["number"] for f in d["footnotes"]] == [1, 2]


def test_years_and_full_text(corpus):
    assert corpus["2.1"].year == 2010 and corpus["8.1.a"].year == 2018
    item = corpus["1.5.a"]
    assert item.chapeau and item.full_text.startswith(item.chapeau) and item.full_text.endswith(item.text)


def test_to_frame(corpus):
    frame = corpus.to_frame()
    assert frame.shape[0] == 288 and frame.loc["4.46.g", "meeting"] == 4


def test_to_frame_without_pandas_says_how_to_install(corpus, monkeypatch):
    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("hidden")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match="pip install pandas"):
        corpus.to_frame()


def test_missing_or_corrupt_collection_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="no collection"):
        load_corpus(tmp_path)
    (tmp_path / "collection.json").write_text('{"symbol": "X", "title": "T", "language": "en"}', encoding="utf-8")
    (tmp_path / "records.jsonl").write_text("{not json\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="line 1"):
        load_corpus(tmp_path)


def test_ids_are_found_whatever_their_case(corpus):
    assert corpus["4.46.G"].id == "4.46.g"
    with pytest.raises(UnknownRecommendationError, match="4.46.g"):
        corpus["4.46.gg"]


def test_each_record_knows_its_collection(corpus):
    rec = corpus["4.46.g"]
    assert rec.collection.name == "wg4" and rec.key == "wg4:4.46.g" and corpus["wg4:4.46.g"] is rec
    assert rec.collection.language == "ar" and rec.lang == "ar"
    assert rec.extra["item_ar"] == "ز" and rec.facets["addressee"] == rec.addressees
