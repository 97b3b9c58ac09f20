"""The corpus: CTOC/COP/WG.4/2019/5's 288 recommendations, restored from the extracted text.

Reading order: ``source`` (the pinned text) → ``layout`` (structure) → ``restore`` (reading
order) → ``meetings`` / ``addressees`` (provenance) → ``build`` (the dataset files) →
``records`` (the objects the library uses).
"""

from .records import Corpus, Footnote, Meeting, Recommendation, load_corpus

__all__ = ["Corpus", "Footnote", "Meeting", "Recommendation", "load_corpus"]
