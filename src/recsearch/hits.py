"""Search results: one frozen ``Hit`` per answer, carrying its provenance and citation.

A hit is self-contained — text, lead-in, meeting, paragraph, item and a citation string —
so it can be pasted into a report or serialised into an LLM's context without going back to
the corpus.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .collection.model import Recommendation, language_name, with_lead_in
from .errors import OptionalDependencyError
from .explain import Explanation
from .filters import Filters
from .understand import Understood


@dataclass(frozen=True)
class MeetingRef:
    """Where and when a recommendation was adopted (English labels; ``name`` and ``place``
    in the collection's other languages are on the record)."""

    number: int
    place: str
    start: str | None  # ISO date
    end: str | None  # ISO date
    year: int | None
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": self.name,
            "place": self.place,
            "start": self.start,
            "end": self.end,
            "year": self.year,
        }


@dataclass(frozen=True)
class Hit:
    """One ranked recommendation.

    ``score`` is the fused score of the mode that produced the ranking (higher is better;
    comparable within one result list only). ``relevance`` is comparable across queries: the
    estimated probability, in [0, 1], that this hit answers the query (see
    :mod:`recsearch.relevance`; never above the relevance of a hit ranked higher; None when
    the index has no fitted relevance model, and for "more like this"). ``channels`` keeps each channel's own score and
    rank for the curious. ``duplicates`` lists identical recommendations this hit stands for.
    ``collection`` names the collection, ``symbol`` its document, ``lang`` the language of
    the authoritative ``text``.
    """

    id: str
    rank: int
    score: float
    text: str
    chapeau: str | None
    meeting: MeetingRef | None
    paragraph: int | str | None
    item: str | None
    citation: str
    citation_en: str
    citation_ar: str
    text_en: str | None = None
    chapeau_en: str | None = None
    text_en_note: str | None = None
    text_en_official: bool = False
    addressees: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    collection: str = ""
    symbol: str = ""
    lang: str = ""
    url: str | None = None
    relevance: float | None = None
    #: the number of the meeting that proposed it, when a later one adopted it
    proposed_at: int | None = None
    #: every facet of the record (``addressee``, ``theme``, ``sdg``, ``strength``, …)
    facets: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False, hash=False)
    #: the theme labels in English, aligned with :attr:`themes`
    theme_labels: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    cited_by: tuple[str, ...] = ()
    restates: tuple[str, ...] = ()
    restated_by: tuple[str, ...] = ()
    #: why it matched: the query's words found in its texts, the best variant, channel ranks
    explanation: Explanation | None = field(default=None, compare=False, hash=False)
    channels: dict[str, dict[str, float]] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def from_record(
        cls,
        rec: Recommendation,
        *,
        rank: int,
        score: float,
        duplicates: tuple[str, ...] = (),
        channels: dict[str, dict[str, float]] | None = None,
        lang: str = "en",
        relevance: float | None = None,
        links: dict[str, tuple[str, ...]] | None = None,
        explanation: Explanation | None = None,
    ) -> Hit:
        """A hit for ``rec``; ``citation`` is in ``lang`` ("en" or "ar"), both are kept."""
        m = rec.meeting
        meeting = MeetingRef(m.number, m.label("place", "en"), m.start, m.end, m.year, m.label("name", "en")) if m else None
        return cls(
            id=rec.id,
            rank=rank,
            score=float(score),
            text=rec.text,
            chapeau=rec.chapeau,
            meeting=meeting,
            paragraph=rec.paragraph,
            item=rec.item,
            citation=rec.citation(lang),
            citation_en=rec.citation("en"),
            citation_ar=rec.citation("ar"),
            text_en=rec.text_en,
            chapeau_en=rec.chapeau_en,
            text_en_note=rec.text_en_note if rec.text_en else None,
            text_en_official=rec.text_en_official,
            addressees=rec.addressees,
            duplicates=duplicates,
            collection=rec.collection.name,
            symbol=rec.collection.symbol,
            lang=rec.lang,
            url=rec.url,
            relevance=None if relevance is None else float(relevance),
            proposed_at=rec.proposed_at.number if rec.proposed_at else None,
            facets={k: tuple(v) for k, v in rec.facets.items()},
            theme_labels=tuple(rec.collection.facet_label("theme", v) or v for v in rec.facets.get("theme", ())),
            references=(links or {}).get("references", ()),
            cited_by=(links or {}).get("cited_by", ()),
            restates=(links or {}).get("restates", ()),
            restated_by=(links or {}).get("restated_by", ()),
            explanation=explanation,
            channels=dict(channels or {}),
        )

    @property
    def themes(self) -> tuple[str, ...]:
        return self.facets.get("theme", ())

    @property
    def sdg_targets(self) -> tuple[str, ...]:
        return self.facets.get("sdg", ())

    @property
    def strength(self) -> str | None:
        values = self.facets.get("strength", ())
        return values[0] if values else None

    @property
    def full_text(self) -> str:
        """Lead-in and text together, as :attr:`Recommendation.full_text`."""
        return with_lead_in(self.chapeau, self.text)

    @property
    def full_text_en(self) -> str | None:
        """The English lead-in and text together (None without an English text)."""
        return with_lead_in(self.chapeau_en, self.text_en) if self.text_en else None

    @property
    def language_name(self) -> str:
        """The authoritative text's language, in English ("Arabic")."""
        return language_name(self.lang)

    @property
    def ids(self) -> tuple[str, ...]:
        """This hit's id and the ids of the identical recommendations it stands for."""
        return (self.id, *self.duplicates)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict (plain types only)."""
        return {
            "id": self.id,
            "rank": self.rank,
            "score": round(self.score, 6),
            "relevance": None if self.relevance is None else round(self.relevance, 4),
            "text": self.text,
            "chapeau": self.chapeau,
            "collection": self.collection,
            "symbol": self.symbol,
            "lang": self.lang,
            "url": self.url,
            "meeting": self.meeting.to_dict() if self.meeting else None,
            "proposed_at": self.proposed_at,
            "paragraph": self.paragraph,
            "item": self.item,
            "citation": self.citation,
            "citation_en": self.citation_en,
            "citation_ar": self.citation_ar,
            "text_en": self.text_en,
            "chapeau_en": self.chapeau_en,
            "text_en_note": self.text_en_note,
            "text_en_official": self.text_en_official,
            "addressees": list(self.addressees),
            "themes": list(self.themes),
            "theme_labels": list(self.theme_labels),
            "sdg_targets": list(self.sdg_targets),
            "strength": self.strength,
            "facets": {k: list(v) for k, v in self.facets.items()},
            "references": list(self.references),
            "cited_by": list(self.cited_by),
            "restates": list(self.restates),
            "restated_by": list(self.restated_by),
            "duplicates": list(self.duplicates),
            "explanation": self.explanation.to_dict() if self.explanation else None,
            "channels": {k: dict(v) for k, v in self.channels.items()},
        }


class Results(list):
    """A ``list[Hit]`` that also tells what was understood of the query: its language,
    the meetings or years read from it (``understood``), the filters applied, and whether
    any hit answers the query well (``no_good_match``: True when no hit reaches the relevance
    at which the library believes it has an answer, ``answer_at``; None when the index has no
    relevance model)."""

    understood: Understood | None = None  # None when the query was taken literally
    filters: Filters = Filters()
    language: str | None = None
    no_good_match: bool | None = None
    answer_at: float | None = None
    #: what a reader should know about how the query was read and filtered, in plain English
    notes: tuple[str, ...] = ()
    #: when filters read from the query left only weak answers: the search without them
    unfiltered: "Results | None" = None

    def to_dicts(self) -> list[dict[str, Any]]:
        return [hit.to_dict() for hit in self]

    def to_dict(self, query: str, hit: Callable[[Hit], dict[str, Any]] = Hit.to_dict) -> dict[str, Any]:
        """The whole answer to ``query`` as plain JSON types: how it was read and filtered,
        whether anything answers it well, the notes, and the hits as ``hit`` renders them."""
        return {
            "query": query,
            "understood": self.understood.to_dict() if self.understood else None,
            "filters": self.filters.to_dict(),
            "no_good_match": self.no_good_match,
            "notes": list(self.notes),
            "results": [hit(h) for h in self],
            "unfiltered_results": [hit(h) for h in self.unfiltered] if self.unfiltered else None,
        }


def hits_to_frame(hits: Iterable[Hit]):  # -> pandas.DataFrame
    """One row per hit, indexed by id, with its provenance and citations (needs pandas)."""
    try:
        import pandas as pd
    except ImportError as exc:
        raise OptionalDependencyError("hits_to_frame() needs pandas: pip install pandas") from exc
    rows = []
    for hit in hits:
        d = hit.to_dict()
        meeting = d.pop("meeting") or {}
        d.pop("channels")
        rows.append({"meeting": meeting.get("number"), "year": meeting.get("year"), "place": meeting.get("place"), **d})
    columns = ["id", "rank", "score", "meeting", "year", "place", "paragraph", "item", "citation", "text", "text_en"]
    frame = pd.DataFrame(rows, columns=list(dict.fromkeys(columns + [c for r in rows for c in r])))
    return frame.set_index("id")
