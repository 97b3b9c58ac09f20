import pytest

from recsearch.wg4.addressees import addressees_of


@pytest.mark.parametrize(
    "text, expected",
    [
        ("ينبغي للدول الأطراف أن تنظر في", ["states_parties"]),
        ("ينبغي أن تكثف الأمانة أنشطة المساعدة التشريعية بالتشاور مع الدول الأطراف", ["secretariat"]),
        ("ينبغي أن ينظر المؤتمر في إدراج مسألة", ["conference"]),
        ("ينبغي لمكتب الأمم المتحدة المعني بالمخدِّرات والجريمة أن يواصل", ["unodc"]),
        ("ينبغي للفريق العامل أن ينظر، أثناء اجتماعاته القادمة", ["working_group"]),
        ("أوصى الفريق العامل بأن ينظر مؤتمر الأطراف في اعتماد التوصيات التالية:", ["conference"]),
        ("تُشجَّع الدول الأطراف على النظر", ["states_parties"]),
        ("ينبغي للدول أن تستخدم التحقيقات المشتركة", ["states"]),
        ("يمكن للدول أن تنظر في تعليم وتدريب موظفيها", ["states"]),
        ("ينبغي للدول الأعضاء أن تنظر", ["member_states"]),
    ],
)
def test_addressee_follows_the_modal(text, expected):
    assert addressees_of(text) == expected


def test_items_inherit_the_lead_in():
    assert addressees_of("تجريم السلوك الذي يسهل الاتجار؛", "ينبغي أن تقوم الدول الأطراف بما يلي:") == [
        "states_parties"
    ]


def test_demand_is_not_a_speaker_verb():
    # "الطلب" (demand) contains the letters of "طلب" (requested) but is not a modal
    assert addressees_of("ينبغي للدول الأطراف خفض الطلب على الخدمات التي يقدمها المؤتمر") == ["states_parties"]
