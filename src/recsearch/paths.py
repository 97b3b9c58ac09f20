"""Where the shipped data and the default index live.

In a checkout they are reviewable files at the top of the repository (``data/``, ``index/``);
an installed wheel carries a copy of what the library reads (the collections, the glossary,
the index) inside the package, under ``recsearch/_shipped/``. ``RECSEARCH_DATA`` and
``RECSEARCH_INDEX`` point elsewhere when needed; the checkout wins over the package copy, so
an editable install reads the files you edit.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CorpusError

REPO_ROOT = Path(__file__).resolve().parents[2]
SHIPPED = Path(__file__).resolve().parent / "_shipped"
COLLECTIONS = "collections"

__all__ = ["data_dir", "project_data_dir", "collection_dirs", "default_index_dir", "REPO_ROOT", "SHIPPED"]


def data_dir() -> Path:
    """The data folder the library reads (collections, glossary): ``$RECSEARCH_DATA``, the
    checkout's ``data/``, or the copy inside the installed package."""
    env = os.environ.get("RECSEARCH_DATA")
    candidates = [Path(env)] if env else [REPO_ROOT / "data", SHIPPED / "data"]
    for path in candidates:
        if (path / COLLECTIONS).is_dir():
            return path
    raise CorpusError(
        f"no data folder with {COLLECTIONS}/ found (looked in {', '.join(map(str, candidates))}). Install "
        "recsearch from its wheel or a checkout (make setup), or set RECSEARCH_DATA to a folder holding "
        f"{COLLECTIONS}/<name>/collection.json"
    )


def project_data_dir() -> Path:
    """The checkout's ``data/`` (or ``$RECSEARCH_DATA``): the restoration's inputs live there."""
    env = os.environ.get("RECSEARCH_DATA")
    return Path(env) if env else REPO_ROOT / "data"


def collection_dirs() -> list[Path]:
    """The shipped collection folders, in name order."""
    root = data_dir() / COLLECTIONS
    return sorted(p for p in root.iterdir() if (p / "collection.json").is_file())


def default_index_dir() -> Path:
    """The shipped index folder: ``$RECSEARCH_INDEX``, the checkout's ``index/``, or the copy
    inside the installed package."""
    env = os.environ.get("RECSEARCH_INDEX")
    if env:
        return Path(env)
    checkout = REPO_ROOT / "index"
    return checkout if (checkout / "manifest.json").is_file() or not (SHIPPED / "index").is_dir() else SHIPPED / "index"
