"""recsearch — semantic search over UN recommendations, answered with citable provenance.

The package reads in pipeline order: ``collection`` (the records and their provenance) →
``normalize``, ``spelling`` (text) → ``encoders`` → ``channels`` (``vector_index``,
``lexical``) → ``ranking`` and ``fusion`` → ``rows``, ``hits`` and ``context`` (results and
citations) → ``search`` (the Searcher composing them; ``index_folder`` and ``store`` keep it on
disk) → ``tools``, ``display``, ``cli``, ``mcp_server``, ``http_api`` (surfaces). ``wg4`` is
the restoration of the first collection's damaged source, used only to rebuild it.

    >>> from recsearch import Searcher
    >>> hits = Searcher.load().search("compensation for victims", k=3)
    >>> hits[0].citation
"""

from __future__ import annotations

from .context import format_context
from .collection.model import Corpus, Meeting, Recommendation
from .collection.shipped import load_corpus
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
