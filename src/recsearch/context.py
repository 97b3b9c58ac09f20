"""Search results as a context block for an LLM prompt.

A chatbot that answers from these recommendations must be able to cite each one exactly,
so every entry carries its full citation and a number the model can refer to ("[2]").
The block is plain text, compact (one entry per hit, no scores), and says what a reader
must know to use it honestly: which text is authoritative (the collection's language), and
that an English text is an unofficial rendering unless an official one was loaded. Every
name in it comes from the hits' collections.
"""

from __future__ import annotations

from collections.abc import Sequence

from ._validate import check_lang
from .hits import Hit

_HEADER = {
    "en": "Recommendations from {sources} that match the question{query}. Cite each one by its citation line.",
    "ar": "توصيات من {sources} ذات الصلة بالسؤال{query}. يُستشهد بكل توصية بسطر الإحالة الخاص بها.",
}
_UNOFFICIAL = "The English texts marked unofficial are renderings by the recsearch project; the {languages} text is authoritative."


def _texts(hit: Hit, lang: str | None) -> list[str]:
    """The entry's text lines: the item with its lead-in, in the language(s) asked for."""
    original, english = hit.full_text, hit.full_text_en
    label = "English" if hit.text_en_official else "English (unofficial rendering)"
    if lang == "ar" and hit.lang == "ar":
        return [original]
    if lang == "en" and english:
        return [f"{label}: {english}"]
    return [f"{hit.language_name} (authoritative): {original}"] + ([f"{label}: {english}"] if english else [])


_NO_GOOD_MATCH = {
    "en": "No recommendation answers this question well: the entries below are only the closest, and probably "
    "not relevant. Do not present them as an answer; say that the collection does not address it.",
    "ar": "لا توجد توصية تجيب عن هذا السؤال إجابة جيدة: ما يلي أقرب التوصيات فحسب، وعلى الأرجح لا صلة لها به. "
    "لا تقدمها بوصفها إجابة؛ بل قل إن المجموعة لا تتناوله.",
}


def format_context(
    hits: Sequence[Hit], query: str | None = None, *, lang: str | None = None, sources: Sequence[str] = ()
) -> str:
    """A numbered block of ``hits`` for a prompt: ``[n]``, the citation, then the text.

    ``sources`` names what was searched (a Searcher passes its collections' titles and
    symbols; by default the hits' symbols). ``lang="ar"``: Arabic citations and texts where
    the text is Arabic; ``lang="en"``: the English texts (marked unofficial unless official)
    with English citations; ``None``: both texts, each citation as on the hit.
    """
    check_lang(lang, optional=True)
    quoted = f' "{query}"' if query else ""
    names = list(sources) or list(dict.fromkeys(h.symbol for h in hits if h.symbol)) or ["the loaded collections"]
    lines = [_HEADER["ar" if lang == "ar" else "en"].format(sources="; ".join(names), query=quoted)]
    unofficial = [h for h in hits if h.text_en and not h.text_en_official]
    if lang != "ar" and unofficial:
        languages = " / ".join(dict.fromkeys(h.language_name for h in unofficial))
        lines.append(_UNOFFICIAL.format(languages=languages))
    if not hits:
        lines.append("No recommendation matched." if lang != "ar" else "لم تُطابق أي توصية.")
    elif getattr(hits, "no_good_match", None):
        lines.append(_NO_GOOD_MATCH["ar" if lang == "ar" else "en"])
    lines.extend(f"Note: {note}" for note in getattr(hits, "notes", ()))
    for n, hit in enumerate(hits, start=1):
        citation = {"ar": hit.citation_ar, "en": hit.citation_en}.get(lang or "", hit.citation)
        same = f" (identical to {', '.join(hit.duplicates)})" if hit.duplicates else ""
        lines.append("")
        sure = f" (relevance {hit.relevance:.2f})" if hit.relevance is not None else ""
        lines.append(f"[{n}] {citation}{same}{sure}")
        if hit.theme_labels:
            lines.append(("المواضيع: " if lang == "ar" else "Themes: ") + "; ".join(hit.theme_labels))
        lines.extend(_texts(hit, lang))
    return "\n".join(lines) + "\n"
