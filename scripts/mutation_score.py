"""The mutation score of `make mutate`: what share of the mutants of the six modules of
[tool.mutmut] the fast tests kill.

It starts from mutmut's verdicts and runs again, each in a fresh interpreter, every mutant
mutmut left alive. Why: mutmut runs a mutant only against the tests that reached the mutated
function during its statistics run, in workers forked from a process that may already hold
the package. A table built at import (the meeting patterns) or by a cached loader (the default
glossary) is then never rebuilt by the mutant, and a function first reached inside a shared
fixture is charged to one test only. Those mutants are reported alive while the fast tests do
kill them. Here a mutant gets a new interpreter that imports the mutated package
(``PYTHONPATH=mutants/src``) with ``MUTANT_UNDER_TEST`` set, and runs, stopping at the first
failure, its module's own test file, then every fast test mutmut saw reach any function of
its module. mutmut's timeouts are run again too, so that none is counted as a kill unheard:
its limit is a multiple of the time it measured for the mutant's tests, and mutants of the
import-time meeting-pattern table were reported as timeouts against one short test; here a
mutant times out only past ``--timeout`` seconds.

A complete mutmut run takes hours on two cores. When it was stopped early, ``--sample N``
runs a seeded random N of the mutants it had not checked (spread over the modules in
proportion), and the score of each module is then estimated: the mutants checked, counted
exactly, plus the unchecked ones at the kill rate of their sample (with a 95 % interval).

    python scripts/mutation_score.py [--jobs 2] [--sample N] [--seed 0] [--timeout 300]
    python scripts/mutation_score.py --again   # after new tests: only the mutants still alive

Prints the score per module and overall; writes the mutants still alive to
``mutants/survivors.txt`` and every verdict to ``mutants/score.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
KILLED = {"killed", "timeout"}  # a mutant that hangs the tests is caught too
ALIVE = {"survived", "no tests"}
UNCHECKED = "not checked"


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


def _pytest(mutant: str, tests: list[str], timeout: float) -> str:
    env = dict(os.environ, MUTANT_UNDER_TEST=mutant, PYTHONPATH=str(MUTANTS / "src"), HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "pytest", *tests, "-m", "not integration", "-x", "-q", "-p", "no:cacheprovider"]
    try:
        done = subprocess.run(cmd, cwd=MUTANTS, env=env, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "timeout"
    # 0: every test passed; 5: none collected (nothing to run is not a kill)
    return "survived" if done.returncode in (0, 5) else "killed"


def run_fresh(mutant: str, reach: list[str], timeout: float) -> str:
    """``killed``, ``timeout`` or ``survived``: the module's own tests first (cheap, and where
    most mutants die), then every test that reaches the module."""
    own = [t for t in (f"tests/test_{module_of(mutant)}.py", "tests/test_mutants.py") if (MUTANTS / t).exists()]
    first = _pytest(mutant, own, timeout) if own else "survived"
    if first != "survived" or not reach:
        return first
    return _pytest(mutant, reach, timeout)


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """95 % interval of a proportion k/n."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds a mutant's test run may take")
    ap.add_argument("--sample", type=int, default=0, help="run this many of the mutants mutmut did not check")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--again", action="store_true", help="run only the mutants the last score left alive")
    args = ap.parse_args()
    if not (MUTANTS / "mutmut-stats.json").is_file():
        sys.exit("no mutmut run in mutants/: run `mutmut run` first (make mutate)")
    # the tests as they are now (mutmut copied them when its run began)
    shutil.copytree(ROOT / "tests", MUTANTS / "tests", dirs_exist_ok=True)
    verdicts = mutmut_verdicts()
    previous = json.loads((MUTANTS / "score.json").read_text(encoding="utf-8")) if args.again else None
    by_module: dict[str, list[str]] = defaultdict(list)
    for name in sorted(verdicts):
        by_module[module_of(name)].append(name)
    unchecked = {m: [n for n in names if verdicts[n] == UNCHECKED] for m, names in by_module.items()}
    total_unchecked = sum(map(len, unchecked.values()))
    if previous is None:  # mutmut's survivors, and a fresh sample of what it did not check
        rng = random.Random(args.seed)
        sampled = {}
        for module, names in unchecked.items():
            share = round(args.sample * len(names) / total_unchecked) if total_unchecked else 0
            sampled[module] = sorted(rng.sample(names, min(len(names), share)))
        pending = sorted(n for n, s in verdicts.items() if s in ALIVE or s == "timeout")
        pending += [n for names in sampled.values() for n in names]
    else:  # the last score's sample, and only what it left alive
        sampled = {m: previous["sampled"].get(m, []) for m in by_module}
        verdicts = {n: previous["final"].get(n, s) for n, s in verdicts.items()}
        pending = sorted(n for n, s in verdicts.items() if s == "survived")
    print(
        f"{len(verdicts)} mutants: {'the last score' if args.again else 'mutmut'} killed {sum(s in KILLED for s in verdicts.values())}, left "
        f"{sum(s in ALIVE for s in verdicts.values())} alive, did not check {total_unchecked} "
        f"({sum(map(len, sampled.values()))} of them sampled). Running {len(pending)} in fresh interpreters ...",
        flush=True,
    )
    start = time.perf_counter()
    reach = defaultdict(list, module_tests())
    final = dict(verdicts)
    with ThreadPoolExecutor(args.jobs) as pool:
        for name, status in zip(pending, pool.map(lambda m: run_fresh(m, reach[module_of(m)], args.timeout), pending)):
            final[name] = status
    print(f"ran in {time.perf_counter() - start:.0f} s\n")
    print(f"{'module':<11} {'mutants':>7} {'checked':>7} {'killed':>7} {'alive':>6} {'sampled':>8} {'score':>7}  95 % interval")
    lo_all = hi_all = est_all = 0.0
    for module in sorted(by_module):
        names = by_module[module]
        rest = set(unchecked[module]) - set(sampled[module])
        checked = [n for n in names if n not in rest and n not in sampled[module]]
        killed = sum(final[n] in KILLED for n in checked)
        sample_killed = sum(final[n] in KILLED for n in sampled[module])
        n_s = len(sampled[module])
        rate = sample_killed / n_s if n_s else 1.0
        lo, hi = wilson(sample_killed, n_s) if n_s else (1.0, 1.0)
        unknown = len(unchecked[module])
        est = (killed + unknown * rate) / len(names)
        low, high = (killed + unknown * lo) / len(names), (killed + unknown * hi) / len(names)
        if not unknown:
            low = high = est
        est_all, lo_all, hi_all = est_all + est * len(names), lo_all + low * len(names), hi_all + high * len(names)
        alive = sum(final[n] == "survived" for n in checked) + (n_s - sample_killed)
        print(f"{module:<11} {len(names):>7} {len(checked):>7} {killed + sample_killed:>7} {alive:>6} "
              f"{f'{sample_killed}/{n_s}' if n_s else '-':>8} {est:>7.1%}  {low:.1%}-{high:.1%}")
    n = len(verdicts)
    print(f"{'all':<11} {n:>7} {'':>7} {'':>7} {'':>6} {'':>8} {est_all / n:>7.1%}  {lo_all / n:.1%}-{hi_all / n:.1%}")
    alive = sorted(name for name, status in final.items() if status == "survived")
    (MUTANTS / "survivors.txt").write_text("".join(f"{name}\n" for name in alive), encoding="utf-8")
    (MUTANTS / "score.json").write_text(json.dumps({"final": final, "sampled": sampled}, indent=1), encoding="utf-8")
    print(f"\n{len(alive)} alive, listed in mutants/survivors.txt (`mutmut show NAME` shows one)")


if __name__ == "__main__":
    main()
