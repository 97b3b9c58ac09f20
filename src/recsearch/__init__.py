"""recsearch — semantic search over the UN Working Group on Trafficking in Persons'
recommendations (CTOC/COP/WG.4/2019/5), answered with citable provenance.

The package reads in pipeline order: ``corpus`` (source text → records) → ``normalize`` →
``encoders`` → index (``vector_index``, ``lexical``, ``store``) → ``search`` → ``hits``
(results and citations) → ``cli``.
"""

from __future__ import annotations

from .corpus import Corpus, Meeting, Recommendation, load_corpus
from .errors import RecsearchError

__version__ = "0.1.0"

__all__ = ["Corpus", "Meeting", "Recommendation", "RecsearchError", "__version__", "load_corpus"]
