"""Argument checks shared by every entry point, so bad input is rejected alike everywhere."""

from __future__ import annotations

import numpy as np

from .errors import QueryError, QueryTypeError

__all__ = ["check_k", "check_positive_int", "check_probability", "check_lang", "check_query", "REBUILD_HINT", "LANGS", "MAX_QUERY_CHARS", "MAX_K"]

#: Languages a citation or a text can be given in.
LANGS = ("en", "ar")

#: Longest query accepted anywhere (Python, CLI, tools, HTTP), in characters: a question or a
#: paragraph — a whole recommendation pasted in fits (the longest, with its lead-in, is under 1,200) — not a page.
MAX_QUERY_CHARS = 2000

#: Most results the tools, the HTTP API and the CLI return for one query.
MAX_K = 50

#: Appended to every index error: the one command that fixes a stale or damaged index.
REBUILD_HINT = "rebuild it with `recsearch index build`"


def check_positive_int(name: str, value: object) -> int:
    """A count: a positive int, numpy ints included (bool is refused: ``True`` is a bug, not 1)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise QueryTypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < 1:
        raise QueryError(f"{name} must be >= 1, got {value}")
    return int(value)


def check_probability(name: str, value: object) -> float | None:
    """A bar on relevance: a number in [0, 1], or None for no bar."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise QueryTypeError(f"{name} must be a number in [0, 1] or None, got {type(value).__name__}")
    if not 0.0 <= float(value) <= 1.0:  # NaN fails this too
        raise QueryError(f"{name} must be in [0, 1], got {value}")
    return float(value)


def check_k(k: object) -> int:
    """A result count."""
    return check_positive_int("k", k)


def check_lang(lang: object, *, optional: bool = False) -> str | None:
    """A citation or text language: "en" or "ar" (or None where ``optional``: the default)."""
    if lang is None and optional:
        return None
    if lang not in LANGS:
        valid = f"{list(LANGS)}" + (" or None" if optional else "")
        raise QueryError(f"unknown citation language {lang!r}; valid: {valid}")
    return lang  # type: ignore[return-value]


def check_query(query: object) -> str:
    """A query: a non-blank str of at most :data:`MAX_QUERY_CHARS` characters, cleaned."""
    from .normalize import clean_text

    if not isinstance(query, str):
        raise QueryTypeError(f"query must be a str, got {type(query).__name__}")
    if len(query) > MAX_QUERY_CHARS:
        raise QueryError(
            f"query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}. "
            "Search with a shorter question or a passage of it."
        )
    text = clean_text(query)
    if not text.strip():
        raise QueryError("query is empty: type a question or some words to search for")
    return text
