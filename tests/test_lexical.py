"""BM25 lexical index by row: ranking, filters inside the scoring, validation, persistence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recsearch.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    QueryTypeError,
)
from recsearch._arrays import top_k
from recsearch.lexical import LexicalIndex
from recsearch.normalize import NORMALIZATION_VERSION

TEXTS = [
    "ينبغي للدول أن تعتمد نهجا شاملا ومتوازنا في مكافحة الاتجار بالأشخاص.",  # 0  I.1
    "ينبغي للدول التي لم تصبح بعد أطرافا في بروتوكول الاتجار بالأشخاص أن تفعل ذلك.",  # 1  I.2
    "ينبغي للدول أن تكفل حصول ضحايا الاتجار على تعويض عن الضرر.",  # 2  II.24(a)
    "تعزيز التعاون الدولي بين أجهزة إنفاذ القانون والنيابة العامة.",  # 3  IV.45(b)
    "ينبغي للدول أن توفر للضحايا المساعدة القانونية والطبية والنفسية والتعويض.",  # 4  V.3
    "دعم المنظمات غير الحكومية التي تقدم المأوى للضحايا.",  # 5  VI.7
    "The Working Group recommended that States protect victims of trafficking.",  # 6  VII.1(c)
]
N = len(TEXTS)


@pytest.fixture(scope="module")
def index() -> LexicalIndex:
    return LexicalIndex.build(TEXTS)


def mask_of(rows, n: int = N) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[list(rows)] = True
    return mask


def test_results_are_rows_ranked_by_relevance(index):
    rows, scores = index.search("تعويض الضحايا", k=3)
    assert rows.dtype.kind == "i" and scores.dtype == np.float32
    assert set(rows.tolist()) == {2, 4, 5}
    assert rows[0] in {2, 4}  # both mention compensation and victims; 5 only victims
    assert np.all(np.diff(scores) <= 0) and (scores > 0).all()


def test_spelling_variants_in_the_query_still_match(index):
    # no hamza, ه for ة, ي for ى: typed the way many people type
    assert index.search("المنظمات الغير حكوميه", k=1)[0].tolist() == [5]
    assert index.search("بروتوكول الاتجار بالاشخاص", k=1)[0].tolist() == [1]
    assert index.search("Victims", k=1)[0].tolist() == [6]


def test_only_matching_rows_are_returned(index):
    for query in ("فيينا", "في من على إلى", ""):  # unknown word, stopwords only, nothing
        rows, scores = index.search(query, k=5)
        assert rows.shape == (0,) and scores.shape == (0,)
    assert index.search("التعاون", k=10)[0].tolist() == [3]


def test_filter_applies_before_the_cut_off(index):
    query = "ينبغي للدول الاتجار الضحايا"
    full_rows, full_scores = index.search(query, k=N)
    allowed = mask_of([5, 3])
    # the unfiltered top 2 lies entirely outside the filter: filtering after the cut-off would return nothing
    assert not allowed[full_rows[:2]].any()
    rows, scores = index.search(query, k=2, allowed=allowed)
    assert rows.tolist() == [5, 3]
    keep = allowed[full_rows]
    assert rows.tolist() == full_rows[keep][:2].tolist()
    np.testing.assert_array_equal(scores, full_scores[keep][:2])  # a filter does not change the scores


def test_filter_never_returns_rows_outside_it(index):
    query = "ينبغي للدول التعاون الضحايا المنظمات"
    for allowed_rows in ([3], [5, 6], [], [0, 1, 2]):
        allowed = mask_of(allowed_rows)
        rows, _ = index.search(query, k=5, allowed=allowed)
        assert set(rows.tolist()) <= set(allowed_rows)
        scores = index.scores(index.tokenize(query), allowed)
        assert not scores[~allowed].any()
    everything = np.ones(N, dtype=bool)
    for got, want in zip(index.search(query, k=5, allowed=everything), index.search(query, k=5)):
        np.testing.assert_array_equal(got, want)


def test_ties_are_broken_by_row():
    idx = LexicalIndex.build(["حماية الشهود"] * 3)
    assert idx.search("الشهود", k=3)[0].tolist() == [0, 1, 2]
    assert idx.search("الشهود", k=2)[0].tolist() == [0, 1]
    scores = np.array([1.0, 3.0, 3.0, 0.0, 3.0, 2.0], dtype=np.float32)
    assert top_k(scores, 4).tolist() == [1, 2, 4, 5]
    assert top_k(scores, 10).tolist() == [1, 2, 4, 5, 0, 3]
    assert top_k(scores, 10, positive=True).tolist() == [1, 2, 4, 5, 0]
    assert top_k(np.zeros(4, dtype=np.float32), 3, positive=True).tolist() == []


def test_ties_are_broken_by_row_when_many_rows_tie_at_the_cut_off():
    assert top_k(np.ones(1000, dtype=np.float32), 3).tolist() == [0, 1, 2]


def test_scores_are_aligned_with_rows(index):
    scores = index.scores(index.tokenize("التعاون الدولي"))
    assert scores.shape == (N,) and scores.dtype == np.float32
    assert int(np.argmax(scores)) == 3
    assert np.flatnonzero(index.scores(index.tokenize("التعاون"))).tolist() == [3]
    assert not index.scores(index.tokenize("فيينا")).any()
    rows, found = index.search("تعويض الضحايا", k=N)
    np.testing.assert_array_equal(found, index.scores(index.tokenize("تعويض الضحايا"))[rows])


def test_repeated_terms_count_each_time_and_unknown_terms_are_ignored(index):
    a, b = index.tokenize("تعويض")[0], index.tokenize("الضحايا")[0]
    one_a, one_b = index.scores([a]), index.scores([b])
    assert one_a.any() and one_b.any()
    np.testing.assert_allclose(index.scores([a, b, a]), 2 * one_a + one_b, rtol=1e-6)
    np.testing.assert_allclose(index.scores([b] * 3), 3 * one_b, rtol=1e-6)
    np.testing.assert_array_equal(index.scores([a, "not-a-term", ""]), one_a)
    assert not index.scores(["not-a-term"]).any() and not index.scores([]).any()
    # the same text scored through search and through its terms
    query = "تعويض الضحايا وحمايتهم"
    rows, found = index.search(query, k=N)
    np.testing.assert_array_equal(found, index.scores(index.tokenize(query))[rows])


def test_argument_validation(index):
    with pytest.raises(QueryError):
        index.search("x", k=0)
    with pytest.raises(QueryTypeError):
        index.search("x", k=True)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        index.search("x", k=2.5)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        index.search(None, k=2)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        index.search("التعاون", k=2, allowed=np.ones(N - 1, dtype=bool))
    with pytest.raises(QueryTypeError):
        index.search("التعاون", k=2, allowed=np.ones(N, dtype=np.int64))
    with pytest.raises(QueryTypeError):
        index.scores(["x"], allowed=np.ones(N + 1, dtype=bool))
    with pytest.raises(QueryError):
        LexicalIndex.build([])
    with pytest.raises(QueryTypeError):
        LexicalIndex.build(["ok", 1])  # type: ignore[list-item]
    with pytest.raises(QueryError):
        LexicalIndex("fr")
    with pytest.raises(QueryError):
        LexicalIndex.build(["x"], language="fr")
    empty = LexicalIndex()
    with pytest.raises(QueryError):
        empty.search("x")
    with pytest.raises(QueryError):
        empty.save("unused")


def test_a_filter_that_is_not_an_array_is_a_type_error(index):
    with pytest.raises(QueryTypeError):
        index.search("التعاون", k=2, allowed=[True] * N)  # type: ignore[arg-type]


def test_texts_that_all_lack_terms():
    try:
        idx = LexicalIndex.build(["في من", "على"])
    except QueryError:  # refusing them with a clear error is a fix too
        return
    assert len(idx) == 2 and idx.search("في", k=5)[0].tolist() == []


def test_texts_without_terms_are_indexed_but_never_match():
    idx = LexicalIndex.build(["في من", "حماية الشهود", ""])
    assert len(idx) == 3
    assert idx.search("حماية", k=5)[0].tolist() == [1]
    assert idx.search("حماية الشهود في من", k=5)[0].tolist() == [1]
    assert idx.scores(idx.tokenize("حماية الشهود"))[[0, 2]].tolist() == [0.0, 0.0]


def test_english_channel():
    idx = LexicalIndex.build(
        ["Protection of victims", "International cooperation", "Protecting witnesses"], language="en"
    )
    assert idx.settings.language == "en"
    assert set(idx.search("protect", k=5)[0].tolist()) == {0, 2}  # stemmed: protection, protecting
    assert idx.search("cooperation", k=5)[0].tolist() == [1]


def test_save_load_round_trip(index, tmp_path):
    index.save(tmp_path / "lex")
    meta = json.loads((tmp_path / "lex" / "lexical.json").read_text(encoding="utf-8"))
    assert meta["format"] == 2 and meta["count"] == N
    assert meta["settings"]["language"] == "ar"
    assert meta["settings"]["normalization_version"] == NORMALIZATION_VERSION
    loaded = LexicalIndex.load(tmp_path / "lex")
    assert loaded.settings == index.settings and len(loaded) == N
    allowed = mask_of([0, 2, 5, 6])
    for q in ("تعويض الضحايا", "بروتوكول", "victims", "ينبغي للدول الاتجار"):
        for mask in (None, allowed):
            got, want = loaded.search(q, k=4, allowed=mask), index.search(q, k=4, allowed=mask)
            np.testing.assert_array_equal(got[0], want[0])
            np.testing.assert_array_equal(got[1], want[1])
        np.testing.assert_array_equal(loaded.scores(loaded.tokenize(q)), index.scores(index.tokenize(q)))


def _rewrite_meta(folder: Path, change) -> None:
    path = folder / "lexical.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    change(meta)
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_load_missing_folder_or_files(index, tmp_path):
    with pytest.raises(IndexNotFoundError, match="recsearch index build"):
        LexicalIndex.load(tmp_path / "nothing")
    index.save(tmp_path / "no_meta")
    (tmp_path / "no_meta" / "lexical.json").unlink()
    with pytest.raises(IndexNotFoundError):
        LexicalIndex.load(tmp_path / "no_meta")
    index.save(tmp_path / "no_vocab")
    (tmp_path / "no_vocab" / "bm25s" / "vocab.index.json").unlink()
    with pytest.raises(IndexNotFoundError):
        LexicalIndex.load(tmp_path / "no_vocab")


def test_load_rejects_damaged_metadata(index, tmp_path):
    index.save(tmp_path / "j")
    (tmp_path / "j" / "lexical.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="recsearch index build"):
        LexicalIndex.load(tmp_path / "j")
    changes = {
        "no_count": lambda m: m.pop("count"),
        "zero_count": lambda m: m.update(count=0),
        "bool_count": lambda m: m.update(count=True),
        "text_count": lambda m: m.update(count="7"),
        "no_settings": lambda m: m.pop("settings"),
        "unknown_setting": lambda m: m["settings"].update(colour="blue"),
    }
    for name, change in changes.items():
        index.save(tmp_path / name)
        _rewrite_meta(tmp_path / name, change)
        with pytest.raises(IndexCorruptError):
            LexicalIndex.load(tmp_path / name)


def test_load_rejects_another_format_language_or_normalization_version(index, tmp_path):
    cases = {
        "format": (lambda m: m.update(format=1), "format"),
        "norm": (lambda m: m["settings"].update(normalization_version=NORMALIZATION_VERSION + 1), "normalisation"),
        "lang": (lambda m: m["settings"].update(language="fr"), "language"),
    }
    for name, (change, match) in cases.items():
        index.save(tmp_path / name)
        _rewrite_meta(tmp_path / name, change)
        with pytest.raises(IndexMismatchError, match=match):
            LexicalIndex.load(tmp_path / name)


def test_load_rejects_truncated_arrays_and_a_count_mismatch(index, tmp_path):
    for name in ("data", "indices", "indptr"):
        index.save(tmp_path / name)
        array = tmp_path / name / "bm25s" / f"{name}.csc.index.npy"
        array.write_bytes(array.read_bytes()[:-7])
        with pytest.raises(IndexCorruptError):
            LexicalIndex.load(tmp_path / name)

    index.save(tmp_path / "short")  # a well-formed but shorter array: lengths disagree
    data = tmp_path / "short" / "bm25s" / "data.csc.index.npy"
    np.save(data, np.load(data)[:-1])
    with pytest.raises(IndexCorruptError, match="inconsistent"):
        LexicalIndex.load(tmp_path / "short")

    index.save(tmp_path / "count")
    _rewrite_meta(tmp_path / "count", lambda m: m.update(count=N - 1))
    with pytest.raises(IndexCorruptError, match="documents"):
        LexicalIndex.load(tmp_path / "count")


_BUILD_SCRIPT = """
import sys
from recsearch.lexical import LexicalIndex
texts = [line for line in sys.stdin.read().split("\\n") if line]
LexicalIndex.build(texts[:-1]).save(sys.argv[1] + "/ar")
LexicalIndex.build(texts, language="en").save(sys.argv[1] + "/en")
"""


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_identical_builds_write_identical_files_whatever_the_hash_seed(tmp_path):
    texts = TEXTS + ["Trafficking in persons: compensation, protection and cooperation of States."]
    outputs = []
    for seed in ("1", "2", "12345"):
        out = tmp_path / f"seed{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed, "HF_HUB_OFFLINE": "1"}
        subprocess.run(
            [sys.executable, "-c", _BUILD_SCRIPT, str(out)],
            input="\n".join(texts), text=True, env=env, check=True, capture_output=True, timeout=120,
        )
        outputs.append(_files(out))
    assert len(outputs[0]) >= 10 and {"ar/lexical.json", "en/lexical.json"} <= set(outputs[0])
    for other in outputs[1:]:
        assert other.keys() == outputs[0].keys()
        for name, content in outputs[0].items():
            assert other[name] == content, f"{name} differs between hash seeds"

    # the vocabulary is numbered in order of first appearance
    vocab = json.loads(outputs[0]["ar/bm25s/vocab.index.json"])
    tokenizer = LexicalIndex("ar")
    first_seen: dict[str, int] = {}
    for text in texts[:-1]:
        for term in tokenizer.tokenize(text):
            first_seen.setdefault(term, len(first_seen))
    assert {t: i for t, i in vocab.items() if t} == first_seen
