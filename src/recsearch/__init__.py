"""recsearch — semantic search over the UN Working Group on Trafficking in Persons'
recommendations (CTOC/COP/WG.4/2019/5), answered with citable provenance.

The package reads in pipeline order: ``corpus`` (source text → records) → ``normalize`` →
``encoders`` → index (``vector_index``, ``lexical``, ``store``) → ``understand`` and
``filters`` → ``search`` → ``hits`` (results and citations) and ``context`` (an LLM's
context block) → ``tools`` (function calling) → ``display``, ``cli``, ``mcp_server`` and
``http_api``.

    >>> from recsearch import Searcher
    >>> hits = Searcher.load().search("compensation for victims", k=3)
    >>> hits[0].citation
"""

from __future__ import annotations

from .context import format_context
from .corpus import Corpus, Meeting, Recommendation, load_corpus
from .errors import RecsearchError
from .hits import Hit, hits_to_frame
from .search import Results, Searcher
from .tools import call_tool, tool_schema

__version__ = "0.1.0"

__all__ = [
    "Corpus",
    "Hit",
    "Meeting",
    "Recommendation",
    "RecsearchError",
    "Results",
    "Searcher",
    "__version__",
    "call_tool",
    "format_context",
    "hits_to_frame",
    "load_corpus",
    "tool_schema",
]
