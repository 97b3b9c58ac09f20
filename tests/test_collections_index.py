"""Several collections in one index: same ids side by side, provenance from each collection,
an index that carries its collections, and nothing about one document outside its own part."""

from __future__ import annotations

import json
import re

import pytest

from conftest import DATA, ROOT, TEST_DATA
from recsearch import Searcher, load_corpus
from recsearch.cli import main
from recsearch.errors import UnknownRecommendationError

FICTIONAL = TEST_DATA / "fictional_collection"
WG4 = DATA / "collections" / "wg4"


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    path = tmp_path_factory.mktemp("two") / "index"
    Searcher.build(collections=[WG4, FICTIONAL], encoder="hashing", path=path, show_progress=False, cache=False)
    return Searcher.load(path), path


@pytest.fixture(scope="module")
def fictional(tmp_path_factory):
    path = tmp_path_factory.mktemp("one") / "index"
    return Searcher.build(collections=[FICTIONAL], encoder="hashing", path=path, show_progress=False, cache=False)


def test_two_collections_with_the_same_ids_coexist(both):
    searcher, _ = both
    corpus = searcher.corpus
    assert len(corpus) == 288 + len(load_corpus(FICTIONAL))
    assert set(corpus.collections) == {"wg4", "fictional"}
    with pytest.raises(UnknownRecommendationError, match="several collections.*wg4:1.1.*fictional:1.1"):
        corpus["1.1"]
    assert corpus["fictional:1.1"].collection.symbol == "FICTIONAL/TEST/1"
    assert corpus["4.46.g"].collection.name == "wg4"  # a plain id where it is unambiguous


def test_each_hit_names_its_collection_and_is_cited_by_it(both):
    searcher, _ = both
    hits = searcher.search("register of fictional lighthouses", k=5)
    top = hits[0]
    assert (top.collection, top.id, top.symbol) == ("fictional", "1.1", "FICTIONAL/TEST/1")
    assert top.citation == "FICTIONAL/TEST/1, First fictional meeting, para. 1"
    wg4 = searcher.search("تعويض ضحايا الاتجار بالأشخاص", k=3)
    assert all(h.collection == "wg4" and h.citation.startswith("CTOC/COP/WG.4/2019/5") for h in wg4)


def test_an_index_carries_its_collections(both, tmp_path, capsys):
    import shutil

    _, path = both
    moved = tmp_path / "elsewhere"

    shutil.copytree(path, moved)
    assert main(["search", "fictional lighthouse keepers", "--index", str(moved), "-k", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["results"]
    assert out[0]["collection"] == "fictional" and out[0]["citation"].startswith("FICTIONAL/TEST/1")


def test_an_english_collection_never_says_arabic(fictional):
    text = fictional.context("lighthouse keepers", k=3)
    assert "English (authoritative)" in text and "Arabic" not in text
    assert "A fictional test collection (FICTIONAL/TEST/1)" in text
    from recsearch import tool_schema

    schema = json.dumps(tool_schema(fictional), ensure_ascii=False)
    assert "Arabic" not in schema and "Trafficking" not in schema and "FICTIONAL/TEST/1" in schema
    hit = fictional.search("lighthouse", k=1)[0]
    assert hit.lang == "en" and hit.text_en is None


def test_query_understanding_reads_the_loaded_meetings(fictional):
    r = fictional.search("what did the last meeting say about lighthouses", k=5)
    assert r.understood.meetings == (2,) and all(h.meeting.number == 2 for h in r)
    r = fictional.search("lighthouses in 2001", k=5)
    assert r.understood.years == (2001,) and all(h.meeting.year == 2001 for h in r)
    assert fictional.search("at the eighth meeting", k=3).understood.meetings == ()  # it met twice


def test_facet_filter_values_come_from_the_collection(fictional):
    hits = fictional.search("lighthouse", k=10, addressee="Secretariat")
    assert hits and all("Secretariat" in h.addressees for h in hits)
    with pytest.raises(ValueError, match="valid values"):
        fictional.search("lighthouse", addressee="states_parties")


def test_cli_builds_an_index_of_collections(tmp_path, capsys):
    path = tmp_path / "idx"
    assert main(["index", "build", "--collection", str(FICTIONAL), "--encoder", "hashing", "--path", str(path), "-q"]) == 0
    assert "indexed" in capsys.readouterr().out
    assert main(["search", "lighthouse", "--index", str(path), "-k", "1", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["symbol"] == "FICTIONAL/TEST/1"


def test_no_literal_about_one_document_outside_its_own_part():
    """The engine knows nothing of one document: its symbol, body and years live in its
    collection (data/collections/wg4) and its restoration (src/recsearch/wg4)."""
    pattern = re.compile(r"CTOC/COP/WG\.4|Trafficking in Persons|الاتجار بالأشخاص|first eight meetings|2009[–-]2018")
    offenders = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in sorted((ROOT / "src" / "recsearch").rglob("*.py"))
        if "wg4" not in p.relative_to(ROOT / "src" / "recsearch").parts
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


def test_the_carried_collections_load_as_the_validated_ones(both):
    searcher, _ = both
    fresh = load_corpus([WG4, FICTIONAL])
    assert [r.to_dict() for r in searcher.corpus] == [r.to_dict() for r in fresh]


def test_piped_search_output_keeps_arabic_in_logical_order(both, capsys):
    _, path = both
    assert main(["search", "تعويض ضحايا الاتجار", "--index", str(path), "-k", "2"]) == 0
    out = capsys.readouterr().out  # captured: not a terminal
    assert "تعويض" in out or "الاتجار" in out
    assert not any("\ufb50" <= ch <= "\ufeff" for ch in out)  # no presentation forms


def test_an_unwritable_cache_builds_without_it_and_warns(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("RECSEARCH_CACHE", str(blocker))
    with caplog.at_level("WARNING"):
        searcher = Searcher.build(collections=[FICTIONAL], encoder="hashing", path=tmp_path / "ix", show_progress=False)
    assert searcher.search("lighthouse", k=1) and "building without a cache" in caplog.text


def test_an_unwritable_index_target_is_a_clean_cli_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(["index", "build", "--collection", str(FICTIONAL), "--encoder", "hashing", "--path", str(blocker / "ix"), "-q"])
    assert code == 2 and "recsearch: error:" in capsys.readouterr().err


@pytest.mark.integration
def test_searching_never_imports_the_restoration():
    import subprocess
    import sys

    code = "import sys; from recsearch import Searcher; Searcher.load().search('victims', k=1); print(sorted(m for m in sys.modules if m.startswith('recsearch.wg4')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, env={"HF_HUB_OFFLINE": "1", **__import__("os").environ})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "[]"


def _with_questions(tmp_path, questions: dict[str, dict[str, list[str]]]):
    """A copy of the fictional collection whose records answer ``questions``."""
    out = tmp_path / "asked"
    out.mkdir()
    (out / "collection.json").write_bytes((FICTIONAL / "collection.json").read_bytes())
    lines = []
    for line in (FICTIONAL / "records.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["id"] in questions:
            rec["questions"] = questions[rec["id"]]
        lines.append(json.dumps(rec, ensure_ascii=False))
    (out / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def test_questions_are_passages_and_keyword_text_of_their_record(tmp_path):
    from recsearch.index_folder import keyword_texts, passages

    first = next(iter(load_corpus(FICTIONAL))).id
    folder = _with_questions(tmp_path, {first: {"en": ["zebra crossing wardens?", "quokka census"]}})
    corpus = load_corpus(folder)
    texts, rows, codes, variants = passages(corpus)
    assert variants[-1] == "questions:en" and variants[: len(corpus.languages)] == corpus.languages
    asked = [pid for pid in texts if "?" in pid]
    assert [texts[p] for p in asked] == ["zebra crossing wardens?", "quokka census"]
    assert all(rows[list(texts).index(p)] == 0 and variants[codes[list(texts).index(p)]] == "questions:en" for p in asked)
    docs, doc_rows = keyword_texts(corpus, "en")
    assert "quokka census" in docs[list(doc_rows).index(0)]
    assert not any("quokka" in d for i, d in enumerate(docs) if doc_rows[i] != 0)
    assert corpus.sha256 != load_corpus(FICTIONAL).sha256  # an index built without them is stale


def test_a_query_in_a_question_s_words_finds_its_record(tmp_path):
    first = next(iter(load_corpus(FICTIONAL))).id
    folder = _with_questions(tmp_path, {first: {"en": ["quokka census methodology"]}})
    s = Searcher.build(collections=[folder], encoder="hashing", path=tmp_path / "index", show_progress=False, cache=False)
    assert s.search("quokka census methodology", k=1)[0].id == first
    plain = Searcher.build(collections=[FICTIONAL], encoder="hashing", path=tmp_path / "plain", show_progress=False, cache=False)
    assert "quokka" not in plain.corpus[first].text and "questions" not in plain.corpus[first].to_format()
