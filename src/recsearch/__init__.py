"""recsearch — semantic search over the UN Working Group on Trafficking in Persons'
recommendations (CTOC/COP/WG.4/2019/5), answered with citable provenance.

The package reads in pipeline order: ``corpus`` (source text → records) → ``normalize`` →
``encoders`` → index (``vector_index``, ``lexical``, ``store``) → ``understand`` and
``filters`` → ``search`` → ``hits`` (results and citations) → ``display`` and ``cli``.

    >>> from recsearch import Searcher
    >>> hits = Searcher.load().search("compensation for victims", k=3)
    >>> hits[0].citation
"""

from __future__ import annotations

from .corpus import Corpus, Meeting, Recommendation, load_corpus
from .errors import RecsearchError
from .hits import Hit
from .search import Results, Searcher

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
    "load_corpus",
]
