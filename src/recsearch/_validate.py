"""Argument checks shared by the indexes, so every entry point rejects bad input alike."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np

from .errors import QueryError, QueryTypeError

__all__ = ["check_k", "check_allowed_ids", "check_lang", "REBUILD_HINT", "LANGS"]

#: Languages a citation or a text can be given in.
LANGS = ("en", "ar")

#: Appended to every index error: the one command that fixes a stale or damaged index.
REBUILD_HINT = "rebuild it with `recsearch index build`"


def check_k(k: object) -> int:
    """A result count: a positive int (bool is refused: ``k=True`` is a bug, not 1)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise QueryTypeError(f"k must be an int, got {type(k).__name__}")
    if k < 1:
        raise QueryError(f"k must be >= 1, got {k}")
    return int(k)


def check_lang(lang: object, *, optional: bool = False) -> str | None:
    """A citation or text language: "en" or "ar" (or None where ``optional``: the default)."""
    if lang is None and optional:
        return None
    if lang not in LANGS:
        valid = f"{list(LANGS)}" + (" or None" if optional else "")
        raise QueryError(f"unknown citation language {lang!r}; valid: {valid}")
    return lang  # type: ignore[return-value]


def check_allowed_ids(allowed_ids: object) -> frozenset[str] | None:
    """A filter: None (no filter) or a collection of id strings (a bare str is refused)."""
    if allowed_ids is None:
        return None
    if isinstance(allowed_ids, (str, bytes)) or not isinstance(allowed_ids, Collection):
        raise QueryTypeError(
            f"allowed_ids must be a set/list of id strings or None, got {type(allowed_ids).__name__}"
        )
    for x in allowed_ids:
        if not isinstance(x, str):
            raise QueryTypeError(f"allowed_ids must contain str ids, found {type(x).__name__}")
    return frozenset(allowed_ids)
