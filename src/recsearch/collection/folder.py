"""Collection folders: ``collection.json`` + ``records.jsonl``, read, validated and written.

Reading checks everything through :mod:`.format` and raises one
:class:`~.format.CollectionFormatError` listing every problem. Writing is canonical and
byte-stable (sorted keys, UTF-8, ``\\n`` line ends) and atomic: both files are written into a
temporary sibling folder ``.tmp-<name>-<12 hex>``, fsynced, then renamed into place, so a
failure leaves the previous folder as it was. An existing folder is replaced only if it is a
collection (has ``collection.json``) or empty, so a mistyped path never deletes other files.
Run one write per folder at a time.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._io import fsync_path, recover_folder, swap_folder, temp_sibling
from ..errors import CorpusError
from .format import (
    CollectionFormatError,
    load_json_text,
    parse_profile,
    parse_records,
)
from .model import Corpus, Profile, Recommendation

__all__ = ["PROFILE_FILE", "RECORDS_FILE", "read_collection", "load_collections", "write_collection"]

PROFILE_FILE = "collection.json"
RECORDS_FILE = "records.jsonl"
_FORMAT_HINT = "see docs/collection-format.md"


# --------------------------------------------------------------------------- reading


def read_text(path: Path, source: str) -> str:
    """A file's text as UTF-8; bytes that are not UTF-8 are a format error naming the line."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(f"cannot read {path}: {exc.strerror or exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CollectionFormatError(
            [f"{source} line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8"]
        ) from None


def read_json_file(path: Path, source: str) -> Any:
    """A JSON file parsed strictly (see :func:`.format.load_json_text`)."""
    text = read_text(path, source).removeprefix("\ufeff")
    try:
        return load_json_text(text)
    except ValueError as exc:
        raise CollectionFormatError([f"{source}: {exc}"]) from None


def _folder(path: str | os.PathLike[str]) -> Path:
    folder = Path(path).expanduser()
    if folder.name == PROFILE_FILE and folder.is_file():
        folder = folder.parent  # the collection.json itself: its folder is meant
    if not folder.exists():
        raise CorpusError(
            f"no collection folder at {folder}; create one with "
            f"`recsearch collection import RECORDS --profile collection.json --out {folder}` ({_FORMAT_HINT})"
        )
    if not folder.is_dir():
        raise CorpusError(f"{folder} is a file, not a collection folder ({PROFILE_FILE} + {RECORDS_FILE}); {_FORMAT_HINT}")
    for name in (PROFILE_FILE, RECORDS_FILE):
        if not (folder / name).is_file():
            raise CorpusError(
                f"{folder} has no {name}: a collection folder holds {PROFILE_FILE} and {RECORDS_FILE} "
                f"(write one with `recsearch collection import`; {_FORMAT_HINT})"
            )
    return folder


def read_collection(path: str | os.PathLike[str]) -> tuple[Profile, list[Recommendation]]:
    """The profile and records of a collection folder, validated; a missing folder or file is a
    :class:`CorpusError`, a format problem a :class:`CollectionFormatError` listing them all."""
    folder = _folder(path)
    profile_path, records_path = folder / PROFILE_FILE, folder / RECORDS_FILE
    data = read_json_file(profile_path, str(profile_path))
    profile = parse_profile(data, source=str(profile_path), default_name=folder.resolve().name)
    records = parse_records(read_text(records_path, str(records_path)), profile, source=str(records_path))
    return profile, records


def read_trusted_collection(path: str | os.PathLike[str]) -> tuple[Profile, list[Recommendation]]:
    """:func:`read_collection` for a folder the library wrote itself and has checksummed (an
    index's copy of its collections): the profile is validated, the records are read as
    written (a million records load in seconds, not minutes)."""
    import json

    from .model import Recommendation

    folder = _folder(path)
    profile_path, records_path = folder / PROFILE_FILE, folder / RECORDS_FILE
    profile = parse_profile(read_json_file(profile_path, str(profile_path)), source=str(profile_path), default_name=folder.name)
    try:
        with open(records_path, encoding="utf-8") as fh:
            records = [Recommendation.from_format(json.loads(line), profile) for line in fh if line.strip()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CorpusError(f"{records_path} is not as recsearch wrote it ({exc!r})") from None
    return profile, records


def load_collections(paths: Iterable[str | os.PathLike[str]], *, trusted: bool = False) -> Corpus:
    """One corpus of several collection folders, in the order given. Record ids may repeat
    across collections (``collection:id`` tells them apart); collection names may not.
    ``trusted``: folders the library wrote and checksummed (see :func:`read_trusted_collection`)."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    profiles: list[Profile] = []
    records: list[Recommendation] = []
    where: dict[str, Path] = {}
    for path in paths:
        profile, recs = read_trusted_collection(path) if trusted else read_collection(path)
        if profile.name in where:
            raise CorpusError(
                f"two collections are named {profile.name!r}: {where[profile.name]} and {Path(path)}; "
                f'give one another "name" in its {PROFILE_FILE}'
            )
        where[profile.name] = Path(path)
        profiles.append(profile)
        records.extend(recs)
    if not profiles:
        raise CorpusError(f"no collection folders given; {_FORMAT_HINT}")
    return Corpus(records, profiles)


# --------------------------------------------------------------------------- writing


def canonical_profile(profile_data: Mapping[str, Any]) -> str:
    """``collection.json`` as written: 2-space indent, sorted keys, UTF-8, final newline."""
    return json.dumps(profile_data, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False) + "\n"


def canonical_record(record: Mapping[str, Any]) -> str:
    """One line of ``records.jsonl`` as written (without its newline)."""
    return json.dumps(record, ensure_ascii=False, sort_keys=True, allow_nan=False)


def _render(
    dest: Path, profile_data: Mapping[str, Any], records: Sequence[Mapping[str, Any]]
) -> tuple[str, str]:
    """Both files' text, after checking that they read back as a valid collection."""
    if not isinstance(profile_data, Mapping):
        raise CollectionFormatError([f"{PROFILE_FILE}: expected an object (dict), got {type(profile_data).__name__}"])
    if isinstance(records, (str, bytes, Mapping)) or not isinstance(records, Sequence):
        raise CollectionFormatError([f"{RECORDS_FILE}: expected a list of records (dicts), got {type(records).__name__}"])
    try:
        profile_text = canonical_profile(profile_data)
    except (TypeError, ValueError) as exc:
        raise CollectionFormatError([f"{PROFILE_FILE}: not JSON-serialisable ({exc})"]) from None
    profile = parse_profile(json.loads(profile_text), source=PROFILE_FILE, default_name=dest.name)
    lines: list[str] = []
    unserialisable: list[str] = []
    for number, record in enumerate(records, 1):
        try:
            lines.append(canonical_record(record))
        except (TypeError, ValueError) as exc:
            unserialisable.append(f"{RECORDS_FILE} line {number}: not JSON-serialisable ({exc})")
            lines.append("{}")
    if unserialisable:
        raise CollectionFormatError(unserialisable)
    parse_records(lines, profile, source=RECORDS_FILE)
    return profile_text, "".join(line + "\n" for line in lines)


def _check_destination(dest: Path) -> None:
    if dest.is_symlink() or (dest.exists() and not dest.is_dir()):
        raise CorpusError(f"{dest} exists and is not a folder; choose another output folder")
    if dest.is_dir() and not (dest / PROFILE_FILE).is_file() and any(dest.iterdir()):
        raise CorpusError(
            f"{dest} is a non-empty folder without {PROFILE_FILE}: refusing to replace it; "
            "choose an empty or new folder, or an existing collection folder"
        )


def _write_file(path: Path, text: str) -> None:
    with open(path, "wb") as fh:
        fh.write(text.encode("utf-8"))
        fh.flush()
        os.fsync(fh.fileno())


def write_collection(
    out_dir: str | os.PathLike[str], profile_data: Mapping[str, Any], records: Sequence[Mapping[str, Any]]
) -> Path:
    """Write a collection folder from a ``collection.json`` object and the records' objects
    (line N of ``records.jsonl`` is ``records[N-1]``) and return its path.

    Everything is validated first (a :class:`CollectionFormatError` lists every problem) and
    nothing is written on error. The files are canonical, so the same input always gives the
    same bytes. The folder is replaced atomically; an existing folder that is not a collection
    (no ``collection.json``) and not empty is refused.
    """
    dest = Path(out_dir).expanduser()
    if dest.name in ("", ".", ".."):
        raise CorpusError(f"output path {str(out_dir)!r} must name a folder")
    dest = dest.parent.resolve() / dest.name
    _check_destination(dest)
    profile_text, records_text = _render(dest, profile_data, records)
    dest.parent.mkdir(parents=True, exist_ok=True)
    recover_folder(dest, PROFILE_FILE)
    _check_destination(dest)  # a recovered previous folder is a collection: still fine
    tmp = temp_sibling(dest)
    try:
        _write_file(tmp / PROFILE_FILE, profile_text)
        _write_file(tmp / RECORDS_FILE, records_text)
        fsync_path(tmp)
        swap_folder(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return dest
