"""The collection format: what ``collection.json`` and each line of ``records.jsonl`` may hold,
checked by pydantic models and turned into the objects of :mod:`.model`.

Every problem names the file, the line (for JSONL and CSV) and the field, e.g.
``records.jsonl line 5: unknown field 'meetings' (did you mean 'meeting'?)``. All problems of a
file are collected (up to :data:`MAX_PROBLEMS`) and raised together as one
:class:`CollectionFormatError`, whose message lists them one per line and whose ``problems``
attribute keeps them as a list. docs/collection-format.md is the reference of the format.

This is the only module of recsearch that imports pydantic.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from difflib import get_close_matches
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from ..errors import CorpusError
from .model import FacetSpec, FacetValue, Footnote, Link, Meeting, Profile, Recommendation, Translation

__all__ = [
    "CollectionFormatError",
    "MAX_PROBLEMS",
    "parse_profile",
    "parse_records",
    "load_json_text",
    "slug",
    "PROFILE_FIELDS",
    "RECORD_FIELDS",
    "CITATION_FIELDS",
]

#: Most problems one error lists; the rest are counted ("… and 12 more problems").
MAX_PROBLEMS = 50

_LANG = re.compile(r"[a-z]{2}")
_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")
_FACET = re.compile(r"[a-z][a-z0-9_]{0,39}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_URL = re.compile(r"https?://\S+")
_LABEL_FIELDS = ("name", "place", "dates", "note")


class CollectionFormatError(CorpusError, ValueError):
    """A collection file breaks the format; ``problems`` lists every problem found (one per
    line of the message), each naming the file, the line and the field."""

    def __init__(self, problems: Sequence[str] | str, more: int = 0) -> None:
        if isinstance(problems, str):
            problems = problems.splitlines() or [problems]
        self.problems: list[str] = list(problems)
        self.more = more
        lines = list(self.problems)
        if more:
            lines.append(f"… and {more} more problem{'s' if more > 1 else ''}")
        super().__init__("\n".join(lines))

    def __reduce__(self):  # pickles with its problems, not its message
        return (type(self), (self.problems, self.more))


class _Problems:
    """Problems of one file, capped at :data:`MAX_PROBLEMS`."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, message: str) -> None:
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(message)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise CollectionFormatError(self.items, self.more)


# --------------------------------------------------------------------------- values


def _show(value: Any) -> str:
    """A value as JSON, shortened: what a message shows of the input."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "…"


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("recsearch", "{message}", {"message": message})


def _lang_code(value: str) -> str:
    if not _LANG.fullmatch(value):
        raise _fail(f'expected an ISO 639-1 code like "en", got {_show(value)}')
    return value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise _fail("must not be empty")
    return value


def _record_id(value: str) -> str:
    if not value.strip():
        raise _fail("must not be empty")
    if value != value.strip():
        raise _fail(f"must not start or end with whitespace, got {_show(value)}")
    if ":" in value:
        raise _fail(f"must not contain ':' (it separates a collection from an id), got {_show(value)}")
    return value


def _collection_name(value: str) -> str:
    if not _NAME.fullmatch(value):
        raise _fail(
            "expected a short key of 1-40 lower-case letters, digits, '_' or '-' starting with a letter "
            f"or digit, got {_show(value)}"
        )
    return value


def _facet_name(value: str) -> str:
    if not _FACET.fullmatch(value):
        raise _fail(
            f"facet name {_show(value)} must be 1-40 lower-case letters, digits or '_', starting with a letter"
        )
    return value


def _iso_date(value: str) -> str:
    try:
        if not _ISO_DATE.fullmatch(value):
            raise ValueError
        date.fromisoformat(value)
    except ValueError:
        raise _fail(f'expected an ISO date like "2019-07-08", got {_show(value)}') from None
    return value


def _url(value: str) -> str:
    if not _URL.fullmatch(value):
        raise _fail(f"expected a URL starting with http:// or https://, got {_show(value)}")
    return value


def _paragraph(value: Any) -> int | str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise _fail(f"expected an integer or a non-empty string, got {_show(value)}")
    if isinstance(value, int) and value < 1:
        raise _fail(f"must be at least 1, got {value}")
    if isinstance(value, str) and not value.strip():
        raise _fail("must not be empty")
    return value


def _citation_key(value: str) -> str:
    if value not in ("", "default") and not _LANG.fullmatch(value):
        raise _fail(f'key {_show(value)} is not "default" or an ISO 639-1 code like "en"')
    return value


def _label_key(value: str) -> str:
    if not _LANG.fullmatch(value):
        raise _fail(f'key {_show(value)} is not an ISO 639-1 code like "en"')
    return value


def _translation_key(value: str) -> str:
    if not _LANG.fullmatch(value):
        raise _fail(f'language {_show(value)} is not an ISO 639-1 code like "en"')
    return value


# --------------------------------------------------------------------------- citation templates


@lru_cache(maxsize=1)
def _dummy_records() -> tuple[Recommendation, ...]:
    """Two made-up records a template must format on: one with every provenance field, one bare."""
    meeting = Meeting(1, {"en": "1st meeting"}, {"en": "Nowhere"}, "2000-01-01", "2000-01-02")
    profile = Profile(name="dummy", symbol="DUMMY/1", title="Dummy", language="en", body="Dummy body", meetings=(meeting,))
    full = Recommendation("1", "Text.", profile, "en", meeting=meeting, paragraph=1, item="a", extra={"x": "y"})
    bare = Recommendation("2", "Text.", profile, "en")
    return full, bare


#: The fields a citation template can use (keys of :meth:`Recommendation.citation_fields`).
CITATION_FIELDS: tuple[str, ...] = tuple(_dummy_records()[0].citation_fields("en"))


def check_template(template: str) -> str | None:
    """Why ``template`` is not a usable citation template, or None if it is."""
    formatter = string.Formatter()
    try:
        parts = list(formatter.parse(template))
    except ValueError as exc:
        return f"not a valid template: {exc}"
    for _literal, field_name, _spec, _conversion in parts:
        if field_name is None:
            continue
        root = re.match(r"[^.\[]*", field_name).group()  # type: ignore[union-attr]
        if root == "" or root.isdigit():
            return f"positional field {{{field_name}}} in the template; name a field: {', '.join(CITATION_FIELDS)}"
        if root not in CITATION_FIELDS:
            return _unknown_template_field(root)
    for record in _dummy_records():
        for lang in ("en", "ar"):
            # what ``extra`` holds is each record's own: checked on every record when records are read
            fields = {**record.citation_fields(lang), "extra": _AnyValue()}
            try:
                formatter.vformat(template, (), fields)
            except KeyError as exc:
                return _unknown_template_field(str(exc.args[0]) if exc.args else "?")
            except (IndexError, ValueError, AttributeError, TypeError) as exc:
                return f"template does not format: {exc}"
    return None


class _AnyValue(str):
    """Stands for a record's ``extra`` in the template check: any key, index, attribute and
    format spec."""

    def __getitem__(self, key: Any) -> _AnyValue:  # type: ignore[override]
        return _AnyValue()

    def __getattr__(self, name: str) -> _AnyValue:
        return _AnyValue()

    def __format__(self, spec: str) -> str:
        return ""


def _unknown_template_field(name: str) -> str:
    return f"unknown template field '{name}'{_did_you_mean(name, CITATION_FIELDS)}; fields: {', '.join(CITATION_FIELDS)}"


def _template(value: str) -> str:
    _non_blank(value)
    problem = check_template(value)
    if problem:
        raise _fail(problem)
    return value


def _did_you_mean(name: str, choices: Iterable[str]) -> str:
    close = get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


# --------------------------------------------------------------------------- models

LangCode = Annotated[str, AfterValidator(_lang_code)]
Text = Annotated[str, AfterValidator(_non_blank)]
Labels = Annotated[dict[Annotated[str, AfterValidator(_label_key)], Text], Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class MeetingIn(_Model):
    """One entry of ``meetings`` in ``collection.json``."""

    number: Annotated[int, Field(ge=1)]
    name: Labels
    place: Labels | None = None
    start: Annotated[str, AfterValidator(_iso_date)] | None = None
    end: Annotated[str, AfterValidator(_iso_date)] | None = None
    dates: Labels | None = None
    note: Labels | None = None

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, end: str | None, info: ValidationInfo) -> str | None:
        if end is None:
            return end
        if "start" not in info.data:  # start failed its own check
            return end
        start = info.data["start"]
        if start is None:
            raise _fail("given without 'start'")
        if end < start:
            raise _fail(f"{_show(end)} is before start {_show(start)}")
        return end


class FacetValueIn(_Model):
    """One value of a declared facet in ``collection.json``."""

    label: Labels
    group: Text | None = None
    definition: Text | None = None
    aliases: dict[LangCode, Annotated[list[Text], Field(min_length=1)]] = {}


class FacetIn(_Model):
    """One entry of ``facets`` in ``collection.json``: what a facet's values mean."""

    label: Labels
    values: Annotated[dict[Text, FacetValueIn], Field(min_length=1)]
    searched: bool = False


class ProfileIn(_Model):
    """``collection.json``."""

    symbol: Text
    title: Text
    language: LangCode
    name: Annotated[str, AfterValidator(_collection_name)] | None = None
    body: Text | None = None
    meetings: list[MeetingIn] = []
    citation: dict[Annotated[str, AfterValidator(_citation_key)], Annotated[str, AfterValidator(_template)]] = {}
    note: Text | None = None
    facets: dict[Annotated[str, AfterValidator(_facet_name)], FacetIn] = {}

    @model_validator(mode="before")
    @classmethod
    def _labels_in_collection_language(cls, data: Any) -> Any:
        """A meeting's or a facet's label given as a plain string is the label in the
        collection's language."""
        if not isinstance(data, dict):
            return data
        lang = data.get("language")
        lang = lang if isinstance(lang, str) and _LANG.fullmatch(lang) else "en"  # a bad language is reported anyway

        def labelled(obj: Any, fields: tuple[str, ...]) -> Any:
            if not isinstance(obj, dict):
                return obj
            return {k: ({lang: v} if k in fields and isinstance(v, str) else v) for k, v in obj.items()}

        out = dict(data)
        if isinstance(data.get("meetings"), list):
            out["meetings"] = [labelled(m, _LABEL_FIELDS) for m in data["meetings"]]
        if isinstance(data.get("facets"), dict):
            facets = {}
            for name, facet in data["facets"].items():
                facet = labelled(facet, ("label",))
                if isinstance(facet, dict) and isinstance(facet.get("values"), dict):
                    facet = {**facet, "values": {v: labelled(d, ("label",)) for v, d in facet["values"].items()}}
                facets[name] = facet
            out["facets"] = facets
        return out

    @field_validator("meetings")
    @classmethod
    def _unique_numbers(cls, meetings: list[MeetingIn]) -> list[MeetingIn]:
        seen: dict[int, int] = {}
        for i, m in enumerate(meetings):
            if m.number in seen:
                raise _fail(f"number {m.number} is used twice (meetings[{seen[m.number]}] and meetings[{i}])")
            seen[m.number] = i
        return meetings

    @field_validator("citation", mode="before")
    @classmethod
    def _default_template(cls, value: Any) -> Any:
        return {"": value} if isinstance(value, str) else value

    @field_validator("citation")
    @classmethod
    def _one_default(cls, value: dict[str, str]) -> dict[str, str]:
        if "" in value and "default" in value:
            raise _fail('the default template is given twice, as "" and as "default"; keep one')
        return {("" if k == "default" else k): v for k, v in value.items()}


class TranslationIn(_Model):
    """One value of ``translations`` in a record, in its object form."""

    text: Text
    lead_in: Text | None = None
    official: bool = False


class FootnoteIn(_Model):
    """One entry of ``footnotes`` in a record, in its object form."""

    number: Annotated[int, Field(ge=1)]
    text: Text


class LinkIn(_Model):
    """One entry of a record's ``links``: another record of the collection, and how the link
    was established."""

    id: Annotated[str, AfterValidator(_record_id)]
    note: Text | None = None


LINK_KINDS = ("references", "restates")


class RecordIn(_Model):
    """One line of ``records.jsonl``."""

    id: Annotated[str, AfterValidator(_record_id)]
    text: Text
    lang: LangCode | None = None
    meeting: int | None = None
    proposed_at: int | None = None
    paragraph: Annotated[Any, AfterValidator(_paragraph)] = None
    item: Text | None = None
    lead_in: Text | None = None
    translations: dict[Annotated[str, AfterValidator(_translation_key)], TranslationIn] = {}  # after lang: checked against it
    footnotes: list[FootnoteIn] = []
    facets: dict[
        Annotated[str, AfterValidator(_facet_name)], Annotated[list[Text], Field(min_length=1)]
    ] = {}
    questions: dict[LangCode, Annotated[list[Text], Field(min_length=1)]] = {}
    links: dict[Literal["references", "restates"], list[LinkIn]] = {}
    url: Annotated[str, AfterValidator(_url)] | None = None
    extra: dict[str, Any] = {}

    @field_validator("paragraph", mode="wrap")
    @classmethod
    def _paragraph_null(cls, value: Any, handler: Any) -> Any:
        return None if value is None else handler(value)

    @field_validator("translations", mode="before")
    @classmethod
    def _plain_translations(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"text": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @field_validator("translations")
    @classmethod
    def _not_own_language(cls, value: dict[str, TranslationIn], info: ValidationInfo) -> dict[str, TranslationIn]:
        if "lang" not in info.data:  # lang failed its own check
            return value
        own = info.data["lang"] or (info.context or {}).get("language")
        if own in value:
            raise _fail(f"'{own}' is the record's own language; its text goes in 'text'")
        return value

    @field_validator("meeting", "proposed_at")
    @classmethod
    def _known_meeting(cls, value: int | None, info: ValidationInfo) -> int | None:
        meetings = (info.context or {}).get("meetings")
        if value is None or meetings is None:
            return value
        if value not in meetings:
            listed = ", ".join(str(n) for n in sorted(meetings)) if meetings else "no meetings"
            raise _fail(f"{value} is not a meeting of the collection (collection.json lists {listed})")
        return value

    @field_validator("footnotes", mode="before")
    @classmethod
    def _plain_footnotes(cls, value: Any) -> Any:
        if not isinstance(value, list) or not value:
            return value
        strings = [isinstance(v, str) for v in value]
        if all(strings):
            return [{"number": i, "text": v} for i, v in enumerate(value, 1)]
        if any(strings):
            raise _fail('give every footnote as a string, or every one as an object {"number", "text"}, not both')
        return value

    @field_validator("footnotes")
    @classmethod
    def _unique_footnotes(cls, value: list[FootnoteIn]) -> list[FootnoteIn]:
        seen: set[int] = set()
        for f in value:
            if f.number in seen:
                raise _fail(f"footnote number {f.number} is used twice")
            seen.add(f.number)
        return value

    @field_validator("facets", mode="before")
    @classmethod
    def _plain_facets(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ([v] if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @field_validator("facets")
    @classmethod
    def _unique_facet_values(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        for name, values in value.items():
            seen: set[str] = set()
            for v in values:
                if v in seen:
                    raise _fail(f"facet '{name}' lists {_show(v)} twice")
                seen.add(v)
        return value


#: The keys each file (and each nested object) may hold, in the order the reference lists them.
PROFILE_FIELDS: tuple[str, ...] = tuple(ProfileIn.model_fields)
RECORD_FIELDS: tuple[str, ...] = tuple(RecordIn.model_fields)

#: For an unknown key: the model whose keys it should have been, by the path of its parent.
_NESTED: dict[type[BaseModel], dict[str, type[BaseModel]]] = {
    ProfileIn: {"meetings": MeetingIn, "facets": FacetIn},
    RecordIn: {"translations": TranslationIn, "footnotes": FootnoteIn, "links": LinkIn},
}

_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "bool_type": "true or false",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "a list",
}

_TRANSLATION_SHAPE = 'a string or an object {"text", "lead_in", "official"}'
_FOOTNOTE_SHAPE = 'a string or an object {"number", "text"}'


def _expected(root: type[BaseModel], loc: tuple[Any, ...], error_type: str) -> str:
    """What a field should have been, in the words of the reference."""
    named = [p for p in loc if isinstance(p, str)]
    if root is ProfileIn:
        if loc[:1] == ("meetings",) and len(loc) == 3 and loc[2] in _LABEL_FIELDS:
            return "a string or an object {language: text}"
        if loc == ("citation",):
            return "a string or an object {language: template}"
    if root is RecordIn:
        if loc[:1] == ("translations",) and len(loc) == 2:
            return _TRANSLATION_SHAPE
        if loc == ("translations",):
            return f"an object {{language: {_TRANSLATION_SHAPE}}}"
        if loc[:1] == ("footnotes",) and len(loc) == 2:
            return _FOOTNOTE_SHAPE
        if loc == ("footnotes",):
            return 'a list of strings or of objects {"number", "text"}'
        if loc[:1] == ("facets",) and len(loc) == 2:
            return "a string or a list of strings"
        if loc == ("facets",):
            return "an object {name: string or list of strings}"
        if named == ["extra"] and len(loc) == 1:
            return "a JSON object"
    return _TYPE_NAMES.get(error_type, error_type)


def _path(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _messages(exc: ValidationError, root: type[BaseModel]) -> list[str]:
    """pydantic's errors in the words of the reference: ``field 'x': …`` and friends."""
    out = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        if loc and loc[-1] == "[key]":
            loc = loc[:-2]  # a dict key's own message names the key
        if root is ProfileIn and loc[:1] == ("citation",) and loc[1:] == ("",):
            loc = ("citation",)  # the default template given as a plain string
        path = _path(loc)
        if kind == "missing":
            out.append(f"missing required field '{path}'")
        elif kind == "extra_forbidden":
            parent = loc[:-1]
            model = root
            if parent:
                model = _NESTED.get(root, {}).get(str(parent[0]), root)
            out.append(f"unknown field '{path}'{_did_you_mean(str(loc[-1]), model.model_fields)}")
        elif kind == "recsearch":
            out.append(f"field '{path}': {err['ctx']['message']}" if path else err["ctx"]["message"])
        elif kind in _TYPE_NAMES:
            out.append(f"field '{path}': expected {_expected(root, loc, kind)}, got {_show(err.get('input'))}")
        elif kind in ("too_short", "string_too_short"):
            out.append(f"field '{path}': must not be empty")
        elif kind == "greater_than_equal":
            out.append(f"field '{path}': must be at least {err['ctx']['ge']}, got {_show(err.get('input'))}")
        else:
            out.append(f"field '{path}': {err['msg']}")
    return out


# --------------------------------------------------------------------------- JSON


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in pairs:
        if k in out:
            raise _DuplicateKey(f"key {_show(k)} appears twice in one object")
        out[k] = v
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def load_json_text(text: str) -> Any:
    """Parse JSON strictly: a key twice in one object, NaN and Infinity are errors
    (ValueError with a message fit for a problem line)."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKey as exc:
        raise ValueError(str(exc)) from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not valid JSON (nested too deeply)") from None


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    return type(value).__name__


# --------------------------------------------------------------------------- collection.json


def slug(text: str) -> str:
    """A collection name made from a folder name or a symbol: "FICTIONAL/TEST/1" →
    "fictional-test-1", "Mes Données" → "mes-donnees"; "" when nothing usable is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    out = re.sub(r"[^a-z0-9_]+", "-", ascii_text).strip("-_")
    return out[:40].rstrip("-_")


def parse_profile(data: Any, *, source: str = "collection.json", default_name: str | None = None) -> Profile:
    """The :class:`Profile` of a parsed ``collection.json``; raises :class:`CollectionFormatError`
    listing every problem. Without a ``name`` the collection is named after ``default_name``
    (e.g. its folder) or else its symbol."""
    if not isinstance(data, Mapping):
        raise CollectionFormatError([f"{source}: expected a JSON object, got {_kind(data)}"])
    try:
        spec = ProfileIn.model_validate(dict(data))
    except ValidationError as exc:
        problems = _Problems()
        for message in _messages(exc, ProfileIn):
            problems.add(f"{source}: {message}")
        problems.raise_if_any()
        raise  # pragma: no cover - a ValidationError always has errors
    name = spec.name or slug(default_name or "") or slug(spec.symbol) or "collection"
    meetings = tuple(
        Meeting(
            number=m.number,
            name=dict(m.name),
            place=dict(m.place or {}),
            start=m.start,
            end=m.end,
            dates=dict(m.dates or {}),
            note=dict(m.note or {}),
        )
        for m in spec.meetings
    )
    return Profile(
        name=name,
        symbol=spec.symbol,
        title=spec.title,
        language=spec.language,
        body=spec.body,
        meetings=meetings,
        citation=dict(spec.citation),
        note=spec.note,
        facets={
            name: FacetSpec(
                name,
                dict(f.label),
                {
                    v: FacetValue(v, dict(d.label), d.group, d.definition, {k: tuple(a) for k, a in d.aliases.items()})
                    for v, d in f.values.items()
                },
                f.searched,
            )
            for name, f in spec.facets.items()
        },
    )


# --------------------------------------------------------------------------- records.jsonl


@dataclass(frozen=True)
class LineError:
    """A line that could not be read into an object (bad JSON, bad CSV cell)."""

    message: str


def _json_lines(lines: Iterable[str]) -> Iterator[tuple[int, Any]]:
    """(line number, parsed object or LineError) for every non-blank line."""
    if isinstance(lines, str):
        lines = lines.split("\n")
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r\n")
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            yield number, load_json_text(line)
        except ValueError as exc:
            yield number, LineError(str(exc))


def parse_records(lines: Iterable[str], profile: Profile, *, source: str = "records.jsonl") -> list[Recommendation]:
    """The records of ``records.jsonl`` (its lines, an open text file, or its whole text),
    checked against ``profile``; raises :class:`CollectionFormatError` listing every problem."""
    return parse_record_objects(_json_lines(lines), profile, source=source)


def parse_record_objects(
    items: Iterable[tuple[int, Any]], profile: Profile, *, source: str
) -> list[Recommendation]:
    """Records from (line number, object) pairs, an object being a record's dict or a
    :class:`LineError`; how JSONL and CSV input both end up checked the same way."""
    problems = _Problems()
    context = {"language": profile.language, "meetings": set(profile.meetings_by_number)}
    first_line: dict[str, int] = {}
    records: list[Recommendation] = []
    seen_any = False
    for number, data in items:
        seen_any = True
        where = f"{source} line {number}"
        if isinstance(data, LineError):
            problems.add(f"{where}: {data.message}")
            continue
        if not isinstance(data, dict):
            problems.add(f"{where}: expected a JSON object, got {_kind(data)}")
            continue
        rid = data.get("id")
        if isinstance(rid, str) and rid:
            if rid in first_line:
                problems.add(f"{where}: id {rid!r} already used on line {first_line[rid]}")
            else:
                first_line[rid] = number
        try:
            spec = RecordIn.model_validate(data, context=context)
        except ValidationError as exc:
            for message in _messages(exc, RecordIn):
                problems.add(f"{where}: {message}")
            continue
        record = _record(spec, profile)
        for problem in _citation_problems(record):
            problems.add(f"{where}: {problem}")
        if not problems:
            records.append(record)
    if not seen_any:
        problems.add(f"{source}: no records; a collection needs at least one record")
    if not problems:
        for record in records:
            for problem in _collection_problems(record, profile, first_line):
                problems.add(f"{source} line {first_line[record.id]}: {problem}")
    problems.raise_if_any()
    return records


def _collection_problems(record: Recommendation, profile: Profile, ids: Mapping[str, int]) -> Iterator[str]:
    """What only the whole collection can check: links point at its records, and a declared
    facet's values are among those ``collection.json`` declares."""
    for kind, links in record.links.items():
        for link in links:
            if link.id not in ids:
                yield f"field 'links.{kind}': no record {link.id!r} in this collection"
            elif link.id == record.id:
                yield f"field 'links.{kind}': a record cannot link to itself"
    for name, values in record.facets.items():
        declared = profile.facets.get(name)
        if declared is None:
            continue
        for v in values:
            if v not in declared.values:
                yield (
                    f"field 'facets.{name}': {_show(v)} is not a value collection.json declares for '{name}'"
                    f"{_did_you_mean(v, tuple(declared.values))}"
                )


def _citation_problems(record: Recommendation) -> Iterator[str]:
    """Each of the collection's templates formats this record (a template checked on made-up
    records can still fail on a real one, e.g. ``{extra[note][0]}`` where ``note`` is a number)."""
    for lang, template in record.collection.citation.items():
        try:
            string.Formatter().vformat(template, (), record.citation_fields(lang or record.collection.language))
        except Exception as exc:  # noqa: BLE001 - any failure is the template's on this record
            key = f"citation.{lang}" if lang else "citation"
            yield f"the template in collection.json field '{key}' does not format this record: {type(exc).__name__}: {exc}"


def _record(spec: RecordIn, profile: Profile) -> Recommendation:
    return Recommendation(
        id=spec.id,
        text=spec.text,
        collection=profile,
        lang=spec.lang or profile.language,
        meeting=profile.meetings_by_number[spec.meeting] if spec.meeting is not None else None,
        proposed_at=profile.meetings_by_number[spec.proposed_at] if spec.proposed_at is not None else None,
        paragraph=spec.paragraph,
        item=spec.item,
        lead_in=spec.lead_in,
        footnotes=tuple(Footnote(f.number, f.text) for f in spec.footnotes),
        translations={k: Translation(t.text, t.lead_in, t.official) for k, t in spec.translations.items()},
        facets={k: tuple(v) for k, v in spec.facets.items()},
        questions={k: tuple(v) for k, v in spec.questions.items()},
        links={k: tuple(Link(x.id, x.note) for x in v) for k, v in spec.links.items() if v},
        url=spec.url,
        extra=dict(spec.extra),
    )
