"""Importing a collection from JSONL or CSV: validation with file and line in every message,
nothing written on error, atomic and byte-stable output. Every collection here is fictional."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from recsearch.collection import (
    CollectionFormatError,
    Translation,
    import_collection,
    parse_profile,
    parse_records,
    read_collection,
)
from recsearch.errors import CorpusError

FIXTURE = Path(__file__).resolve().parent / "data" / "fictional_collection"

PROFILE = {
    "name": "fictional",
    "symbol": "FICTIONAL/TEST/1",
    "title": "A fictional test collection",
    "language": "en",
    "meetings": [{"number": 1, "name": "First fictional meeting"}, {"number": 2, "name": "Second fictional meeting"}],
}

CSV_HEADER = "id,text,lang,meeting,paragraph,item,lead_in,url,translation_fr,translation_de,translation_de_official,translation_de_lead_in,facet_topic,facet_addressee,footnote_2,footnote_1,extra_note"


@pytest.fixture
def profile_path(tmp_path) -> Path:
    path = tmp_path / "in" / "collection.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(PROFILE), encoding="utf-8")
    return path


def write_input(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / "in" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="")
    return path


def import_problems(records_path: Path, profile_path: Path, out: Path) -> list[str]:
    with pytest.raises(CollectionFormatError) as info:
        import_collection(records_path, profile_path, out)
    return info.value.problems


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else b"<dir>") for p in sorted(root.rglob("*"))}


def jsonl(*records: dict) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


# --------------------------------------------------------------------------- JSONL


def test_import_jsonl(tmp_path, profile_path):
    rows = [
        {"id": "1", "text": "A fictional text.", "meeting": 1, "translations": {"fr": "Un texte fictif."}},
        {"id": "2", "text": "Another fictional text.", "facets": {"topic": "x"}},
    ]
    src = write_input(tmp_path, "records.jsonl", jsonl(*rows))
    out = import_collection(src, profile_path, tmp_path / "out")
    assert out == (tmp_path / "out").resolve()
    assert sorted(os.listdir(out)) == ["collection.json", "records.jsonl"]
    prof, recs = read_collection(out)
    assert prof.name == "fictional"
    expected = parse_records(src.read_text(encoding="utf-8"), parse_profile(PROFILE))
    assert [r.to_dict() for r in recs] == [r.to_dict() for r in expected]
    assert recs[0].translations["fr"] == Translation("Un texte fictif.", None, False)


def test_import_of_the_fixture_reproduces_it_byte_for_byte(tmp_path):
    out = import_collection(FIXTURE / "records.jsonl", FIXTURE / "collection.json", tmp_path / "copy")
    for name in ("collection.json", "records.jsonl"):
        assert (out / name).read_bytes() == (FIXTURE / name).read_bytes()


def test_import_is_byte_stable(tmp_path, profile_path):
    src = write_input(tmp_path, "records.jsonl", jsonl({"text": "Fictional é ü.", "id": "1", "extra": {"b": 1, "a": [2, {"d": 3, "c": 4}]}}))
    a = import_collection(src, profile_path, tmp_path / "a")
    first = snapshot(a)
    b = import_collection(src, profile_path, tmp_path / "b")
    import_collection(src, profile_path, a)  # again into the same folder
    assert snapshot(a) == snapshot(b) == first
    assert first["records.jsonl"] == '{"extra": {"a": [2, {"c": 4, "d": 3}], "b": 1}, "id": "1", "text": "Fictional é ü."}\n'.encode()


def test_import_jsonl_errors_name_the_input_file_and_line(tmp_path, profile_path):
    src = write_input(
        tmp_path,
        "mine.jsonl",
        jsonl({"id": "1.1", "text": "Fictional."}) + "\n" + jsonl({"id": "1.1", "text": "x", "meetings": 1}, {"id": "2", "text": "y", "meeting": 5}),
    )
    assert import_problems(src, profile_path, tmp_path / "out") == [
        f"{src} line 3: id '1.1' already used on line 1",
        f"{src} line 3: unknown field 'meetings' (did you mean 'meeting'?)",
        f"{src} line 4: field 'meeting': 5 is not a meeting of the collection (collection.json lists 1, 2)",
    ]
    assert sorted(os.listdir(tmp_path)) == ["in"]


def test_profile_errors_name_the_profile_file(tmp_path):
    bad = write_input(tmp_path, "profile.json", json.dumps({**PROFILE, "language": "english", "titel": "x"}))
    src = write_input(tmp_path, "records.jsonl", jsonl({"id": "1", "text": "Fictional."}))
    assert import_problems(src, bad, tmp_path / "out") == [
        f'{bad}: field \'language\': expected an ISO 639-1 code like "en", got "english"',
        f"{bad}: unknown field 'titel' (did you mean 'title'?)",
    ]
    broken = write_input(tmp_path, "broken.json", '{"symbol": "S"')
    with pytest.raises(CollectionFormatError, match=rf"^{broken}: not valid JSON"):
        import_collection(src, broken, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_missing_input_files(tmp_path, profile_path):
    src = write_input(tmp_path, "records.jsonl", jsonl({"id": "1", "text": "Fictional."}))
    with pytest.raises(CorpusError, match="no records file at .*nope.jsonl"):
        import_collection(tmp_path / "nope.jsonl", profile_path, tmp_path / "out")
    with pytest.raises(CorpusError, match="no collection.json at .*nope.json"):
        import_collection(src, tmp_path / "nope.json", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_name_defaults_to_the_output_folder(tmp_path):
    profile = write_input(tmp_path, "p.json", json.dumps({k: v for k, v in PROFILE.items() if k != "name"}))
    src = write_input(tmp_path, "records.jsonl", jsonl({"id": "1", "text": "Fictional."}))
    out = import_collection(src, profile, tmp_path / "Fictional Stuff")
    assert read_collection(out)[0].name == "fictional-stuff"
    assert "name" not in json.loads((out / "collection.json").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- CSV


def test_import_csv_maps_every_column(tmp_path, profile_path):
    rows = [
        CSV_HEADER,
        '1.1,"A fictional text, with a comma.",,1,3,a,States should:,https://example.org/1,Un texte fictif.,Fiktiv.,TRUE,Staaten sollten:,reporting | registers,States,Second note.,First note.,kept',
        '1.2,Another fictional text.,fr,2,3bis,,,,,Fiktiv zwei.,false,,training,,,,',
        '1.3,"Fictional,\nover two lines.",,,,,,,,,,,,,,,',
    ]
    src = write_input(tmp_path, "records.csv", "\n".join(rows) + "\n")
    out = import_collection(src, profile_path, tmp_path / "out")
    _, (r1, r2, r3) = read_collection(out)
    assert (r1.id, r1.text, r1.lang, r1.meeting.number, r1.paragraph, r1.item, r1.lead_in, r1.url) == (
        "1.1", "A fictional text, with a comma.", "en", 1, 3, "a", "States should:", "https://example.org/1"
    )
    assert dict(r1.translations) == {
        "de": Translation("Fiktiv.", "Staaten sollten:", True),
        "fr": Translation("Un texte fictif.", None, False),
    }
    assert dict(r1.facets) == {"topic": ("reporting", "registers"), "addressee": ("States",)}
    assert [(f.number, f.text) for f in r1.footnotes] == [(1, "First note."), (2, "Second note.")]
    assert dict(r1.extra) == {"note": "kept"}
    assert (r2.lang, r2.meeting.number, r2.paragraph, r2.item, r2.lead_in, r2.url) == ("fr", 2, "3bis", None, None, None)
    assert dict(r2.translations) == {"de": Translation("Fiktiv zwei.", None, False)}
    assert r2.footnotes == () and dict(r2.extra) == {} and dict(r2.facets) == {"topic": ("training",)}
    assert r3.text == "Fictional,\nover two lines." and r3.meeting is None and dict(r3.translations) == {}
    lines = (out / "records.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[1])["translations"] == {"de": {"official": False, "text": "Fiktiv zwei."}}
    assert json.loads(lines[0])["translations"]["fr"] == "Un texte fictif."


def test_csv_with_a_bom_and_crlf(tmp_path, profile_path):
    src = tmp_path / "in" / "excel.csv"
    src.write_bytes("\ufeffid,text\r\n1,Fictional é.\r\n".encode())
    out = import_collection(src, profile_path, tmp_path / "out")
    assert [(r.id, r.text) for r in read_collection(out)[1]] == [("1", "Fictional é.")]


def test_csv_unknown_column_is_named_on_line_1(tmp_path, profile_path):
    src = write_input(tmp_path, "records.csv", "id,txet,text,colour\n1,x,Fictional.,red\n")
    problems = import_problems(src, profile_path, tmp_path / "out")
    assert [p.split(";")[0] for p in problems] == [
        f"{src} line 1: unknown column 'txet' (did you mean 'text'?)",
        f"{src} line 1: unknown column 'colour'",
    ]
    assert "columns are id, text, lang, meeting" in problems[0] and "facet_<name>" in problems[0]


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ("translation_english", "column 'translation_english': expected translation_<lang> with an ISO 639-1 code like translation_fr"),
        ("facet_Topic", "column 'facet_Topic': facet name 'Topic' must be 1-40 lower-case letters, digits or '_', starting with a letter"),
        ("footnote_x", "column 'footnote_x': expected footnote_<n> with a number n >= 1"),
        ("footnote_0", "column 'footnote_0': expected footnote_<n> with a number n >= 1"),
        ("extra_", "column 'extra_': expected extra_<key>"),
        ("text", "column 'text' appears twice"),
        ("translation_fr_official", "column 'translation_fr_official' without a column 'translation_fr'"),
        ("translation_fr_lead_in", "column 'translation_fr_lead_in' without a column 'translation_fr'"),
        ("", "column 3 has no name"),
    ],
)
def test_csv_bad_columns(tmp_path, profile_path, column, expected):
    src = write_input(tmp_path, "records.csv", f"id,text,{column}\n1,Fictional.,x\n")
    assert import_problems(src, profile_path, tmp_path / "out") == [f"{src} line 1: {expected}"]


def test_csv_needs_id_and_text_columns(tmp_path, profile_path):
    src = write_input(tmp_path, "records.csv", "text,lang\nFictional.,en\n")
    assert import_problems(src, profile_path, tmp_path / "out") == [f"{src} line 1: no column 'id': every record needs one"]
    empty = write_input(tmp_path, "empty.csv", "")
    assert import_problems(empty, profile_path, tmp_path / "out") == [
        f"{empty} line 1: no header row: line 1 must name the columns (id, text, …)"
    ]


def test_csv_line_numbers_count_the_header_blank_lines_and_multiline_cells(tmp_path, profile_path):
    text = (
        "id,text,meeting,translation_fr,translation_fr_official\n"  # line 1
        "1,Fictional one.,1,,\n"  # line 2
        "\n"  # line 3
        '2,"Fictional\ntwo.",9,,\n'  # lines 4-5
        "3,Fictional three.,x,Trois.,maybe\n"  # line 6
        "1,,,,\n"  # line 7
        "4,Fictional four.,,,true\n"  # line 8
        "5,Five.,1,a,b,c\n"  # line 9
    )
    src = write_input(tmp_path, "records.csv", text)
    assert import_problems(src, profile_path, tmp_path / "out") == [
        f"{src} line 4: field 'meeting': 9 is not a meeting of the collection (collection.json lists 1, 2)",
        f'{src} line 6: field \'meeting\': expected an integer, got "x"',
        f'{src} line 6: field \'translations.fr.official\': expected true or false, got "maybe"',
        f"{src} line 7: id '1' already used on line 2",
        f"{src} line 7: missing required field 'text'",
        f"{src} line 8: missing required field 'translations.fr.text'",
        f"{src} line 9: 6 cells, but the header names 5 columns",
    ]


def test_csv_facet_values_split_on_bars(tmp_path, profile_path):
    src = write_input(tmp_path, "records.csv", "id,text,facet_topic\n1,Fictional.,a|b | c\n2,Fictional.,a||b\n")
    assert import_problems(src, profile_path, tmp_path / "out") == [f"{src} line 3: field 'facets.topic[1]': must not be empty"]
    ok = write_input(tmp_path, "ok.csv", "id,text,facet_topic\n1,Fictional.,a|b | c\n")
    assert read_collection(import_collection(ok, profile_path, tmp_path / "out"))[1][0].facets["topic"] == ("a", "b", "c")


def test_csv_short_rows_and_trailing_empty_cells_are_fine(tmp_path, profile_path):
    src = write_input(tmp_path, "records.csv", "id,text,item\n1,Fictional.\n2,Fictional two.,b,,\n")
    recs = read_collection(import_collection(src, profile_path, tmp_path / "out"))[1]
    assert [(r.id, r.item) for r in recs] == [("1", None), ("2", "b")]


def test_csv_all_errors_are_collected_with_header_problems_first(tmp_path, profile_path):
    src = write_input(tmp_path, "records.csv", "id,text,mood\n 1,Fictional.,x\n2,,y\n3,Fine.,z\n")
    problems = import_problems(src, profile_path, tmp_path / "out")
    assert [p.split(":")[0] for p in problems] == [f"{src} line 1", f"{src} line 2", f"{src} line 3"]
    assert problems[1] == f'{src} line 2: field \'id\': must not start or end with whitespace, got " 1"'


# --------------------------------------------------------------------------- writing


def test_nothing_is_written_on_error(tmp_path, profile_path):
    good = write_input(tmp_path, "good.jsonl", jsonl({"id": "old", "text": "Fictional old."}))
    out = import_collection(good, profile_path, tmp_path / "out")
    before = snapshot(tmp_path)
    bad_jsonl = write_input(tmp_path, "bad.jsonl", jsonl({"id": "new", "text": "Fictional."}, {"id": "x", "text": 3}))
    bad_csv = write_input(tmp_path, "bad.csv", "id,text,wrong\n1,Fictional.,x\n")
    before = snapshot(tmp_path)
    for bad in (bad_jsonl, bad_csv):
        with pytest.raises(CollectionFormatError):
            import_collection(bad, profile_path, out)
        with pytest.raises(CollectionFormatError):
            import_collection(bad, profile_path, tmp_path / "fresh")
    assert snapshot(tmp_path) == before
    assert not any(p.name.startswith((".tmp-", ".old-")) for p in tmp_path.iterdir())
    assert [r.id for r in read_collection(out)[1]] == ["old"]


def test_import_replaces_an_existing_collection(tmp_path, profile_path):
    first = write_input(tmp_path, "first.jsonl", jsonl({"id": "1", "text": "Fictional first."}))
    second = write_input(tmp_path, "second.csv", "id,text\n2,Fictional second.\n3,Fictional third.\n")
    out = import_collection(first, profile_path, tmp_path / "out")
    import_collection(second, profile_path, out)
    assert [r.id for r in read_collection(out)[1]] == ["2", "3"]
    assert sorted(os.listdir(tmp_path)) == ["in", "out"]


def test_import_refuses_to_replace_a_folder_that_is_not_a_collection(tmp_path, profile_path):
    src = write_input(tmp_path, "records.jsonl", jsonl({"id": "1", "text": "Fictional."}))
    other = tmp_path / "docs"
    other.mkdir()
    (other / "thesis.md").write_text("keep me")
    with pytest.raises(CorpusError, match="non-empty folder without collection.json: refusing to replace it"):
        import_collection(src, profile_path, other)
    assert snapshot(other) == {"thesis.md": b"keep me"}
    assert sorted(os.listdir(tmp_path)) == ["docs", "in"]


def test_csv_and_jsonl_of_the_same_records_import_to_the_same_bytes(tmp_path, profile_path):
    src_jsonl = write_input(tmp_path, "r.jsonl", jsonl(
        {"id": "1", "text": "Fictional.", "meeting": 1, "paragraph": 2, "facets": {"topic": ["a", "b"]},
         "translations": {"fr": "Fictif."}, "footnotes": [{"number": 1, "text": "Note."}], "extra": {"k": "v"}},
    ))
    src_csv = write_input(tmp_path, "r.csv", "id,text,meeting,paragraph,facet_topic,translation_fr,footnote_1,extra_k\n1,Fictional.,1,2,a|b,Fictif.,Note.,v\n")
    a = import_collection(src_jsonl, profile_path, tmp_path / "a")
    b = import_collection(src_csv, profile_path, tmp_path / "b")
    assert snapshot(a) == snapshot(b)


def test_the_cli_imports_and_reports_errors_with_lines(tmp_path, capsys):
    from conftest import TEST_DATA
    from recsearch.cli import main

    src = TEST_DATA / "fictional_collection"
    out = tmp_path / "mine"
    assert main(["collection", "import", str(src / "records.jsonl"), "--profile", str(src / "collection.json"), "--out", str(out)]) == 0
    assert "wrote collection 'fictional'" in capsys.readouterr().out
    assert (out / "records.jsonl").read_bytes() == (src / "records.jsonl").read_bytes()
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "1", "text": "a"}\n{"id": "1", "text": "b", "meetings": 1}\n', encoding="utf-8")
    assert main(["collection", "import", str(bad), "--profile", str(src / "collection.json"), "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert "line 2: id '1' already used on line 1" in err and "'meetings'" in err and "meeting" in err
    assert not (tmp_path / "x").exists()


def test_csv_questions_split_on_bars_by_language(tmp_path, profile_path):
    src = write_input(tmp_path, "records.csv", "id,text,questions_en,questions_fr\n1,Fictional.,Who waters? | plant care,Qui arrose ?\n")
    [rec] = read_collection(import_collection(src, profile_path, tmp_path / "out"))[1]
    assert rec.questions == {"en": ("Who waters?", "plant care"), "fr": ("Qui arrose ?",)}
    bad = write_input(tmp_path, "bad.csv", "id,text,questions_english\n1,Fictional.,x\n")
    assert import_problems(bad, profile_path, tmp_path / "out2") == [
        f"{bad} line 1: column 'questions_english': expected questions_<lang> with an ISO 639-1 code like questions_en"
    ]
