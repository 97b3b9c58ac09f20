"""recsearch as an MCP server over stdio (``recsearch mcp``), with the official ``mcp`` package.

It offers the three tools of :mod:`recsearch.tools` — same names, schemas and validation as
function calling — so a model sees one interface however it is wired. Stdout carries the
protocol: nothing here prints, and logging goes to stderr. The index is loaded before the
server starts answering, so a damaged index fails at start-up, not on a model's first call.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from .errors import OptionalDependencyError
from .tools import call_tool, describe_collections, tool_definitions

log = logging.getLogger(__name__)

MCP_INSTALL_HINT = 'pip install "mcp>=2.3,<3"'
SERVER_NAME = "recsearch"


def _require_mcp() -> None:
    try:
        import mcp.server.lowlevel  # noqa: F401
    except ImportError as exc:
        raise OptionalDependencyError(f"recsearch mcp needs the MCP package: {MCP_INSTALL_HINT}") from exc


def build_server(searcher: Any) -> Any:
    """An ``mcp`` low-level Server answering the recsearch tools with ``searcher``."""
    _require_mcp()
    import anyio
    from mcp import types
    from mcp.server.lowlevel import Server

    from . import __version__

    tools = [
        types.Tool(name=t["name"], description=t["description"], input_schema=t["parameters"])
        for t in tool_definitions(searcher)
    ]

    async def list_tools(ctx: Any, params: Any) -> Any:
        return types.ListToolsResult(tools=tools)

    async def call(ctx: Any, params: Any) -> Any:
        # tools.call_tool validates the arguments, with messages a model can act on; a
        # search takes ~25 ms of CPU, so it runs off the event loop
        result = await anyio.to_thread.run_sync(lambda: call_tool(params.name, params.arguments or {}, searcher=searcher))
        text = json.dumps(result, ensure_ascii=False)
        return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error="error" in result)

    return Server(
        SERVER_NAME,
        version=__version__,
        instructions=(
            f"Search {describe_collections(searcher.corpus)}. Quote each result's citation; English texts "
            "marked unofficial are renderings, the authoritative text is the original."
        ),
        on_list_tools=list_tools,
        on_call_tool=call,
    )


def run(index: str | None = None) -> None:
    """Load the index, then serve the tools over stdin/stdout until the client closes."""
    _require_mcp()
    import anyio
    from mcp.server.stdio import stdio_server

    from .search import Searcher

    searcher = Searcher.load(index)
    log.info("recsearch MCP server ready: %r", searcher)
    server = build_server(searcher)

    async def main() -> None:
        async with stdio_server() as (read, write):
            await server.run(read, write, server.create_initialization_options())

    anyio.run(main)
