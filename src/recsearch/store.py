"""Index folders: atomic builds and a verified ``manifest.json``.

An index folder is whatever the index writers put in it plus a manifest that
records how it was built (format, library and text-normalisation versions, its
channels — each dense channel's encoder, dim and index kind, each keyword
channel's language —, dataset and per-record text hashes, UTC build time) and
the sha256 and size of every file. Loading re-checks all of it, so a stale or
damaged index fails loudly with one of three errors instead of returning wrong
results:

* :class:`IndexNotFoundError` - no folder, no manifest, or a listed file is gone;
* :class:`IndexCorruptError` - a checksum or size differs, a file or the
  manifest is unreadable;
* :class:`IndexMismatchError` - built with other encoders, format or text
  normalisation, or from other data than the caller expects.

Builds never modify the live folder: everything is written into a temporary
sibling (same parent, so ``rename`` is atomic), fsynced, then swapped in. On
Linux the swap is a single ``renameat2(RENAME_EXCHANGE)``, so readers always
see a complete index; elsewhere two renames leave a sub-millisecond gap. A
failed build deletes its temporary folder and leaves the previous index as it
was; temporary folders of builds that were killed are removed by the next
build of the same path. Run one build per index path at a time.

Typical use (what ``Searcher.build``/``load`` wrap)::

    def write(tmp: Path) -> None:
        lexical.save(tmp / "lexical_ar")
        dense.save(tmp / "dense")

    channels = (ChannelSpec("dense", "dense", encoder=encoder.name, dim=encoder.dim, index_kind="flat"),
                ChannelSpec("lexical_ar", "keyword", language="ar"))
    write_index_folder(path, write, ManifestFields(channels, records))
    expect = Expectation.for_records(records, encoders=(encoder.name,))
    manifest = read_manifest(path, expect)  # then LexicalIndex.load / VectorIndex.load
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any

from ._io import fsync_path, recover_folder, sha256_file, sha256_text, swap_folder, temp_sibling
from ._validate import REBUILD_HINT, check_positive_int
from .errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    QueryTypeError,
    SearchIndexError,
)
from .normalize import NORMALIZATION_VERSION

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST_NAME",
    "FileInfo",
    "ChannelSpec",
    "Manifest",
    "ManifestFields",
    "Expectation",
    "text_sha256",
    "record_hashes",
    "dataset_sha256",
    "library_version",
    "write_index_folder",
    "read_manifest",
    "check_expectation",
]

#: Version of the folder layout and manifest schema; bump on incompatible changes.
FORMAT_VERSION = 2
MANIFEST_NAME = "manifest.json"


# --------------------------------------------------------------------------- hashing


text_sha256 = sha256_text


def record_hashes(records: Mapping[str, str]) -> dict[str, str]:
    """id -> sha256 of the text, for every record."""
    if not isinstance(records, Mapping):
        raise QueryTypeError(f"records must be a mapping id -> text, got {type(records).__name__}")
    out = {}
    for rid, text in records.items():
        if not isinstance(rid, str) or not isinstance(text, str):
            raise QueryTypeError("records must map str ids to str texts")
        out[rid] = text_sha256(text)
    return out


def dataset_sha256(hashes: Mapping[str, str]) -> str:
    """One hash for the whole record set, independent of mapping order."""
    h = hashlib.sha256()
    for rid in sorted(hashes):
        h.update(f"{rid}\t{hashes[rid]}\n".encode())
    return h.hexdigest()


def library_version() -> str:
    """recsearch's version: installed metadata first, the package attribute as fallback."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("recsearch")
    except PackageNotFoundError:
        try:
            from . import __version__

            return str(__version__)
        except ImportError:
            return "0+unknown"


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True)
class FileInfo:
    """Size and sha256 of one file of an index folder."""

    sha256: str
    size: int


_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")
CHANNEL_KINDS = ("dense", "keyword")


@dataclass(frozen=True)
class ChannelSpec:
    """One channel of an index, as the manifest records it; its files are in the folder
    ``name``. Dense: ``encoder`` (its name), ``spec`` (how to recreate it; None for a custom
    object), ``dim``, ``index_kind`` and the text ``variants`` it embeds. Keyword:
    ``language`` of its BM25 analyser."""

    name: str
    kind: str
    encoder: str | None = None
    spec: str | None = None
    dim: int | None = None
    index_kind: str | None = None
    variants: tuple[str, ...] = ()
    language: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ValueError(f"channel name {self.name!r} must be 1-40 lower-case letters, digits or _")
        if self.kind not in CHANNEL_KINDS:
            raise ValueError(f"channel kind {self.kind!r} is not one of {list(CHANNEL_KINDS)}")
        if self.kind == "dense":
            if not isinstance(self.encoder, str) or not self.encoder:
                raise ValueError(f"dense channel {self.name} has no encoder name")
            if isinstance(self.dim, bool) or not isinstance(self.dim, int) or self.dim < 1:
                raise ValueError(f"dense channel {self.name} has no positive dim")
            if self.index_kind not in ("flat", "hnsw"):
                raise ValueError(f"dense channel {self.name} has index kind {self.index_kind!r}")
            if self.spec is not None and not isinstance(self.spec, str):
                raise ValueError(f"dense channel {self.name} has a spec that is not a string")
            if not self.variants or not all(isinstance(v, str) and v for v in self.variants):
                raise ValueError(f"dense channel {self.name} names no text variants")
        elif not isinstance(self.language, str) or not self.language:
            raise ValueError(f"keyword channel {self.name} has no language")

    def to_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"name": self.name, "kind": self.kind}
        if self.kind == "dense":
            body.update(
                encoder=self.encoder, spec=self.spec, dim=self.dim, index_kind=self.index_kind, variants=list(self.variants)
            )
        else:
            body["language"] = self.language
        return body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ChannelSpec:
        if not isinstance(data, Mapping):
            raise TypeError("a channel entry is not an object")
        known = {"name", "kind", "encoder", "spec", "dim", "index_kind", "variants", "language"}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown channel fields {sorted(unknown)}")
        variants = data.get("variants", [])
        if not isinstance(variants, list):
            raise TypeError("channel variants is not a list")
        return cls(**{**data, "variants": tuple(variants)})


@dataclass(frozen=True)
class Manifest:
    """The parsed ``manifest.json`` of an index folder."""

    format_version: int
    library_version: str
    normalization_version: int
    channels: tuple[ChannelSpec, ...]
    dataset_sha256: str
    record_hashes: Mapping[str, str]
    built_at: str
    files: Mapping[str, FileInfo]
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def record_ids(self) -> list[str]:
        return sorted(self.record_hashes)

    @property
    def encoders(self) -> tuple[str, ...]:
        """The dense channels' encoder names, in channel order."""
        return tuple(c.encoder for c in self.channels if c.kind == "dense")  # type: ignore[misc]

    def to_dict(self) -> dict[str, Any]:
        body = {
            "format_version": self.format_version,
            "library_version": self.library_version,
            "normalization_version": self.normalization_version,
            "channels": [c.to_dict() for c in self.channels],
            "dataset": {"sha256": self.dataset_sha256, "records": dict(sorted(self.record_hashes.items()))},
            "built_at": self.built_at,
            "files": {k: {"sha256": v.sha256, "size": v.size} for k, v in sorted(self.files.items())},
            "extra": dict(self.extra),
        }
        # JSON-normalise first (e.g. int keys become str) so the checksum survives a round-trip.
        body = json.loads(_canonical(body))
        body["checksum"] = _body_checksum(body)
        return body

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Manifest:
        """Parse and type-check; raises ValueError/KeyError/TypeError on any defect."""
        if _body_checksum({k: v for k, v in data.items() if k != "checksum"}) != data["checksum"]:
            raise ValueError("manifest checksum does not match its content")
        files = {}
        for rel, info in data["files"].items():
            sha, size = info["sha256"], info["size"]
            if not (isinstance(sha, str) and len(sha) == 64 and isinstance(size, int) and size >= 0):
                raise ValueError(f"bad file entry for {rel!r}")
            files[rel] = FileInfo(sha, size)
        records = data["dataset"]["records"]
        if not isinstance(records, dict) or not all(isinstance(v, str) for v in records.values()):
            raise TypeError("dataset.records must map ids to hashes")
        if not isinstance(data["channels"], list) or not data["channels"]:
            raise ValueError("the manifest lists no channels")
        channels = tuple(ChannelSpec.from_dict(c) for c in data["channels"])
        if len({c.name for c in channels}) != len(channels):
            raise ValueError("two channels share a name")
        manifest = cls(
            # ints as written: int() would read ``true`` or ``"1"`` as version 1
            format_version=check_positive_int("format_version", data["format_version"]),
            library_version=str(data["library_version"]),
            normalization_version=check_positive_int("normalization_version", data["normalization_version"]),
            channels=channels,
            dataset_sha256=str(data["dataset"]["sha256"]),
            record_hashes=dict(records),
            built_at=str(data["built_at"]),
            files=files,
            extra=dict(data.get("extra") or {}),
        )
        return manifest


def _canonical(obj: Any) -> bytes:
    return json.dumps(obj, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _body_checksum(body: Mapping[str, Any]) -> str:
    # The manifest cannot list its own sha256; this catches edits and bit rot in it.
    return hashlib.sha256(_canonical(body)).hexdigest()


@dataclass(frozen=True)
class ManifestFields:
    """What the caller knows about a build; the store adds hashes, versions and dates.

    ``records`` maps each record id to the text that was indexed.
    ``dataset_sha256`` defaults to :func:`dataset_sha256` of the record hashes;
    pass e.g. the sha256 of the dataset file instead if that is the identity
    you check against. ``extra`` is free-form JSON (index parameters, counts).
    """

    channels: tuple[ChannelSpec, ...]
    records: Mapping[str, str]
    dataset_sha256: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Expectation:
    """What a loader requires of an index; ``None`` fields are not checked."""

    encoders: tuple[str, ...] | None = None
    dataset_sha256: str | None = None
    record_hashes: Mapping[str, str] | None = None

    @classmethod
    def for_records(cls, records: Mapping[str, str], **kwargs: Any) -> Expectation:
        """Expect exactly these record texts (ids and content)."""
        return cls(record_hashes=record_hashes(records), **kwargs)


# --------------------------------------------------------------------------- writing


def _scan_files(root: Path) -> dict[str, FileInfo]:
    """sha256 and size of every regular file under root (fsyncing each, then each folder)."""
    files: dict[str, FileInfo] = {}
    dirs = [root]
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            raise SearchIndexError(f"index writers must not create symlinks: {p.relative_to(root)}")
        if p.is_dir():
            dirs.append(p)
            continue
        if not p.is_file():
            raise SearchIndexError(f"index writers must create regular files only: {p.relative_to(root)}")
        fsync_path(p)
        files[p.relative_to(root).as_posix()] = FileInfo(sha256_file(p), p.stat().st_size)
    for d in dirs:
        fsync_path(d)
    return files


def _build_time() -> str:
    """When the index was built, UTC: now, or ``$SOURCE_DATE_EPOCH`` when set (the
    reproducible-builds convention: `make index` sets it so identical builds write identical
    files)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def write_index_folder(
    path: str | os.PathLike[str],
    writer: Callable[[Path], Mapping[str, Any] | None],
    fields: ManifestFields,
) -> Manifest:
    """Build an index folder atomically and return its manifest.

    ``writer(folder)`` writes the index files into ``folder`` (a fresh
    temporary sibling of ``path``) and may return extra JSON fields for the
    manifest. If it raises, the temporary folder is removed, the previous index
    at ``path`` is untouched, and the exception propagates. An existing
    ``path`` is replaced only if it is an index (has a manifest) or empty, so a
    mistyped path can never delete unrelated files.
    """
    if not callable(writer):
        raise QueryTypeError("writer must be a callable taking the folder to write into")
    if not isinstance(fields, ManifestFields):
        raise QueryTypeError(f"fields must be ManifestFields, got {type(fields).__name__}")
    channels = tuple(fields.channels)
    if not channels or not all(isinstance(c, ChannelSpec) for c in channels):
        raise QueryTypeError("fields.channels must be a non-empty tuple of ChannelSpec")
    if len({c.name for c in channels}) != len(channels):
        raise QueryError("two channels share a name")
    hashes = record_hashes(fields.records)
    dest = Path(path).expanduser()
    if dest.name in ("", ".", ".."):
        raise QueryError(f"index path {str(path)!r} must name a folder")
    dest = dest.parent.resolve() / dest.name
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise SearchIndexError(f"{dest} exists and is not a folder; choose another index path")
    if dest.is_dir() and not (dest / MANIFEST_NAME).is_file() and any(dest.iterdir()):
        raise SearchIndexError(
            f"{dest} is a non-empty folder without {MANIFEST_NAME}: refusing to replace it; "
            "choose an empty or new index path"
        )
    dest.parent.mkdir(parents=True, exist_ok=True)
    recover_folder(dest, MANIFEST_NAME)
    tmp = temp_sibling(dest)
    try:
        returned = writer(tmp)
        if (tmp / MANIFEST_NAME).exists():
            raise SearchIndexError(f"index writers must not create {MANIFEST_NAME}; the store writes it")
        extra = dict(fields.extra)
        if returned:
            extra.update(returned)
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            library_version=library_version(),
            normalization_version=NORMALIZATION_VERSION,
            channels=channels,
            dataset_sha256=fields.dataset_sha256 or dataset_sha256(hashes),
            record_hashes=hashes,
            built_at=_build_time(),
            files=_scan_files(tmp),
            extra=extra,
        )
        try:
            body = manifest.to_dict()
        except (TypeError, ValueError) as exc:
            raise QueryError(f"manifest extra fields must be JSON-serialisable: {exc}") from exc
        manifest = Manifest.from_dict(body)  # exactly what a reader will get back
        text = json.dumps(body, ensure_ascii=False, indent=1)
        with open(tmp / MANIFEST_NAME, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        fsync_path(tmp)
        swap_folder(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


# --------------------------------------------------------------------------- reading


def _safe_rel(rel: str) -> bool:
    p = PurePosixPath(rel)
    return bool(rel) and not p.is_absolute() and ".." not in p.parts and "\\" not in rel and rel != MANIFEST_NAME


def read_manifest(
    path: str | os.PathLike[str],
    expect: Expectation | None = None,
    *,
    verify_files: bool = True,
) -> Manifest:
    """Parse ``path/manifest.json``, verify every listed file, check ``expect``.

    With ``verify_files`` (default) every file is re-hashed: a few ms for this
    corpus. Raises IndexNotFoundError, IndexCorruptError or IndexMismatchError
    (see the module docstring); each message ends with how to rebuild.
    """
    folder = Path(path).expanduser()
    if not folder.exists():
        raise IndexNotFoundError(f"no index at {folder}; build one with `recsearch index build`")
    if not folder.is_dir():
        raise IndexNotFoundError(f"{folder} is a file, not an index folder; build one with `recsearch index build`")
    mpath = folder / MANIFEST_NAME
    if not mpath.is_file():
        raise IndexNotFoundError(
            f"{folder} has no {MANIFEST_NAME} (not an index, or a build that never finished); {REBUILD_HINT}"
        )
    try:
        data = json.loads(mpath.read_bytes().decode("utf-8"))
        if not isinstance(data, dict):
            raise TypeError("top level is not an object")
        fmt = data.get("format_version")
    except (OSError, UnicodeDecodeError, ValueError, TypeError, RecursionError) as exc:
        raise IndexCorruptError(f"{mpath} is unreadable ({exc}); {REBUILD_HINT}") from exc
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt != FORMAT_VERSION:
        raise IndexMismatchError(
            f"index at {folder} has format {fmt} (library {data.get('library_version', '?')}); this recsearch "
            f"{library_version()} reads format {FORMAT_VERSION}; {REBUILD_HINT}"
        )
    try:
        manifest = Manifest.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise IndexCorruptError(f"{mpath} is damaged ({exc}); {REBUILD_HINT}") from exc

    if verify_files:
        _verify_files(folder, manifest)
    check_expectation(folder, manifest, expect or Expectation())
    return manifest


def _verify_files(folder: Path, manifest: Manifest) -> None:
    for rel, info in sorted(manifest.files.items()):
        if not _safe_rel(rel):
            raise IndexCorruptError(f"{folder / MANIFEST_NAME} lists an invalid file name {rel!r}; {REBUILD_HINT}")
        p = folder / rel
        if not p.is_file():
            raise IndexNotFoundError(f"index file {rel} is missing from {folder}; {REBUILD_HINT}")
        try:
            size = p.stat().st_size
            if size != info.size:
                kind = "truncated" if size < info.size else "longer than recorded"
                raise IndexCorruptError(
                    f"index file {rel} in {folder} is {kind} ({size} bytes, expected {info.size}); {REBUILD_HINT}"
                )
            digest = sha256_file(p)
        except OSError as exc:
            raise IndexCorruptError(f"index file {rel} in {folder} is unreadable ({exc}); {REBUILD_HINT}") from exc
        if digest != info.sha256:
            raise IndexCorruptError(f"index file {rel} in {folder} fails its sha256 check; {REBUILD_HINT}")


def check_expectation(folder: Path, m: Manifest, e: Expectation) -> None:
    """Raise IndexMismatchError if the manifest ``m`` of ``folder`` does not meet ``e``."""
    problems = []
    if m.normalization_version != NORMALIZATION_VERSION:
        # clean_text feeds the encoder and the tokenizer: queries would no longer meet the index.
        problems.append(
            f"text normalisation v{m.normalization_version}, this recsearch uses v{NORMALIZATION_VERSION}"
        )
    if e.encoders is not None and tuple(e.encoders) != m.encoders:
        problems.append(f"encoders {list(m.encoders)}, not the requested {list(e.encoders)}")
    if e.dataset_sha256 is not None and e.dataset_sha256 != m.dataset_sha256:
        problems.append(f"dataset {m.dataset_sha256[:12]}…, not the current {e.dataset_sha256[:12]}…")
    if e.record_hashes is not None and dict(e.record_hashes) != dict(m.record_hashes):
        have, want = m.record_hashes, e.record_hashes
        added = sorted(set(want) - set(have))
        removed = sorted(set(have) - set(want))
        changed = sorted(k for k in set(want) & set(have) if want[k] != have[k])
        parts = []
        for label, ids in (("changed", changed), ("new", added), ("no longer present", removed)):
            if ids:
                more = f" (+{len(ids) - 5} more)" if len(ids) > 5 else ""
                parts.append(f"{len(ids)} {label}: {', '.join(ids[:5])}{more}")
        problems.append("other record texts - " + "; ".join(parts))
    if problems:
        raise IndexMismatchError(
            f"index at {folder} (built {m.built_at} by recsearch {m.library_version}) has "
            + "; ".join(problems)
            + f"; {REBUILD_HINT}"
        )
