"""Three facets read from the WG.4 recommendations' own Arabic wording: how strongly each one
asks (:func:`strength`), which earlier recommendations a text points to (:func:`references`),
and the reverse of that (:func:`cited_by`).

**Strength.** The verb that carries the recommendation decides it: ``ينبغي`` / ``يجب`` / ``على
الدول … أن`` → ``should``; the same modal whose verb is ``نظر`` ("ينبغي للدول الأطراف أن تنظر
في", "ينبغي … النظر في") → ``should_consider``; ``تُشجَّع`` / ``شُجِّعت`` / ``مُشجَّعة`` / ``يحث`` →
``encouraged``; a clause-initial ``يمكن`` / ``يجوز`` / ``قد`` → ``may``; anything else → ``other``
(topics for the Working Group's future meetings — even when put as "ينبغي للفريق العامل أن ينظر،
أثناء اجتماعاته القادمة، في موضوع…" —, the Working Group "reiterated", "requested", "proposed"). The
first such verb of the text wins, so "ينبغي للمؤتمر أن يشجع …" is ``should`` while "تشجع
الدول … ومن ثم، ينبغي …" is ``encouraged``. When the Working Group speaks ("أوصى الفريق
العامل …") the verb is read through it: "recommended that the Conference consider" is
``should_consider``, "recommended that States adopt" is ``should``.

A lettered item is read with its lead-in. A lead-in that carries a modal ("ينبغي أن تقوم الدول
الأطراف بما يلي:") decides for its items — an item that opens with "النظر في" (considering)
makes it ``should_consider``; modals inside the item are then part of *what* is asked ("…أن تكفل
ما يلي: يجوز إثبات وقوع الاتجار…" asks States to ensure that trafficking *can* be established).
A lead-in that only introduces a list ("أقرَّ الفريق العامل التوصيات التالية:", a topic heading)
leaves the decision to the item's own first sentence; an item there that has no modal but opens
with a finite verb and its actor ("يقدم المؤتمر الإرشادات …") is a directive, read as ``should``.
Verbs inside relative clauses ("التي يمكن أن تواجهها الدول") never decide.

**References.** Texts of the second meeting cite "the recommendations contained in paragraph N of
the report of the 2009 meeting". The compilation numbers paragraphs differently from that report,
and by how much is read from the document itself: each citing text is compared
with the candidate paragraphs N-3 … N+3 of the cited meeting by word overlap, and the offset most
citations agree on is applied to all of them. A paragraph reference resolves to every record of
that paragraph. Two other kinds of pointer are resolved by content: "its previous
recommendation" (no number given) and a section of an earlier meeting's report named by its
document symbol and title. Treaty articles, General Assembly resolutions and Conference
decisions are not links.

Pure functions: no I/O at import; :func:`references` reads the collection's meeting calendar
(``collection.json``) only if no calendar is passed.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from recsearch.normalize import tokenize_lexical

__all__ = [
    "STRENGTHS",
    "Reference",
    "strength",
    "strength_of",
    "english_strength",
    "references",
    "report_offset",
    "cited_by",
    "plain",
]

#: Strength values, strongest ask first.
STRENGTHS = ("should", "should_consider", "encouraged", "may", "other")

Record = Mapping[str, Any]

# ---------------------------------------------------------------------------- text helpers

_MARKS = re.compile("[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_SENTENCE_END = re.compile(r"[.؛;:]")
_PUNCT = "،,()\"'“”‘’«»[]"


def plain(text: str | None) -> str:
    """``text`` without diacritics and tatweel, digits as ASCII, whitespace collapsed."""
    if not text:
        return ""
    return " ".join(_MARKS.sub("", text).translate(_ARABIC_INDIC).split())


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def _words(sentence: str) -> list[str]:
    return [w.strip(_PUNCT) for w in sentence.split() if w.strip(_PUNCT)]


# ---------------------------------------------------------------------------- strength

_SHOULD = re.compile(r"[وف]?(?:ينبغي|يجب)")
_ENCOURAGED = re.compile(r"[و]?(?:تشجع|يشجع|شجعت|شجع|مشجعة|مشجعون|تحث|يحث|حث|حثت)")
_MAY = re.compile(r"[وف]?(?:يمكن|يجوز)(?:ها|هم|هما)?")
_MIGHT = re.compile(r"[و]?قد")
_SPEAKER = re.compile(r"[و]?(?:أوصى|يوصي|كرر|طلب|اقترح|أقر)")
_CONSIDER_VERB = re.compile(r"[و]?(?:تنظر|ينظر|النظر|بالنظر)")
_RELATIVE = frozenset("التي الذي الذين اللذين اللتين اللتان ما مما ممن".split())
_ACTOR_WORD = re.compile(r"و?(?:ال|لل|ل)?(?:دول|بلدان|أطراف|أعضاء|مؤتمر|أمانة|مكتب|فريق|عامل|حكومات)")
#: The thing to consider is a topic for the Working Group's future meetings.
_FUTURE_MEETINGS = re.compile(r"(?:اجتماع|دور)\S*(?:\s+\S+){0,3}?\s+(?:ال)?(?:مقبل|قادم)\S*")


@dataclass(frozen=True)
class _Verdict:
    value: str
    verb: str  # the Arabic words that decided it
    defers: bool = False  # a lead-in that leaves the decision to its items


def _phrase(words: Sequence[str], start: int, end: int, *, addressee: bool = True) -> str:
    """``words[start:end+1]`` and (``addressee``) the actor right after it ("ينبغي أن تقوم
    الدول الأطراف"), shortened around a long parenthesis."""
    tail = end
    while addressee and tail + 1 < len(words) and tail < end + 3 and _ACTOR_WORD.fullmatch(words[tail + 1]):
        tail += 1
    if end - start <= 5:
        return " ".join(words[start : tail + 1])
    return " ".join(words[start : start + 3]) + " … " + " ".join(words[end - 1 : tail + 1])


def _phrase_to_fi(words: Sequence[str], start: int, verb: int) -> str:
    """The modal's phrase through the "في" of its verb "نظر" ("ينبغي أن ينظر المؤتمر في")."""
    for k in range(verb + 1, min(len(words), verb + 5)):
        if words[k].startswith("في"):
            if k - start <= 8:
                return " ".join(words[start : k + 1])
            return _phrase(words, start, verb, addressee=False) + " … " + words[k]
    return _phrase(words, start, verb) + " في"


def _modal_verb(words: Sequence[str], i: int) -> int:
    """Index of the verb governed by the modal at ``words[i]``: the word after its "أن", or the
    verbal noun that follows the addressee directly ("ينبغي للدول الأطراف اعتماد …")."""
    that = [k for k in range(i + 1, len(words) - 1) if words[k] in ("أن", "ان")]
    j = i + 1
    while j < len(words) and j <= i + 4 and _ACTOR_WORD.fullmatch(words[j]):
        j += 1
    if j >= len(words):
        return len(words) - 1
    if words[j] in ("أن", "ان"):
        return j + 1
    if that and that[0] <= i + 10:  # "ينبغي لمكتب الأمم المتحدة المعني … أن يواصل"
        return that[0] + 1
    if words[j] not in _RELATIVE and words[j][:1].isalpha() and not words[j].startswith(("و", "بناء", "في", "من")):
        # "ينبغي للدول الأطراف النظر في" / "ينبغي الإقرار": the verbal noun itself
        return j
    return that[0] + 1 if that else min(i + 1, len(words) - 1)


def _clause_verdict(text: str) -> _Verdict | None:
    """The strength carried by the first deciding verb of ``text`` (already :func:`plain`)."""
    for sentence in _sentences(text):
        words = _words(sentence)
        for i, w in enumerate(words):
            prev = words[i - 1] if i else ""
            if prev in _RELATIVE:
                continue
            if _SPEAKER.fullmatch(w) and i + 1 < len(words) and words[i + 1] in ("الفريق", "المؤتمر"):
                return _speaker_verdict(words, i, sentence)
            if _SHOULD.fullmatch(w):
                v = _modal_verb(words, i)
                phrase = _phrase(words, i, v)
                if _CONSIDER_VERB.fullmatch(words[v]):
                    future = _FUTURE_MEETINGS.search(sentence)
                    if future:  # a topic for the Working Group's future meetings
                        return _Verdict("other", phrase + " … " + future.group(0))
                    return _Verdict("should_consider", _phrase_to_fi(words, i, v))
                return _Verdict("should", phrase)
            if i == 0 and w in ("على", "وعلى") and len(words) > 2 and words[1].startswith("ال"):
                k = next((k for k in range(2, min(len(words), 8)) if words[k] in ("أن", "ان")), None)
                if k is not None:  # "على الدول الأطراف أن تسعى": it is incumbent on States
                    return _Verdict("should", _phrase(words, 0, k + 1))
            if _ENCOURAGED.fullmatch(w):
                if w.startswith(("مشجع", "ومشجع")):  # "الدول الأطراف مشجعة على"
                    return _Verdict("encouraged", " ".join(words[max(0, i - 2) : i + 2]))
                return _Verdict("encouraged", " ".join(words[i : i + 4]))
            if _MAY.fullmatch(w) and (i == 0 or (i + 1 < len(words) and words[i + 1].startswith("ل"))):
                return _Verdict("may", " ".join(words[i : i + 4]))
            if i == 0 and _MIGHT.fullmatch(w) and len(words) > 1 and words[1][:1] in "تي":
                return _Verdict("may", " ".join(words[0:3]))
    return None


def _speaker_verdict(words: Sequence[str], i: int, sentence: str) -> _Verdict:
    """The Working Group speaks: "أوصى/يوصي/كرر/طلب/اقترح/أقر الفريق العامل …"."""
    verb = words[i].lstrip("و")
    head = " ".join(words[i : i + 3])
    if verb == "أقر":  # "أقر الفريق العامل التوصيات التالية:": the items speak
        return _Verdict("other", head, defers=True)
    if verb in ("كرر", "طلب", "اقترح"):  # reiteration, a request to the Secretariat, a proposal
        return _Verdict("other", head)
    future = _FUTURE_MEETINGS.search(sentence)
    if future:  # topics for the Working Group's future meetings
        return _Verdict("other", head + " … " + future.group(0))
    for k in range(i + 1, min(len(words) - 1, i + 15)):
        if words[k] in ("بأن", "أن") and _CONSIDER_VERB.fullmatch(words[k + 1]):
            return _Verdict("should_consider", _phrase_to_fi(words, i, k + 1))
    return _Verdict("should", head)


def _directive(text: str) -> _Verdict | None:
    """A list item with no modal that opens with a finite verb and its actor ("يقدم المؤتمر
    الإرشادات …"): the imperfect of a directive, read as ``should``."""
    words = _words(_sentences(text)[0]) if text else []
    if len(words) > 1 and words[0][:1] in "يت" and len(words[0]) >= 4 and _ACTOR_WORD.fullmatch(words[1]):
        return _Verdict("should", " ".join(words[:2]))
    return None


def strength_of(record: Record) -> tuple[str, str]:
    """``(strength, verb)``: the value (see :data:`STRENGTHS`) and the Arabic words that decided it."""
    text = plain(record.get("text"))
    lead = plain(record.get("lead_in"))
    if not lead:
        found = _clause_verdict(text) or _directive(text)
        return (found.value, found.verb) if found else ("other", "")
    sentences = _sentences(text)
    own = _clause_verdict(sentences[0]) if sentences else None
    chapeau = _clause_verdict(lead)
    if chapeau is None or chapeau.defers:
        # a heading or "the following recommendations": the item's own first sentence decides
        found = own or _directive(text)
        if found:
            return found.value, found.verb
        return (chapeau.value, chapeau.verb) if chapeau else ("other", "")
    first = _words(sentences[0])[0] if sentences and _words(sentences[0]) else ""
    if chapeau.value == "should" and _CONSIDER_VERB.fullmatch(first):
        return "should_consider", f"{chapeau.verb} + {first} في"
    return chapeau.value, chapeau.verb


def strength(record: Record) -> str:
    """What the recommendation asks, from its own Arabic verb: one of :data:`STRENGTHS`."""
    return strength_of(record)[0]


# -- the English rendering, read the same way, to check the Arabic reading against

_EN_SPEAKER = re.compile(
    r"\bworking group(?: on trafficking in persons)?\s+(reiterated|requested|proposed|endorsed|recommended|recommends)\b"
)
_EN_SHOULD = re.compile(r"\b(should|must)\b")
_EN_ENCOURAGED = re.compile(r"\b(?:are|is|were)\s+(?:therefore\s+)?encouraged\b")
_EN_MAY = re.compile(r"\b(states parties|states|parties|conference|secretariat|unodc)\s+may\b")
_EN_FUTURE = re.compile(r"\bfuture (?:meetings|meeting|sessions)\b|\bat a future meeting\b")


def _en_clause(text: str) -> str | None:
    for sentence in re.split(r"[.;:]\s", text.lower() + " "):
        hits = []
        for pat, kind in ((_EN_SPEAKER, "speaker"), (_EN_SHOULD, "should"), (_EN_ENCOURAGED, "encouraged"), (_EN_MAY, "may")):
            m = pat.search(sentence)
            if m:
                if kind == "may" and re.search(r"\b(which|that|who|whom)\s+(?:\S+\s+){0,2}$", sentence[: m.start()]):
                    continue
                hits.append((m.start(), kind, m))
        if not hits:
            continue
        _, kind, m = min(hits, key=lambda h: h[0])
        after = sentence[m.end() :]
        if kind == "speaker":
            verb = m.group(1)
            if verb == "endorsed":
                return "defer"
            if verb in ("reiterated", "requested", "proposed") or _EN_FUTURE.search(sentence):
                return "other"
            return "should_consider" if re.search(r"\bconsider\b", after[:120]) else "should"
        if kind == "should":
            if re.match(r"\s+(?:also\s+)?consider\b", after):
                return "other" if _EN_FUTURE.search(sentence) else "should_consider"
            return "should"
        return kind
    return None


def english_strength(record: Record) -> str | None:
    """The strength the English rendering expresses ("should consider", "are encouraged", "may"),
    read with the same rules; None when the record has no English."""
    en = (record.get("translations") or {}).get("en") or {}
    text, lead = en.get("text") or "", en.get("lead_in") or ""
    if not text:
        return None
    own = _en_clause(text.split(". ")[0].split(";")[0])
    if not lead:
        found = _en_clause(text)
        return found if found and found != "defer" else "other"
    chapeau = _en_clause(lead)
    if chapeau in (None, "defer"):
        return own if own and own != "defer" else "other"
    if chapeau == "should" and re.match(r"\s*consider", text.lower()):
        return "should_consider"
    return chapeau


# ---------------------------------------------------------------------------- references


@dataclass(frozen=True)
class Reference:
    """A recommendation another text points to, and how the pointer was resolved."""

    target: str  # record id
    how: str


#: "الفقرة ١٢ من تقرير اجتماع الفريق العامل لعام ٢٠٠٩" (on :func:`plain` text).
_REPORT_PARAGRAPH = re.compile(r"الفقرة\s+(\d+)\s+من\s+تقرير\s+((?:(?!الفقرة)[^.؛])*?)\b((?:19|20)\d\d)\b")
#: "توصيته السابقة": a previous recommendation, no number given.
_PREVIOUS = re.compile(r"توصيت(?:ه|ها) السابقة|توصياته السابقة|التوصية السابقة|توصيته الواردة أعلاه")
#: "(الوثيقة CTOC/COP/WG.4/2011/8، الباب الثاني-ألف-٥، المجالات المقترحة للأعمال المقبلة)"
_DOCUMENT_SECTION = re.compile(r"الوثيقة\s+(CTOC/COP/WG\.4/(\d{4})/\d+)،?\s*الباب\s+([^،)]+)،?\s*([^)]*)\)")
_OFFSET_WINDOW = 3


def _calendar() -> dict[int, int]:
    """meeting number → the year it started, from the shipped ``collection.json``."""
    from recsearch.paths import project_data_dir

    meta = json.loads((Path(project_data_dir()) / "collections" / "wg4" / "collection.json").read_text("utf-8"))
    return {int(m["number"]): int(str(m["start"])[:4]) for m in meta["meetings"]}


def _tokens(record: Record | None = None, *, text: str = "", en: str = "") -> Counter[str]:
    """Normalised, stemmed Arabic tokens plus English ones (prefixed ``en:``)."""
    if record is not None:
        text = " ".join(filter(None, (record.get("lead_in"), record.get("text"))))
        tr = (record.get("translations") or {}).get("en") or {}
        en = " ".join(filter(None, (tr.get("lead_in"), tr.get("text"))))
    out = Counter(t for t in tokenize_lexical(text, "ar") if not t.isdigit())
    out.update("en:" + t for t in tokenize_lexical(en, "en") if not t.isdigit())
    return out


class _Overlap:
    """IDF-weighted cosine between token bags; IDF over the records it was built from."""

    def __init__(self, bags: Iterable[Counter[str]]):
        bags = list(bags)
        df: Counter[str] = Counter()
        for bag in bags:
            df.update(set(bag))
        n = len(bags)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}

    def __call__(self, a: Counter[str], b: Counter[str]) -> float:
        w = lambda bag: {t: (1 + math.log(c)) * self.idf.get(t, math.log(2 * len(self.idf) + 1)) for t, c in bag.items()}  # noqa: E731
        wa, wb = w(a), w(b)
        dot = sum(v * wb[t] for t, v in wa.items() if t in wb)
        na = math.sqrt(sum(v * v for v in wa.values()))
        nb = math.sqrt(sum(v * v for v in wb.values()))
        return dot / (na * nb) if na and nb else 0.0


def _paragraphs(records: Sequence[Record]) -> dict[tuple[int, int], list[Record]]:
    out: dict[tuple[int, int], list[Record]] = {}
    for r in records:
        out.setdefault((int(r["meeting"]), int(r["paragraph"])), []).append(r)
    return out


def _paragraph_bag(recs: Sequence[Record]) -> Counter[str]:
    bag: Counter[str] = Counter()
    leads = set()
    for r in recs:
        tr = (r.get("translations") or {}).get("en") or {}
        if r.get("lead_in") and r["lead_in"] not in leads:
            leads.add(r["lead_in"])
            bag.update(_tokens(text=r["lead_in"], en=tr.get("lead_in") or ""))
        bag.update(_tokens(text=r["text"], en=tr.get("text") or ""))
    return bag


@dataclass(frozen=True)
class _Citation:
    source: str  # citing record id
    paragraph: int  # N, as numbered in the cited report
    year: int
    meeting: int  # the cited meeting
    phrase: str  # the Arabic words of the citation
    best: int | None  # this citation's own best offset
    scores: tuple[tuple[int, float], ...]  # (offset, overlap) for N-3 … N+3


def _report_citations(records: Sequence[Record], calendar: Mapping[int, int]) -> list[_Citation]:
    by_year: dict[int, list[int]] = {}
    for meeting, year in sorted(calendar.items()):
        by_year.setdefault(year, []).append(meeting)
    paragraphs = _paragraphs(records)
    overlap = _Overlap(_tokens(r) for r in records)
    bags = {key: _paragraph_bag(recs) for key, recs in paragraphs.items()}
    out = []
    for r in records:
        text = plain(r.get("text"))
        for m in _REPORT_PARAGRAPH.finditer(text):
            if "الفريق العامل" not in m.group(2):
                continue  # another body's report
            year = int(m.group(3))
            meetings = [mt for mt in by_year.get(year, []) if mt < int(r["meeting"])]
            if len(meetings) != 1:
                continue
            cited, n = meetings[0], int(m.group(1))
            # the citing text without the citation itself
            rest = _REPORT_PARAGRAPH.sub(" ", text)
            tr = (r.get("translations") or {}).get("en") or {}
            en = re.sub(r"paragraph \d+ of the report[^,.;]*", " ", tr.get("text") or "")
            own = _tokens(text=" ".join(filter(None, (plain(r.get("lead_in")), rest))), en=en)
            scores = tuple(
                (d, round(overlap(own, bags[(cited, n + d)]), 4))
                for d in range(-_OFFSET_WINDOW, _OFFSET_WINDOW + 1)
                if (cited, n + d) in bags
            )
            best = max(scores, key=lambda s: (s[1], -abs(s[0])))[0] if scores else None
            out.append(_Citation(str(r["id"]), n, year, cited, m.group(0), best, scores))
    return out


def report_offset(records: Sequence[Record], calendar: Mapping[int, int] | None = None) -> tuple[int, int, int]:
    """``(offset, agreeing, citations)``: how the compilation renumbers a cited report's
    paragraphs (compilation paragraph = report paragraph + offset), the offset most citations'
    best word-overlap matches agree on."""
    cites = _report_citations(records, calendar if calendar is not None else _calendar())
    votes = Counter(c.best for c in cites if c.best is not None)
    if not votes:
        raise ValueError("no paragraph citations of a Working Group report to derive an offset from")
    (offset, agreeing), *_ = sorted(votes.items(), key=lambda kv: (-kv[1], abs(kv[0])))
    return offset, agreeing, len(cites)


def references(records: Sequence[Record], calendar: Mapping[int, int] | None = None) -> dict[str, list[Reference]]:
    """Record id → the records its text points to (ids in record order), for every record
    that points somewhere. ``calendar``: meeting number → year (default: ``collection.json``)."""
    records = list(records)
    calendar = dict(calendar) if calendar is not None else _calendar()
    order = {str(r["id"]): i for i, r in enumerate(records)}
    paragraphs = _paragraphs(records)
    out: dict[str, list[Reference]] = {}

    def add(source: str, targets: Iterable[str], how: str) -> None:
        refs = out.setdefault(source, [])
        for t in targets:
            if t != source and all(x.target != t for x in refs):
                refs.append(Reference(t, how))

    cites = _report_citations(records, calendar)
    if cites:
        offset, agreeing, total = report_offset(records, calendar)
        for c in cites:
            target = paragraphs.get((c.meeting, c.paragraph + offset))
            if not target:
                continue
            own = "" if c.best == offset else f"; this citation's own best overlap is para. {c.paragraph + c.best}"
            how = (
                f"report of the {c.year} meeting, para. {c.paragraph} -> compilation para. "
                f"{c.paragraph + offset} of meeting {c.meeting} (offset {offset:+d}, agreed by "
                f"{agreeing} of {total} references{own})"
            )
            add(c.source, (str(r["id"]) for r in target), how)

    overlap = _Overlap(_tokens(r) for r in records)
    bags = {str(r["id"]): _tokens(r) for r in records}
    for r in records:
        rid, text = str(r["id"]), plain(r.get("text"))
        m = _PREVIOUS.search(text)
        if m:  # "its previous recommendation": the earlier record it repeats best
            earlier = [x for x in records if int(x["meeting"]) < int(r["meeting"])]
            ranked = sorted(earlier, key=lambda x: -overlap(bags[rid], bags[str(x["id"])]))
            if ranked:
                best, second = ranked[0], ranked[1] if len(ranked) > 1 else None
                s1 = overlap(bags[rid], bags[str(best["id"])])
                s2 = overlap(bags[rid], bags[str(second["id"])]) if second is not None else 0.0
                if s1 >= 1.5 * s2:  # a clear winner, or no link
                    how = (
                        f"'{m.group(0)}' (no paragraph given) -> {best['id']}, the earlier record with the "
                        f"highest word overlap ({s1:.2f}; next {second['id'] if second else '-'} {s2:.2f})"
                    )
                    add(rid, [str(best["id"])], how)
        for m in _DOCUMENT_SECTION.finditer(text):
            symbol, year, section, title = m.group(1), int(m.group(2)), m.group(3).strip(), m.group(4).strip()
            meetings = [mt for mt, y in calendar.items() if y == year and mt < int(r["meeting"])]
            cand = {k: v for k, v in paragraphs.items() if k[0] in meetings}
            if len(meetings) != 1 or not cand:
                continue
            head = f"document {symbol} (report of the {year} meeting = meeting {meetings[0]}), section {section} '{title}'"
            if re.search(r"المقبلة|القادمة", title):
                # "areas for future work": the paragraph of that meeting proposing topics for the
                # Working Group's future meetings, if there is exactly one
                topical = [
                    k for k, v in cand.items()
                    if any(_FUTURE_MEETINGS.search(plain(f"{x.get('lead_in') or ''} {x['text']}")) for x in v)
                ]
                if len(topical) == 1:
                    key = topical[0]
                    how = (
                        f"{head} -> compilation para. {key[1]} of meeting {key[0]}, the only paragraph of "
                        f"that meeting proposing topics for the Working Group's future meetings"
                    )
                    add(rid, (str(x["id"]) for x in paragraphs[key]), how)
                continue
            context = _tokens(text=text)
            scored = sorted(((overlap(context, _paragraph_bag(v)), k) for k, v in cand.items()), reverse=True)
            (s1, key), (s2, _) = scored[0], scored[1] if len(scored) > 1 else (0.0, None)
            if s1 >= 1.5 * s2:
                how = f"{head} -> compilation para. {key[1]} of meeting {key[0]}, the paragraph of that meeting with the highest word overlap ({s1:.2f}; next {s2:.2f})"
                add(rid, (str(x["id"]) for x in paragraphs[key]), how)

    return {k: sorted(v, key=lambda ref: order.get(ref.target, len(order))) for k, v in out.items() if v}


def cited_by(refs: Mapping[str, Sequence[Reference]]) -> dict[str, list[str]]:
    """Record id → the ids of the records that point to it (the reverse of :func:`references`),
    citing ids in the order they appear in ``refs``."""
    out: dict[str, list[str]] = {}
    for source, targets in refs.items():
        for ref in targets:
            citing = out.setdefault(ref.target, [])
            if source not in citing:
                citing.append(source)
    return out
