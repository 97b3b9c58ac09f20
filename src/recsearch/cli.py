"""The ``recsearch`` command line. The CLI owns the terminal; the library only logs."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from .errors import RecsearchError

log = logging.getLogger("recsearch")


def _cmd_corpus_build(args: argparse.Namespace) -> int:
    from .corpus.build import write_dataset
    from .paths import data_dir

    folder = Path(args.data) if args.data else data_dir()
    dataset = write_dataset(folder, source_path=args.source)
    print(f"wrote {len(dataset.records)} recommendations and {len(dataset.meetings)} meetings to {folder}")
    return 0


def _cmd_corpus_show(args: argparse.Namespace) -> int:
    from .corpus import load_corpus

    rec = load_corpus(args.data)[args.id]
    if args.json:
        print(json.dumps(rec.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(rec.citation(args.lang))
    print(f"meeting {rec.meeting.number}: {rec.meeting.heading_ar}")
    if rec.chapeau:
        print(f"lead-in: {rec.chapeau}")
    print(rec.text)
    for fn in rec.footnotes:
        print(f"  ({fn.number}) {fn.text}")
    if rec.duplicate_of:
        print(f"identical to {rec.duplicate_of}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="recsearch",
        description="Search the UN Working Group on Trafficking in Persons' recommendations "
        "(CTOC/COP/WG.4/2019/5).",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    corpus = sub.add_parser("corpus", help="the restored dataset").add_subparsers(
        dest="corpus_command", required=True
    )
    build = corpus.add_parser("build", help="regenerate data/recommendations.jsonl from the source")
    build.add_argument("--data", help="dataset folder (default: the shipped data/)")
    build.add_argument("--source", help="source text (default: DATA/source_ar.txt)")
    build.set_defaults(func=_cmd_corpus_build)
    show = corpus.add_parser("show", help="print one recommendation with its citation")
    show.add_argument("id", help='recommendation id, e.g. "4.46.g"')
    show.add_argument("--lang", choices=("en", "ar"), default="en", help="citation language")
    show.add_argument("--json", action="store_true", help="print the record as JSON")
    show.add_argument("--data", help="dataset folder (default: the shipped data/)")
    show.set_defaults(func=_cmd_corpus_show)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.func(args)
    except RecsearchError as exc:
        print(f"recsearch: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
