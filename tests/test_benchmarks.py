"""The benchmark scripts run (tiny sizes: a smoke test of the scripts, not a measurement)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import ROOT

pytestmark = pytest.mark.integration


def _run(*args: str) -> str:
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def test_bench_query_runs():
    out = _run("benchmarks/bench_query.py", "--runs", "1", "--warm", "5", "--skip-build")
    assert "ratio" in out and "torch imported: False" in out


def test_bench_scale_runs():
    out = _run("benchmarks/bench_scale.py", "--sizes", "2000", "--queries", "10")
    assert "| 2,000 |" in out


def test_quality_runs():
    out = _run("benchmarks/quality.py")
    assert "shipped default" in out and out.count("\n| ") >= 8
