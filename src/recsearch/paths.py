"""Where the shipped dataset and default index live.

They are reviewable files at the top of the repository (``data/``, ``index/``), not inside
the package, so the library is used from a checkout installed in editable mode (``make
setup``). ``RECSEARCH_DATA`` and ``RECSEARCH_INDEX`` point elsewhere when needed.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CorpusError

REPO_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The dataset folder: ``$RECSEARCH_DATA`` or the repository's ``data/``."""
    path = Path(os.environ.get("RECSEARCH_DATA") or REPO_ROOT / "data")
    if not path.is_dir():
        raise CorpusError(
            f"dataset folder not found: {path}. Install recsearch from a checkout in editable "
            "mode (make setup, or pip install -e .), or set RECSEARCH_DATA to the folder that "
            "holds recommendations.jsonl and meetings.json."
        )
    return path


def default_index_dir() -> Path:
    """The shipped index folder: ``$RECSEARCH_INDEX`` or the repository's ``index/``."""
    return Path(os.environ.get("RECSEARCH_INDEX") or REPO_ROOT / "index")
