from pathlib import Path

import pytest

from recsearch.wg4.layout import ContentLine
from recsearch.wg4.restore import (
    Correction,
    arabic_letters,
    auto_restore,
    char_signature,
    load_corrections,
    mend_brackets,
    restore_lines,
)
from recsearch.errors import RestorationError


def test_mend_brackets_fixes_mirrored_pairs_only():
    assert mend_brackets("انظر )CTOC/COP/WG.4/2009/2( هنا") == "انظر (CTOC/COP/WG.4/2009/2) هنا"
    assert mend_brackets("(أ) نص (ب)") == "(أ) نص (ب)"
    assert mend_brackets("(البرامج) و )الصحافة(") == "(البرامج) و (الصحافة)"


def test_auto_restore_drops_tatweel_and_collapses_spaces():
    assert auto_restore("  الأشـــخاص   في  ") == "الأشخاص في"
    assert auto_restore("انظر )الوثيقة( هنا") == "انظر (الوثيقة) هنا"  # mirrored pairs mended


def test_arabic_letters_ignore_tatweel_digits_and_diacritics():
    assert arabic_letters("الأشـــخاصُ ٢٠١١") == arabic_letters("الأشخاص")


def test_correction_must_be_a_pure_reordering():
    lines = [ContentLine(10, "التو صُّ من أجل")]
    good = {10: Correction(10, 10, "من أجل التوصُّ")}
    assert restore_lines(lines, good) == "من أجل التوصُّ"
    added = {10: Correction(10, 10, "من أجل التوصُّل")}
    with pytest.raises(RestorationError, match="not a reordering"):
        restore_lines(lines, added)
    dropped = {10: Correction(10, 10, "من أجل التو")}
    with pytest.raises(RestorationError, match="missing"):
        restore_lines(lines, dropped)


def test_multi_line_correction_must_stay_inside_its_unit():
    lines = [ContentLine(10, "ب أ"), ContentLine(11, "د ج")]
    joined = {10: Correction(10, 11, "أ ب ج د")}
    assert restore_lines(lines, joined) == "أ ب ج د"
    with pytest.raises(RestorationError, match="crosses"):
        restore_lines(lines, {10: Correction(10, 12, "أ ب ج د")})


def test_char_signature_treats_parentheses_as_one_symbol():
    assert char_signature(")أ(") == char_signature("(أ)")


def test_bad_corrections_file_is_a_clear_error(tmp_path: Path):
    (tmp_path / "x.tsv").write_text("12\n", encoding="utf-8")
    with pytest.raises(RestorationError, match="x.tsv:1"):
        load_corrections(tmp_path)
    (tmp_path / "x.tsv").write_text("1a\tنص\n", encoding="utf-8")
    with pytest.raises(RestorationError, match="bad line key"):
        load_corrections(tmp_path)
    (tmp_path / "x.tsv").write_text("# comment\n5\tنص\n5\tنص\n", encoding="utf-8")
    with pytest.raises(RestorationError, match="twice"):
        load_corrections(tmp_path)
