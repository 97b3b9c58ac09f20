"""Filters on provenance and facets — meeting, year, addressee, theme, SDG target, strength, any
facet of the loaded collections — checked and turned into a row mask.

Filters are applied inside the search: each channel ranks only the allowed records, so ``k``
results come from the filtered set when it has them, and nothing outside it is ever padded
in. A :class:`FilterIndex` holds one array per facet, built once per collection, and turns
each distinct filter into a boolean mask over record rows once (then cached). An unknown
value is a ``QueryError`` (a ``ValueError``) listing the valid ones.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from .collection.model import Corpus
from .errors import QueryError, QueryTypeError
from .understand import Understood


@dataclass(frozen=True)
class Filters:
    """Normalised filters; an empty tuple means "no constraint"."""

    meetings: tuple[int, ...] = ()
    years: tuple[int, ...] = ()
    addressees: tuple[str, ...] = ()
    #: other facets: (name, values) pairs, sorted by name; a record passes when it has any value
    facets: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.meetings or self.years or self.addressees or self.facets)

    def to_dict(self) -> dict[str, list]:
        out = {"meeting": list(self.meetings), "year": list(self.years), "addressee": list(self.addressees)}
        out.update({name: list(values) for name, values in self.facets})
        return out


def _ints(value: object, what: str) -> list[int]:
    items = [value] if isinstance(value, int) or isinstance(value, str) else value
    if isinstance(items, range):
        items = list(items)
    if not isinstance(items, Iterable):
        raise QueryTypeError(f"{what} must be an int or a list of ints, got {type(value).__name__}")
    out = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, int):
            # isdecimal, not isdigit: "²".isdigit() is True and int("²") fails
            if isinstance(item, str) and item.strip().isdecimal():
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
    facets: Mapping[str, str | Iterable[str] | None] | None = None,
) -> Filters:
    """Check filter values against the corpus; ``year=(2011, 2015)`` is an inclusive range;
    ``facets`` maps any facet of the corpus to the values asked (``{"theme": "corruption"}``)."""
    valid_meetings = sorted(corpus.meetings)
    meetings: list[int] = []
    if meeting is not None:
        meetings = _ints(meeting, "meeting")
        bad = [m for m in meetings if m not in corpus.meetings]
        if bad:
            raise QueryError(f"unknown meeting {bad[0]}; valid meetings: {valid_meetings}")
    years: list[int] = []
    valid_years = sorted({m.year for m in corpus.meetings.values() if m.year})
    if year is not None:
        if isinstance(year, tuple) and len(year) == 2 and all(isinstance(y, int) for y in year):
            lo, hi = year
            if lo > hi:
                raise QueryError(f"year range ({lo}, {hi}) is empty: the start is after the end")
            years = [y for y in valid_years if lo <= y <= hi]
            if not years:
                raise QueryError(f"no meeting between {lo} and {hi}; the loaded collections have meetings in {valid_years}")
        else:
            years = _ints(year, "year")
            bad = [y for y in years if y not in valid_years]
            if bad:
                raise QueryError(f"no meeting in {bad[0]}; the loaded collections have meetings in {valid_years}")
    addressees = _facet_values(corpus, "addressee", addressee) if addressee is not None else ()
    asked: dict[str, tuple[str, ...]] = {}
    if facets is not None:
        if not isinstance(facets, Mapping):
            raise QueryTypeError(f"facets must be a mapping of facet name to values, got {type(facets).__name__}")
        for name, values in facets.items():
            if values is None:
                continue
            if name == "addressee":
                addressees = tuple(dict.fromkeys((*addressees, *_facet_values(corpus, name, values))))
                continue
            if not isinstance(name, str) or name not in corpus.facet_names:
                raise QueryError(f"unknown facet {name!r}; the loaded collections have {list(corpus.facet_names)}")
            asked[name] = _facet_values(corpus, name, values)
    return Filters(
        tuple(sorted(set(meetings))), tuple(sorted(set(years))), tuple(addressees), tuple(sorted(asked.items()))
    )


def _facet_values(corpus: Corpus, name: str, value: object) -> tuple[str, ...]:
    """The values asked of one facet, checked against the corpus; a value may also be given by
    a declared label (any language) or alias ("victim identification" for
    ``victim_identification``)."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, Iterable):
        raise QueryTypeError(f"{name} must be a str or a list of str, got {type(value).__name__}")
    valid = corpus.facet_values(name)
    spec = corpus.facet_spec(name)
    by_label = {}
    if spec is not None:
        by_label = {name.casefold(): v.value for v in spec.values.values() for name in v.names}
    out = []
    for item in items:
        if not isinstance(item, str):
            raise QueryTypeError(f"{name} values must be str, got {item!r}")
        found = item if item in valid else by_label.get(item.strip().casefold())
        if found is None or found not in valid:
            raise QueryError(f"unknown {name} {item!r}; valid values: {list(valid)}")
        out.append(found)
    return tuple(dict.fromkeys(out))


def with_understood(filters: Filters, understood: Understood | None, explicit: bool, calendar: Mapping[int, int | None]) -> Filters:
    """``filters`` with the meetings and years read from the query (``understood``), unless
    a meeting or year was given explicitly (``explicit``: it wins); ``calendar`` maps each
    meeting to its year."""
    if understood is None or explicit:
        return filters
    meetings, years = understood.meetings or filters.meetings, understood.years or filters.years
    if understood.meetings and understood.years:  # "the first meeting, in 2009": both must agree
        agreed = tuple(m for m in meetings if calendar.get(m) in years)
        meetings, years = agreed or understood.meetings, ()
    facets = dict(filters.facets)
    for name in dict.fromkeys(n for n, _ in understood.facets):
        if name not in facets:  # a facet given explicitly wins
            facets[name] = tuple(v for n, v in understood.facets if n == name)
    return Filters(meetings, years, filters.addressees, tuple(sorted(facets.items())))


#: Allowed records on which each channel's score mean and spread are measured for z-score
#: fusion (:mod:`recsearch.fusion`): all of them up to this many, a fixed random sample beyond.
STATS_SAMPLE = 1024


def stats_sample(allowed: np.ndarray | None, order: np.ndarray, size: int | None = None) -> np.ndarray:
    """The allowed rows on which channel statistics are measured: all of them when there are
    at most ``size`` (default :data:`STATS_SAMPLE`), else the first ``size`` in the fixed random
    ``order`` of all rows."""
    size = STATS_SAMPLE if size is None else size
    if allowed is None:
        return np.sort(order[:size])
    rows = order[allowed[order]] if allowed.sum() > size else np.flatnonzero(allowed)
    return np.sort(rows[:size])



class FilterIndex:
    """Per-record facet arrays of a corpus, and the mask of each distinct filter (cached)."""

    #: Distinct filters kept; a new one past this evicts the cache (masks are cheap to redo).
    CACHE_SIZE = 256

    def __init__(self, corpus: Corpus) -> None:
        records = list(corpus)
        self.meeting = np.fromiter((r.meeting.number if r.meeting else 0 for r in records), dtype=np.int32, count=len(records))
        self.year = np.fromiter((r.year or 0 for r in records), dtype=np.int32, count=len(records))
        #: the meeting that proposed a record a later one adopted (0: none)
        self.proposed = np.fromiter((r.proposed_at.number if r.proposed_at else 0 for r in records), dtype=np.int32, count=len(records))
        #: the meetings that adopted at least one record
        self.adopting = frozenset(np.unique(self.meeting).tolist())
        self._corpus = corpus
        self._facets: dict[str, tuple[dict[str, int], np.ndarray]] = {}
        self._masks: dict[Filters, np.ndarray] = {}
        self._samples: dict[Filters, tuple[np.ndarray, bool]] = {}
        #: a fixed random order of the rows, from which statistics samples are drawn
        self.order = np.random.default_rng(0).permutation(len(records))
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.meeting)

    def facet_matrix(self, name: str) -> tuple[dict[str, int], np.ndarray]:
        """One facet as a (records × values) bool matrix, and each value's column (built once)."""
        cached = self._facets.get(name)
        if cached is None:
            values = self._corpus.facet_values(name)
            index = {v: i for i, v in enumerate(values)}
            matrix = np.zeros((len(self), len(values)), dtype=bool)
            for row, r in enumerate(self._corpus):
                for v in r.facets.get(name, ()):
                    matrix[row, index[v]] = True
            matrix.flags.writeable = False
            cached = (index, matrix)
            with self._lock:
                self._facets[name] = cached
        return cached

    def mask(self, filters: Filters) -> np.ndarray | None:
        """Rows that pass every filter, as a read-only bool array (None: no filter)."""
        if not filters:
            return None
        cached = self._masks.get(filters)
        if cached is not None:
            return cached
        keep = np.ones(len(self), dtype=bool)
        if filters.meetings:  # adopted there, or proposed there and adopted later
            keep &= np.isin(self.meeting, filters.meetings) | np.isin(self.proposed, filters.meetings)
        if filters.years:
            keep &= np.isin(self.year, filters.years)
        for name, values in (("addressee", filters.addressees), *filters.facets):
            if values:
                index, matrix = self.facet_matrix(name)
                keep &= matrix[:, [index[v] for v in values]].any(axis=1)
        keep.flags.writeable = False
        with self._lock:
            if len(self._masks) >= self.CACHE_SIZE:
                self._masks.clear()
            self._masks[filters] = keep
        return keep

    def sample(self, filters: Filters) -> tuple[np.ndarray, bool]:
        """The allowed rows on which each channel's score distribution is measured, and
        whether they are all the allowed rows (cached per filter; see :func:`stats_sample`)."""
        cached = self._samples.get(filters)
        if cached is None:
            mask = self.mask(filters)
            rows = stats_sample(mask, self.order)
            rows.flags.writeable = False
            cached = (rows, len(rows) == (len(self) if mask is None else int(mask.sum())))
            with self._lock:
                if len(self._samples) >= self.CACHE_SIZE:
                    self._samples.clear()
                self._samples[filters] = cached
        return cached


def _ids(records: list) -> str:
    return ", ".join(r.id for r in records)


def filter_notes(corpus: Corpus, index: FilterIndex, filters: Filters, understood: Understood | None) -> list[str]:
    """Plain-English notes on what the filters did: meetings or years named in the query that
    the collections do not have (searched without them), and meetings that adopted nothing
    themselves (what was proposed there and adopted later is what a meeting filter finds)."""
    notes = []
    meetings = corpus.meetings
    if understood is not None:
        held = ", ".join(str(n) for n in sorted(meetings))
        for n in understood.missing_meetings:
            notes.append(f"There is no meeting {n} in the loaded collections (they have meetings {held}); the query was searched without that constraint.")
        years = sorted({m.year for m in meetings.values() if m.year})
        for y in understood.missing_years:
            notes.append(f"No meeting was held in {y} (meetings were held in {', '.join(map(str, years))}); the year was not used as a filter.")
    for n in filters.meetings:
        m = meetings.get(n)
        if m is None or n in index.adopting:
            continue
        records = list(corpus)  # only for a meeting that adopted nothing: rare
        name = f"The {m.label('name', 'en')}" + (f" ({m.label('place', 'en')}, {m.label('dates', 'en')})" if m.start else "")
        proposed = [records[i] for i in np.flatnonzero(index.proposed == n)]
        if proposed:
            later = sorted({r.meeting.number for r in proposed if r.meeting})
            where = " and ".join(f"the {meetings[x].label('name', 'en')}" for x in later)
            one = len(proposed) == 1
            these, those = ("the one proposed there was", "that is") if one else (f"the {len(proposed)} proposed there were", "those are")
            notes.append(
                f"{name} adopted no recommendations itself; {these} adopted at {where} ({_ids(proposed)}): "
                f"{those} what this search returns for it."
            )
        else:
            notes.append(f"{name} adopted no recommendations.")
    return notes
