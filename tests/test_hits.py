"""Hits: self-contained, JSON-serialisable, and as a data frame."""

from __future__ import annotations

import json
import sys

import pytest

from recsearch import hits_to_frame
from recsearch.errors import OptionalDependencyError
from recsearch.hits import Hit


@pytest.fixture()
def hits(corpus):
    return [Hit.from_record(corpus[i], rank=n, score=1.0 / n) for n, i in enumerate(["4.46.g", "1.13", "8.2.h"], start=1)]


def test_a_hit_is_frozen_and_serialisable(hits):
    d = hits[0].to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["meeting"] == {
        "number": 4, "name": "4th meeting", "place": "Vienna", "start": "2011-10-10", "end": "2011-10-12", "year": 2011,
    }  # fmt: skip
    assert (d["collection"], d["symbol"], d["lang"]) == ("wg4", "CTOC/COP/WG.4/2019/5", "ar")
    with pytest.raises(AttributeError):
        hits[0].score = 2.0  # type: ignore[misc]


def test_hits_to_frame(hits, corpus):
    frame = hits_to_frame(hits)
    assert list(frame.index) == ["4.46.g", "1.13", "8.2.h"]
    assert frame.loc["4.46.g", "citation"] == corpus["4.46.g"].citation()
    assert frame.loc["1.13", "meeting"] == 1 and frame.loc["8.2.h", "year"] == 2018
    assert {"text", "text_en", "item", "paragraph", "rank", "score"} <= set(frame.columns)
    assert hits_to_frame([]).empty


def test_hits_to_frame_without_pandas_says_how_to_install(hits, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(OptionalDependencyError, match="pip install pandas"):
        hits_to_frame(hits)
