"""The records the library searches: collections of recommendations, their meetings, and the
corpus of every loaded collection.

A **collection** is one body's or one document's recommendations (``collection.json`` +
``records.jsonl``, see docs/collection-format.md): a symbol, a title, the language of its
authoritative text, its meetings and how to cite it. A **record** is one recommendation: its
authoritative text, translations, provenance (meeting, paragraph, item, lead-in), facets and
free-form ``extra``. The **corpus** holds every record of the loaded collections in order,
looked up by id (plain where unambiguous, ``collection:id`` always).

Nothing here knows one document: every symbol, meeting, language and label comes from the
collection's own data.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from difflib import get_close_matches
from functools import cached_property
from pathlib import Path
from typing import Any

from .._io import sha256_text
from ..errors import CorpusError, OptionalDependencyError, UnknownRecommendationError

__all__ = [
    "Meeting",
    "Translation",
    "Footnote",
    "Profile",
    "Recommendation",
    "Corpus",
    "with_lead_in",
    "language_name",
    "DEFAULT_CITATION",
]

#: English names of the languages a collection or a translation may be in (ISO 639-1).
LANGUAGE_NAMES = {
    "ar": "Arabic", "en": "English", "fr": "French", "es": "Spanish", "ru": "Russian", "zh": "Chinese",
    "de": "German", "pt": "Portuguese", "it": "Italian", "nl": "Dutch", "tr": "Turkish", "fa": "Persian",
    "ur": "Urdu", "hi": "Hindi", "ja": "Japanese", "ko": "Korean", "id": "Indonesian", "sw": "Swahili",
}  # fmt: skip

#: The citation a collection gets when its ``collection.json`` gives none.
DEFAULT_CITATION = "{symbol}{meeting_part}{paragraph_part}{item_part}"

ENGLISH_UNOFFICIAL_NOTE = "Unofficial English rendering; the {language} text is authoritative."
ENGLISH_OFFICIAL_NOTE = "Official English text."


def language_name(code: str) -> str:
    """"Arabic" for "ar"; the code itself for a language the table does not know."""
    return LANGUAGE_NAMES.get(code, code)


def with_lead_in(lead_in: str | None, text: str) -> str:
    """An item read with its lead-in ("States parties should: …"), or the text alone."""
    return f"{lead_in} {text}" if lead_in else text


def _pick(labels: Mapping[str, str], lang: str) -> str:
    """A label in ``lang``, else English, else any."""
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


@dataclass(frozen=True)
class Meeting:
    """One meeting of a collection's body: where and when its recommendations were adopted.
    ``name``, ``place`` and ``dates`` are labels by language (``{"en": "4th meeting", "ar":
    …}``); ``dates`` defaults to the English rendering of ``start``–``end``."""

    number: int
    name: Mapping[str, str]
    place: Mapping[str, str] = field(default_factory=dict)
    start: str | None = None  # ISO date
    end: str | None = None  # ISO date
    dates: Mapping[str, str] = field(default_factory=dict)
    #: what a reader should know of this meeting (e.g. that it adopted nothing itself)
    note: Mapping[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        return int(self.start[:4]) if self.start else None

    def label(self, what: str, lang: str = "en") -> str:
        """The meeting's ``name``, ``place`` or ``dates`` in ``lang`` (English, or any, if absent)."""
        if what == "dates" and not self.dates:
            return _english_dates(self.start, self.end)
        return _pick(getattr(self, what), lang)

    # the forms the library printed before collections, kept for callers
    @property
    def name_en(self) -> str:
        return self.label("name", "en")

    @property
    def place_en(self) -> str:
        return self.label("place", "en")

    @property
    def dates_en(self) -> str:
        return self.label("dates", "en")

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "name": dict(self.name),
            "place": dict(self.place),
            "start": self.start,
            "end": self.end,
            "dates": dict(self.dates),
            "note": dict(self.note),
            "year": self.year,
        }


def _english_dates(start: str | None, end: str | None) -> str:
    if not start:
        return ""
    a = date.fromisoformat(start)
    b = date.fromisoformat(end) if end else a
    if a == b:
        return f"{a.day} {a:%B} {a.year}"
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {a:%B} {a.year}"
    if a.year == b.year:
        return f"{a.day} {a:%B} – {b.day} {b:%B} {a.year}"
    return f"{a.day} {a:%B} {a.year} – {b.day} {b:%B} {b.year}"


@dataclass(frozen=True)
class Translation:
    """A record's text in another language; ``official`` says whether it is the body's own."""

    text: str
    lead_in: str | None = None
    official: bool = False

    @property
    def full_text(self) -> str:
        return with_lead_in(self.lead_in, self.text)


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str


@dataclass(frozen=True)
class Link:
    """A link from one record to another of its collection (``id``), with how it was made."""

    id: str
    note: str | None = None


@dataclass(frozen=True)
class FacetValue:
    """One declared value of a facet: its labels by language, its group and definition."""

    value: str
    label: Mapping[str, str]
    group: str | None = None
    definition: str | None = None
    #: other names people use for it, by language (read from queries, like the labels)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def label_in(self, lang: str = "en") -> str:
        return _pick(self.label, lang) or self.value

    @property
    def names(self) -> tuple[str, ...]:
        """Every name a person may give the value: its labels, then its aliases."""
        return (*self.label.values(), *(a for names in self.aliases.values() for a in names))


@dataclass(frozen=True)
class FacetSpec:
    """A facet ``collection.json`` declares: its label and the meaning of each value."""

    name: str
    label: Mapping[str, str]
    values: Mapping[str, FacetValue]
    #: whether a record's value labels join its keyword documents (one per language)
    searched: bool = False

    def to_format(self) -> dict[str, Any]:
        values = {}
        for v in self.values.values():
            entry: dict[str, Any] = {"label": dict(v.label)}
            if v.group:
                entry["group"] = v.group
            if v.definition:
                entry["definition"] = v.definition
            if v.aliases:
                entry["aliases"] = {k: list(a) for k, a in v.aliases.items()}
            values[v.value] = entry
        out: dict[str, Any] = {"label": dict(self.label), "values": values}
        if self.searched:
            out["searched"] = True
        return out


@dataclass(frozen=True, eq=False)
class Profile:
    """A collection's ``collection.json``: who adopted the recommendations and how to cite them.

    ``name`` is the collection's short key (hits name it; ids can be qualified with it);
    ``citation`` holds a template per language (``""`` for the default one), a format string
    over the fields of :meth:`Recommendation.citation_fields`.
    """

    name: str
    symbol: str
    title: str
    language: str
    body: str | None = None
    meetings: tuple[Meeting, ...] = ()
    citation: Mapping[str, str] = field(default_factory=dict)
    note: str | None = None
    #: the facets collection.json declares (labels and meanings of their values), by name
    facets: Mapping[str, FacetSpec] = field(default_factory=dict)

    @property
    def meetings_by_number(self) -> dict[int, Meeting]:
        return {m.number: m for m in self.meetings}

    @property
    def language_name(self) -> str:
        return language_name(self.language)

    def facet_label(self, name: str, value: str, lang: str = "en") -> str | None:
        """The label in ``lang`` this collection declares for a facet value (None: undeclared)."""
        spec = self.facets.get(name)
        return spec.values[value].label_in(lang) if spec is not None and value in spec.values else None

    def template(self, lang: str) -> str:
        """The citation template for ``lang``: its own, else the default one, else English's."""
        return self.citation.get(lang) or self.citation.get("") or self.citation.get("en") or DEFAULT_CITATION

    def to_format(self) -> dict[str, Any]:
        """This profile as a ``collection.json`` object (docs/collection-format.md)."""
        out: dict[str, Any] = {"name": self.name, "symbol": self.symbol, "title": self.title, "language": self.language}
        if self.body:
            out["body"] = self.body
        if self.meetings:
            out["meetings"] = [_meeting_format(m) for m in self.meetings]
        if self.citation:
            out["citation"] = dict(self.citation)
        if self.note:
            out["note"] = self.note
        if self.facets:
            out["facets"] = {name: f.to_format() for name, f in self.facets.items()}
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "symbol": self.symbol,
            "title": self.title,
            "language": self.language,
            "body": self.body,
            "meetings": [m.to_dict() for m in self.meetings],
            "note": self.note,
        }


def _meeting_format(m: Meeting) -> dict[str, Any]:
    out: dict[str, Any] = {"number": m.number, "name": dict(m.name)}
    for key in ("place", "dates", "note"):
        if getattr(m, key):
            out[key] = dict(getattr(m, key))
    for key in ("start", "end"):
        if getattr(m, key):
            out[key] = getattr(m, key)
    return out


class _Field(str):
    """A citation field with two format specs of its own: ``{paragraph:ar}`` writes its
    digits in Arabic-Indic (``fa``: Persian) and ``{item:paren}`` gives " (g)", or nothing
    when the field is empty."""

    _SCRIPTS = {"ar": str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), "fa": str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")}

    def __format__(self, spec: str) -> str:
        if spec == "paren":
            return f" ({self})" if self else ""
        table = self._SCRIPTS.get(spec)
        return str(self).translate(table) if table else format(str(self), spec)


@dataclass(frozen=True, eq=False)
class Recommendation:
    """One recommendation: its authoritative text and where it stands."""

    id: str
    text: str
    collection: Profile
    lang: str
    meeting: Meeting | None = None
    #: the meeting that proposed it, when a later one (``meeting``) adopted it
    proposed_at: Meeting | None = None
    paragraph: int | str | None = None
    item: str | None = None
    lead_in: str | None = None
    footnotes: tuple[Footnote, ...] = ()
    translations: Mapping[str, Translation] = field(default_factory=dict)
    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: questions people ask that this record answers, by language: searched, never shown as its text
    questions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: links to other records of the collection, by kind ("references", "restates")
    links: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)
    url: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    #: citations already formatted, by language (a record and its collection never change)
    _citations: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def key(self) -> str:
        """The id qualified by the collection: unique across every loaded collection."""
        return f"{self.collection.name}:{self.id}"

    @property
    def full_text(self) -> str:
        """Lead-in and text together: what an item means needs the lead-in's verb and subject."""
        return with_lead_in(self.lead_in, self.text)

    @property
    def year(self) -> int | None:
        return self.meeting.year if self.meeting else None

    # the English translation, under the names the library has always used
    @property
    def chapeau(self) -> str | None:
        return self.lead_in

    @property
    def text_en(self) -> str | None:
        if self.lang == "en":
            return None
        t = self.translations.get("en")
        return t.text if t else None

    @property
    def chapeau_en(self) -> str | None:
        t = self.translations.get("en") if self.lang != "en" else None
        return t.lead_in if t else None

    @property
    def text_en_official(self) -> bool:
        t = self.translations.get("en")
        return bool(t and t.official)

    @property
    def full_text_en(self) -> str | None:
        t = self.translations.get("en") if self.lang != "en" else None
        return t.full_text if t else None

    @property
    def text_en_note(self) -> str:
        """How far the English text can be relied on; shown wherever it is."""
        if self.text_en_official:
            return ENGLISH_OFFICIAL_NOTE
        return ENGLISH_UNOFFICIAL_NOTE.format(language=self.collection.language_name)

    @property
    def addressees(self) -> tuple[str, ...]:
        return self.facets.get("addressee", ())

    @property
    def duplicate_of(self) -> str | None:
        value = self.extra.get("duplicate_of")
        return value if isinstance(value, str) else None

    def searched_labels(self, lang: str) -> tuple[str, ...]:
        """The labels in ``lang`` of this record's values of every facet its collection
        declares ``searched`` (they join the record's keyword document in that language)."""
        out = []
        for name, spec in self.collection.facets.items():
            if spec.searched:
                out += [spec.values[v].label[lang] for v in self.facets.get(name, ()) if v in spec.values and lang in spec.values[v].label]
        return tuple(out)

    def citation_fields(self, lang: str = "en") -> dict[str, Any]:
        """What a citation template can use: ``symbol``, ``title``, ``body``, ``id``,
        ``paragraph``, ``item``, ``meeting`` (number), ``meeting_name``, ``place``, ``dates``,
        ``year``, the ``*_part`` pieces of the default template and ``extra`` (the record's:
        ``{extra[key]}``, empty when absent); ``{paragraph:ar}`` writes digits in Arabic-Indic,
        ``{item:paren}`` gives " (g)" or nothing."""
        m = self.meeting
        meeting_name = m.label("name", lang) if m else ""
        place = m.label("place", lang) if m else ""
        dates = m.label("dates", lang) if m else ""
        where = ", ".join(p for p in (place, dates) if p)
        return {
            "symbol": self.collection.symbol,
            "title": self.collection.title,
            "body": self.collection.body or "",
            "id": self.id,
            "paragraph": _Field("" if self.paragraph is None else self.paragraph),
            "item": _Field(self.item or ""),
            "meeting": _Field("" if m is None else m.number),
            "meeting_name": meeting_name,
            "place": place,
            "dates": dates,
            "year": _Field(m.year if m and m.year else ""),
            "meeting_part": f", {meeting_name}" + (f" ({where})" if where else "") if m else "",
            "paragraph_part": f", para. {self.paragraph}" if self.paragraph is not None else f", {self.id}",
            "item_part": f" ({self.item})" if self.item else "",
            "extra": _Extra(self.extra),
        }

    def citation(self, lang: str = "en") -> str:
        """A citation to paste into a report, from the collection's template for ``lang``."""
        cached = self._citations.get(lang)
        if cached is not None:
            return cached
        template = self.collection.template(lang)
        try:
            text = self._citations[lang] = string.Formatter().vformat(template, (), self.citation_fields(lang))
            return text
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise CorpusError(f"collection {self.collection.name}: citation template {template!r} fails for {self.id}: {exc!r}") from None

    def to_format(self) -> dict[str, Any]:
        """This record as a ``records.jsonl`` object (docs/collection-format.md)."""
        out: dict[str, Any] = {"id": self.id, "text": self.text}
        if self.lang != self.collection.language:
            out["lang"] = self.lang
        if self.translations:
            out["translations"] = {
                k: {"text": t.text, "lead_in": t.lead_in, "official": t.official} for k, t in self.translations.items()
            }
        if self.meeting is not None:
            out["meeting"] = self.meeting.number
        if self.proposed_at is not None:
            out["proposed_at"] = self.proposed_at.number
        for key in ("paragraph", "item", "lead_in", "url"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.footnotes:
            out["footnotes"] = [{"number": f.number, "text": f.text} for f in self.footnotes]
        if self.facets:
            out["facets"] = {k: list(v) for k, v in self.facets.items()}
        if self.questions:
            out["questions"] = {k: list(v) for k, v in self.questions.items()}
        if self.links:
            out["links"] = {k: [_link_format(x) for x in v] for k, v in self.links.items()}
        if self.extra:
            out["extra"] = dict(self.extra)
        return out

    @classmethod
    def from_format(cls, data: Mapping[str, Any], profile: Profile) -> Recommendation:
        """The inverse of :meth:`to_format`, for data already validated and checksummed (an
        index's own copy of its collections): no checks, so never for user files."""
        meeting = data.get("meeting")
        return cls(
            id=data["id"],
            text=data["text"],
            collection=profile,
            lang=data.get("lang") or profile.language,
            meeting=profile.meetings_by_number[meeting] if meeting is not None else None,
            proposed_at=profile.meetings_by_number[data["proposed_at"]] if data.get("proposed_at") is not None else None,
            paragraph=data.get("paragraph"),
            item=data.get("item"),
            lead_in=data.get("lead_in"),
            footnotes=tuple(Footnote(f["number"], f["text"]) for f in data.get("footnotes", ())),
            translations={k: Translation(t["text"], t.get("lead_in"), bool(t.get("official"))) for k, t in data.get("translations", {}).items()},
            facets={k: tuple(v) for k, v in data.get("facets", {}).items()},
            questions={k: tuple(v) for k, v in data.get("questions", {}).items()},
            links={k: tuple(Link(x["id"], x.get("note")) for x in v) for k, v in data.get("links", {}).items()},
            url=data.get("url"),
            extra=data.get("extra", {}),
        )

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable view of the record, with its citations."""
        return {
            "id": self.id,
            "collection": self.collection.name,
            "text": self.text,
            "lang": self.lang,
            "lead_in": self.lead_in,
            "meeting": self.meeting.to_dict() if self.meeting else None,
            "proposed_at": self.proposed_at.number if self.proposed_at else None,
            "paragraph": self.paragraph,
            "item": self.item,
            "footnotes": [{"number": f.number, "text": f.text} for f in self.footnotes],
            "translations": {k: {"text": t.text, "lead_in": t.lead_in, "official": t.official} for k, t in self.translations.items()},
            "facets": {k: list(v) for k, v in self.facets.items()},
            "questions": {k: list(v) for k, v in self.questions.items()},
            "links": {k: [_link_format(x) for x in v] for k, v in self.links.items()},
            "url": self.url,
            "extra": dict(self.extra),
            "citation": self.citation("en"),
            "citation_ar": self.citation("ar"),
            "text_en_note": self.text_en_note if self.text_en else None,
        }


def _link_format(link: Link) -> dict[str, str]:
    return {"id": link.id, "note": link.note} if link.note else {"id": link.id}


def _searched_part(r: Recommendation) -> str:
    # what else an index searches of a record: its questions and its searched facets' labels;
    # empty without them, so a corpus without them keeps the checksum it always had
    asked = "".join(f"\t{lang}?{q}" for lang in sorted(r.questions) for q in r.questions[lang])
    searched = [n for n, spec in sorted(r.collection.facets.items()) if spec.searched]
    labels = "".join(
        f"\t{n}={r.collection.facets[n].values[v].label}" for n in searched for v in r.facets.get(n, ()) if v in r.collection.facets[n].values
    )
    return asked + labels


class _Extra(dict):
    """``{extra[item_ar]}`` in a template; a missing key formats as an empty string."""

    def __getitem__(self, key: str) -> Any:
        value = super().get(key)
        return _Field("" if value is None else value) if isinstance(value, (str, int, type(None))) else value

    def __missing__(self, key: str) -> str:
        return _Field("")


class Corpus:
    """Every record of the loaded collections, in order, looked up by id."""

    def __init__(self, records: Iterable[Recommendation], collections: Iterable[Profile] = ()) -> None:
        self._records = list(records)
        names = {p.name: p for p in collections}
        for r in self._records:
            names.setdefault(r.collection.name, r.collection)
        self.collections: dict[str, Profile] = names
        self._by_key = {r.key: r for r in self._records}
        if len(self._by_key) != len(self._records):
            raise CorpusError("two records of one collection share an id")
        self._by_id: dict[str, list[Recommendation]] = {}
        for r in self._records:
            self._by_id.setdefault(r.id, []).append(r)
        self._facet_values: dict[str, tuple[str, ...]] = {}

    @cached_property
    def sha256(self) -> str:
        """sha256 over every record's key, text, translation languages and questions: what an
        index records to know its corpus (computed once, on first use)."""
        return sha256_text(
            "\n".join(f"{r.key}\t{r.full_text}\t{sorted(r.translations)}{_searched_part(r)}" for r in self._records)
        )

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self._records)

    def __contains__(self, rec_id: object) -> bool:
        return isinstance(rec_id, str) and (rec_id in self._by_key or len(self._by_id.get(rec_id, ())) == 1)

    def __getitem__(self, rec_id: str) -> Recommendation:
        """A record by its id (when one collection has it) or ``collection:id``; ids are
        matched case-insensitively when the exact id is unknown."""
        if not isinstance(rec_id, str):
            raise UnknownRecommendationError(f"a recommendation id is a str, got {type(rec_id).__name__}")
        hit = self._by_key.get(rec_id)
        if hit is not None:
            return hit
        found = self._by_id.get(rec_id) or self._by_id.get(self._folded.get(rec_id.casefold(), ""), [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise UnknownRecommendationError(
                f"{rec_id!r} is in several collections: use one of {[r.key for r in found]}"
            )
        close = get_close_matches(rec_id, list(self._by_id), n=3) or get_close_matches(rec_id.casefold(), list(self._folded), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UnknownRecommendationError(f"no recommendation with id {rec_id!r}{hint}")

    @cached_property
    def _folded(self) -> dict[str, str]:
        """Ids by their case-folded form, for lookups in any case."""
        return {rid.casefold(): rid for rid in self._by_id}

    def get(self, rec_id: str, default: Recommendation | None = None) -> Recommendation | None:
        try:
            return self[rec_id]
        except UnknownRecommendationError:
            return default

    @property
    def ids(self) -> list[str]:
        """Record ids in order (qualified ``collection:id`` when several collections are loaded)."""
        if len(self.collections) > 1:
            return [r.key for r in self._records]
        return [r.id for r in self._records]

    @property
    def meetings(self) -> dict[int, Meeting]:
        """Every meeting of the loaded collections, by number (the first collection's wins)."""
        out: dict[int, Meeting] = {}
        for p in self.collections.values():
            for m in p.meetings:
                out.setdefault(m.number, m)
        return out

    @cached_property
    def languages(self) -> tuple[str, ...]:
        """The authoritative languages, then the translations' languages, in first-seen order
        (computed once)."""
        seen: dict[str, None] = {}
        for r in self._records:
            seen.setdefault(r.lang, None)
        for r in self._records:
            for lang in r.translations:
                seen.setdefault(lang, None)
        return tuple(seen)

    def facet_values(self, name: str) -> tuple[str, ...]:
        """Every value of one facet in the corpus, in first-seen order (computed once)."""
        values = self._facet_values.get(name)
        if values is None:
            seen: dict[str, None] = {}
            for r in self._records:
                for v in r.facets.get(name, ()):
                    seen.setdefault(v, None)
            values = self._facet_values[name] = tuple(seen)
        return values

    @cached_property
    def facet_names(self) -> tuple[str, ...]:
        """The facets any record has, in first-seen order."""
        return tuple(dict.fromkeys(name for r in self._records for name in r.facets))

    def facet_label(self, name: str, value: str, lang: str = "en") -> str:
        """A facet value's label in ``lang``, as a collection declares it (else the value)."""
        labels = (p.facet_label(name, value, lang) for p in self.collections.values())
        return next((label for label in labels if label is not None), value)

    def facet_spec(self, name: str) -> FacetSpec | None:
        """The first loaded collection's declaration of a facet (None: undeclared)."""
        return next((p.facets[name] for p in self.collections.values() if name in p.facets), None)

    @cached_property
    def _reverse_links(self) -> dict[str, dict[str, tuple[str, ...]]]:
        out: dict[str, dict[str, list[str]]] = {}
        reverse = {"references": "cited_by", "restates": "restated_by"}
        for r in self._records:
            for kind, links in r.links.items():
                for link in links:
                    key = f"{r.collection.name}:{link.id}"
                    out.setdefault(key, {}).setdefault(reverse.get(kind, f"{kind}_by"), []).append(r.id)
        return {key: {k: tuple(v) for k, v in kinds.items()} for key, kinds in out.items()}

    def links_of(self, rec: Recommendation) -> dict[str, tuple[str, ...]]:
        """A record's links both ways, as ids of its collection: ``references`` (what its text
        points to), ``cited_by`` (the reverse), ``restates`` (earlier records it repeats) and
        ``restated_by`` (later records that repeat it); empty kinds included."""
        out = {kind: tuple(x.id for x in rec.links.get(kind, ())) for kind in ("references", "restates")}
        back = self._reverse_links.get(rec.key, {})
        out["cited_by"] = back.get("cited_by", ())
        out["restated_by"] = back.get("restated_by", ())
        return {k: out[k] for k in ("references", "cited_by", "restates", "restated_by")}

    def with_english(self, source: str | Path | Mapping[str, str], *, official: bool = True) -> Corpus:
        """A copy whose English texts are replaced by id (e.g. by an official UN text): a
        mapping id → text, or a JSONL file of ``{"id", "text_en", "chapeau_en"}`` objects.
        Rebuild the index with ``Searcher.build(corpus=...)`` to search the new text."""
        from .english import read_english

        rows = read_english(source)
        unknown = sorted(r for r in rows if r not in self)
        if unknown:
            raise UnknownRecommendationError(f"English text for unknown ids: {unknown[:5]}")
        replaced = {self[rid].key: row for rid, row in rows.items()}
        records = []
        for r in self._records:
            row = replaced.get(r.key)
            if row is not None:
                translations = {**r.translations, "en": Translation(row[0], row[1], official)}
                r = replace(r, translations=translations)
            records.append(r)
        return Corpus(records, self.collections.values())

    def to_frame(self):  # -> pandas.DataFrame
        """One row per recommendation (needs pandas: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise OptionalDependencyError("Corpus.to_frame() needs pandas: pip install pandas") from exc
        rows = [
            {
                "id": r.id if len(self.collections) == 1 else r.key,
                "collection": r.collection.name,
                "meeting": r.meeting.number if r.meeting else None,
                "year": r.year,
                "paragraph": r.paragraph,
                "item": r.item,
                "text": r.text,
                "lead_in": r.lead_in,
                "text_en": r.text_en,
                **{f"facet_{k}": list(v) for k, v in r.facets.items()},
                "citation": r.citation("en"),
            }
            for r in self._records
        ]
        return pd.DataFrame(rows).set_index("id")
