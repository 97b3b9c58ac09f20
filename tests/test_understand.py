"""Query understanding: the query's language, and the meetings and years it names."""

from __future__ import annotations

import pytest

from recsearch.understand import detect_language, understand as _understand

#: The shipped collection's meetings: number → year (the 3rd, 2010, adopted nothing itself).
WG4 = {1: 2009, 2: 2010, 3: 2010, 4: 2011, 5: 2013, 6: 2015, 7: 2017, 8: 2018}


def understand(query, calendar=WG4):
    return _understand(query, calendar)


def test_the_calendar_is_the_shipped_collections(corpus):
    from recsearch.understand import calendar_of

    assert calendar_of(corpus.meetings) == WG4


@pytest.mark.parametrize(
    ("query", "meetings", "years", "topic"),
    [
        ("recommendations on victims in 2011", (), (2011,), "recommendations on victims"),
        ("what was said at the fifth meeting about consent", (5,), (), "what was said about consent"),
        ("ماذا أوصى الفريق في الاجتماع الخامس بشأن الموافقة", (5,), (), "ماذا أوصى الفريق بشأن الموافقة"),
        ("حملات التوعية عام ٢٠١٣", (), (2013,), "حملات التوعية"),
        ("les victimes en 2015", (), (2015,), "les victimes"),
        ("la trata en la octava reunión", (8,), (), "la trata"),
        ("что рекомендовано на седьмом совещании", (7,), (), "что рекомендовано"),
        ("第五次会议关于需求的建议", (5,), (), "关于需求的建议"),
        ("Empfehlungen der vierten Sitzung", (4,), (), "Empfehlungen"),
        ("recommandations de la deuxième réunion", (2,), (), "recommandations de"),
        ("what did the last meeting say about children", (8,), (), "what did say about children"),
        ("توصيات آخر اجتماع بشأن الأطفال", (8,), (), "توصيات بشأن الأطفال"),
        ("meeting 5 on consent", (5,), (), "on consent"),
        ("la quinta sesión sobre el consentimiento", (5,), (), "sobre el consentimiento"),
    ],
)
def test_meetings_and_years_in_any_language(query, meetings, years, topic):
    u = understand(query)
    assert (u.meetings, u.years, u.text) == (meetings, years, topic)
    assert u.phrases  # what was recognised is reported
    assert u.to_dict()["meetings"] == list(meetings)


def test_years_the_group_did_not_meet_are_topic_not_filters():
    u = understand("the 2030 Agenda and trafficking")
    assert u.years == () and "2030" in u.text
    assert understand("last year's final report").meetings == ()


def test_a_query_that_is_only_a_constraint_keeps_its_text():
    u = understand("fourth meeting")
    assert u.meetings == (4,) and u.text == "fourth meeting"


def test_a_topic_without_constraints_is_left_alone():
    u = understand("compensation for victims")
    assert (u.meetings, u.years, u.text, u.phrases) == ((), (), "compensation for victims", ())


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("تعويض ضحايا الاتجار", "ar"),
        ("compensation for victims of trafficking", "en"),
        ("indemnisation des victimes de la traite", "fr"),
        ("¿Qué dicen sobre el trabajo forzoso?", "es"),
        ("компенсация жертвам торговли людьми", "ru"),
        ("赔偿被害人", "zh"),
        ("Entschädigung für Opfer von Menschenhandel", "de"),
        ("12345", "en"),
    ],
)
def test_detect_language(query, lang):
    assert detect_language(query) == lang


#: A fictional body that met twelve times, 2012-2023.
FICTIONAL = {n: 2011 + n for n in range(1, 13)}


@pytest.mark.parametrize(
    ("query", "meetings", "years"),
    [
        ("what did the last meeting say", (12,), ()),
        ("recommendations of the twelfth meeting", (12,), ()),
        ("at the 11th meeting", (11,), ()),
        ("meeting 10 on consent", (10,), ()),
        ("توصيات الاجتماع الثاني عشر", (12,), ()),
        ("توصيات الاجتماع الثاني", (2,), ()),
        ("第十二次会议的建议", (12,), ()),
        ("в 2021 году", (), (2021,)),
        ("the 2030 agenda", (), ()),
    ],
)
def test_meetings_and_years_come_from_the_loaded_collections(query, meetings, years):
    u = _understand(query, FICTIONAL)
    assert (u.meetings, u.years) == (meetings, years)


def test_a_meeting_the_collections_do_not_have_is_not_a_filter():
    assert understand("at the ninth meeting").meetings == ()
    assert understand("the 12th meeting").text == "the 12th meeting"
    assert _understand("at the fifth meeting", None).meetings == ()  # nothing loaded, nothing read


def test_a_browse_names_a_theme_a_question_or_a_topic_does_not():
    from recsearch.understand import label_index, with_facets

    calendar = {1: 2009, 6: 2015, 7: 2017}
    labels = label_index({"theme": {"victim_identification": ["identification of victims", "victim identification", "تحديد هوية الضحايا"], "compensation": ["compensation"]}})
    browse = with_facets(understand("recommendations on victim identification from 2015", calendar), labels)
    assert browse.facets == (("theme", "victim_identification"),) and browse.years == (2015,)
    arabic = with_facets(understand("التوصيات بشأن تحديد هوية الضحايا في عام 2017", calendar), labels)
    assert arabic.facets == (("theme", "victim_identification"),)
    question = with_facets(understand("what did the first meeting recommend on victim identification?", calendar), labels)
    assert question.facets == ()  # a question: ranking, not a filter
    assert with_facets(understand("recommendations on victim identification", calendar), labels).facets == ()  # no meeting or year
    assert label_index({"t": {"a": ["same label"], "b": ["same label"]}}) == {}  # a shared label names neither


def test_to_dict_holds_everything_understood_with_facets_grouped_by_name():
    from recsearch.understand import Understood

    u = Understood(
        "q at the 12th meeting", "q", "en", meetings=(5,), years=(2015,), phrases=("at the fifth meeting",),
        missing_meetings=(12,), missing_years=(2030,), facets=(("theme", "gender"), ("sdg", "8.7"), ("theme", "corruption")),
    )
    assert u.to_dict() == {
        "query": "q at the 12th meeting", "text": "q", "language": "en", "meetings": [5], "years": [2015],
        "phrases": ["at the fifth meeting"], "missing_meetings": [12], "missing_years": [2030],
        "facets": {"theme": ["gender", "corruption"], "sdg": ["8.7"]},
    }


@pytest.mark.parametrize(
    ("query", "meetings"),
    [
        ("victims At The FIFTH Meeting", (5,)),  # any case
        ("victims AT THE 6TH MEETING", (6,)),
        ("MEETING 7 on consent", (7,)),
        ("关于第5次会议的建议", (5,)),  # numeric Chinese, inside the text
        ("ما أوصى به الاجتماع ٤ بشأن الأطفال", (4,)),  # Arabic-Indic digits
        ("ما أوصى به الاجتماع 4 بشأن الأطفال", (4,)),
    ],
)
def test_numeric_and_capitalised_meeting_forms(query, meetings):
    assert understand(query).meetings == meetings


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        ("¿trata?", "es"),
        ("ÄRZTE UND OPFER", "de"),
        ("Ärzte und Opfer", "de"),
        ("ok", "en"),
        ("хорошо", "ru"),
        ("\u0400", "ru"),  # the first letter of the Cyrillic block
        ("\u3400", "zh"),  # the first of CJK extension A
        ("\u9fff", "zh"),  # the last of the unified ideographs
        ("\u0600\u0600", "ar"),  # the first of the Arabic block
    ],
)
def test_language_from_letters_at_the_edges_of_their_ranges(query, lang):
    assert detect_language(query) == lang


#: Every ordinal the query reader knows, written out independently of its tables: per language,
#: (a phrase naming meeting n, n) for n = 1..12 and for "the last meeting" (12 in FICTIONAL).
ORDINAL_PHRASES = {
    "en": [(f"at the {w} meeting", n) for n, w in enumerate(
        "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split(), start=1)]
    + [("at the last meeting", 12), ("the latest session", 12), ("the most recent meeting", 12), ("the final meeting", 12)],
    "fr": [(f"lors de la {w} réunion", n) for n, w in [
        (1, "première"), (1, "premiere"), (1, "1re"), (1, "1ère"), (2, "deuxième"), (2, "seconde"), (2, "2e"),
        (3, "troisième"), (3, "3e"), (4, "quatrième"), (4, "4e"), (5, "cinquième"), (5, "5e"), (6, "sixième"), (6, "6e"),
        (7, "septième"), (7, "7e"), (8, "huitième"), (8, "8e"), (9, "neuvième"), (9, "9e"), (10, "dixième"), (10, "10e"),
        (11, "onzième"), (11, "11e"), (12, "douzième"), (12, "12e"), (12, "dernière"), (12, "derniere")]],
    "es": [(f"en la {w} reunión", n) for n, w in [
        (1, "primera"), (1, "1a"), (1, "1.a"), (2, "segunda"), (3, "tercera"), (4, "cuarta"), (5, "quinta"), (6, "sexta"),
        (7, "séptima"), (7, "septima"), (8, "octava"), (9, "novena"), (10, "décima"), (10, "decima"), (11, "undécima"),
        (12, "duodécima"), (12, "última"), (12, "ultima")]],
    "ru": [(f"на {w} совещании", n) for n, w in [
        (1, "первом"), (2, "втором"), (3, "третьем"), (4, "четвертом"), (4, "четвёртом"), (5, "пятом"), (6, "шестом"),
        (7, "седьмом"), (8, "восьмом"), (9, "девятом"), (10, "десятом"), (11, "одиннадцатом"), (12, "двенадцатом"),
        (12, "последнем")]],
    "de": [(f"auf der {w} Sitzung", n) for n, w in [
        (1, "ersten"), (2, "zweiten"), (3, "dritten"), (4, "vierten"), (5, "fünften"), (5, "funften"), (6, "sechsten"),
        (7, "siebten"), (8, "achten"), (9, "neunten"), (10, "zehnten"), (11, "elften"), (12, "zwölften"),
        (12, "zwolften"), (12, "letzten")]],
    "ar": [(f"في الاجتماع {w}", n) for n, w in [
        (1, "الأول"), (1, "الاول"), (1, "الأولى"), (2, "الثاني"), (2, "الثانى"), (3, "الثالث"), (4, "الرابع"),
        (5, "الخامس"), (6, "السادس"), (7, "السابع"), (8, "الثامن"), (9, "التاسع"), (10, "العاشر"), (11, "الحادي عشر"),
        (12, "الثاني عشر"), (12, "الأخير"), (12, "الاخير")]],
    "zh": [(f"第{w}次会议", n) for n, w in enumerate("一 二 三 四 五 六 七 八 九 十 十一 十二".split(), start=1)]
    + [("第三次會議", 3), ("最近一次会议", 12), ("最后一次会议", 12), ("上一次會議", 12)],
}


@pytest.mark.parametrize(
    ("phrase", "n"), [pair for pairs in ORDINAL_PHRASES.values() for pair in pairs], ids=lambda v: str(v)
)
def test_every_ordinal_of_every_language_names_its_meeting(phrase, n):
    u = _understand(f"{phrase} 🙂 victims", FICTIONAL)
    assert (u.meetings, u.phrases) == ((n,), (phrase,))
    assert u.text == "🙂 victims"


@pytest.mark.parametrize(
    ("query", "n", "phrase"),
    [
        ("victims at the 1st meeting", 1, "at the 1st meeting"),
        ("victims in the 2nd session", 2, "in the 2nd session"),
        ("victims during its 3rd meetings", 3, "during its 3rd meetings"),
        ("victims from meeting no. 11", 11, "meeting no. 11"),
        ("victims in meeting No 10", 10, "in meeting No 10"),
        ("victims 第 12 次會議", 12, "第 12 次會議"),
        ("الضحايا في الاجتماع رقم 9", 9, "في الاجتماع رقم 9"),
        ("الضحايا بالاجتماع ١١", 11, "بالاجتماع ١١"),
        ("الضحايا في آخر اجتماعاته", 12, "في آخر اجتماعاته"),
        ("الضحايا في اجتماعه الثالث", 3, "في اجتماعه الثالث"),
        ("victims на своём пятом совещании", 5, "на своём пятом совещании"),
    ],
)
def test_numeric_and_other_forms_name_their_meeting_and_leave_the_topic(query, n, phrase):
    u = _understand(query, FICTIONAL)
    assert (u.meetings, u.phrases) == ((n,), (phrase,))
    assert u.text.split()[0] in {"victims", "الضحايا"}


def test_a_meeting_named_but_not_held_is_reported_and_taken_out_of_the_topic():
    u = understand("consent at the ninth meeting")
    assert (u.meetings, u.missing_meetings, u.phrases, u.text) == ((), (9,), ("at the ninth meeting",), "consent")
    zero = understand("meeting 0 on consent")  # not a meeting number: the text is the topic
    assert (zero.meetings, zero.missing_meetings, zero.text) == ((), (), "meeting 0 on consent")


@pytest.mark.parametrize(
    ("query", "years", "text"),
    [
        ("victims in 2015", (2015,), "victims"),
        ("victims 2015年", (2015,), "victims"),
        ("жертвы в 2017 году", (2017,), "жертвы"),
        ("жертвы 2017 г.", (2017,), "жертвы"),
        ("الضحايا لعام ٢٠١٨", (2018,), "الضحايا"),
        ("الضحايا سنة 2009", (2009,), "الضحايا"),
        ("Opfer im 2011", (2011,), "Opfer"),
        ("víctimas del 2013", (2013,), "víctimas"),
        ("victims 2015, 2017", (2015, 2017), "victims"),
        ("victims 20155", (), "victims 20155"),
    ],
)
def test_years_in_every_form(query, years, text):
    u = understand(query)
    assert (u.years, u.text) == (years, text)


def test_years_not_held_are_reported_and_stay_in_the_text():
    u = understand("the 2030 Agenda in 2016")
    assert (u.years, u.missing_years) == ((), (2016, 2030)) and u.text == "the 2030 Agenda in 2016"
    assert _understand("victims in 2015", None).missing_years == ()  # nothing loaded: nothing is missing


@pytest.mark.parametrize(
    ("query", "lang"),
    [
        # each script's ranges, at both ends and one past them (a letter of another script, or no letter: en)
        ("\u0600", "ar"), ("\u05ff", "en"), ("\u06ff", "ar"), ("\u0700", "en"),
        ("\u0750", "ar"), ("\u074f", "en"), ("\u077f", "ar"), ("\u0780", "en"),
        ("\ufb50", "ar"), ("\ufb4f", "en"), ("\ufeff", "ar"), ("\uff00", "en"),
        ("\u0400", "ru"), ("\u03ff", "en"), ("\u04ff", "ru"), ("\u0500", "en"),
        ("\u4e00", "zh"), ("\u4dff", "en"), ("\u9fff", "zh"), ("\ua000", "en"),
        ("\u3400", "zh"), ("\u33ff", "en"), ("\u4dbf", "zh"), ("\u4dc0", "en"),
        # Latin letters end before U+0250: two of them outnumber one Cyrillic letter, two past it do not
        ("\u024f\u024fж", "en"), ("\u0250\u0250ж", "ru"),
        # one accent alone is enough for a language
        ("ça", "fr"), ("año", "es"), ("straße", "de"),
    ],
)
def test_language_ranges_end_where_their_blocks_end(query, lang):
    assert detect_language(query) == lang


#: (Chinese labels are shorter than the four letters a label needs, so a Chinese browse names no theme.)
BROWSE_LABELS = {"theme": {"compensation": ["compensation", "indemnisation", "indemnización", "компенсация", "Entschädigung", "التعويض"]}}


@pytest.mark.parametrize(
    "query",
    [
        "recommendations on compensation in 2015", "recommendation about compensation in 2015",
        "recommendations regarding compensation in 2015", "recommendations concerning compensation in 2015",
        "recommendations for compensation in 2015", "recommendations related to compensation in 2015",
        "التوصيات بشأن التعويض في عام 2015", "التوصيات حول التعويض في عام 2015", "التوصيات عن التعويض في عام 2015",
        "التوصيات المتعلقة ب التعويض في عام 2015", "التوصيات الخاصة ب التعويض في عام 2015", "التوصيات المتصلة ب التعويض في عام 2015",
        "recommandations sur indemnisation en 2015", "recommandations concernant indemnisation en 2015",
        "recommandations relatives à indemnisation en 2015", "recommandation en matière de indemnisation en 2015",
        "recomendaciones sobre indemnización en 2015", "recomendaciones acerca de indemnización en 2015",
        "recomendaciones relativas a indemnización en 2015", "recomendación en materia de indemnización en 2015",
        "рекомендации по компенсация в 2015 году", "рекомендации о компенсация в 2015 году",
        "рекомендации относительно компенсация в 2015 году", "рекомендации в области компенсация в 2015 году",
        "Empfehlungen zu Entschädigung im 2015", "Empfehlungen zur Entschädigung im 2015", "Empfehlung über Entschädigung im 2015",
        "Empfehlungen betreffend Entschädigung im 2015", "EMPFEHLUNGEN ZUM Entschädigung im 2015",
        "التوصية بشأن التعويض في عام 2015", "recomendacion sobre indemnización en 2015",
    ],
)
def test_a_browse_in_any_language_reads_the_facet(query):
    from recsearch.understand import label_index, with_facets

    u = with_facets(understand(query), label_index(BROWSE_LABELS))
    assert (u.years, u.facets) == ((2015,), (("theme", "compensation"),))


def test_labels_shorter_than_four_letters_name_nothing():
    from recsearch.understand import label_index

    assert label_index({"t": {"a": ["abc"], "b": ["abcd", "Ab-Cd e"]}}) == {"abcd": ("t", "b"), "ab cd e": ("t", "b")}


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("at the fifth meeting, consent", "consent"),
        ("في الاجتماع الخامس، الموافقة", "الموافقة"),
        ("الموافقة؛ في الاجتماع الخامس", "الموافقة"),
        ("consent - at the fifth meeting:", "consent"),
        ("consent;   at the fifth meeting", "consent"),
    ],
)
def test_the_topic_left_is_trimmed_of_the_punctuation_around_the_phrase(query, text):
    assert understand(query).text == text


def test_with_nothing_loaded_a_meeting_or_year_phrase_is_left_in_the_topic():
    u = _understand("consent at the fifth meeting in 2015", None)
    assert (u.meetings, u.years, u.missing_meetings, u.missing_years, u.phrases) == ((), (), (), (), ())
    assert u.text == "consent at the fifth meeting in 2015"
