"""Tools a language model can call: their JSON schemas, and one dispatcher.

``tool_schema()`` gives OpenAI-style function definitions for ``search_recommendations``,
``get_recommendation`` and ``similar_recommendations``; ``call_tool(name, arguments)``
runs a model's call and returns a JSON-serialisable dict. A model's arguments are
untrusted input: they are checked against the same schema the model was shown, and
anything wrong — an unknown tool, a missing or extra argument, a wrong type, an unknown
id or filter value — comes back as ``{"error": {"type", "message"}}`` that the model can
read and correct, never as a traceback. The MCP and HTTP servers call the same code.
"""

from __future__ import annotations

import copy
import json
import numbers
import threading
import weakref
from collections.abc import Mapping
from typing import Any

from ._validate import MAX_K, MAX_QUERY_CHARS
from .errors import QueryError, QueryTypeError, RecsearchError, UnknownRecommendationError
from .hits import Hit

TOOL_NAMES = ("search_recommendations", "get_recommendation", "similar_recommendations")
_LANG = {
    "type": "string",
    "enum": ["en", "ar"],
    "description": "Language of the citation lines, en or ar (default: the query's, when it is one of them; else en).",
}
_definitions: weakref.WeakKeyDictionary[Any, list[dict[str, Any]]] = weakref.WeakKeyDictionary()


def describe_collections(corpus: Any) -> str:
    """What the loaded collections hold, for a model: count, titles, symbols, meetings, languages."""
    parts = []
    for p in corpus.collections.values():
        years = sorted({m.year for m in p.meetings if m.year})
        span = f", meetings {min(m.number for m in p.meetings)}-{max(m.number for m in p.meetings)}" if p.meetings else ""
        span += f" ({years[0]}-{years[-1]})" if years else ""
        parts.append(f"{p.title} ({p.symbol}{span}; authoritative text in {p.language_name})")
    return f"{len(corpus)} recommendations: " + "; ".join(parts)


def _filters(corpus: Any) -> dict[str, Any]:
    meetings = corpus.meetings
    out: dict[str, Any] = {}
    if meetings:
        empty = sorted(set(meetings) - {r.meeting.number for r in corpus if r.meeting})
        note = f" Meetings {empty} adopted none themselves." if empty else ""
        out["meeting"] = {"type": "integer", "enum": sorted(meetings), "description": "Only recommendations adopted at this meeting." + note}
        years = sorted({m.year for m in meetings.values() if m.year})
        if years:
            out["year"] = {"type": "integer", "enum": years, "description": "Only recommendations adopted in this year."}
    addressees = list(corpus.facet_values("addressee"))
    if addressees:
        out["addressee"] = {"type": "string", "enum": addressees, "description": "Only recommendations addressed to this actor."}
    for facet, what in (("theme", "on this theme"), ("sdg", "serving this SDG target"), ("strength", "that ask this strongly")):
        values = list(corpus.facet_values(facet))
        if values:
            labels = "; ".join(f"{v} = {corpus.facet_label(facet, v)}" for v in values)
            out[facet] = {"type": "string", "enum": values, "description": f"Only recommendations {what} ({labels})."}
    return out


def _build_tools(corpus: Any) -> list[dict[str, Any]]:
    filters = _filters(corpus)
    example = next(iter(corpus)).id if len(corpus) else "1.1"
    id_schema = {"type": "string", "minLength": 1, "maxLength": 200, "description": f"Recommendation id, e.g. {example!r}."}
    return [
    {
        "name": "search_recommendations",
        "description": (
            f"Search {describe_collections(corpus)}. The query may be in any language; meetings or years named in it "
            "become filters. Returns ranked recommendations, each with its authoritative text, an English "
            "text where there is one, a citation to quote, and `relevance`: the estimated probability (0-1) "
            "that it answers the query. When `no_good_match` is true, nothing in the collection answers the "
            "query well: tell the user so, and do not cite the results as an answer. Prefer citing hits of "
            "high relevance; treat those below 0.5 as possibly related at most. `notes` says how the query's "
            "meetings and years were read (e.g. a meeting that does not exist); when a meeting or year read from "
            "the query left only weak answers, `unfiltered_results` holds the best answers without it."
        ),
        "parameters": {
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS, "description": "The question or keywords."},
                "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 5, "description": "How many results."},
                **filters,
                "lang": _LANG,
            },
            "required": ["query"],
            "additionalProperties": False,
        },
    },
    {
        "name": "get_recommendation",
        "description": f"One recommendation by its id (e.g. {example!r}), with its citation.",
        "parameters": {
            "type": "object",
            "properties": {"id": id_schema},
            "required": ["id"],
            "additionalProperties": False,
        },
    },
    {
        "name": "similar_recommendations",
        "description": "Recommendations most similar to a given one (across meetings), excluding itself.",
        "parameters": {
            "type": "object",
            "properties": {
                "id": id_schema,
                "k": {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 5, "description": "How many results."},
                **filters,
                "lang": {**_LANG, "description": "Language of the citation lines, en or ar (default en)."},
            },
            "required": ["id"],
            "additionalProperties": False,
        },
    },
    ]


def _tools(searcher: Any = None) -> list[dict[str, Any]]:
    corpus = (searcher if searcher is not None else default_searcher()).corpus
    tools = _definitions.get(corpus)
    if tools is None:
        tools = _build_tools(corpus)
        _definitions[corpus] = tools
    return tools


def tool_definitions(searcher: Any = None) -> list[dict[str, Any]]:
    """The tools as ``{"name", "description", "parameters"}`` for ``searcher``'s collections
    (default: the shipped index), a fresh copy each call."""
    return copy.deepcopy(_tools(searcher))


def tool_schema(searcher: Any = None) -> list[dict[str, Any]]:
    """OpenAI-style function-calling definitions: ``[{"type": "function", "function": {...}}]``."""
    return [{"type": "function", "function": t} for t in tool_definitions(searcher)]


# --------------------------------------------------------------------------- validation


def _shown(value: Any) -> str:
    """A value in an error message, whatever it is (JSON where it can be), at most 80 characters."""
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = f"a {type(value).__name__}"
    return text if len(text) <= 80 else text[:77] + "..."


def _check(value: Any, schema: Mapping[str, Any], where: str) -> Any:
    """``value`` checked against the small JSON Schema subset the tools use (an integer of
    numpy's or another Integral type comes back as an int)."""
    kind = schema.get("type")
    if kind == "string" and not isinstance(value, str):
        raise QueryTypeError(f"{where} must be a string, got {type(value).__name__}")
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise QueryTypeError(f"{where} must be an integer, got {_shown(value)}")
        value = int(value)
    if "enum" in schema and value not in schema["enum"]:
        raise QueryError(f"{where} must be one of {schema['enum']}, got {_shown(value)}")
    if "minimum" in schema and value < schema["minimum"]:
        raise QueryError(f"{where} must be >= {schema['minimum']}, got {value}")
    if "maximum" in schema and value > schema["maximum"]:
        raise QueryError(f"{where} must be <= {schema['maximum']}, got {value}")
    if "minLength" in schema and len(value.strip()) < schema["minLength"]:
        raise QueryError(f"{where} must not be empty")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise QueryError(f"{where} is {len(value)} characters long; the limit is {schema['maxLength']}")
    return value


def _unknown_tool(name: str) -> str:
    return f"unknown tool {name!r}; the tools are {list(TOOL_NAMES)}"


def validate_arguments(name: str, arguments: Any, searcher: Any = None) -> dict[str, Any]:
    """The arguments of a call to tool ``name``, checked and with defaults filled in.

    ``arguments`` is a dict or a JSON object string (as models send them).
    """
    tool = next((t for t in _tools(searcher) if t["name"] == name), None)
    if tool is None:
        raise QueryError(_unknown_tool(name))
    if arguments is None:
        arguments = {}
    if isinstance(arguments, (str, bytes)):
        try:
            arguments = json.loads(arguments or "{}")
        except (ValueError, RecursionError) as exc:
            raise QueryError(f"arguments are not valid JSON: {str(exc)[:200]}") from None
    if not isinstance(arguments, Mapping):
        raise QueryTypeError(f"arguments must be a JSON object, got {type(arguments).__name__}")
    if not all(isinstance(key, str) for key in arguments):
        raise QueryTypeError(f"argument names must be strings, got {[_shown(k) for k in arguments if not isinstance(k, str)][:3]}")
    params = tool["parameters"]
    props = params["properties"]
    extra = sorted(set(arguments) - set(props))
    if extra:
        raise QueryError(f"unknown argument(s) {extra} for {name}; valid: {sorted(props)}")
    missing = [p for p in params["required"] if p not in arguments or arguments[p] is None]
    if missing:
        raise QueryError(f"missing required argument(s) {missing} for {name}")
    out: dict[str, Any] = {}
    for key, schema in props.items():
        if key in arguments and arguments[key] is not None:
            out[key] = _check(arguments[key], schema, key)
        elif "default" in schema:
            out[key] = schema["default"]
    return out


# --------------------------------------------------------------------------- dispatch

_default: Any = None
_default_lock = threading.Lock()


def default_searcher() -> Any:
    """The shipped index, loaded once per process and shared (a Searcher is thread-safe)."""
    global _default
    if _default is None:
        with _default_lock:
            if _default is None:
                from .search import Searcher

                _default = Searcher.load()
    return _default


def hit_for_tool(hit: Hit) -> dict[str, Any]:
    """What a model needs of a hit: text, English, citation, provenance (no channel scores)."""
    d = hit.to_dict()
    d.pop("channels", None)
    if d.get("explanation"):  # a model needs what matched, not character offsets
        d["explanation"] = {k: d["explanation"][k] for k in ("words", "concepts", "best_variant")}
    return d


def record_for_tool(rec: Any) -> dict[str, Any]:
    """A recommendation for a model or an API client: its record and citations, without
    ``extra`` (a collection's free-form data, e.g. the damaged extraction a text was restored
    from: of no use to a reader; it stays on the record in Python)."""
    record = rec.to_dict()
    record.pop("extra", None)
    return record


def _error(exc: RecsearchError) -> dict[str, Any]:
    if isinstance(exc, UnknownRecommendationError):
        kind = "unknown_id"
    elif isinstance(exc, (QueryError, QueryTypeError)):
        kind = "invalid_argument"
    else:  # a damaged index, a missing dataset: not the model's fault
        kind = "error"
    return {"error": {"type": kind, "message": str(exc)}}


def call_tool(name: str, arguments: Any = None, *, searcher: Any = None) -> dict[str, Any]:
    """Run a model's tool call; always returns a JSON-serialisable dict.

    Success: ``{"tool", "no_good_match", "notes", "results": [...], "unfiltered_results",
    "understood"}`` for a search
    (``{"tool", "id", "results"}`` for similar recommendations), ``{"tool",
    "recommendation": {...}}`` for ``get_recommendation``. Failure: ``{"error": {"type",
    "message"}}`` with ``type`` one of ``invalid_argument``, ``unknown_id``, ``error``.
    """
    if name not in TOOL_NAMES:
        return {"error": {"type": "unknown_tool", "message": _unknown_tool(name)}}
    try:
        s = searcher if searcher is not None else default_searcher()
        args = validate_arguments(name, arguments, s)
        filters = {key: args[key] for key in ("meeting", "year", "addressee", "theme", "sdg", "strength") if key in args}
        if name == "search_recommendations":
            results = s.search(args["query"], args["k"], lang=args.get("lang"), **filters)
            return {
                "tool": name,
                "no_good_match": results.no_good_match,
                "notes": list(results.notes),
                "results": [hit_for_tool(h) for h in results],
                "unfiltered_results": [hit_for_tool(h) for h in results.unfiltered] if results.unfiltered else None,
                "understood": results.understood.to_dict() if results.understood else None,
            }
        if name == "similar_recommendations":
            results = s.similar(args["id"], args["k"], lang=args.get("lang", "en"), **filters)
            return {"tool": name, "id": args["id"], "results": [hit_for_tool(h) for h in results]}
        return {"tool": name, "recommendation": record_for_tool(s.corpus[args["id"]])}
    except RecsearchError as exc:
        return _error(exc)
