"""Who a recommendation is addressed to, read from its wording.

The Working Group's recommendations name their addressee right after the modal
("ينبغي للدول الأطراف…", "ينبغي أن تكثف الأمانة…", "ينبغي أن ينظر المؤتمر…"), or in a
lead-in shared by lettered items. Other bodies mentioned later in the sentence ("بالتشاور
مع الأمانة") are not addressees, so the search looks at the words that follow the modal.
"""

from __future__ import annotations

import re

#: Addressee codes, in the order they are reported.
ADDRESSEES = (
    "states_parties",
    "member_states",
    "states",
    "conference",
    "secretariat",
    "unodc",
    "working_group",
)

_DIACRITICS = re.compile("[\u064b-\u0652\u0640]")
_MODAL = re.compile(r"[وف]?(?:ينبغي|يمكن|تشجع|يشجع|مشجعة|شجعت|يوصي|أوصى|اقترح|طلب)")
#: Verbs whose subject is the Working Group itself speaking: the addressee comes after it.
_SPEAKER = re.compile(r"يوصي|أوصى|اقترح|طلب")
_PATTERNS = (
    ("states_parties", re.compile(r"(?:ل|ب)?(?:ل|ا)لدول الأطراف|(?:^|\s)(?:ل|ا)لأطراف")),
    ("member_states", re.compile(r"(?:ل|ب)?(?:ل|ا)لدول الأعضاء")),
    ("states", re.compile(r"(?:^|\s)(?:ل|ب)?(?:ل|ا)لدول(?!\s+(?:الأطراف|الأعضاء))(?=\s|$|،)")),
    ("conference", re.compile(r"(?:ل|ا)?لمؤتمر(?!\s+ال)|مؤتمر الأطراف")),
    ("secretariat", re.compile(r"(?:ل|ا)لأمانة")),
    ("unodc", re.compile(r"مكتب الأمم المتحدة المعني|(?:ل|ا)لمكتب(?:\s|$)")),
    ("working_group", re.compile(r"(?:ل|ا)لفريق العامل")),
)
_WINDOW = 5  # words after the modal that may hold its subject
_SPEAKER_WINDOW = 9  # "أوصى الفريق العامل المعني بالاتجار بالأشخاص مؤتمر الأطراف…"


def _plain(text: str) -> str:
    return _DIACRITICS.sub("", text)


def _found(text: str) -> list[str]:
    """Codes of the bodies named in ``text``, in the order they appear."""
    positions = {}
    for code, pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            positions[code] = match.start()
    return sorted(positions, key=positions.__getitem__)


def addressees_of(text: str, chapeau: str | None = None) -> list[str]:
    """Addressee codes (see :data:`ADDRESSEES`) of a recommendation and its lead-in."""
    found: set[str] = set()
    for part in (chapeau, text):
        if not part:
            continue
        words = _plain(part).split()
        for i, word in enumerate(words):
            if not _MODAL.fullmatch(word):
                continue
            if _SPEAKER.search(word):  # "أوصى الفريق العامل الدول…": the Group speaks
                window = " ".join(words[i + 1 : i + 1 + _SPEAKER_WINDOW])
                hits = [h for h in _found(window) if h != "working_group"]
            else:
                hits = _found(" ".join(words[i + 1 : i + 1 + _WINDOW]))
            found.update(hits[:1])
    if not found:  # no modal names a subject: take the first body the sentence names
        lead = " ".join(_plain(chapeau or text).split()[:12])
        hits = _found(lead)
        found.update(hits[:1])
    return [code for code in ADDRESSEES if code in found]
