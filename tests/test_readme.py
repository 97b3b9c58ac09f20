"""Every command in the README runs as written (CI runs ``make test`` and ``make run``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

pytestmark = pytest.mark.integration

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```", README, re.M | re.S)
#: Long-running servers: started and talked to by their own tests instead.
SERVERS = {"recsearch mcp": "test_mcp_server.py", "recsearch serve": "test_http_api.py"}
BIN = str(Path(sys.executable).parent)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    """A scratch folder that sees the repository's tests/ (the README's relative paths)."""
    work = tmp_path_factory.mktemp("readme")
    (work / "tests").symlink_to(ROOT / "tests")
    official = {"id": "4.46.g", "text_en": "Official English of (g).", "chapeau_en": "The Working Group endorsed:"}
    (work / "official_en.jsonl").write_text(json.dumps(official) + "\n", encoding="utf-8")
    return work


def _env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
        "HF_HUB_OFFLINE": "1",
        "RECSEARCH_CACHE": str(work / "cache"),
    }


def test_the_readme_has_the_blocks_it_promises():
    langs = [lang for lang, _ in BLOCKS]
    assert langs.count("python") >= 4 and langs.count("console") >= 3
    assert "make run" in README and "make test" in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci and "make run" in ci


def test_servers_named_in_the_readme_have_their_own_tests():
    commands = [line[2:] for lang, body in BLOCKS if lang == "console" for line in body.splitlines()]
    for command, test in SERVERS.items():
        assert any(c.startswith(command) for c in commands) and (ROOT / "tests" / test).exists()


@pytest.mark.parametrize(
    "body", [b for lang, b in BLOCKS if lang == "console"], ids=lambda b: b.splitlines()[0][2:40]
)
def test_console_block(body, workdir):
    lines = [line[2:] for line in body.splitlines() if line.startswith("$ ")]
    lines = [line for line in lines if not any(line.startswith(s) for s in SERVERS)]
    if not lines:
        pytest.skip("only servers in this block (tested in their own files)")
    script = "set -euo pipefail\n" + "\n".join(lines)
    out = subprocess.run(["bash", "-c", script], cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert out.stdout.strip()


@pytest.mark.parametrize(
    "body", [b for lang, b in BLOCKS if lang == "python"], ids=lambda b: b.splitlines()[0][:40]
)
def test_python_block(body, workdir):
    out = subprocess.run([sys.executable, "-c", body], cwd=workdir, env=_env(workdir), capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    if "print(hit.citation)" in body:
        assert "CTOC/COP/WG.4/2019/5, " in out.stdout
