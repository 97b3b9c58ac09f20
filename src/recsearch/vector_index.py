"""Dense vector store: FAISS inner-product search keyed by id strings, with exact filters.

Vectors are L2-normalised (the :class:`~recsearch.encoders.Encoder` contract),
so inner product = cosine similarity. ``kind="flat"`` (default) is exact and,
for a few hundred records, faster than any graph; ``kind="hnsw"`` exists for
corpora large enough that exhaustive search hurts.

A filter is applied *before* the top-k cut-off and results never come from
outside it: a filtered query returns ``min(k, |allowed ∩ index|)`` hits. FAISS's
filtered HNSW search can return fewer (the graph walk runs out of allowed
neighbours), so small filters and short HNSW answers fall back to exact scoring
of the allowed vectors, which are kept in memory next to the FAISS index.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ._validate import REBUILD_HINT, check_allowed_ids, check_k
from .errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, QueryError, QueryTypeError

__all__ = ["VectorIndex", "VectorIndexConfig", "Hit"]

Hit = tuple[str, float]
IndexKind = Literal["flat", "hnsw"]

_META_FILE = "vector_index.json"
_VECTORS_FILE = "vectors.npy"
_HNSW_FILE = "hnsw.faiss"
_FORMAT = 1
_NORM_TOL = 1e-3


@dataclass(frozen=True)
class VectorIndexConfig:
    """Index structure parameters, saved with the index."""

    dim: int
    kind: IndexKind = "flat"
    M: int = 32  # HNSW: neighbours per node (memory vs recall)
    ef_search: int = 64  # HNSW: candidate list at query time (speed vs recall), raised to k if smaller
    ef_construction: int = 200  # HNSW: candidate list while building (build time vs graph quality)
    exact_below: int = 2048  # HNSW: filters allowing at most this many ids are scored exactly


def _check_positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise QueryTypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise QueryError(f"{name} must be >= 1, got {value}")
    return int(value)


def _check_unit_rows(arr: np.ndarray, what: str) -> None:
    if not np.isfinite(arr).all():
        raise QueryError(f"{what} contain NaN or infinite values")
    if arr.shape[0]:
        norms = np.linalg.norm(arr, axis=1)
        if float(np.abs(norms - 1.0).max()) > _NORM_TOL:
            raise QueryError(
                f"{what} must be L2-normalised (row norms range {norms.min():.4f}..{norms.max():.4f}); "
                "use recsearch.encoders.l2_normalize"
            )


class VectorIndex:
    """Id-keyed inner-product search over unit vectors (FAISS ``IndexFlatIP`` or ``IndexHNSWFlat``).

    Build once with :meth:`add`, then search from any number of threads
    (FAISS searches are read-only); do not ``add`` while searching.
    """

    def __init__(
        self,
        dim: int,
        *,
        kind: IndexKind = "flat",
        M: int = 32,
        ef_search: int = 64,
        ef_construction: int = 200,
        exact_below: int = 2048,
    ) -> None:
        if kind not in ("flat", "hnsw"):
            raise QueryError(f"kind must be 'flat' or 'hnsw', got {kind!r}")
        self.config = VectorIndexConfig(
            dim=_check_positive_int("dim", dim),
            kind=kind,
            M=_check_positive_int("M", M),
            ef_search=_check_positive_int("ef_search", ef_search),
            ef_construction=_check_positive_int("ef_construction", ef_construction),
            exact_below=int(exact_below),
        )
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._vectors = np.empty((0, self.config.dim), dtype=np.float32)
        self._faiss: Any = None

    # ------------------------------------------------------------------ properties

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids in insertion order (row i of the FAISS index is ``ids[i]``)."""
        return tuple(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._row

    def vectors_for(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors of ``ids`` (e.g. for "more like this"); unknown ids raise QueryError."""
        missing = [d for d in ids if d not in self._row]
        if missing:
            raise QueryError(f"ids not in the vector index: {missing[:5]}")
        return self._vectors[[self._row[d] for d in ids]].copy()

    # ------------------------------------------------------------------ build

    def _new_faiss(self) -> Any:
        import faiss

        c = self.config
        if c.kind == "flat":
            return faiss.IndexFlatIP(c.dim)
        index = faiss.IndexHNSWFlat(c.dim, c.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = c.ef_construction
        index.hnsw.efSearch = c.ef_search
        return index

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Append vectors (float32-convertible, shape ``(len(ids), dim)``, unit rows) under new ids."""
        if isinstance(ids, (str, bytes)):
            raise QueryTypeError("ids must be a sequence of str, not a single string")
        ids = list(ids)
        for x in ids:
            if not isinstance(x, str) or not x:
                raise QueryTypeError(f"ids must be non-empty str, got {x!r}")
        if len(set(ids)) != len(ids):
            raise QueryError("duplicate ids in one add() call")
        clash = [x for x in ids if x in self._row]
        if clash:
            raise QueryError(f"ids already in the index: {clash[:5]}")
        arr = np.ascontiguousarray(vectors, dtype=np.float32)
        if arr.ndim != 2 or arr.shape != (len(ids), self.dim):
            raise QueryError(f"vectors must have shape ({len(ids)}, {self.dim}), got {arr.shape}")
        _check_unit_rows(arr, "vectors")
        if not ids:
            return
        if self._faiss is None:
            self._faiss = self._new_faiss()
        self._faiss.add(arr)
        start = len(self._ids)
        self._vectors = np.concatenate([self._vectors, arr]) if start else arr.copy()
        self._ids.extend(ids)
        self._row.update((x, start + i) for i, x in enumerate(ids))

    # ------------------------------------------------------------------ search

    def _queries(self, query_vecs: np.ndarray) -> np.ndarray:
        if not isinstance(query_vecs, np.ndarray):
            query_vecs = np.asarray(query_vecs)
        q = np.ascontiguousarray(query_vecs, dtype=np.float32)
        if q.ndim == 1:
            q = q[None, :]
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise QueryError(f"query vectors must have shape (dim,) or (n, dim) with dim={self.dim}, got {q.shape}")
        _check_unit_rows(q, "query vectors")
        return q

    def search(
        self, query_vecs: np.ndarray, k: int = 10, allowed_ids: Collection[str] | None = None
    ) -> list[list[Hit]]:
        """For each query row, the ``k`` most similar ``(id, cosine)`` pairs, best first.

        ``allowed_ids`` restricts candidates before the cut-off; ids not in the
        index are ignored. A 1-D query is treated as one row.
        """
        k = check_k(k)
        allowed = check_allowed_ids(allowed_ids)
        q = self._queries(query_vecs)
        if not self._ids:
            return [[] for _ in range(len(q))]
        if allowed is None:
            rows = None
            available = len(self._ids)
        else:
            rows = np.array(sorted(self._row[d] for d in allowed if d in self._row), dtype=np.int64)
            if rows.size == 0:
                return [[] for _ in range(len(q))]
            available = int(rows.size)
        want = min(k, available)
        if self.kind == "hnsw" and rows is not None and rows.size <= self.config.exact_below:
            return [self._search_exact(qv, want, rows) for qv in q]
        results = self._search_faiss(q, want, rows)
        # An HNSW graph walk can dead-end (most often inside a selective filter)
        # and return fewer than `want` hits: redo those queries exactly.
        all_rows = rows if rows is not None else np.arange(len(self._ids), dtype=np.int64)
        return [res if len(res) >= want else self._search_exact(qv, want, all_rows) for qv, res in zip(q, results)]

    def search_one(
        self, query_vec: np.ndarray, k: int = 10, allowed_ids: Collection[str] | None = None
    ) -> list[Hit]:
        """:meth:`search` for a single query vector."""
        q = np.asarray(query_vec)
        if q.ndim != 1:
            raise QueryError(f"search_one takes one vector of shape ({self.dim},), got {q.shape}")
        return self.search(q, k, allowed_ids)[0]

    def score_all(self, query_vec: np.ndarray) -> np.ndarray:
        """Exact cosine of one query with every stored vector, aligned with :attr:`ids`.

        What a caller that fuses channels over a whole (small) corpus needs: one matrix
        product, no top-k cut, no per-hit Python objects.
        """
        q = self._queries(query_vec)
        if len(q) != 1:
            raise QueryError(f"score_all takes one vector of shape ({self.dim},), got {np.shape(query_vec)}")
        return self._vectors @ q[0]

    def _search_faiss(self, q: np.ndarray, k: int, rows: np.ndarray | None) -> list[list[Hit]]:
        import faiss

        params = None
        if self.kind == "hnsw":
            ef = max(self.config.ef_search, k)
            params = faiss.SearchParametersHNSW(efSearch=ef)
            if rows is not None:
                params.sel = faiss.IDSelectorBatch(rows)
        elif rows is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(rows))
        scores, labels = self._faiss.search(q, k, params=params)
        out = []
        for srow, lrow in zip(scores, labels):
            out.append([(self._ids[int(label)], float(s)) for s, label in zip(srow, lrow) if label >= 0])
        return out

    def _search_exact(self, qv: np.ndarray, k: int, rows: np.ndarray) -> list[Hit]:
        scores = self._vectors[rows] @ qv
        order = np.lexsort((rows, -scores))[:k]
        return [(self._ids[int(rows[i])], float(scores[i])) for i in order]

    # ------------------------------------------------------------------ persistence

    def save(self, folder: str | os.PathLike[str]) -> None:
        """Write ``vector_index.json``, ``vectors.npy`` and, for HNSW, ``hnsw.faiss``.

        Not atomic by itself: write into the temporary folder of
        :func:`recsearch.store.write_index_folder`, which is.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / _VECTORS_FILE, "wb") as fh:
            np.save(fh, self._vectors, allow_pickle=False)
        if self.kind == "hnsw":
            import faiss

            faiss.write_index(self._faiss if self._faiss is not None else self._new_faiss(), str(folder / _HNSW_FILE))
        meta = {"format": _FORMAT, "config": asdict(self.config), "count": len(self._ids), "ids": self._ids}
        (folder / _META_FILE).write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> VectorIndex:
        """Read an index written by :meth:`save`.

        Structure is checked (counts, shapes, dims, unit norms), not content:
        byte-level integrity is the job of the manifest checksums in
        :mod:`recsearch.store`, checked before this is called.
        """
        folder = Path(folder)
        meta_path = folder / _META_FILE
        if not folder.is_dir() or not meta_path.is_file():
            raise IndexNotFoundError(f"no vector index in {folder}; {REBUILD_HINT}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            fmt = meta["format"]
            config = VectorIndexConfig(**meta["config"])
            ids = meta["ids"]
            if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids) or len(ids) != meta["count"]:
                raise ValueError("ids do not match the recorded count")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"vector index metadata {meta_path} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if fmt != _FORMAT:
            raise IndexMismatchError(f"vector index format {fmt} is not the supported {_FORMAT}; {REBUILD_HINT}")
        if len(set(ids)) != len(ids):
            raise IndexCorruptError(f"vector index in {folder} has duplicate ids; {REBUILD_HINT}")
        try:
            index = cls(
                config.dim,
                kind=config.kind,
                M=config.M,
                ef_search=config.ef_search,
                ef_construction=config.ef_construction,
                exact_below=config.exact_below,
            )
        except (QueryError, QueryTypeError) as exc:
            raise IndexCorruptError(f"vector index metadata {meta_path} is invalid ({exc}); {REBUILD_HINT}") from exc

        vec_path = folder / _VECTORS_FILE
        if not vec_path.is_file():
            raise IndexNotFoundError(f"vector index file {vec_path} is missing; {REBUILD_HINT}")
        try:
            vectors = np.load(vec_path, allow_pickle=False)
        except Exception as exc:  # noqa: BLE001 - ValueError/OSError/EOFError on damaged files
            raise IndexCorruptError(f"{vec_path} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if vectors.dtype != np.float32 or vectors.shape != (len(ids), config.dim):
            raise IndexCorruptError(
                f"{vec_path} holds {vectors.dtype} {vectors.shape}, expected float32 ({len(ids)}, {config.dim}); "
                + REBUILD_HINT
            )
        try:
            _check_unit_rows(vectors, "stored vectors")
        except QueryError as exc:
            raise IndexCorruptError(f"{vec_path}: {exc}; {REBUILD_HINT}") from exc

        if config.kind == "hnsw":
            faiss_index = index._read_hnsw(folder / _HNSW_FILE, len(ids))
        else:
            faiss_index = index._new_faiss()
            if len(ids):
                faiss_index.add(vectors)
        index._faiss = faiss_index
        index._vectors = np.ascontiguousarray(vectors)
        index._ids = list(ids)
        index._row = {d: i for i, d in enumerate(ids)}
        return index

    def _read_hnsw(self, path: Path, count: int) -> Any:
        import faiss

        if not path.is_file():
            raise IndexNotFoundError(f"vector index file {path} is missing; {REBUILD_HINT}")
        try:
            faiss_index = faiss.read_index(str(path))
        except Exception as exc:  # noqa: BLE001 - faiss raises RuntimeError on damaged files
            raise IndexCorruptError(f"{path} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if (
            not isinstance(faiss_index, faiss.IndexHNSWFlat)
            or faiss_index.d != self.dim
            or faiss_index.ntotal != count
            or faiss_index.metric_type != faiss.METRIC_INNER_PRODUCT
        ):
            raise IndexCorruptError(f"{path} does not match its metadata; {REBUILD_HINT}")
        faiss_index.hnsw.efSearch = self.config.ef_search
        return faiss_index
