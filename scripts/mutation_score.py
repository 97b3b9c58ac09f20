"""The mutation score of `make mutate`: mutmut's verdicts, with every mutant it left alive
run again against the whole fast test suite in a fresh process.

Why a second pass: mutmut runs each mutant only against the tests that reached the mutated
function during its statistics run, in workers forked from a process that has already
imported the package. A table built at import (the meeting patterns) or by a cached loader
(the default glossary) is then never rebuilt by the mutant, and a function first reached in
a shared fixture is charged to one test only. Those mutants are reported alive while the fast
tests do kill them. Here each one gets a new interpreter that imports the mutated package
(``PYTHONPATH=mutants/src``) with ``MUTANT_UNDER_TEST`` set, and runs, stopping at the first
failure, its module's own test file and every fast test that mutmut saw reach any function
of that module (``--all-tests``: the whole fast suite, slower, for a final word).

    python scripts/mutation_score.py [--jobs 2] [--timeout 300] [--all-tests]

Run after ``mutmut run`` (``make mutate`` does both). Prints the score per module and
overall, and writes the mutants still alive to ``mutants/survivors.txt``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
KILLED = {"killed", "timeout"}  # a mutant that hangs the tests is caught too
RECHECK = {"survived", "no tests"}


def mutmut_verdicts() -> dict[str, str]:
    """Every mutant's status as ``mutmut results --all true`` prints it."""
    out = subprocess.run(
        [str(Path(sys.executable).parent / "mutmut"), "results", "--all", "true"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    verdicts = {}
    for line in out.splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name.startswith("recsearch."):
            verdicts[name] = status.strip()
    return verdicts


def module_of(mutant: str) -> str:
    return mutant.split(".")[1]  # recsearch.<module>.x_...


def module_tests() -> dict[str, list[str]]:
    """Per module, the tests mutmut's statistics run saw reach any of its functions."""
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text(encoding="utf-8"))
    tests: dict[str, set[str]] = defaultdict(set)
    for function, names in stats["tests_by_mangled_function_name"].items():
        tests[module_of(function)].update(names)
    return {module: sorted(names) for module, names in tests.items()}


def recheck(mutant: str, tests: list[str], timeout: float) -> str:
    """``killed``, ``timeout`` or ``survived`` under ``tests``, the module's own file first."""
    own = [f"tests/test_{module_of(mutant)}.py", "tests/test_mutants.py"]
    own = [t for t in own if (MUTANTS / t).exists()]
    env = dict(os.environ, MUTANT_UNDER_TEST=mutant, PYTHONPATH=str(MUTANTS / "src"), HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "pytest", *own, *tests, "-m", "not integration", "-x", "-q", "-p", "no:cacheprovider"]
    try:
        done = subprocess.run(cmd, cwd=MUTANTS, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    return "survived" if done.returncode == 0 else "killed"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds a mutant's test run may take")
    ap.add_argument("--all-tests", action="store_true", help="run the whole fast suite for each mutant")
    args = ap.parse_args()
    if not MUTANTS.is_dir():
        sys.exit("no mutants/ folder: run `mutmut run` first (make mutate)")
    # the tests as they are now (mutmut copied them when its run began)
    shutil.copytree(ROOT / "tests", MUTANTS / "tests", dirs_exist_ok=True)
    verdicts = mutmut_verdicts()
    if not verdicts:
        sys.exit("mutmut reports no mutants: run `mutmut run` first (make mutate)")
    pending = sorted(name for name, status in verdicts.items() if status in RECHECK)
    reach = defaultdict(lambda: ["tests"]) if args.all_tests else defaultdict(list, module_tests())
    scope = "the whole fast suite" if args.all_tests else "its module's tests"
    print(f"{len(verdicts)} mutants; mutmut left {len(pending)} alive; running each against {scope} ...", flush=True)
    start = time.perf_counter()
    final = dict(verdicts)
    with ThreadPoolExecutor(args.jobs) as pool:
        runs = pool.map(lambda m: recheck(m, reach[module_of(m)], args.timeout), pending)
        for name, status in zip(pending, runs):
            final[name] = status
    by_module: dict[str, Counter[str]] = defaultdict(Counter)
    for name, status in final.items():
        by_module[module_of(name)][status] += 1
    print(f"rechecked in {time.perf_counter() - start:.0f} s\n")
    print(f"{'module':<12} {'mutants':>8} {'killed':>8} {'timeout':>8} {'alive':>8} {'other':>8} {'score':>7}")
    totals: Counter[str] = Counter()
    for module in sorted(by_module):
        c = by_module[module]
        totals.update(c)
        _row(module, c)
    _row("all", totals)
    alive = sorted(n for n, s in final.items() if s == "survived")
    (MUTANTS / "survivors.txt").write_text("".join(f"{n}\n" for n in alive), encoding="utf-8")
    (MUTANTS / "score.json").write_text(json.dumps({"by_module": by_module, "final": final}, indent=1), encoding="utf-8")
    print(f"\n{len(alive)} alive, listed in mutants/survivors.txt (`mutmut show NAME` shows one)")


def _row(label: str, c: Counter[str]) -> None:
    total = sum(c.values())
    killed, timeout, alive = c["killed"], c["timeout"], c["survived"]
    other = total - killed - timeout - alive  # skipped, suspicious, not checked
    score = (killed + timeout) / total if total else 0.0
    print(f"{label:<12} {total:>8} {killed:>8} {timeout:>8} {alive:>8} {other:>8} {score:>7.1%}")


if __name__ == "__main__":
    main()
