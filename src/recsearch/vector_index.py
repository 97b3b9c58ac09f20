"""A FAISS vector index addressed by row number: top-k search, filters inside the search.

Rows are integers (row i is the i-th vector added); what a row means is the caller's
business (a dense channel maps each row to its record). Two kinds:

* ``flat`` — ``IndexFlatIP``: exact inner product, cost linear in the number of vectors;
  the right choice up to tens of thousands of vectors.
* ``hnsw`` — ``IndexHNSWFlat``: a graph walk, milliseconds at a million vectors, recall just
  under 1 (see benchmarks/RESULTS.md). ``kind="auto"`` picks HNSW from
  :data:`HNSW_FROM` vectors on, a size chosen by benchmark.

A filter is a boolean mask over rows, handed to FAISS as an ``IDSelectorBitmap``, so the
search ranks only allowed rows and a filter never loses hits to the cut-off. A graph walk
inside a very selective filter can dead-end, so filters that allow at most
``exact_below`` rows are scored exactly over those rows — cheap at that size.

Vectors are stored once, inside FAISS (both kinds keep the raw vectors); :meth:`reconstruct`
gives them back, which is how a caller scores a candidate another channel found.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ._arrays import MaskCache, check_mask, top_k
from ._validate import REBUILD_HINT, check_k, check_positive_int
from .errors import IndexCorruptError, IndexMismatchError, IndexNotFoundError, QueryError, QueryTypeError

__all__ = ["VectorIndex", "VectorIndexConfig", "HNSW_FROM", "resolve_kind"]

IndexKind = Literal["flat", "hnsw"]
KINDS = ("flat", "hnsw", "auto")

#: ``kind="auto"`` builds HNSW from this many vectors on. Measured by benchmarks/bench_scale.py:
#: below it exact search over every vector costs about a millisecond or two a query, above it
#: flat search grows linearly while HNSW stays flat (README "Performance").
HNSW_FROM = 50_000

_META_FILE = "vector_index.json"
_VECTORS_FILE = "vectors.npy"
_HNSW_FILE = "hnsw.faiss"
_FORMAT = 2
_NORM_TOL = 1e-3
_ADD_CHUNK = 65_536


def resolve_kind(kind: str, count: int) -> IndexKind:
    """``"flat"``/``"hnsw"`` as given; ``"auto"`` by the number of vectors."""
    if kind not in KINDS:
        raise QueryError(f"index kind must be one of {list(KINDS)}, got {kind!r}")
    if kind == "auto":
        return "hnsw" if count >= HNSW_FROM else "flat"
    return kind  # type: ignore[return-value]


@dataclass(frozen=True)
class VectorIndexConfig:
    """Index structure parameters, saved with the index."""

    dim: int
    kind: IndexKind = "flat"
    M: int = 32  # HNSW: neighbours per node (memory vs recall)
    ef_search: int = 128  # HNSW: candidate list at query time (speed vs recall), raised to k if smaller
    ef_construction: int = 80  # HNSW: candidate list while building (build time vs graph quality)
    exact_below: int = 4096  # filters allowing at most this many rows are scored exactly


def check_unit_rows(arr: np.ndarray, what: str) -> None:
    """Refuse NaN/inf and rows that are not L2-normalised."""
    if not np.isfinite(arr).all():
        raise QueryError(f"{what} contain NaN or infinite values")
    if arr.shape[0]:
        norms = np.linalg.norm(arr, axis=1)
        if float(np.abs(norms - 1.0).max()) > _NORM_TOL:
            raise QueryError(
                f"{what} must be L2-normalised (row norms range {norms.min():.4f}..{norms.max():.4f}); "
                "use recsearch.encoders.l2_normalize"
            )


def _dot(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    """Row-wise inner products without BLAS: BLAS's thread pool and FAISS's OpenMP threads,
    used in turn on two cores, spin against each other (a 0.6 ms product measured 8 ms)."""
    return np.einsum("ij,j->i", matrix, vector)


class VectorIndex:
    """Inner-product search over unit vectors, by row. Add once, then search from any
    number of threads (FAISS searches are read-only); do not ``add`` while searching."""

    def __init__(
        self,
        dim: int,
        *,
        kind: IndexKind = "flat",
        M: int = 32,
        ef_search: int = 128,
        ef_construction: int = 80,
        exact_below: int = 4096,
    ) -> None:
        if kind not in ("flat", "hnsw"):
            raise QueryError(f"kind must be 'flat' or 'hnsw' (resolve 'auto' first), got {kind!r}")
        self.config = VectorIndexConfig(
            dim=check_positive_int("dim", dim),
            kind=kind,
            M=check_positive_int("M", M),
            ef_search=check_positive_int("ef_search", ef_search),
            ef_construction=check_positive_int("ef_construction", ef_construction),
            exact_below=check_positive_int("exact_below", exact_below),
        )
        self._faiss = self._new_faiss()
        self._view: np.ndarray | None = None
        #: each filter as FAISS's bitmap (one bit per row), for the last filters seen
        self._bitmaps = MaskCache()

    @property
    def dim(self) -> int:
        return self.config.dim

    @property
    def kind(self) -> str:
        return self.config.kind

    def __len__(self) -> int:
        return int(self._faiss.ntotal)

    def _new_faiss(self) -> Any:
        import faiss

        c = self.config
        if c.kind == "flat":
            return faiss.IndexFlatIP(c.dim)
        index = faiss.IndexHNSWFlat(c.dim, c.M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = c.ef_construction
        index.hnsw.efSearch = c.ef_search
        return index

    # ------------------------------------------------------------------ build

    def add(self, vectors: np.ndarray) -> None:
        """Append unit vectors (shape ``(n, dim)``); they take the next rows."""
        arr = np.asarray(vectors)
        if arr.ndim != 2 or arr.shape[1] != self.dim:
            raise QueryError(f"vectors must have shape (n, {self.dim}), got {arr.shape}")
        for start in range(0, arr.shape[0], _ADD_CHUNK):
            chunk = np.ascontiguousarray(arr[start : start + _ADD_CHUNK], dtype=np.float32)
            check_unit_rows(chunk, "vectors")
            self._faiss.add(chunk)
        self._view = None  # the storage may have moved

    def _vectors(self) -> np.ndarray:
        """A read-only numpy view of the vectors inside FAISS (no copy): gathering rows from
        it costs a seventh of FAISS's ``reconstruct_batch`` on an HNSW index."""
        view = self._view
        if view is None:
            import faiss

            flat = self._faiss if self.kind == "flat" else faiss.downcast_index(self._faiss.storage)
            n = int(flat.ntotal)
            view = faiss.rev_swig_ptr(flat.get_xb(), n * self.dim).reshape(n, self.dim) if n else np.empty((0, self.dim), np.float32)
            view.flags.writeable = False
            self._view = view
        return view

    # ------------------------------------------------------------------ search

    def _query(self, query_vec: np.ndarray) -> np.ndarray:
        q = np.ascontiguousarray(np.asarray(query_vec), dtype=np.float32)
        if q.shape != (self.dim,):
            raise QueryError(f"a query vector must have shape ({self.dim},), got {q.shape}")
        check_unit_rows(q[None, :], "query vectors")
        return q[None, :]

    def search(
        self, query_vec: np.ndarray, k: int = 10, allowed: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` rows most similar to ``query_vec`` among the ``allowed`` ones (a bool
        mask over rows, or None for all): ``(rows int64, cosines float32)``, best first,
        shorter than ``k`` only when fewer rows are allowed."""
        k = check_k(k)
        q = self._query(query_vec)
        allowed = check_mask(allowed, len(self))
        n = len(self)
        if n == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        if allowed is not None:
            count = int(np.count_nonzero(allowed))
            if count == 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            if count <= self.config.exact_below:
                return self._search_exact(q[0], min(k, count), np.flatnonzero(allowed))
            k = min(k, count)
        k = min(k, n)
        import faiss

        params = None
        if self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.config.ef_search, k))
        if allowed is not None:
            bitmap = self._bitmaps.get(allowed, None, lambda: np.packbits(allowed, bitorder="little"))
            selector = faiss.IDSelectorBitmap(n, faiss.swig_ptr(bitmap))
            params = params or faiss.SearchParameters()
            params.sel = selector
        scores, labels = self._faiss.search(q, k, params=params)
        keep = labels[0] >= 0
        if allowed is not None and int(keep.sum()) < k:
            # A graph walk inside a selective filter can run out of allowed neighbours before
            # it has k of them (a search without filter always has): score the allowed rows.
            return self._search_exact(q[0], k, np.flatnonzero(allowed))
        return labels[0][keep].astype(np.int64), scores[0][keep]

    def _search_exact(self, qv: np.ndarray, k: int, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores = _dot(self.reconstruct(rows), qv)
        top = top_k(scores, k)
        return rows[top].astype(np.int64), scores[top]

    def reconstruct(self, rows: np.ndarray) -> np.ndarray:
        """The stored vectors of ``rows``, ``(len(rows), dim)`` float32."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size and (rows.min() < 0 or rows.max() >= len(self)):
            raise QueryError(f"rows outside the index (0..{len(self) - 1})")
        return self._vectors()[rows]

    def score(self, query_vec: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosines of ``query_vec`` with the vectors of ``rows`` (a candidate another
        channel found): one reconstruction and one product. For most of the index (the
        statistics of a small collection) one product over the stored vectors in place beats
        gathering them first."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size * 2 > len(self) and rows.size:
            if rows.min() < 0 or rows.max() >= len(self):
                raise QueryError(f"rows outside the index (0..{len(self) - 1})")
            return _dot(self._vectors(), self._query(query_vec)[0])[rows]
        return _dot(self.reconstruct(rows), self._query(query_vec)[0])

    # ------------------------------------------------------------------ persistence

    def save(self, folder: str | os.PathLike[str]) -> None:
        """Write ``vector_index.json`` and ``vectors.npy`` (flat) or ``hnsw.faiss`` (HNSW).

        Not atomic by itself: write into the temporary folder of
        :func:`recsearch.store.write_index_folder`, which is.
        """
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        if self.kind == "hnsw":  # the graph file holds the vectors too
            import faiss

            faiss.write_index(self._faiss, str(folder / _HNSW_FILE))
        else:
            with open(folder / _VECTORS_FILE, "wb") as fh:
                np.save(fh, self.reconstruct(np.arange(len(self))), allow_pickle=False)
        meta = {"format": _FORMAT, "config": asdict(self.config), "count": len(self)}
        (folder / _META_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> VectorIndex:
        """Read an index written by :meth:`save`. Structure is checked (counts, shapes,
        dims, unit norms); byte-level integrity is the manifest's job, done before."""
        folder = Path(folder)
        meta_path = folder / _META_FILE
        if not folder.is_dir() or not meta_path.is_file():
            raise IndexNotFoundError(f"no vector index in {folder}; {REBUILD_HINT}")
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            fmt = meta["format"]
            config = VectorIndexConfig(**meta["config"])
            count = meta["count"]
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise ValueError("count is not a non-negative int")
        except (OSError, ValueError, KeyError, TypeError, RecursionError) as exc:
            raise IndexCorruptError(f"vector index metadata {meta_path} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if fmt != _FORMAT:
            raise IndexMismatchError(f"vector index format {fmt} is not the supported {_FORMAT}; {REBUILD_HINT}")
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
        if config.kind == "hnsw":
            index._faiss = index._read_hnsw(folder / _HNSW_FILE, count)
            index._view = None
            return index
        vec_path = folder / _VECTORS_FILE
        if not vec_path.is_file():
            raise IndexNotFoundError(f"vector index file {vec_path} is missing; {REBUILD_HINT}")
        try:
            vectors = np.load(vec_path, allow_pickle=False, mmap_mode="r")
        except Exception as exc:  # noqa: BLE001 - ValueError/OSError/EOFError on damaged files
            raise IndexCorruptError(f"{vec_path} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if vectors.dtype != np.float32 or vectors.shape != (count, config.dim):
            raise IndexCorruptError(
                f"{vec_path} holds {vectors.dtype} {vectors.shape}, expected float32 ({count}, {config.dim}); "
                + REBUILD_HINT
            )
        try:
            index.add(vectors)
        except QueryError as exc:
            raise IndexCorruptError(f"{vec_path}: {exc}; {REBUILD_HINT}") from exc
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
