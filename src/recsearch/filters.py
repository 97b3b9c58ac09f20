"""Filters on provenance — meeting, year, addressee — checked and turned into an id set.

Filters are applied before the cut-off: a search with a filter ranks only the allowed
recommendations, so ``k`` results come from the filtered set when it has them, and nothing
outside it is ever padded in. An unknown value is a ``QueryError`` (a ``ValueError``)
listing the valid ones.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .corpus import Corpus
from .corpus.addressees import ADDRESSEES
from .errors import QueryError, QueryTypeError


@dataclass(frozen=True)
class Filters:
    """Normalised filters; an empty tuple means "no constraint"."""

    meetings: tuple[int, ...] = ()
    years: tuple[int, ...] = ()
    addressees: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.meetings or self.years or self.addressees)

    def to_dict(self) -> dict[str, list]:
        return {"meeting": list(self.meetings), "year": list(self.years), "addressee": list(self.addressees)}


def _ints(value: object, what: str) -> list[int]:
    items = [value] if isinstance(value, int) or isinstance(value, str) else value
    if isinstance(items, range):
        items = list(items)
    if not isinstance(items, Iterable):
        raise QueryTypeError(f"{what} must be an int or a list of ints, got {type(value).__name__}")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            if isinstance(item, str) and item.strip().isdigit():
                item = int(item)
            else:
                raise QueryTypeError(f"{what} values must be ints, got {item!r}")
        out.append(int(item))
    return out


def parse_filters(
    corpus: Corpus,
    *,
    meeting: int | Iterable[int] | None = None,
    year: int | tuple[int, int] | range | Iterable[int] | None = None,
    addressee: str | Iterable[str] | None = None,
) -> Filters:
    """Check filter values against the corpus; ``year=(2011, 2015)`` is an inclusive range."""
    valid_meetings = sorted(corpus.meetings)
    meetings: list[int] = []
    if meeting is not None:
        meetings = _ints(meeting, "meeting")
        bad = [m for m in meetings if m not in corpus.meetings]
        if bad:
            raise QueryError(f"unknown meeting {bad[0]}; valid meetings: {valid_meetings}")
    years: list[int] = []
    valid_years = sorted({m.year for m in corpus.meetings.values()})
    if year is not None:
        if isinstance(year, tuple) and len(year) == 2 and all(isinstance(y, int) for y in year):
            lo, hi = year
            if lo > hi:
                raise QueryError(f"year range ({lo}, {hi}) is empty: the start is after the end")
            years = [y for y in valid_years if lo <= y <= hi]
            if not years:
                raise QueryError(f"no meeting between {lo} and {hi}; the Working Group met in {valid_years}")
        else:
            years = _ints(year, "year")
            bad = [y for y in years if y not in valid_years]
            if bad:
                raise QueryError(f"no meeting in {bad[0]}; the Working Group met in {valid_years}")
    addressees: list[str] = []
    if addressee is not None:
        items = [addressee] if isinstance(addressee, str) else addressee
        if not isinstance(items, Iterable):
            raise QueryTypeError(f"addressee must be a str or a list of str, got {type(addressee).__name__}")
        for item in items:
            if not isinstance(item, str):
                raise QueryTypeError(f"addressee values must be str, got {item!r}")
            if item not in ADDRESSEES:
                raise QueryError(f"unknown addressee {item!r}; valid addressees: {list(ADDRESSEES)}")
            addressees.append(item)
    return Filters(tuple(sorted(set(meetings))), tuple(sorted(set(years))), tuple(dict.fromkeys(addressees)))


def allowed_ids(corpus: Corpus, filters: Filters) -> frozenset[str] | None:
    """The ids that pass every filter (None when there is no filter)."""
    if not filters:
        return None
    return frozenset(
        r.id
        for r in corpus
        if (not filters.meetings or r.meeting.number in filters.meetings)
        and (not filters.years or r.year in filters.years)
        and (not filters.addressees or set(r.addressees) & set(filters.addressees))
    )
