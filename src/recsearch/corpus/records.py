"""The corpus as the rest of the library sees it: frozen records with their provenance.

Records are keyed by their recommendation id ("4.46.g"), never by a row number, and each one
knows how to cite itself in English or Arabic.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, replace
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from .._io import sha256_bytes
from ..errors import CorpusError, OptionalDependencyError, UnknownRecommendationError
from ..paths import data_dir
from .build import MEETINGS_FILE, RECORDS_FILE
from .english import ENGLISH_FILE, read_english
from .meetings import ar_digits
from .source import DOCUMENT_SYMBOL

ENGLISH_UNOFFICIAL_NOTE = (
    "Unofficial English rendering of the Arabic text by the recsearch project; "
    "the Arabic is authoritative. The official English is a separate UN document."
)
ENGLISH_OFFICIAL_NOTE = "English text supplied by the user as the official UN version."


@dataclass(frozen=True)
class Meeting:
    """One meeting of the Working Group: where and when its recommendations were adopted."""

    number: int
    ordinal_ar: str
    name_ar: str
    name_en: str
    heading_ar: str
    place_ar: str
    place_en: str
    start: str  # ISO date
    end: str  # ISO date
    dates_en: str
    dates_ar: str
    note: str | None
    source_line: int

    @property
    def year(self) -> int:
        return int(self.start[:4])

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Footnote:
    number: int
    text: str


def with_lead_in(chapeau: str | None, text: str) -> str:
    """An item read with its lead-in ("States parties should: …"), or the text alone."""
    return f"{chapeau} {text}" if chapeau else text


@dataclass(frozen=True)
class Recommendation:
    """One recommendation: restored Arabic text, its lead-in, and where it stands."""

    id: str
    meeting: Meeting
    paragraph: int
    item: str | None
    item_ar: str | None
    text: str
    chapeau: str | None
    footnotes: tuple[Footnote, ...]
    addressees: tuple[str, ...]
    raw: str
    source_lines: tuple[int, int]
    duplicate_of: str | None = None
    #: English text: the project's unofficial rendering unless replaced by an official one.
    text_en: str | None = None
    chapeau_en: str | None = None
    text_en_official: bool = False

    @property
    def year(self) -> int:
        return self.meeting.year

    @property
    def full_text(self) -> str:
        """Lead-in and text together: what an item means needs the chapeau's verb and subject."""
        return with_lead_in(self.chapeau, self.text)

    @property
    def full_text_en(self) -> str | None:
        return with_lead_in(self.chapeau_en, self.text_en) if self.text_en else None

    @property
    def text_en_note(self) -> str:
        """How far the English text can be relied on; shown wherever it is."""
        return ENGLISH_OFFICIAL_NOTE if self.text_en_official else ENGLISH_UNOFFICIAL_NOTE

    def citation(self, lang: str = "en") -> str:
        """A citation to paste into a report, e.g.
        ``CTOC/COP/WG.4/2019/5, 4th meeting (Vienna, 10–12 October 2011), para. 46 (g)``."""
        m = self.meeting
        if lang == "en":
            item = f" ({self.item})" if self.item else ""
            return f"{DOCUMENT_SYMBOL}, {m.name_en} ({m.place_en}, {m.dates_en}), para. {self.paragraph}{item}"
        if lang == "ar":
            item = f" ({self.item_ar})" if self.item_ar else ""
            return (
                f"{DOCUMENT_SYMBOL}، {m.name_ar} ({m.place_ar}، {m.dates_ar})، "
                f"الفقرة {ar_digits(self.paragraph)}{item}"
            )
        raise ValueError(f"unknown citation language {lang!r}: expected 'en' or 'ar'")

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable view, with both citations."""
        d = asdict(self)
        d["footnotes"] = [asdict(f) for f in self.footnotes]
        d["addressees"] = list(self.addressees)
        d["source_lines"] = list(self.source_lines)
        d["citation"] = self.citation("en")
        d["citation_ar"] = self.citation("ar")
        d["text_en_note"] = self.text_en_note
        return d


class Corpus:
    """The 288 recommendations, in document order, looked up by id."""

    def __init__(self, records: list[Recommendation], meetings: dict[int, Meeting], sha256: str):
        self._records = list(records)
        self._by_id = {r.id: r for r in self._records}
        if len(self._by_id) != len(self._records):
            raise CorpusError("duplicate recommendation ids in the dataset")
        self.meetings = dict(meetings)
        #: sha256 of ``recommendations.jsonl``: what an index records to know its corpus.
        self.sha256 = sha256

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[Recommendation]:
        return iter(self._records)

    def __contains__(self, rec_id: object) -> bool:
        return rec_id in self._by_id

    def __getitem__(self, rec_id: str) -> Recommendation:
        try:
            return self._by_id[rec_id]
        except (KeyError, TypeError):
            close = get_close_matches(str(rec_id), self._by_id, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownRecommendationError(f"no recommendation with id {rec_id!r}{hint}") from None

    def get(self, rec_id: str, default: Recommendation | None = None) -> Recommendation | None:
        return self._by_id.get(rec_id, default)

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self._records]

    def with_english(self, source: str | Path | Mapping[str, str], *, official: bool = True) -> Corpus:
        """A copy whose English texts are replaced by id, e.g. by the official UN text.

        ``source`` is a mapping id → English text, or a JSONL file of
        ``{"id": ..., "text_en": ..., "chapeau_en": ...}`` objects (the format of
        ``data/recommendations_en.jsonl``). A given id takes the given text and lead-in
        (none for a mapping) and is marked official unless ``official=False``; ids not given
        keep their current English. The dense index embeds the English too: rebuild it with
        ``Searcher.build(corpus=...)`` to search the new text.
        """
        rows = read_english(source)
        unknown = sorted(set(rows) - set(self._by_id))
        if unknown:
            raise UnknownRecommendationError(f"English text for unknown ids: {unknown[:5]}")
        records = [
            replace(r, text_en=rows[r.id][0], chapeau_en=rows[r.id][1], text_en_official=official)
            if r.id in rows
            else r
            for r in self._records
        ]
        return Corpus(records, self.meetings, self.sha256)

    def to_frame(self):  # -> pandas.DataFrame
        """One row per recommendation (needs pandas: ``pip install pandas``)."""
        try:
            import pandas as pd
        except ImportError as exc:
            raise OptionalDependencyError("Corpus.to_frame() needs pandas: pip install pandas") from exc
        rows = []
        for r in self._records:
            rows.append(
                {
                    "id": r.id,
                    "meeting": r.meeting.number,
                    "year": r.year,
                    "paragraph": r.paragraph,
                    "item": r.item,
                    "text": r.text,
                    "chapeau": r.chapeau,
                    "text_en": r.text_en,
                    "addressees": list(r.addressees),
                    "footnotes": [f.number for f in r.footnotes],
                    "duplicate_of": r.duplicate_of,
                    "citation": r.citation("en"),
                }
            )
        return pd.DataFrame(rows).set_index("id")


def load_corpus(path: str | Path | None = None) -> Corpus:
    """Load the restored dataset (default: the shipped ``data/``), with its English rendering."""
    folder = Path(path) if path is not None else data_dir()
    records_path, meetings_path = folder / RECORDS_FILE, folder / MEETINGS_FILE
    try:
        blob = records_path.read_bytes()
        meetings_raw = json.loads(meetings_path.read_text(encoding="utf-8"))
        rows = [json.loads(line) for line in blob.decode("utf-8").splitlines() if line.strip()]
    except FileNotFoundError as exc:
        raise CorpusError(f"dataset file missing: {exc.filename}; run `recsearch corpus build`") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise CorpusError(f"dataset in {folder} is not valid JSON: {exc}") from None
    try:
        meetings = {m["number"]: Meeting(**m) for m in meetings_raw}
        records = [
            Recommendation(
                id=row["id"],
                meeting=meetings[row["meeting"]],
                paragraph=row["paragraph"],
                item=row["item"],
                item_ar=row["item_ar"],
                text=row["text"],
                chapeau=row["chapeau"],
                footnotes=tuple(Footnote(**f) for f in row["footnotes"]),
                addressees=tuple(row["addressees"]),
                raw=row["raw"],
                source_lines=tuple(row["source_lines"]),
                duplicate_of=row.get("duplicate_of"),
            )
            for row in rows
        ]
    except (KeyError, TypeError) as exc:
        raise CorpusError(f"dataset in {folder} has a malformed record: {exc!r}") from None
    corpus = Corpus(records, meetings, sha256_bytes(blob))
    if (folder / ENGLISH_FILE).exists():
        corpus = corpus.with_english(folder / ENGLISH_FILE, official=False)
    return corpus
