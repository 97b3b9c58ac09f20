"""File plumbing in one place: sha256 of texts and files, fsync, and atomic file writes.

Everything that writes a file the library later trusts (the dataset, the embedding cache, an
index manifest) goes through :func:`atomic_write`, so a crash leaves the old file or the new
one, never half of each, and the new file keeps the old one's mode (or the umask's).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import IO

__all__ = [
    "sha256_text",
    "sha256_bytes",
    "sha256_file",
    "fsync_path",
    "atomic_write",
    "temp_sibling",
    "recover_folder",
    "swap_folder",
    "TMP_PREFIX",
    "OLD_PREFIX",
]

#: A folder being written beside its destination, and a previous one being swapped out.
TMP_PREFIX = ".tmp-"
OLD_PREFIX = ".old-"

_CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_text(text: str) -> str:
    """sha256 of a text as UTF-8, exactly as given."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sha256_file(path: str | os.PathLike[str]) -> str:
    """sha256 of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def fsync_path(path: str | os.PathLike[str]) -> None:
    """fsync a file or folder; filesystems that refuse it on folders are tolerated."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _target_mode(path: Path) -> int:
    """The mode a replaced file keeps, or what the umask gives a new one."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: str | os.PathLike[str], content: str | bytes | Callable[[IO[bytes]], None]) -> None:
    """Replace ``path`` with ``content`` (text as UTF-8, bytes, or a function writing to a
    binary file) through an fsynced temporary sibling and a rename."""
    path = Path(path)
    mode = _target_mode(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if callable(content):
                content(fh)
            else:
                fh.write(content.encode("utf-8") if isinstance(content, str) else content)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_path(path.parent)


def _rename_exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where unsupported."""
    import ctypes
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def swap_folder(tmp: Path, dest: Path, old_prefix: str = OLD_PREFIX) -> None:
    """Put the finished folder ``tmp`` at ``dest``, replacing what was there: one atomic
    ``renameat2(RENAME_EXCHANGE)`` on Linux (readers always see a whole folder), two renames
    elsewhere (a sub-millisecond gap; a failure between them puts the old folder back)."""
    parent = dest.parent
    if not dest.exists():
        os.rename(tmp, dest)
    elif _rename_exchange(tmp, dest):
        shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the previous folder
    else:
        old = parent / f"{old_prefix}{dest.name}-{uuid.uuid4().hex[:12]}"
        os.rename(dest, old)
        try:
            os.rename(tmp, dest)
        except BaseException:
            os.rename(old, dest)
            raise
        shutil.rmtree(old, ignore_errors=True)
    fsync_path(parent)


def temp_sibling(dest: Path) -> Path:
    """A new empty folder beside ``dest`` to write into before :func:`swap_folder`."""
    tmp = dest.parent / f"{TMP_PREFIX}{dest.name}-{uuid.uuid4().hex[:12]}"
    tmp.mkdir()
    return tmp


def _leftovers(dest: Path, prefix: str) -> list[Path]:
    return [
        p
        for p in dest.parent.glob(f"{prefix}{dest.name}-*")
        if p.is_dir() and not p.is_symlink() and re.fullmatch(r"[0-9a-f]{12}", p.name.rsplit("-", 1)[-1])
    ]


def recover_folder(dest: Path, marker: str) -> None:
    """Clean up after a write of ``dest`` that was killed: put back a previous folder caught
    between the two renames of :func:`swap_folder` (``dest`` gone, the newest ``.old-`` one
    complete: it holds ``marker``), and delete the other leftovers. One write per folder at a
    time, so any leftover that exists when a write starts is stale."""
    old = sorted(_leftovers(dest, OLD_PREFIX), key=lambda p: p.stat().st_mtime)
    if old and not dest.exists() and (old[-1] / marker).is_file():
        os.rename(old.pop(), dest)
    for p in old + _leftovers(dest, TMP_PREFIX):
        shutil.rmtree(p, ignore_errors=True)
