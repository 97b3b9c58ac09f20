"""Shared fixtures. Tests never reach the network: the hub is offline for every test."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def corpus():
    from recsearch import load_corpus

    return load_corpus()


@pytest.fixture(scope="session")
def spec_ids() -> list[str]:
    return (TEST_DATA / "recommendation_ids.txt").read_text(encoding="utf-8").split()
