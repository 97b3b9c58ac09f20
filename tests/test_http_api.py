"""The HTTP API, tested against a real uvicorn server on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest

from recsearch.errors import OptionalDependencyError

pytestmark = pytest.mark.integration


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "recsearch.cli", "serve", "--port", str(port)],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(f"server did not start: {proc.stderr.read().decode()[-2000:]}") from None
            time.sleep(0.3)
    yield base, port
    proc.terminate()
    proc.wait(timeout=30)


def _get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def _post(url: str, body: bytes, headers: dict | None = None):
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"null")


def test_health_and_docs(server):
    base, _ = server
    status, body = _get(base + "/health")
    assert status == 200 and body["status"] == "ok" and body["recommendations"] == 288
    status, spec = _get(base + "/openapi.json")
    assert status == 200 and {"/search", "/recommendations/{rec_id}", "/similar/{rec_id}", "/health"} <= set(spec["paths"])
    with urllib.request.urlopen(base + "/docs", timeout=10) as r:
        page = r.read().decode()
    assert r.status == 200 and "GET /search" in page and "<script" not in page and "http" not in page.replace("/openapi.json", "")


def test_search_get_and_post(server):
    base, _ = server
    status, body = _get(f"{base}/search?q={quote('تعويض الضحايا')}&k=3")
    assert status == 200 and len(body["results"]) == 3
    assert all(h["citation"].startswith("CTOC/COP/WG.4/2019/5") for h in body["results"])
    status, posted = _post(base + "/search", json.dumps({"q": "تعويض الضحايا", "k": 3}).encode())
    assert status == 200 and [h["id"] for h in posted["results"]] == [h["id"] for h in body["results"]]
    status, filtered = _get(f"{base}/search?q=children&k=5&meeting=8&lang=en")
    assert status == 200 and {h["meeting"]["number"] for h in filtered["results"]} == {8}
    status, same = _get(f"{base}/search?query={quote('تعويض الضحايا')}&k=3")  # the tools' name works too
    assert status == 200 and [h["id"] for h in same["results"]] == [h["id"] for h in body["results"]]
    status, posted = _post(base + "/search", json.dumps({"query": "تعويض الضحايا", "k": 3}).encode())
    assert status == 200 and [h["id"] for h in posted["results"]] == [h["id"] for h in body["results"]]
    status, ranged = _get(f"{base}/search?q=victims&k=20&year=2011&year_to=2015")
    assert status == 200 and {h["meeting"]["year"] for h in ranged["results"]} <= {2011, 2013, 2015}


def test_recommendation_and_similar(server):
    base, _ = server
    status, rec = _get(base + "/recommendations/4.46.g")
    assert status == 200 and rec["citation"].endswith("para. 46 (g)") and "raw" not in rec
    status, more = _get(base + "/similar/4.46.g?k=4")
    assert status == 200 and len(more["results"]) == 4 and "4.46.g" not in {h["id"] for h in more["results"]}
    status, missing = _get(base + "/recommendations/9.99")
    assert status == 404 and "no recommendation" in missing["detail"]


@pytest.mark.parametrize(
    "query",
    ["k=3", "q=x&k=0", "q=x&k=51", "q=", "q=" + "x" * 2001, "q=x&meeting=9", "q=x&year=2012", "q=x&addressee=police",
     "q=x&mode=fuzzy", "q=x&k=three", "q=x&meetings=5", "q=x&query=y", "q=x&year=2016&year_to=2016"],
)  # fmt: skip
def test_bad_input_is_a_422_with_a_message(server, query):
    base, _ = server
    status, body = _get(f"{base}/search?{query}")
    assert status == 422 and body["detail"]


def test_request_bodies_are_capped(server):
    base, _ = server
    status, body = _post(base + "/search", json.dumps({"q": "x" * 20000}).encode())
    assert status == 413 and "larger than" in body["detail"]
    status, body = _post(base + "/search", b"{broken")
    assert status == 422
    status, body = _post(base + "/search", json.dumps({"q": "x", "meetings": 5}).encode())
    assert status == 422 and "meetings" in json.dumps(body)  # a misspelt field is refused, not ignored


def test_concurrent_requests_get_the_serial_answers(server):
    base, _ = server
    urls = [f"{base}/search?q={quote(q)}&k=5" for q in ("تعويض الضحايا", "non-punishment", "حملات التوعية", "extradition")] * 4
    serial = [[h["id"] for h in _get(u)[1]["results"]] for u in urls]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(lambda u: [h["id"] for h in _get(u)[1]["results"]], urls))
    assert parallel == serial


def test_binds_to_loopback_only(server):
    _, port = server
    with open("/proc/net/tcp", encoding="ascii") as f:
        listening = [line.split()[1] for line in f.readlines()[1:] if line.split()[3] == "0A"]
    assert f"0100007F:{port:04X}" in listening
    assert not any(addr.endswith(f":{port:04X}") and not addr.startswith("0100007F") for addr in listening)


def test_without_fastapi_the_error_says_how_to_install(monkeypatch):
    from recsearch import http_api

    monkeypatch.setitem(sys.modules, "fastapi", None)
    with pytest.raises(OptionalDependencyError, match="pip install"):
        http_api.create_app(searcher=object())


def test_a_422_does_not_echo_a_huge_input(server):
    base, _ = server
    status, body = _get(f"{base}/search?q={'x' * 5000}&k=3")
    assert status == 422 and len(json.dumps(body)) < 1500 and "5002 characters" in json.dumps(body)


def test_oversized_headers_are_refused(server):
    base, port = server
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
        reply = s.recv(200)
    assert not reply.startswith(b"HTTP/1.1 200")  # 431 or the connection closed, never served
