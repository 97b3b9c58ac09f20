"""The MCP server, tested by a real MCP client session over stdio."""

from __future__ import annotations

import json
import os
import sys

import pytest

from recsearch.errors import OptionalDependencyError

pytestmark = pytest.mark.integration


async def _session(run):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=sys.executable, args=["-m", "recsearch.cli", "mcp"], env={**os.environ, "HF_HUB_OFFLINE": "1"}
    )
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            return await run(session)


def _json(result):
    assert result.content and result.content[0].type == "text"
    return json.loads(result.content[0].text)


def test_a_client_lists_and_calls_every_tool():
    import anyio

    async def run(session):
        tools = await session.list_tools()
        found = await session.call_tool("search_recommendations", {"query": "تعويض الضحايا", "k": 3})
        got = await session.call_tool("get_recommendation", {"id": "4.46.g"})
        more = await session.call_tool("similar_recommendations", {"id": "4.46.g", "k": 2})
        bad = await session.call_tool("search_recommendations", {"query": "x", "k": 500})
        unknown = await session.call_tool("get_recommendation", {"id": "9.99"})
        return tools, found, got, more, bad, unknown

    tools, found, got, more, bad, unknown = anyio.run(_session, run)
    assert [t.name for t in tools.tools] == ["search_recommendations", "get_recommendation", "similar_recommendations"]
    assert tools.tools[0].input_schema["required"] == ["query"]
    hits = _json(found)["results"]
    assert len(hits) == 3 and all(h["citation"].startswith("CTOC/COP/WG.4/2019/5") for h in hits)
    # what a model needs to trust the answer: whether any hit answers, how sure each is, and why
    assert _json(found)["no_good_match"] is False and all(0 <= h["relevance"] <= 1 for h in hits)
    assert hits[0]["themes"] and hits[0]["explanation"]["words"] and "notes" in _json(found)
    assert "no_good_match" in tools.tools[0].description and "theme" in tools.tools[0].input_schema["properties"]
    assert not found.is_error
    assert _json(got)["recommendation"]["citation"] == "CTOC/COP/WG.4/2019/5, 4th meeting (Vienna, 10–12 October 2011), para. 46 (g)"
    assert len(_json(more)["results"]) == 2
    assert bad.is_error and _json(bad)["error"]["type"] == "invalid_argument"
    assert unknown.is_error and _json(unknown)["error"]["type"] == "unknown_id"


def test_without_the_mcp_package_the_error_says_how_to_install(monkeypatch):
    from recsearch import mcp_server

    for name in [m for m in sys.modules if m == "mcp" or m.startswith("mcp.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "mcp", None)
    with pytest.raises(OptionalDependencyError, match="pip install"):
        mcp_server.build_server(searcher=None)
