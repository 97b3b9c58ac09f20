"""Query spelling mended to the corpus' spelling before the dense encoders see it."""

from __future__ import annotations

import pytest

from recsearch.spelling import SpellingRestorer


@pytest.fixture(scope="module")
def restorer(corpus):
    return SpellingRestorer(r.full_text for r in corpus)


@pytest.mark.parametrize(
    ("typed", "document"),
    [
        ("حملات التوعيه العامه", "حملات التوعية العامة"),  # ه for ة
        ("انشاء صندوق", "إنشاء صندوق"),  # alef without hamza
        ("الاطفال فى المدارس", "الأطفال في المدارس"),  # ى for ي, missing hamza
        ("والمساعده القانونيه المتبادله", "والمساعدة القانونية المتبادلة"),
    ],
)
def test_variants_are_mended_to_the_documents_spelling(restorer, typed, document):
    assert restorer.restore(typed) == document


def test_known_words_unknown_words_and_other_scripts_are_left_alone(restorer):
    assert restorer.restore("تعويض الضحايا") == "تعويض الضحايا"
    assert restorer.restore("كمبيوترات") == "كمبيوترات"
    assert restorer.restore("compensation, 2009 — 赔偿") == "compensation, 2009 — 赔偿"
    assert restorer.restore("") == ""


def test_ties_are_deterministic():
    a = SpellingRestorer(["الى", "إلى"]).restore("ألى")
    b = SpellingRestorer(["إلى", "الى"]).restore("ألى")
    assert a == b == "إلى"
