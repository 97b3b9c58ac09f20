"""Collections of recommendations: the records the library searches, their documented file
format (docs/collection-format.md), and the folders that hold them.

    >>> from recsearch.collection import import_collection, read_collection
    >>> import_collection("records.csv", "collection.json", "collections/mine")
    >>> profile, records = read_collection("collections/mine")
"""

from .folder import load_collections, read_collection, write_collection
from .format import CollectionFormatError, parse_profile, parse_records
from .importer import import_collection
from .model import Corpus, Footnote, Meeting, Profile, Recommendation, Translation, language_name, with_lead_in
from .shipped import load_corpus

__all__ = [
    "CollectionFormatError",
    "Corpus",
    "Footnote",
    "Meeting",
    "Profile",
    "Recommendation",
    "Translation",
    "import_collection",
    "load_corpus",
    "language_name",
    "load_collections",
    "parse_profile",
    "parse_records",
    "read_collection",
    "with_lead_in",
    "write_collection",
]
