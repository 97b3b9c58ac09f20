"""HTTP throughput at concurrency 1 and 8 (``recsearch serve`` on loopback), against the bare
encoders called from the same number of threads in one process.

The baseline is what the query path cannot avoid: the two encoders' own calls on the queries of
``bench_query.py``, from 1 and 8 threads in this process, measured first. Then the server runs in
a child process (``recsearch serve`` on a free loopback port) and client threads send ``GET
/search`` with the same queries for a fixed time. The ratio shows what the library serialises
beyond what the encoders require.

    python benchmarks/bench_http.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_query import QUERIES  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hammer(call, threads: int, seconds: float) -> float:
    """Calls per second from ``threads`` threads calling ``call(i)`` for ``seconds``."""
    done = [0] * threads
    stop = time.perf_counter() + seconds

    def worker(t: int) -> None:
        i = t
        while time.perf_counter() < stop:
            call(i)
            done[t] += 1
            i += threads

    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    start = time.perf_counter()
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    return sum(done) / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=15.0)
    args = ap.parse_args()
    from recsearch import Searcher

    encoders = Searcher.load().encoders

    def bare(i: int) -> None:
        q = QUERIES[i % len(QUERIES)]
        for enc in encoders:
            enc.encode_queries([q])

    for i in range(10):  # warm up
        bare(i)
    # the baseline first, with no server running: an idle server's OpenMP threads spin for a
    # while after each request and would slow a baseline measured beside it
    baseline = {threads: hammer(bare, threads, args.seconds) for threads in (1, 8)}
    port = free_port()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    server = subprocess.Popen([sys.executable, "-m", "recsearch.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/health", timeout=1).read()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit("server did not start")

        def http(i: int) -> None:
            q = urllib.parse.quote(QUERIES[i % len(QUERIES)])
            with urllib.request.urlopen(f"{base}/search?q={q}&k=10", timeout=30) as r:
                r.read()

        for i in range(10):  # warm up
            http(i)
        print(f"HTTP GET /search vs the bare encoders, {args.seconds:.0f} s per cell, 2 vCPUs")
        print("| threads | bare encoders calls/s | HTTP requests/s | HTTP / bare |")
        print("|---|---|---|---|")
        for threads in (1, 8):
            h = hammer(http, threads, args.seconds)
            b = baseline[threads]
            print(f"| {threads} | {b:.1f} | {h:.1f} | {h / b:.2f} |", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
