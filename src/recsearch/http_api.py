"""A small HTTP API (``recsearch serve``): FastAPI on uvicorn, loopback by default.

``/search``, ``/recommendations/{id}``, ``/similar/{id}`` and ``/health``, with OpenAPI docs
at ``/docs``. Every input is bounded — query length, ``k``, request body size — and checked
before any work: a bad value is a 422 with a message that says what to send, an unknown
id a 404. Handlers are plain functions, so FastAPI runs them in its thread pool and
concurrent requests share one thread-safe Searcher.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the handlers' annotations
# at run time, and they name types defined inside create_app.
import json
import logging
from typing import Any, Literal

from .errors import OptionalDependencyError, QueryError, QueryTypeError, UnknownRecommendationError
from ._validate import MAX_K, MAX_QUERY_CHARS
from .tools import describe_collections, hit_for_tool, record_for_tool

log = logging.getLogger(__name__)

SERVE_INSTALL_HINT = 'pip install "fastapi>=0.110" "uvicorn>=0.29"'
#: Largest request body accepted, in bytes (a POST /search is a few hundred).
MAX_BODY_BYTES = 16_384
#: Largest request head (request line and headers) accepted, in bytes.
MAX_HEADER_BYTES = 16_384
#: Connections served at once; slow or idle clients beyond it are refused, not queued forever.
MAX_CONNECTIONS = 64
#: Longest input value a 422 repeats back (the rest is cut: a 100 KB URL gets a short answer).
MAX_ECHO_CHARS = 200
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def _require_fastapi() -> None:
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise OptionalDependencyError(f"recsearch serve needs FastAPI and uvicorn: {SERVE_INSTALL_HINT}") from exc


def _docs_page(spec: dict[str, Any]) -> str:
    """A self-contained HTML page listing every endpoint and its parameters."""
    from html import escape

    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{escape(spec['info']['title'])} API</title>",
        "<style>body{font:15px/1.5 sans-serif;max-width:60em;margin:2em auto}code{background:#eee}</style>",
        f"<h1>{escape(spec['info']['title'])} {escape(spec['info']['version'])}</h1>",
        f"<p>{escape(spec['info'].get('description', ''))}</p><p>Machine-readable: <a href='/openapi.json'>/openapi.json</a></p>",
    ]
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            parts.append(f"<h2><code>{method.upper()} {escape(path)}</code></h2><p>{escape(op.get('summary', ''))}</p><ul>")
            for p in op.get("parameters", []):
                desc = p.get("description") or p.get("schema", {}).get("description", "")
                parts.append(f"<li><code>{escape(p['name'])}</code> ({escape(p['in'])}){' — ' + escape(desc) if desc else ''}</li>")
            if "requestBody" in op:
                parts.append("<li>a JSON body (see /openapi.json)</li>")
            parts.append("</ul>")
    return "".join(parts)


def create_app(searcher: Any = None, *, max_body_bytes: int = MAX_BODY_BYTES) -> Any:
    """The FastAPI application over ``searcher`` (default: the shipped index)."""
    _require_fastapi()
    from fastapi import FastAPI, HTTPException, Query, Request
    from fastapi.responses import HTMLResponse, JSONResponse
    from pydantic import BaseModel, ConfigDict, Field, model_validator

    from . import __version__
    from .search import MODES, Searcher

    if searcher is None:
        searcher = Searcher.load()
    app = FastAPI(
        title="recsearch",
        version=__version__,
        docs_url=None,  # Swagger UI loads its assets from a CDN: blank offline; /docs is served below
        redoc_url=None,
        description=(
            f"Search {describe_collections(searcher.corpus)} in any language; every result carries its citation. "
            "English texts marked unofficial are renderings of the authoritative text."
        ),
    )

    from fastapi.exceptions import RequestValidationError

    @app.exception_handler(RequestValidationError)
    async def short_422(request: Any, exc: Any) -> Any:
        """FastAPI's 422, with each echoed input cut to :data:`MAX_ECHO_CHARS`."""
        errors = []
        for err in exc.errors():
            err = {k: v for k, v in err.items() if k in ("type", "loc", "msg", "input")}
            text = json.dumps(err.get("input"), ensure_ascii=False, default=str)
            if len(text) > MAX_ECHO_CHARS:
                err["input"] = text[:MAX_ECHO_CHARS] + f"… ({len(text)} characters)"
            errors.append(err)
        return JSONResponse({"detail": errors}, status_code=422)

    @app.middleware("http")
    async def cap_body(request: Any, call_next: Any) -> Any:
        """Refuse headers over :data:`MAX_HEADER_BYTES` and a body over ``max_body_bytes``
        before reading it; a body must state its length."""
        head = sum(len(k) + len(v) for k, v in request.headers.raw) + len(str(request.url))
        if head > MAX_HEADER_BYTES:
            return JSONResponse({"detail": f"request headers larger than {MAX_HEADER_BYTES} bytes"}, status_code=431)
        size = request.headers.get("content-length")
        if size is None and request.method in ("POST", "PUT", "PATCH"):
            if request.headers.get("transfer-encoding"):
                return JSONResponse({"detail": "send a Content-Length header with the body"}, status_code=411)
        elif size is not None and (not size.isdigit() or int(size) > max_body_bytes):
            return JSONResponse({"detail": f"request body larger than {max_body_bytes} bytes"}, status_code=413)
        return await call_next(request)

    def run(fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except UnknownRecommendationError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        except (QueryError, QueryTypeError) as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None

    def search_response(q: str, k: int, meeting: int | None, year: int | None, addressee: str | None,
                        mode: str, lang: str | None, theme: str | None = None, sdg: str | None = None,
                        strength: str | None = None, year_to: int | None = None) -> dict[str, Any]:  # fmt: skip
        years: Any = year if year_to is None else (year if year is not None else year_to, year_to)
        results = run(searcher.search, q, k, meeting=meeting, year=years, addressee=addressee, mode=mode, lang=lang,
                      theme=theme, sdg=sdg, strength=strength)  # fmt: skip
        return results.to_dict(q, hit_for_tool)

    Mode = Literal[MODES]  # type: ignore[valid-type]
    Lang = Literal["en", "ar"]

    class SearchRequest(BaseModel):
        model_config = ConfigDict(extra="forbid")  # a misspelt field ("meetings") is an error, not ignored

        query: str = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="The question or keywords, any language.")
        k: int = Field(10, ge=1, le=MAX_K)
        meeting: int | None = Field(None, ge=1)
        year: int | None = Field(None, description="A year, or the first of a range with year_to.")
        year_to: int | None = Field(None, description="The last year of an inclusive range.")
        addressee: str | None = None
        theme: str | None = None
        sdg: str | None = None
        strength: str | None = None
        mode: Mode = "hybrid"  # type: ignore[valid-type]
        lang: Lang | None = None

        @model_validator(mode="before")
        @classmethod
        def _q_is_query(cls, data: Any) -> Any:
            """``q`` is accepted for ``query`` (the tools and MCP say ``query``)."""
            if isinstance(data, dict) and "q" in data:
                if "query" in data:
                    raise ValueError("give the query once, as 'query' (or 'q')")
                data = {("query" if k == "q" else k): v for k, v in data.items()}
            return data

    search_params = {"q", "query", "k", "meeting", "year", "year_to", "addressee", "mode", "lang", "theme", "sdg", "strength"}

    @app.get("/search", summary="Search the recommendations")
    def search_get(
        request: Request,
        query: str | None = Query(None, min_length=1, max_length=MAX_QUERY_CHARS, description="The question or keywords, any language."),
        q: str | None = Query(None, min_length=1, max_length=MAX_QUERY_CHARS, description="Same as query."),
        k: int = Query(10, ge=1, le=MAX_K),
        meeting: int | None = Query(None, ge=1),
        year: int | None = Query(None, description="A year, or the first of a range with year_to."),
        year_to: int | None = Query(None, description="The last year of an inclusive range."),
        addressee: str | None = Query(None),
        mode: Mode = Query("hybrid"),  # type: ignore[valid-type]
        lang: Lang | None = Query(None),
        theme: str | None = Query(None, description="A theme id or label, e.g. victim_identification."),
        sdg: str | None = Query(None, description="An SDG target, e.g. 8.7."),
        strength: str | None = Query(None, description="should, should_consider, encouraged, may or other."),
    ) -> dict[str, Any]:
        unknown = sorted(set(request.query_params) - search_params)
        if unknown:
            raise HTTPException(status_code=422, detail=f"unknown parameter(s) {unknown[:5]}; valid: {sorted(search_params)}")
        if (query is None) == (q is None):
            raise HTTPException(status_code=422, detail="give the question once, as 'query' (or 'q')")
        return search_response(query or q, k, meeting, year, addressee, mode, lang, theme, sdg, strength, year_to)

    @app.post("/search", summary="Search the recommendations (JSON body)")
    def search_post(body: SearchRequest) -> dict[str, Any]:
        return search_response(body.query, body.k, body.meeting, body.year, body.addressee, body.mode, body.lang,
                               body.theme, body.sdg, body.strength, body.year_to)  # fmt: skip

    @app.get("/recommendations/{rec_id}", summary="One recommendation with its citations")
    def recommendation(rec_id: str) -> dict[str, Any]:
        return record_for_tool(run(searcher.corpus.__getitem__, rec_id))

    @app.get("/similar/{rec_id}", summary="Recommendations most like this one")
    def similar(
        rec_id: str,
        k: int = Query(10, ge=1, le=MAX_K),
        meeting: int | None = Query(None, ge=1),
        lang: Lang = Query("en"),
    ) -> dict[str, Any]:
        results = run(searcher.similar, rec_id, k, meeting=meeting, lang=lang)
        return {"id": rec_id, "results": [hit_for_tool(h) for h in results]}

    @app.get("/facets/{facet}", summary="How many recommendations carry each value of a facet")
    def facets(
        facet: str,
        q: str | None = Query(None, min_length=1, max_length=MAX_QUERY_CHARS, description="Count over this query's answers."),
        k: int = Query(50, ge=1, le=MAX_K),
        meeting: int | None = Query(None, ge=1),
        year: int | None = Query(None),
        lang: Lang = Query("en"),
    ) -> dict[str, Any]:
        filters = {key: v for key, v in (("meeting", meeting), ("year", year)) if v is not None}
        counts = run(searcher.facet_counts, facet, q, k=k, lang=lang, **filters)
        return {"facet": facet, "query": q, "counts": [c.to_dict() for c in counts]}

    @app.get("/docs", include_in_schema=False, response_class=HTMLResponse)
    def docs() -> str:
        """The API described in one page that needs no script and no network (the OpenAPI
        document itself is at /openapi.json)."""
        return _docs_page(app.openapi())

    @app.get("/health", summary="Liveness and what is loaded")
    def health() -> dict[str, Any]:
        return {
            "status": "ok",
            "version": __version__,
            "recommendations": len(searcher.corpus),
            "encoders": [e.name for e in searcher.encoders],
        }

    return app


def serve(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, index: str | None = None) -> None:
    """Load the index and serve the API until interrupted (loopback unless ``host`` says otherwise)."""
    _require_fastapi()
    import uvicorn

    from .search import Searcher

    app = create_app(Searcher.load(index))
    if host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("serving on %s: reachable from other machines; there is no authentication", host)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="warning",
        http="h11",  # the h11 parser enforces the header limit below (httptools would ignore it)
        h11_max_incomplete_event_size=MAX_HEADER_BYTES,
        limit_concurrency=MAX_CONNECTIONS,  # more open connections get a 503, not a thread each
        timeout_keep_alive=5,
    )
