"""Dense vector index by row: exact flat search, HNSW agreement, filters before the cut-off, persistence."""

from __future__ import annotations

import json

import numpy as np
import pytest
from fakes import FakeEncoder

from recsearch.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    QueryTypeError,
)
from recsearch.vector_index import HNSW_FROM, VectorIndex, resolve_kind

DIM = 32
N = 300


def unit(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture(scope="module")
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1234)
    return unit(rng.standard_normal((N, DIM))), unit(rng.standard_normal((40, DIM)))


def build(data, kind: str = "flat", **kw) -> VectorIndex:
    vecs, _ = data
    idx = VectorIndex(DIM, kind=kind, **kw)
    idx.add(vecs)
    return idx


def brute(data, q: np.ndarray, k: int, allowed: np.ndarray | None = None) -> list[int]:
    """Exact top-k rows among the allowed ones, ties by row."""
    vecs, _ = data
    rows = np.arange(N) if allowed is None else np.flatnonzero(allowed)
    scores = vecs[rows] @ q
    return rows[np.lexsort((rows, -scores))[:k]].tolist()


def mask_of(rows, n: int = N) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[list(rows)] = True
    return mask


@pytest.fixture(scope="module")
def flat(data) -> VectorIndex:
    return build(data, "flat")


@pytest.fixture(scope="module")
def hnsw(data) -> VectorIndex:
    return build(data, "hnsw", M=16, ef_search=64)


@pytest.fixture
def exact_calls(monkeypatch) -> list[int]:
    """Counts the calls of the exact (filtered) path, so a test knows which path it exercised."""
    calls: list[int] = []
    original = VectorIndex._search_exact

    def spy(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(VectorIndex, "_search_exact", spy)
    return calls


def test_flat_is_exact_and_scores_are_cosines(flat, data):
    vecs, queries = data
    for q in queries:
        rows, scores = flat.search(q, k=10)
        assert rows.dtype == np.int64 and scores.dtype == np.float32
        assert rows.tolist() == brute(data, q, 10)
        np.testing.assert_allclose(scores, vecs[rows] @ q, atol=1e-5)
        assert np.all(np.diff(scores) <= 0)


def test_a_stored_vector_finds_itself_first(flat, hnsw, data):
    vecs, _ = data
    for index in (flat, hnsw):
        for row in (0, 17, N - 1):
            rows, scores = index.search(vecs[row], k=1)
            assert rows.tolist() == [row] and scores[0] == pytest.approx(1.0, abs=1e-5)


def test_hnsw_agrees_with_flat(flat, hnsw, data):
    _, queries = data
    recalls, top1 = [], []
    for q in queries:
        f_rows, f_scores = flat.search(q, k=10)
        h_rows, h_scores = hnsw.search(q, k=10)
        assert len(h_rows) == 10 and len(set(h_rows.tolist())) == 10
        recalls.append(len(set(f_rows.tolist()) & set(h_rows.tolist())) / 10)
        # HNSWFlat keeps the full vectors: the same row has the same score
        top1.append(f_rows[0] == h_rows[0] and abs(f_scores[0] - h_scores[0]) < 1e-5)
    assert np.mean(recalls) >= 0.95
    assert sum(top1) >= 0.95 * len(queries)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
@pytest.mark.parametrize("exact_below", [1, 4096])  # 1: the FAISS selector path; 4096: the exact path
def test_filter_applies_before_the_cut_off(data, kind, exact_below, exact_calls):
    _, queries = data
    index = build(data, kind, M=16, exact_below=exact_below)
    for q in queries[:10]:
        top = index.search(q, k=20)[0].tolist()
        # allow rows that rank far down the unfiltered list, none of the top 20
        allowed = mask_of(brute(data, q, N)[150:160])
        assert not allowed[top].any()
        rows, scores = index.search(q, k=5, allowed=allowed)
        assert len(rows) == 5 and allowed[rows].all()
        assert rows.tolist() == brute(data, q, 5, allowed)
        np.testing.assert_allclose(scores, data[0][rows] @ q, atol=1e-5)
    assert bool(exact_calls) == (exact_below == 4096)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_small_filters_return_every_allowed_row_and_nothing_else(data, kind, exact_calls):
    _, queries = data
    # a sparse graph and a short candidate list: a graph walk alone often comes back short here
    index = build(data, kind, M=8, ef_search=8)
    allowed = mask_of([3, 150, 299])
    for q in queries:
        rows, scores = index.search(q, k=10, allowed=allowed)
        assert sorted(rows.tolist()) == [3, 150, 299]  # min(k, allowed): every allowed row, nothing else
        assert rows.tolist() == brute(data, q, 10, allowed)
        assert np.all(np.diff(scores) <= 0)
    assert exact_calls  # small filters are scored exactly
    rows, scores = index.search(queries[0], k=3, allowed=np.zeros(N, dtype=bool))
    assert rows.shape == (0,) and scores.shape == (0,)
    assert rows.dtype == np.int64 and scores.dtype == np.float32


def test_flat_filter_inside_faiss_returns_every_allowed_row(data):
    _, queries = data
    index = build(data, "flat", exact_below=1)  # every filter goes through IDSelectorBitmap
    allowed = mask_of([3, 150, 299])
    for q in queries:
        assert index.search(q, k=10, allowed=allowed)[0].tolist() == brute(data, q, 10, allowed)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_k_larger_than_the_index(data, kind):
    vecs, queries = data
    small = VectorIndex(DIM, kind=kind)
    small.add(vecs[:4])
    rows, scores = small.search(vecs[0], k=50)
    assert sorted(rows.tolist()) == [0, 1, 2, 3] and rows[0] == 0 and len(scores) == 4
    rows, _ = small.search(vecs[0], k=50, allowed=mask_of([1, 3], 4))
    assert sorted(rows.tolist()) == [1, 3]
    rows, scores = VectorIndex(DIM, kind=kind).search(queries[0], k=3)
    assert rows.shape == (0,) and scores.shape == (0,) and rows.dtype == np.int64


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_rows_follow_the_order_of_adds(data, kind):
    vecs, _ = data
    index = VectorIndex(DIM, kind=kind)
    index.add(vecs[:100])
    index.add(vecs[100:])
    assert len(index) == N
    assert index.search(vecs[250], k=1)[0].tolist() == [250]
    assert np.array_equal(index.reconstruct(np.array([5, 250, 5])), vecs[[5, 250, 5]])
    assert index.reconstruct(np.array([], dtype=np.int64)).shape == (0, DIM)


def test_typed_errors_are_the_builtins_callers_expect():
    assert issubclass(QueryError, ValueError) and issubclass(QueryTypeError, TypeError)
    assert issubclass(IndexNotFoundError, FileNotFoundError)


def test_argument_validation(flat, data):
    vecs, queries = data
    index = VectorIndex(DIM)
    with pytest.raises(QueryError, match="L2-normalised"):
        index.add(vecs[:1] * 2)
    with pytest.raises(QueryError, match="shape"):
        index.add(vecs[:2, :10])
    with pytest.raises(QueryError, match="shape"):
        index.add(vecs[0])  # one vector, not a matrix
    with pytest.raises(QueryError, match="NaN"):
        index.add(np.full((1, DIM), np.nan, dtype=np.float32))
    assert len(index) == 0  # nothing was added by the refused calls
    with pytest.raises(QueryError):
        flat.search(queries[0][:10], k=3)
    with pytest.raises(QueryError):
        flat.search(queries[:2], k=3)  # one query at a time
    with pytest.raises(QueryError, match="L2-normalised"):
        flat.search(queries[0] * 3, k=3)
    with pytest.raises(QueryError):
        flat.search(queries[0], k=0)
    with pytest.raises(QueryTypeError):
        flat.search(queries[0], k=2.5)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        flat.search(queries[0], k=True)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        flat.search(queries[0], k=3, allowed=[True] * N)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        flat.search(queries[0], k=3, allowed=np.ones(N, dtype=np.int64))
    with pytest.raises(QueryTypeError):
        flat.search(queries[0], k=3, allowed=np.ones(N - 1, dtype=bool))
    with pytest.raises(QueryError):
        VectorIndex(DIM, kind="ivf")  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        VectorIndex(DIM, kind="auto")  # type: ignore[arg-type]  # resolve it first
    with pytest.raises(QueryError):
        VectorIndex(0)
    with pytest.raises(QueryTypeError):
        VectorIndex("32")  # type: ignore[arg-type]
    with pytest.raises(QueryError):
        VectorIndex(DIM, exact_below=0)
    with pytest.raises(QueryError, match="rows outside"):
        flat.reconstruct(np.array([N]))
    with pytest.raises(QueryError, match="rows outside"):
        flat.reconstruct(np.array([-1]))
    with pytest.raises(QueryError, match="rows outside"):
        flat.score(queries[0], np.array([0, N]))


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_save_load_round_trip(data, tmp_path, kind):
    vecs, queries = data
    index = build(data, kind, M=12, ef_search=40, exact_below=8)
    index.save(tmp_path)
    expected_files = {"vector_index.json", "vectors.npy" if kind == "flat" else "hnsw.faiss"}
    assert {p.name for p in tmp_path.iterdir()} == expected_files
    loaded = VectorIndex.load(tmp_path)
    assert loaded.config == index.config and len(loaded) == N and loaded.kind == kind
    assert np.array_equal(loaded.reconstruct(np.arange(N)), vecs)
    allowed = mask_of(range(0, N, 7))  # 43 rows, above exact_below: the FAISS selector path
    for q in queries:
        for mask in (None, allowed):
            got, want = loaded.search(q, k=7, allowed=mask), index.search(q, k=7, allowed=mask)
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


def _rewrite_meta(folder, change) -> None:
    path = folder / "vector_index.json"
    meta = json.loads(path.read_text())
    change(meta)
    path.write_text(json.dumps(meta))


def test_load_errors_for_missing_or_damaged_metadata(data, tmp_path):
    with pytest.raises(IndexNotFoundError, match="recsearch index build"):
        VectorIndex.load(tmp_path / "none")
    (tmp_path / "empty").mkdir()
    with pytest.raises(IndexNotFoundError):
        VectorIndex.load(tmp_path / "empty")

    index = build(data, "flat")
    index.save(tmp_path / "j")
    (tmp_path / "j" / "vector_index.json").write_text("{not json")
    with pytest.raises(IndexCorruptError, match="recsearch index build"):
        VectorIndex.load(tmp_path / "j")

    changes = {
        "no_count": lambda m: m.pop("count"),
        "negative_count": lambda m: m.update(count=-1),
        "bool_count": lambda m: m.update(count=True),
        "no_config": lambda m: m.pop("config"),
        "unknown_config_key": lambda m: m["config"].update(colour="blue"),
        "bad_kind": lambda m: m["config"].update(kind="ivf"),
        "bad_dim": lambda m: m["config"].update(dim=0),
    }
    for name, change in changes.items():
        index.save(tmp_path / name)
        _rewrite_meta(tmp_path / name, change)
        with pytest.raises(IndexCorruptError):
            VectorIndex.load(tmp_path / name)

    index.save(tmp_path / "format")
    _rewrite_meta(tmp_path / "format", lambda m: m.update(format=1))
    with pytest.raises(IndexMismatchError, match="format"):
        VectorIndex.load(tmp_path / "format")


def test_load_errors_for_flat_vectors(data, tmp_path):
    vecs, _ = data
    index = build(data, "flat")

    index.save(tmp_path / "t")
    npy = tmp_path / "t" / "vectors.npy"
    npy.write_bytes(npy.read_bytes()[:-100])
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(tmp_path / "t")

    index.save(tmp_path / "gone")
    (tmp_path / "gone" / "vectors.npy").unlink()
    with pytest.raises(IndexNotFoundError):
        VectorIndex.load(tmp_path / "gone")

    index.save(tmp_path / "count")  # metadata and vectors disagree on the number of rows
    _rewrite_meta(tmp_path / "count", lambda m: m.update(count=N - 1))
    with pytest.raises(IndexCorruptError, match="expected"):
        VectorIndex.load(tmp_path / "count")

    index.save(tmp_path / "dim")
    _rewrite_meta(tmp_path / "dim", lambda m: m["config"].update(dim=DIM // 2))
    with pytest.raises(IndexCorruptError, match="expected"):
        VectorIndex.load(tmp_path / "dim")

    index.save(tmp_path / "dtype")
    np.save(tmp_path / "dtype" / "vectors.npy", vecs.astype(np.float64))
    with pytest.raises(IndexCorruptError):
        VectorIndex.load(tmp_path / "dtype")

    index.save(tmp_path / "norm")
    np.save(tmp_path / "norm" / "vectors.npy", vecs * 2)
    with pytest.raises(IndexCorruptError, match="L2-normalised"):
        VectorIndex.load(tmp_path / "norm")


def test_load_errors_for_hnsw_graph(data, tmp_path):
    index = build(data, "hnsw")

    index.save(tmp_path / "t")
    graph = tmp_path / "t" / "hnsw.faiss"
    graph.write_bytes(graph.read_bytes()[:500])
    with pytest.raises(IndexCorruptError, match="recsearch index build"):
        VectorIndex.load(tmp_path / "t")

    index.save(tmp_path / "gone")
    (tmp_path / "gone" / "hnsw.faiss").unlink()
    with pytest.raises(IndexNotFoundError):
        VectorIndex.load(tmp_path / "gone")

    index.save(tmp_path / "count")
    _rewrite_meta(tmp_path / "count", lambda m: m.update(count=N + 1))
    with pytest.raises(IndexCorruptError, match="does not match"):
        VectorIndex.load(tmp_path / "count")

    index.save(tmp_path / "dim")
    _rewrite_meta(tmp_path / "dim", lambda m: m["config"].update(dim=DIM * 2))
    with pytest.raises(IndexCorruptError, match="does not match"):
        VectorIndex.load(tmp_path / "dim")

    import faiss  # a graph file that holds another kind of index

    index.save(tmp_path / "other")
    faiss.write_index(faiss.IndexFlatIP(DIM), str(tmp_path / "other" / "hnsw.faiss"))
    _rewrite_meta(tmp_path / "other", lambda m: m.update(count=0))
    with pytest.raises(IndexCorruptError, match="does not match"):
        VectorIndex.load(tmp_path / "other")


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_with_an_encoder_the_matching_text_ranks_first(kind):
    enc = FakeEncoder()
    texts = [
        "مكافحة الاتجار بالأشخاص بنهج شامل",
        "تعويض ضحايا الاتجار عن الضرر",
        "التعاون الدولي بين أجهزة إنفاذ القانون",
    ]
    index = VectorIndex(enc.dim, kind=kind)
    index.add(enc.encode_passages(texts))
    q = enc.encode_queries(["تعويض ضحايا الاتجار"])[0]
    assert index.search(q, k=1)[0].tolist() == [1]
    rows, scores = index.search(q, k=3, allowed=np.array([True, False, True]))
    assert sorted(rows.tolist()) == [0, 2] and scores[0] >= scores[1]
    np.testing.assert_allclose(scores, index.score(q, rows), atol=1e-6)


@pytest.mark.parametrize("kind", ["flat", "hnsw"])
def test_score_is_the_exact_cosine_of_the_given_rows(data, kind):
    vecs, queries = data
    index = build(data, kind)
    q = queries[0]
    rows = np.array([5, 0, N - 1, 5, 120])  # any order, repeats allowed: one score per given row
    scores = index.score(q, rows)
    assert scores.shape == (len(rows),)
    np.testing.assert_allclose(scores, vecs[rows] @ q, atol=1e-6)
    every = index.score(q, np.arange(N))
    np.testing.assert_allclose(every, vecs @ q, atol=1e-6)
    assert np.lexsort((np.arange(N), -every))[:5].tolist() == brute(data, q, 5)
    assert index.score(q, np.array([], dtype=np.int64)).shape == (0,)
    with pytest.raises(QueryError):
        index.score(queries[:2], rows)
    with pytest.raises(QueryError, match="L2-normalised"):
        index.score(q * 2, rows)


def test_resolve_kind():
    assert isinstance(HNSW_FROM, int) and HNSW_FROM > 1
    assert resolve_kind("auto", 0) == "flat"
    assert resolve_kind("auto", HNSW_FROM - 1) == "flat"
    assert resolve_kind("auto", HNSW_FROM) == "hnsw"
    assert resolve_kind("auto", 10 * HNSW_FROM) == "hnsw"
    assert resolve_kind("flat", 10 * HNSW_FROM) == "flat"
    assert resolve_kind("hnsw", 1) == "hnsw"
    with pytest.raises(QueryError):
        resolve_kind("ivf", 10)


def test_a_graph_walk_that_runs_short_inside_a_filter_is_completed_exactly():
    rng = np.random.default_rng(1234)
    vecs = rng.standard_normal((300, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    index = VectorIndex(32, kind="hnsw", M=8, ef_search=8, exact_below=1)  # the graph walk, not the exact path
    index.add(vecs)
    allowed = np.zeros(300, dtype=bool)
    allowed[[3, 150, 299]] = True
    for q in vecs[:40]:
        rows, scores = index.search(q, 10, allowed)
        assert sorted(rows.tolist()) == [3, 150, 299]
        assert np.allclose(scores, vecs[rows] @ q, atol=1e-5) and list(scores) == sorted(scores, reverse=True)


def test_ties_at_the_cut_off_go_to_the_lowest_rows():
    x = np.zeros(8, dtype=np.float32)
    x[0] = 1.0
    index = VectorIndex(8)
    index.add(np.tile(x, (1000, 1)))
    allowed = np.ones(1000, dtype=bool)
    allowed[0] = False
    assert index.search(x, 3, allowed)[0].tolist() == [1, 2, 3]
