"""Arabic spelling variants in queries, mended to the corpus' own spelling.

People type ه for ة, ا for أ/إ, ى for ي (or the reverse) and leave out hamza; the keyword
channels fold those away (:func:`~recsearch.normalize.normalize_ar_for_lexical`), but a
dense encoder sees the letters as typed and its vector drifts. So before a query is
embedded, each Arabic word that the document never spells that way is replaced by the
document's most frequent spelling of the same folded word: "التوعيه العامه" becomes
"التوعية العامة". Words the document uses as typed, and words it does not know in any
spelling, are left alone, so nothing is invented.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from .normalize import normalize_ar_for_lexical

# An Arabic word: letters with their diacritics (no digits, no punctuation).
_AR_WORD = re.compile("[\u0621-\u063a\u0641-\u064a][\u0621-\u063a\u0641-\u0652\u0670]*")


class SpellingRestorer:
    """Maps each folded Arabic word of a corpus to its most frequent written form."""

    def __init__(self, texts: Iterable[str]) -> None:
        """``texts``: the corpus, already cleaned (:func:`~recsearch.normalize.clean_text`)."""
        counts: Counter[str] = Counter()
        for text in texts:
            counts.update(_AR_WORD.findall(text))
        self._known = frozenset(counts)
        best: dict[str, tuple[int, str]] = {}
        for word, n in counts.items():
            key = normalize_ar_for_lexical(word)
            # most frequent first, then the first in code-point order: deterministic
            if key not in best or (-n, word) < (-best[key][0], best[key][1]):
                best[key] = (n, word)
        self._by_fold = {key: word for key, (_, word) in best.items()}

    def __len__(self) -> int:
        return len(self._known)

    def restore(self, text: str) -> str:
        """``text`` with each unknown Arabic spelling replaced by the corpus' spelling."""

        def mend(match: re.Match[str]) -> str:
            word = match.group(0)
            if word in self._known:
                return word
            return self._by_fold.get(normalize_ar_for_lexical(word), word)

        return _AR_WORD.sub(mend, text)
