"""One exception hierarchy, so callers can catch everything recsearch raises with one clause.

Validation errors also subclass the builtin a caller would expect (``ValueError``,
``TypeError``, ``FileNotFoundError``) so ordinary Python idioms keep working.
"""

from __future__ import annotations


class RecsearchError(Exception):
    """Base class of every error raised on purpose by recsearch."""


class SourceError(RecsearchError):
    """The source text is missing, truncated or not the file the dataset was built from."""


class SourceNotFoundError(SourceError, FileNotFoundError):
    """The source text file does not exist."""


class CorpusError(RecsearchError):
    """The restored dataset in ``data/`` is missing, malformed or inconsistent."""


class RestorationError(CorpusError):
    """A correction is not a pure reordering of its raw span, or the parse lost structure."""


class QueryError(RecsearchError, ValueError):
    """A query, filter or argument has an invalid value."""


class QueryTypeError(RecsearchError, TypeError):
    """A query or argument has the wrong type."""


class UnknownRecommendationError(RecsearchError, KeyError):
    """No recommendation has that id."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class OptionalDependencyError(RecsearchError, ImportError):
    """A feature needs a package that is not installed; the message gives the pip command."""


class EncoderError(RecsearchError):
    """An encoder cannot be created or used."""


class EncoderUnavailableError(EncoderError, ImportError):
    """An optional encoder backend is not installed; the message gives the pip command."""


class ModelNotFoundError(EncoderError):
    """A model name cannot be resolved offline (no hub access) and is not a local folder."""


class SearchIndexError(RecsearchError):
    """Base class for problems with a saved search index."""


class IndexNotFoundError(SearchIndexError, FileNotFoundError):
    """No index at the given path, or a file of it is missing."""


class IndexCorruptError(SearchIndexError):
    """An index file fails its checksum, is truncated or unreadable."""


class IndexMismatchError(SearchIndexError):
    """The index was built with another encoder, corpus or library version than requested."""
