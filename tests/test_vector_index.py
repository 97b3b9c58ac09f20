"""Dense vector store: exact flat search, HNSW agreement, filters before the cut-off, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fakes import FakeEncoder

from recsearch.errors import IndexCorruptError, IndexNotFoundError, QueryError, QueryTypeError
from recsearch.vector_index import VectorIndex

DIM = 32
N = 300


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[list[str], np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1234)
    ids = [f"rec-{i:03d}" for i in range(N)]
    return ids, unit(rng.standard_normal((N, DIM))), unit(rng.standard_normal((40, DIM)))


def build(data, kind: str = "flat", **kw) -> VectorIndex:
    ids, vecs, _ = data
    idx = VectorIndex(DIM, kind=kind, **kw)
    idx.add(ids, vecs)
    return idx


def brute(data, q: np.ndarray, k: int, allowed=None) -> list[str]:
    ids, vecs, _ = data
    rows = [i for i, d in enumerate(ids) if allowed is None or d in allowed]
    scores = vecs[rows] @ q
    order = np.lexsort((rows, -scores))[:k]
    return [ids[rows[i]] for i in order]


@pytest.fixture(scope="module")
def flat(data) -> VectorIndex:
    return build(data, "flat")


@pytest.fixture(scope="module")
def hnsw(data) -> VectorIndex:
    return build(data, "hnsw", M=16, ef_search=64)


def test_flat_is_exact_and_scores_are_cosines(flat, data):
    ids, vecs, queries = data
    results = flat.search(queries, k=10)
    assert len(results) == len(queries)
    for q, hits in zip(queries, results):
        assert [h[0] for h in hits] == brute(data, q, 10)
        for doc_id, score in hits:
            assert score == pytest.approx(float(vecs[ids.index(doc_id)] @ q), abs=1e-5)
        assert [s for _, s in hits] == sorted((s for _, s in hits), reverse=True)


def test_a_stored_vector_finds_itself_first(flat, hnsw, data):
    ids, vecs, _ = data
    for index in (flat, hnsw):
        top = index.search_one(vecs[17], k=1)
        assert top[0][0] == ids[17] and top[0][1] == pytest.approx(1.0, abs=1e-5)


def test_hnsw_agrees_with_flat(flat, hnsw, data):
    _, _, queries = data
    recalls = []
    for f_hits, h_hits in zip(flat.search(queries, k=10), hnsw.search(queries, k=10)):
        assert len(h_hits) == 10
        recalls.append(len({i for i, _ in f_hits} & {i for i, _ in h_hits}) / 10)
    assert np.mean(recalls) >= 0.95
    top1 = [
        f[0][0] == h[0][0] and abs(f[0][1] - h[0][1]) < 1e-5  # HNSWFlat keeps full vectors: same score
        for f, h in zip(flat.search(queries, k=1), hnsw.search(queries, k=1))
    ]
    assert sum(top1) >= 0.95 * len(queries)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
@pytest.mark.parametrize("exact_below", [0, 2048])
def test_filter_applies_before_the_cut_off(data, kind, exact_below):
    ids, _, queries = data
    index = build(data, kind, M=16, exact_below=exact_below)
    q = queries[0]
    top = [h[0] for h in index.search_one(q, k=20)]
    # allow ids that rank far down the unfiltered list, none of the top 20
    allowed = set(brute(data, q, N)[150:160])
    assert not allowed & set(top)
    hits = index.search_one(q, k=5, allowed_ids=allowed)
    assert [h[0] for h in hits] == brute(data, q, 5, allowed)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
@pytest.mark.parametrize("exact_below", [0, 2048])
def test_small_filters_return_every_allowed_id_and_nothing_else(data, kind, exact_below):
    ids, _, queries = data
    index = build(data, kind, M=8, ef_search=8, exact_below=exact_below)
    allowed = {ids[3], ids[150], ids[299], "not-indexed"}
    if kind == "hnsw" and exact_below == 0:
        # the FAISS graph walk alone really does come back short here; the top-up is what fixes it
        rows = np.array([3, 150, 299], dtype=np.int64)
        assert min(len(r) for r in index._search_faiss(queries, 3, rows)) < 3
    for hits in index.search(queries, k=10, allowed_ids=allowed):
        assert len(hits) == 3  # min(k, |allowed ∩ index|): a graph walk alone often finds fewer
        assert {h[0] for h in hits} == allowed - {"not-indexed"}
    assert index.search(queries[:2], k=3, allowed_ids=set()) == [[], []]
    assert index.search_one(queries[0], k=3, allowed_ids={"nope"}) == []


def test_k_larger_than_the_index(data):
    ids, vecs, _ = data
    small = VectorIndex(DIM)
    small.add(ids[:4], vecs[:4])
    assert len(small.search_one(vecs[0], k=50)) == 4
    assert VectorIndex(DIM).search(vecs[:2], k=3) == [[], []]


def test_incremental_add_and_vectors_for(data):
    ids, vecs, _ = data
    for kind in ("flat", "hnsw"):
        index = VectorIndex(DIM, kind=kind)
        index.add(ids[:100], vecs[:100])
        index.add(ids[100:], vecs[100:])
        assert len(index) == N and index.ids == tuple(ids)
        assert index.search_one(vecs[250], k=1)[0][0] == ids[250]
        assert np.array_equal(index.vectors_for([ids[5], ids[250]]), vecs[[5, 250]])


def test_argument_validation(flat, data):
    ids, vecs, queries = data
    index = VectorIndex(DIM)
    with pytest.raises(QueryError, match="L2-normalised"):
        index.add(["a"], vecs[:1] * 2)
    with pytest.raises(QueryError, match="shape"):
        index.add(["a", "b"], vecs[:1])
    with pytest.raises(QueryError, match="duplicate"):
        index.add(["a", "a"], vecs[:2])
    with pytest.raises(QueryTypeError):
        index.add("ab", vecs[:2])  # type: ignore[arg-type]
    index.add(["a"], vecs[:1])
    with pytest.raises(QueryError, match="already"):
        index.add(["a"], vecs[1:2])
    with pytest.raises(QueryError, match="NaN"):
        index.add(["z"], np.full((1, DIM), np.nan, dtype=np.float32))
    with pytest.raises(QueryError):
        flat.search(queries[:, :10], k=3)
    with pytest.raises(QueryError):
        flat.search(queries * 3, k=3)
    with pytest.raises(QueryError):
        flat.search(queries, k=0)
    with pytest.raises(QueryTypeError):
        flat.search(queries, k=2.5)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        flat.search(queries, k=3, allowed_ids="rec-001")  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        flat.search_one(queries, k=3)
    with pytest.raises(QueryError):
        VectorIndex(DIM, kind="ivf")  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        flat.vectors_for(["missing"])


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_round_trip(data, tmp_path, kind):
    _, _, queries = data
    index = build(data, kind, M=12, ef_search=40)
    index.save(tmp_path)
    expected_files = {"vector_index.json", "vectors.npy"} | ({"hnsw.faiss"} if kind == "hnsw" else set())
    assert {p.name for p in tmp_path.iterdir()} == expected_files
    loaded = VectorIndex.load(tmp_path)
    assert loaded.config == index.config and loaded.ids == index.ids
    assert loaded.search(queries, k=7) == index.search(queries, k=7)
    allowed = set(index.ids[::7])
    assert loaded.search(queries, k=4, allowed_ids=allowed) == index.search(queries, k=4, allowed_ids=allowed)


def test_load_errors(data, tmp_path):
    with pytest.raises(IndexNotFoundError, match="recsearch index build"):
        VectorIndex.load(tmp_path / "none")

    build(data, "hnsw").save(tmp_path / "h")
    faiss_file = tmp_path / "h" / "hnsw.faiss"
    faiss_file.write_bytes(faiss_file.read_bytes()[:500])
    with pytest.raises(IndexCorruptError, match="recsearch index build"):
        VectorIndex.load(tmp_path / "h")
    faiss_file.unlink()
    with pytest.raises(IndexNotFoundError):
        VectorIndex.load(tmp_path / "h")

    build(data, "flat").save(tmp_path / "f")
    npy = tmp_path / "f" / "vectors.npy"
    npy.write_bytes(npy.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(tmp_path / "f")

    build(data, "flat").save(tmp_path / "m")
    meta_path = tmp_path / "m" / "vector_index.json"
    meta = json.loads(meta_path.read_text())
    meta["ids"].pop()
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(tmp_path / "m")


def test_with_an_encoder_the_matching_text_ranks_first():
    enc = FakeEncoder()
    texts = {
        "I.1": "مكافحة الاتجار بالأشخاص بنهج شامل",
        "II.24(a)": "تعويض ضحايا الاتجار عن الضرر",
        "IV.45(b)": "التعاون الدولي بين أجهزة إنفاذ القانون",
    }
    index = VectorIndex(enc.dim)
    index.add(list(texts), enc.encode_passages(list(texts.values())))
    q = enc.encode_queries(["تعويض ضحايا الاتجار"])[0]
    assert index.search_one(q, k=1)[0][0] == "II.24(a)"
    assert index.search_one(q, k=1, allowed_ids={"I.1", "IV.45(b)"})[0][0] in {"I.1", "IV.45(b)"}


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_score_all_is_the_exact_cosine_of_every_vector_in_id_order(data, kind):
    ids, vecs, queries = data
    idx = build(data, kind)
    scores = idx.score_all(queries[0])
    assert scores.shape == (N,) and np.allclose(scores, vecs @ queries[0], atol=1e-6)
    top = [ids[i] for i in np.lexsort((np.arange(N), -scores))[:5]]
    assert top == [d for d, _ in build(data, "flat").search_one(queries[0], k=5)]
    with pytest.raises(QueryError):
        idx.score_all(queries[:2])
