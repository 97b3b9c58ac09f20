"""The package as a user installs it: a wheel that carries the shipped collection and index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

pytestmark = pytest.mark.integration

PROBE = """
import json, recsearch
from recsearch import Searcher, load_corpus
hits = Searcher.load().search("compensation for victims", k=3)
print(json.dumps({"file": recsearch.__file__, "n": len(load_corpus()),
                  "citations": [h.citation for h in hits], "relevance": hits[0].relevance,
                  "themes": hits[0].themes}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    (path,) = out.glob("recsearch-*.whl")
    return path


def test_the_wheel_carries_the_collection_the_glossary_and_the_index(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "recsearch/_shipped/data/collections/wg4/collection.json",
        "recsearch/_shipped/data/collections/wg4/records.jsonl",
        "recsearch/_shipped/data/glossary.tsv",
        "recsearch/_shipped/data/relevance.json",
        "recsearch/_shipped/index/manifest.json",
        "recsearch/_shipped/index/collections/wg4/records.jsonl",
    ):
        assert needed in names
    assert not any(n.startswith("recsearch/wg4/") and n.endswith(".tsv") for n in names)  # no restoration inputs


def test_an_installed_wheel_answers_with_citations_from_any_directory(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        check=True, capture_output=True, text=True, timeout=600,
    )
    elsewhere = tmp_path / "somewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("RECSEARCH_DATA", "RECSEARCH_INDEX")}
    env.update(PYTHONPATH=str(target), HF_HUB_OFFLINE="1")
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["file"].startswith(str(target))  # the installed copy, not the checkout
    assert result["n"] == 288
    assert len(result["citations"]) == 3 and all(c.startswith("CTOC/COP/WG.4/2019/5, ") for c in result["citations"])
    assert 0.5 < result["relevance"] <= 1 and result["themes"]  # the relevance model and the facets travel too
    # the overrides still win over the package's copy
    env.update(RECSEARCH_INDEX=str(tmp_path / "nowhere"))
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "nowhere" in out.stderr
