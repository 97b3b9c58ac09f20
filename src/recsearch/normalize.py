"""Text normalisation shared by indexing and querying.

The same functions run on the corpus at build time and on every query, so a
query typed on a phone and a paragraph extracted from a PDF meet in the same
form. Two levels:

* :func:`clean_text` repairs *encoding* damage only (invisible characters,
  tatweel, presentation forms, whitespace) and keeps diacritics: the dense
  encoder should see natural text.
* :func:`normalize_ar_for_lexical` additionally folds *spelling* variants
  (diacritics, hamza carriers, alef maksura, teh marbuta, digits, case) so that
  exact-token matching in BM25 is not defeated by orthographic choices.

camel-tools is imported lazily: ``camel_tools.utils.dediac`` pulls
``camel_tools.utils.charsets``, which scans all of Unicode at import (~1 s).
Importing this module stays cheap; the first lexical call pays that once.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any

from .errors import QueryError, QueryTypeError

__all__ = [
    "NORMALIZATION_VERSION",
    "AR_STOPWORDS",
    "EN_STOPWORDS",
    "clean_text",
    "normalize_ar_for_lexical",
    "tokenize_lexical",
    "stem_words",
    "LEXICAL_LANGUAGES",
]

#: Bump whenever the output of any function here changes for some input: saved
#: lexical indexes record it, and loading one built with another version fails
#: with IndexMismatchError instead of silently returning worse results.
NORMALIZATION_VERSION = 1

TATWEEL = "\u0640"

# Characters that carry no text: Unicode "Cf" (format) — bidi embeddings,
# overrides and isolates (U+202A–E, U+2066–9), LRM/RLM (U+200E/F), the Arabic
# letter mark (U+061C), zero-width space/joiners (U+200B–D), word joiner
# (U+2060), BOM (U+FEFF), soft hyphen (U+00AD), Arabic number signs
# (U+0600–5) ... — listed as ranges (Unicode 15) rather than computed, because
# computing them means scanning 1.1 M code points at import. A test checks the
# table against ``unicodedata`` of the running Python. Also C0/C1 controls that
# are not whitespace (NUL, BEL, ...) and lone surrogates, which would make
# ``str.encode('utf-8')`` fail inside the encoders.
_INVISIBLE_RE = re.compile(
    "["
    "\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f"  # controls except \t\n\v\f\r, \x1c-\x1f, \x85 (whitespace)
    "\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e"
    "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\ud800-\udfff"
    "]"
)

# Diacritic-like marks dediac_ar leaves behind (it removes U+064B–0652 and
# U+0670): combining maddah/hamza above/below and later harakat (U+0653–065F),
# Quranic annotation marks (U+06D6–06ED minus the letters in that block).
_EXTRA_MARKS_RE = re.compile("[\u0653-\u065f\u06d6-\u06dc\u06df-\u06e4\u06e7\u06e8\u06ea-\u06ed]")

_ARABIC_DIGITS = "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
_PERSIAN_DIGITS = "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
_LEXICAL_FOLD = str.maketrans(
    {
        **{d: str(i) for i, d in enumerate(_ARABIC_DIGITS)},
        **{d: str(i) for i, d in enumerate(_PERSIAN_DIGITS)},
        # Hamza carriers: typists often drop the hamza (الجنايية، وسايل، الموتمر);
        # Snowball-Arabic folds them the same way, so unstemmed tokens agree too.
        "\u0624": "\u0648",  # ؤ -> و
        "\u0626": "\u064a",  # ئ -> ي
        # Persian/Urdu keyboard letters that look identical to Arabic ones.
        "\u06cc": "\u064a",  # ی -> ي
        "\u06a9": "\u0643",  # ک -> ك
        "\u06c0": "\u0647",  # ۀ -> ه
    }
)

_ARABIC_LETTER_RE = re.compile("[\u0621-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff]")
_LATIN_LETTER_RE = re.compile("[a-zA-Z\u00c0-\u024f]")


def _require_str(s: object, what: str = "text") -> str:
    if not isinstance(s, str):
        raise QueryTypeError(f"{what} must be a str, got {type(s).__name__}")
    return s


_camel_lock = threading.Lock()
_camel_funcs: dict[str, Callable[..., Any]] = {}


def _camel(name: str) -> Callable[..., Any]:
    """Import the few camel-tools functions we use, once, on first need."""
    fn = _camel_funcs.get(name)
    if fn is not None:
        return fn
    with _camel_lock:
        if not _camel_funcs:
            from camel_tools.utils.normalize import (
                normalize_alef_ar,
                normalize_alef_maksura_ar,
                normalize_teh_marbuta_ar,
                normalize_unicode,
            )

            _camel_funcs.update(
                normalize_unicode=normalize_unicode,
                normalize_alef_ar=normalize_alef_ar,
                normalize_alef_maksura_ar=normalize_alef_maksura_ar,
                normalize_teh_marbuta_ar=normalize_teh_marbuta_ar,
            )
        if name in ("dediac_ar", "simple_word_tokenize") and name not in _camel_funcs:
            # Both pull camel_tools.utils.charsets (~1 s): only lexical work needs them.
            from camel_tools.tokenizers.word import simple_word_tokenize
            from camel_tools.utils.dediac import dediac_ar

            _camel_funcs.update(dediac_ar=dediac_ar, simple_word_tokenize=simple_word_tokenize)
        return _camel_funcs[name]


def clean_text(s: str) -> str:
    """Repair encoding damage, keep the words and their diacritics.

    Removes invisible format/control characters (bidi marks and isolates,
    zero-width characters, BOM, NUL, ...), applies NFKC via camel-tools (which
    also folds Arabic presentation forms and ligatures such as ﻻ into letters),
    removes tatweel (U+0640: justification filler, over 4,000 of them in the
    source PDF), and collapses all whitespace to single spaces. Idempotent.
    """
    s = _require_str(s)
    s = _INVISIBLE_RE.sub("", s)
    normalize_unicode = _camel("normalize_unicode")
    s = normalize_unicode(s)
    if TATWEEL in s:
        # NFKC can itself produce tatweel (e.g. U+FE71 -> U+0640 U+064B); removing
        # it can leave combining marks out of canonical order, so normalise again.
        s = normalize_unicode(s.replace(TATWEEL, ""))
    return " ".join(s.split())


def normalize_ar_for_lexical(s: str) -> str:
    """Fold orthographic variants so that BM25 tokens match across spellings.

    On top of :func:`clean_text`: remove diacritics (camel ``dediac_ar`` plus
    the few marks it leaves), alef forms أ إ آ ٱ -> ا, alef maksura ى -> ي,
    teh marbuta ة -> ه, hamza carriers ؤ -> و and ئ -> ي (the Egyptian
    spelling ئو as in مسئولية is first mapped to the standard ؤو so it meets
    مسؤولية), Persian ی ک ۀ -> ي ك ه, Arabic-Indic and Persian digits -> ASCII,
    and Unicode case folding for Latin text. Idempotent.
    """
    s = clean_text(s)
    s = _camel("dediac_ar")(s)
    s = _EXTRA_MARKS_RE.sub("", s)
    s = _camel("normalize_alef_ar")(s)
    s = _camel("normalize_alef_maksura_ar")(s)
    s = _camel("normalize_teh_marbuta_ar")(s)
    s = s.replace("\u0626\u0648", "\u0624\u0648")  # ئو -> ؤو (then -> وو below)
    s = s.translate(_LEXICAL_FOLD).casefold()
    # Removing a mark that stood alone after a space leaves loose whitespace behind.
    return " ".join(s.split())


def _fold_words(words: str) -> frozenset[str]:
    """Stopwords are written in natural spelling here and folded like tokens.

    Folding uses only the pure-python steps so defining them costs nothing at
    import; every fold applied to tokens that can affect these words is here.
    """
    out = set()
    for w in words.split():
        w = re.sub("[\u0623\u0625\u0622\u0671]", "\u0627", w)
        w = w.replace("\u0649", "\u064a").replace("\u0629", "\u0647")
        w = w.replace("\u0626\u0648", "\u0624\u0648").translate(_LEXICAL_FOLD)
        out.add(w.casefold())
    return frozenset(out)


#: Arabic function words, folded like tokens (إلى -> الي, على -> علي, ...).
#: Kept small on purpose: BM25's IDF already discounts frequent content words
#: (الدول، الاتجار) and dropping them would hurt phrase-like queries.
AR_STOPWORDS: frozenset[str] = _fold_words(
    """
    في من على إلى الى عن مع عند لدى حتى منذ خلال بين ضد نحو حول دون عبر لدي
    أن إن كان كانت يكون تكون كانوا يكونوا قد لقد لم لن لا ما ماذا لما لكي كي
    إذا إذ لو ثم أو أم بل لكن غير سوى كل بعض أي أيضا كما مثل ذلك ذلكم تلك هذا هذه
    هذان هاتان هؤلاء أولئك الذي التي الذين اللذان اللتان اللاتي اللواتي اللائي
    هو هي هم هما هن أنا نحن أنت أنتم فيه فيها فيهم منه منها منهم عنه عنها عليه عليها
    عليهم إليه إليها له لها لهم لهن به بها بهم هناك هنا حيث كيف متى أين التى الى
    و ف ب ل ك يا إلا الا سواء جميع كلا كلتا
    """
)

#: English function words (for the English text channel and Latin tokens).
EN_STOPWORDS: frozenset[str] = _fold_words(
    """
    a an the and or but nor of to in on at by for from with without into onto upon about
    as is are was were be been being am do does did doing have has had having it its
    this that these those there here which who whom whose what when where why how
    than then so such not no only own same too very can will just should would could
    may might must shall their them they he she his her him we our us you your i me my
    all any both each few more most other some if while because until against between
    through during before after above below up down out off over under again further once
    also per via etc
    """
)

# Prefix clitics stripped before stemming: the conjunctions و/ف and the
# prepositions ب/ك/ل fused with the article ال. Snowball-Arabic alone stems
# الضحايا and ضحايا, or الدول and والدول, differently (0 of 725 corpus nouns had
# all of X/الX/والX/بالX/للX agree; with this step 716 of 725 do).
_AR_PREFIXES = ("وبال", "وكال", "فبال", "وال", "فال", "بال", "كال", "ولل", "فلل", "لل", "ال")
_AR_PREFIX_MIN_REST = 2
# Single-letter clitics in front of a stopword (ومن، وفي، بأن، لأن، فإن، وهي ...).
_AR_CLITICS = frozenset("وفبلك")

#: Snowball algorithm used for Latin-script tokens, per text language. Arabic-
#: script tokens always use Snowball "arabic". Both channels currently use
#: English for Latin tokens (UN symbols and names in the Arabic text are
#: English); the mapping exists so that e.g. a French channel is one entry.
LEXICAL_LANGUAGES: dict[str, str] = {"ar": "english", "en": "english"}

_stemmers = threading.local()  # PyStemmer objects "must not be called concurrently"


def _stemmer(algorithm: str) -> Any:
    cache = getattr(_stemmers, "by_algo", None)
    if cache is None:
        cache = _stemmers.by_algo = {}
    st = cache.get(algorithm)
    if st is None:
        import Stemmer

        st = cache[algorithm] = Stemmer.Stemmer(algorithm)
    return st


def stem_words(words: list[str], algorithm: str) -> list[str]:
    """Snowball stems of ``words`` ("english", "french", "russian", …; thread-safe)."""
    return _stemmer(algorithm).stemWords(words)


def _is_ar_stopword(tok: str) -> bool:
    if tok in AR_STOPWORDS:
        return True
    if len(tok) >= 2 and tok[0] in _AR_CLITICS and tok[1:] in AR_STOPWORDS:
        return True  # ومن، بأن، لأن
    return len(tok) >= 3 and tok[0] in "وف" and tok[1] in "بلك" and tok[2:] in AR_STOPWORDS  # وبها، فلها


def _strip_ar_prefix(tok: str) -> str:
    for p in _AR_PREFIXES:
        if tok.startswith(p) and len(tok) - len(p) >= _AR_PREFIX_MIN_REST:
            return tok[len(p) :]
    return tok


def tokenize_lexical(s: str, language: str = "ar", *, stem: bool = True) -> list[str]:
    """Turn text into BM25 terms: normalise, split, drop stopwords, stem.

    Script decides the treatment of each token, so Latin words inside Arabic
    text (CTOC, UNODC) and Arabic inside English text are both handled:
    Arabic-script tokens lose fused article/preposition prefixes (وال، بال،
    لل ...) and are stemmed with Snowball Arabic; Latin tokens are stemmed with
    the Snowball algorithm ``LEXICAL_LANGUAGES[language]``; digit runs are kept
    (years, paragraph numbers); punctuation and single letters (list markers
    such as (ب)) are dropped. ``stem=False`` keeps the folded surface forms.
    """
    s = _require_str(s)
    if language not in LEXICAL_LANGUAGES:
        known = ", ".join(repr(k) for k in sorted(LEXICAL_LANGUAGES))
        raise QueryError(f"unknown lexical language {language!r}; expected one of {known}")
    latin_algo = LEXICAL_LANGUAGES[language]
    words = _camel("simple_word_tokenize")(normalize_ar_for_lexical(s))
    out: list[str] = []
    for tok in words:
        if tok.isdigit():
            out.append(tok)
            continue
        if _ARABIC_LETTER_RE.search(tok):
            if _is_ar_stopword(tok):
                continue
            tok = _strip_ar_prefix(tok)
            if stem:
                tok = _stemmer("arabic").stemWord(tok)
        elif _LATIN_LETTER_RE.search(tok):
            if tok in EN_STOPWORDS:
                continue
            if stem:
                tok = _stemmer(latin_algo).stemWord(tok)
        elif not any(ch.isalnum() for ch in tok):
            continue  # punctuation, symbols
        if len(tok) >= 2:
            out.append(tok)
    return out
