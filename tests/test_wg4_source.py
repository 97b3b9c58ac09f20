from pathlib import Path

import pytest

from recsearch.wg4.source import SOURCE_SHA256, read_source
from recsearch.errors import SourceError, SourceNotFoundError

from conftest import DATA


def test_shipped_source_matches_pinned_sha256():
    source = read_source(DATA / "source_ar.txt")
    assert source.sha256 == SOURCE_SHA256
    assert len(source.lines) > 1000


def test_missing_source_names_the_file(tmp_path: Path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(SourceNotFoundError, match="nope.txt"):
        read_source(missing)


def test_truncated_source_is_refused_by_name(tmp_path: Path):
    truncated = tmp_path / "source_ar.txt"
    truncated.write_bytes((DATA / "source_ar.txt").read_bytes()[:5000])
    with pytest.raises(SourceError, match="source_ar.txt.*sha256"):
        read_source(truncated)


def test_changed_source_is_refused(tmp_path: Path):
    changed = tmp_path / "source_ar.txt"
    changed.write_bytes((DATA / "source_ar.txt").read_bytes().replace("فيينا".encode(), "باريس".encode(), 1))
    with pytest.raises(SourceError, match="expected 175f44bc"):
        read_source(changed)
