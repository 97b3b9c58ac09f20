"""The collections that ship with the library (``data/collections/*``, or the installed
package's copy), loaded as one corpus."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .model import Corpus

__all__ = ["load_corpus"]


def load_corpus(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> Corpus:
    """Load collection folders as one corpus (default: every shipped collection).

    A single path may be a collection folder or a folder of them (``data/collections``).
    """
    from ..paths import collection_dirs
    from .folder import load_collections

    if paths is None:
        folders = collection_dirs()
    elif isinstance(paths, (str, os.PathLike)):
        root = Path(paths)
        folders = [root] if (root / "collection.json").is_file() else sorted(
            p for p in root.iterdir() if (p / "collection.json").is_file()
        ) if root.is_dir() else [root]
        if not folders and (root / "collections").is_dir():
            return load_corpus(root / "collections")
    else:
        folders = [Path(p) for p in paths]
    if not folders:
        from ..errors import CorpusError

        raise CorpusError(f"no collection folder (with collection.json) in {paths}; see docs/collection-format.md")
    return load_collections(folders)
