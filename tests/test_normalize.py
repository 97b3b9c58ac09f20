"""Text normalisation: encoding repair (clean_text), lexical folding, BM25 tokens."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from recsearch.errors import QueryError, QueryTypeError
from recsearch.normalize import (
    AR_STOPWORDS,
    EN_STOPWORDS,
    clean_text,
    normalize_ar_for_lexical,
    tokenize_lexical,
)

# ---------------------------------------------------------------- clean_text


def test_clean_text_removes_tatweel():
    assert clean_text("الأشـــــخاص") == "الأشخاص"
    assert "\u0640" not in clean_text("ت" + "\u0640" * 10 + "م")


@pytest.mark.parametrize(
    "mark",
    ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
     "\u2066", "\u2067", "\u2068", "\u2069", "\u061c"],
)
def test_clean_text_removes_bidi_controls(mark):
    assert clean_text(f"الاتجار{mark} بالأشخاص{mark}") == "الاتجار بالأشخاص"


@pytest.mark.parametrize("zw", ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"])
def test_clean_text_removes_zero_width_characters(zw):
    assert clean_text(f"ضحا{zw}يا") == "ضحايا"


def test_clean_text_removes_nul_and_controls_and_lone_surrogates():
    out = clean_text("a\x00b\x07c\x1bd\ud800e\x7f")
    assert out == "abcde"
    out.encode("utf-8")  # would raise on a surrogate


def test_clean_text_collapses_all_whitespace():
    assert clean_text("  a \t\n\r b\u00a0c\u2003d\u2028e\x85f  ") == "a b c d e f"


def test_clean_text_keeps_diacritics_and_hamza():
    text = "الاتِّجار بالأشخاص وإعادتهم"
    assert clean_text(text) == text


def test_clean_text_folds_presentation_forms_via_nfkc():
    assert clean_text("\ufefb") == "لا"  # lam-alef ligature
    assert clean_text("\ufe8d\ufe91") == "اب"  # isolated/initial forms
    # NFKC turns U+FE71 into tatweel + fathatan; the tatweel must still go
    assert clean_text("ب\ufe71") == "بً"


def test_clean_text_is_nfc_composed():
    decomposed = "\u0627\u0654"  # alef + combining hamza above
    assert clean_text(decomposed) == "\u0623"


def test_clean_text_rejects_non_str():
    with pytest.raises(QueryTypeError):
        clean_text(None)  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        clean_text(b"bytes")  # type: ignore[arg-type]


def test_invisible_table_covers_every_format_character():
    """The hard-coded ranges must remove every Unicode Cf of this Python's database."""
    fmt = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    assert len(fmt) > 150
    leftovers = [hex(ord(ch)) for ch in fmt if ch in clean_text(f"a{ch}b")]
    assert leftovers == [], f"format characters not removed (unicodedata {unicodedata.unidata_version})"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec=None), max_size=60))
def test_clean_text_is_idempotent(s):
    once = clean_text(s)
    assert clean_text(once) == once
    assert once == once.strip()
    assert "  " not in once and "\u0640" not in once


# ---------------------------------------------------------------- normalize_ar_for_lexical


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("أحمد إبراهيم آمال ٱلله", "احمد ابراهيم امال الله"),  # alef forms
        ("على مستوى", "علي مستوي"),  # alef maksura
        ("المنظمة", "المنظمه"),  # teh marbuta
        ("المؤتمر", "الموتمر"),  # waw with hamza
        ("الجنائية", "الجناييه"),  # yeh with hamza
        ("الاتِّجار", "الاتجار"),  # diacritics
        ("الأشـــخاص", "الاشخاص"),  # tatweel
        ("٢٠١٩ ۱۳۹۸", "2019 1398"),  # Arabic-Indic and Persian digits
        ("UNODC Victims", "unodc victims"),  # Latin case
        ("کتاب یک", "كتاب يك"),  # Persian keh / yeh
    ],
)
def test_lexical_normalization_cases(raw, expected):
    assert normalize_ar_for_lexical(raw) == expected


def test_egyptian_and_standard_hamza_spellings_meet():
    assert normalize_ar_for_lexical("مسئولية") == normalize_ar_for_lexical("مسؤولية")
    assert normalize_ar_for_lexical("شئون") == normalize_ar_for_lexical("شؤون")


def test_hamza_omitted_by_typist_meets_written_hamza():
    assert normalize_ar_for_lexical("الجرائم") == normalize_ar_for_lexical("الجرايم")
    assert normalize_ar_for_lexical("المؤتمر") == normalize_ar_for_lexical("الموتمر")


_AR_ALPHABET = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي ءأإآؤئىةـًٌٍَُِّْ٠١٢٣abcXYZ .,؛،-")


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(_AR_ALPHABET), max_size=50))
def test_lexical_normalization_is_idempotent(s):
    once = normalize_ar_for_lexical(s)
    assert normalize_ar_for_lexical(once) == once
    assert not set(once) & set("أإآىةؤئـًٌٍَُِّْ٠١٢٣")


# ---------------------------------------------------------------- tokenize_lexical


def test_stopwords_are_in_folded_form():
    assert "الي" in AR_STOPWORDS and "علي" in AR_STOPWORDS  # إلى، على after folding
    assert "the" in EN_STOPWORDS
    assert all(w == normalize_ar_for_lexical(w) for w in AR_STOPWORDS)


def test_tokenize_drops_stopwords_including_clitic_forms_and_punctuation():
    toks = tokenize_lexical("في من على إلى التي الذي ومن وفي بأن لأن فإن و ، . ( ) ؛ !")
    assert toks == []


def test_tokenize_article_and_preposition_variants_share_a_term():
    forms = ["دول", "الدول", "والدول", "بالدول", "للدول", "فالدول", "وللدول"]
    terms = {tuple(tokenize_lexical(f)) for f in forms}
    assert len(terms) == 1, terms
    assert terms.pop() != ()


def test_tokenize_typist_variants_share_a_term():
    pairs = [
        ("المنظمة", "المنظمه"),
        ("إعادة", "اعاده"),
        ("الضحايا", "الضحايى"),
        ("مسؤولية", "مسئولية"),
        ("الأطفال", "الاطفال"),
        ("الاتِّجار", "الاتجار"),
    ]
    for a, b in pairs:
        assert tokenize_lexical(a) == tokenize_lexical(b), (a, b)
        assert tokenize_lexical(a)


def test_tokenize_stems_latin_with_english_and_keeps_numbers():
    toks = tokenize_lexical("The Victims of Trafficking, CTOC/COP/WG.4/2019/5 ٢٠٠٩")
    assert "victim" in toks and "traffick" in toks
    assert "the" not in toks and "of" not in toks
    assert "2019" in toks and "2009" in toks and "ctoc" in toks


def test_tokenize_drops_single_letter_list_markers():
    assert "ب" not in tokenize_lexical("(ب) تعزيز التعاون")
    assert len(tokenize_lexical("(ب) تعزيز التعاون")) == 2


def test_tokenize_without_stemming_keeps_folded_surface_forms():
    assert tokenize_lexical("الاتجار بالأشخاص", stem=False) == ["اتجار", "اشخاص"]


def test_tokenize_english_language_channel():
    assert tokenize_lexical("Protection of victims", "en") == ["protect", "victim"]


def test_tokenize_rejects_bad_arguments():
    with pytest.raises(QueryError):
        tokenize_lexical("نص", "xx")
    with pytest.raises(QueryTypeError):
        tokenize_lexical(42)  # type: ignore[arg-type]


def test_importing_normalize_does_not_import_camel_dediac():
    """camel's charsets scans all of Unicode (~1 s); only lexical calls may pay it."""
    import subprocess

    code = (
        "import sys, recsearch.normalize as n; n.clean_text('x');"
        "print('camel_tools.utils.charsets' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
