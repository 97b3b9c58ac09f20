"""Channels: top-k retrieval inside a filter, and exact scores for any candidate."""

from __future__ import annotations

import numpy as np
import pytest

from recsearch.channels import DenseChannel, KeywordChannel, Query
from recsearch.glossary import Concept
from recsearch.hashing_encoder import HashingEncoder
from recsearch.lexical import LexicalIndex
from recsearch.vector_index import VectorIndex

N = 400  # records; every record has an "ar" vector, the even ones an "en" vector too


def unit(rng, n, d):
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


@pytest.fixture(scope="module", params=["flat", "hnsw"])
def dense(request):
    rng = np.random.default_rng(0)
    rows = np.concatenate([np.arange(N), np.arange(0, N, 2)])
    variants = np.concatenate([np.zeros(N), np.ones(N // 2)]).astype(np.int8)
    vecs = unit(rng, len(rows), 32)
    index = VectorIndex(32, kind=request.param, exact_below=50)
    index.add(vecs)
    return DenseChannel("dense0", HashingEncoder(32), index, rows, variants, ("ar", "en"), N), vecs


def best_of_variants(vecs, rows, q, variants=None, codes=None):
    scores = np.full(N, -1.0)
    for v, r in enumerate(rows):
        if variants is None or codes[v] in variants:
            scores[r] = max(scores[r], float(vecs[v] @ q))
    return scores


def test_dense_scores_are_the_best_variant_exactly(dense):
    ch, vecs = dense
    q = vecs[5]
    expected = best_of_variants(vecs, ch.rows, q)
    rows = np.array([0, 1, 2, 399, 2])
    assert np.allclose(ch.score(q, rows), expected[rows], atol=1e-5)
    ar_only = ch.variant_mask(("ar",))
    assert np.allclose(ch.score(q, rows, ar_only), best_of_variants(vecs, ch.rows, q, {0}, ch.variants)[rows], atol=1e-5)
    assert ch.variant_mask(("ar", "en")) is None


def test_dense_retrieval_is_the_top_k_records_once_each(dense):
    ch, vecs = dense
    q = vecs[N + 3]  # the English vector of record 6
    got = ch.retrieve(q, 10, None)
    exact = best_of_variants(vecs, ch.rows, q)
    want = np.argsort(-exact, kind="stable")[:10]
    assert got.rows[0] == 6 and len(set(got.rows.tolist())) == 10
    overlap = len(set(got.rows.tolist()) & set(want.tolist()))
    assert overlap >= (10 if ch.index.kind == "flat" else 9)
    assert np.allclose(got.scores, exact[got.rows], atol=1e-5)


@pytest.mark.parametrize("allowed_count", [7, 40, 300])
def test_dense_filter_is_inside_the_search(dense, allowed_count):
    ch, vecs = dense
    rng = np.random.default_rng(allowed_count)
    allowed = np.zeros(N, dtype=bool)
    allowed[rng.choice(N, allowed_count, replace=False)] = True
    got = ch.retrieve(vecs[1], 20, allowed)
    assert allowed[got.rows].all()
    assert len(got.rows) == min(20, allowed_count)


def test_vector_of_gives_the_stored_variant(dense):
    ch, vecs = dense
    assert np.allclose(ch.vector_of(4, "en"), vecs[N + 2])
    assert np.allclose(ch.vector_of(3, "ar"), vecs[3])
    with pytest.raises(ValueError, match="no 'en' text"):
        ch.vector_of(3, "en")


TEXTS = ["protection of victims", "compensation for victims", "extradition treaty", "victims victims victims"]


@pytest.fixture(scope="module")
def keyword():
    # documents exist for records 1, 3, 5, 7 only
    return KeywordChannel("bm25_en", LexicalIndex.build(TEXTS, language="en"), np.array([1, 3, 5, 7]), 9)


def test_keyword_retrieval_and_scores_are_in_record_rows(keyword):
    q = keyword.prepare(Query("victims", "victims"))
    got = keyword.retrieve(q, 10, None)
    assert set(got.rows.tolist()) == {1, 3, 7} and got.rows[0] == 7  # only records sharing a term
    scores = keyword.score(q, np.array([0, 1, 5, 7, 8]))
    assert scores[0] == 0 and scores[2] == 0 and scores[4] == 0 and scores[3] > scores[1] > 0


def test_keyword_filter_is_inside_the_scoring(keyword):
    allowed = np.zeros(9, dtype=bool)
    allowed[[3, 5]] = True
    q = keyword.prepare(Query("victims treaty", "victims treaty"))
    got = keyword.retrieve(q, 10, allowed)
    assert set(got.rows.tolist()) == {3, 5}


def test_glossary_concepts_expand_into_the_channel(keyword):
    concept = Concept("extradition", {"en": ("extradition",), "fr": ("extradition",)})
    plain = keyword.prepare(Query("remise", "remise"))
    assert keyword.retrieve(plain, 5, None).rows.size == 0
    expanded = keyword.prepare(Query("remise", "remise", (concept,)))
    assert keyword.retrieve(expanded, 5, None).rows.tolist() == [5]
    assert keyword.prepare(Query("remise", "remise", (concept,)), expand=False).terms == ["remis"]
