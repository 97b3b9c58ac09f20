"""Search results as a context block for an LLM prompt.

A chatbot that answers from these recommendations must be able to cite each one exactly,
so every entry carries its full citation and a number the model can refer to ("[2]").
The block is plain text, compact (one entry per hit, no scores), and says what a reader
must know to use it honestly: the Arabic is the authoritative text, the English is the
project's unofficial rendering unless an official text was loaded.
"""

from __future__ import annotations

from collections.abc import Sequence

from .corpus.source import DOCUMENT_SYMBOL
from ._validate import check_lang
from .hits import Hit

_HEADER = {
    "en": (
        "Recommendations of the UN Working Group on Trafficking in Persons, adopted at its meetings "
        "of 2009–2018 and compiled in {symbol}, that match the question{query}. "
        "Cite each one by its citation line."
    ),
    "ar": (
        "توصيات الفريق العامل المعني بالاتجار بالأشخاص التابع للأمم المتحدة، المعتمدة في اجتماعاته "
        "بين عامي ٢٠٠٩ و٢٠١٨ والواردة في الوثيقة {symbol}، ذات الصلة بالسؤال{query}. "
        "يُستشهد بكل توصية بسطر الإحالة الخاص بها."
    ),
}
_UNOFFICIAL = (
    "The English texts marked unofficial are renderings of the Arabic by the recsearch project; "
    "the Arabic is authoritative."
)


def _texts(hit: Hit, lang: str | None) -> list[str]:
    """The entry's text lines: the item with its lead-in, in the language(s) asked for."""
    arabic, english = hit.full_text, hit.full_text_en
    label = "English" if hit.text_en_official else "English (unofficial rendering)"
    if lang == "ar":
        return [arabic]
    if lang == "en" and english:
        return [f"{label}: {english}"]
    return [f"Arabic (authoritative): {arabic}"] + ([f"{label}: {english}"] if english else [])


def format_context(hits: Sequence[Hit], query: str | None = None, *, lang: str | None = None) -> str:
    """A numbered block of ``hits`` for a prompt: ``[n]``, the citation, then the text.

    ``lang="ar"``: Arabic text and Arabic citations only; ``lang="en"``: the English text
    (marked unofficial unless an official one was loaded) with English citations; ``None``:
    both texts, each citation as on the hit (by default in the query's language).
    """
    check_lang(lang, optional=True)
    quoted = f' "{query}"' if query else ""
    lines = [_HEADER["ar" if lang == "ar" else "en"].format(symbol=DOCUMENT_SYMBOL, query=quoted)]
    if lang != "ar" and any(h.text_en and not h.text_en_official for h in hits):
        lines.append(_UNOFFICIAL)
    if not hits:
        lines.append("No recommendation matched." if lang != "ar" else "لم تُطابق أي توصية.")
    for n, hit in enumerate(hits, start=1):
        citation = {"ar": hit.citation_ar, "en": hit.citation_en}.get(lang or "", hit.citation)
        same = f" (identical to {', '.join(hit.duplicates)})" if hit.duplicates else ""
        lines.append("")
        lines.append(f"[{n}] {citation}{same}")
        lines.extend(_texts(hit, lang))
    return "\n".join(lines) + "\n"
