"""Random inputs to the public functions and tools: each must end in a result or a
``RecsearchError``, never another exception (the hardening issue's outside check).

Uses the shipped collections with the model-free hashing encoder (an index built in a temporary
folder), so that thousands of calls take minutes, not hours; the code under test after the
encoder is the same.

    python scripts/fuzz_check.py [--n 5000] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from recsearch import RecsearchError, Searcher  # noqa: E402
from recsearch.glossary import default_glossary  # noqa: E402
from recsearch.normalize import clean_text, tokenize_lexical  # noqa: E402
from recsearch.tools import call_tool  # noqa: E402
from recsearch.understand import understand  # noqa: E402

ALPHABET = "abcxyz ABC 0123456789 ٠١٢ بتثجحخ الاتجار ـ \u200f\u202e\x00 😀 中文 русский é ñ ß ()[]{}/\\'\"\t\n"
WORDS = ["victims", "compensation", "الضحايا", "meeting", "fifth", "2015", "الاجتماع", "الخامس", "réunion", "trata", "4.46.g"]


def text(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 6)))
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, rng.choice((5, 40, 300, 2500)))))


def value(rng: random.Random, depth: int = 0):
    kinds = ["int", "str", "none", "float", "bool", "list", "dict", "big", "neg"]
    kind = rng.choice(kinds if depth < 3 else kinds[:5])
    return {
        "int": lambda: rng.randint(-3, 60),
        "str": lambda: text(rng),
        "none": lambda: None,
        "float": lambda: rng.choice([0.5, float("nan"), float("inf"), 1e300]),
        "bool": lambda: rng.random() < 0.5,
        "list": lambda: [value(rng, depth + 1) for _ in range(rng.randint(0, 3))],
        "dict": lambda: {text(rng)[:8]: value(rng, depth + 1) for _ in range(rng.randint(0, 3))},
        "big": lambda: 10**30,
        "neg": lambda: -1,
    }[kind]()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        searcher = Searcher.build(encoder="hashing", path=Path(tmp) / "index", show_progress=False, cache=False)
    glossary = default_glossary()
    options = ["meeting", "year", "addressee", "theme", "sdg", "strength", "mode", "lang", "min_relevance", "facets", "understand_query"]

    def search():
        kwargs = {name: value(rng) for name in rng.sample(options, rng.randint(0, 3))}
        return searcher.search(text(rng) if rng.random() < 0.9 else value(rng), value(rng) if rng.random() < 0.2 else 5, **kwargs)

    def tool():
        name = rng.choice(["search_recommendations", "get_recommendation", "similar_recommendations", "nope"])
        args = {k: value(rng) for k in rng.sample(["query", "id", "k", "meeting", "year", "theme", "lang", "x"], rng.randint(0, 4))}
        out = call_tool(name, args if rng.random() < 0.8 else json.dumps(args, default=str)[: rng.randint(0, 200)], searcher=searcher)
        json.dumps(out)  # a tool result is always JSON
        return out

    targets = {
        "Searcher.search": search,
        "Searcher.similar": lambda: searcher.similar(rng.choice([text(rng), "4.46.g", "4.46.G", value(rng)]), rng.choice([3, value(rng)])),
        "Searcher.facet_counts": lambda: searcher.facet_counts(rng.choice(["theme", "sdg", "strength", text(rng)]), rng.choice([None, text(rng)])),
        "Searcher.context": lambda: searcher.context(text(rng), 3, lang=rng.choice([None, "en", "ar", value(rng)])),
        "Corpus[id]": lambda: searcher.corpus[rng.choice([text(rng), "1.1", value(rng)])],
        "call_tool": tool,
        "understand": lambda: understand(text(rng), {1: 2009, 5: 2013}),
        "Glossary.match": lambda: glossary.match(text(rng)),
        "tokenize_lexical": lambda: tokenize_lexical(text(rng), rng.choice(["ar", "en"])),
        "clean_text": lambda: clean_text(text(rng)),
    }
    failures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    print(f"{args.n} random calls to each of {len(targets)} functions (seed {args.seed})")
    for name, call in targets.items():
        ok = refused = 0
        for _ in range(args.n):
            try:
                call()
                ok += 1
            except RecsearchError:
                refused += 1
            except Exception:  # noqa: BLE001 - what this script looks for
                failures[name] += 1
                examples.setdefault(name, traceback.format_exc(limit=3))
        print(f"  {name:<22} {ok:>5} answered, {refused:>5} refused with a RecsearchError, {failures[name]:>3} other exceptions")
    for name, tb in examples.items():
        print(f"\nfirst other exception in {name}:\n{tb}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
