import json
import shutil

from recsearch.cli import main

from conftest import DATA


def test_corpus_show_prints_citation_and_text(capsys, corpus):
    assert main(["corpus", "show", "4.46.g"]) == 0
    out = capsys.readouterr().out
    assert "para. 46 (g)" in out and corpus["4.46.g"].text in out


def test_corpus_show_json(capsys):
    assert main(["corpus", "show", "1.2", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["id"] == "1.2" and record["citation_ar"].endswith("الفقرة ٢")


def test_corpus_show_unknown_id_is_a_clean_error(capsys):
    assert main(["corpus", "show", "9.99"]) == 2
    assert "no recommendation with id" in capsys.readouterr().err


def test_corpus_build_is_byte_identical(tmp_path, capsys):
    folder = tmp_path / "data"
    shutil.copytree(DATA, folder)
    assert main(["corpus", "build", "--data", str(folder)]) == 0
    assert "288 recommendations" in capsys.readouterr().out
    for name in ("collection.json", "records.jsonl"):
        assert (folder / "collections/wg4" / name).read_bytes() == (DATA / "collections/wg4" / name).read_bytes()


def test_corpus_build_into_an_empty_folder_refuses(tmp_path, capsys):
    assert main(["corpus", "build", "--data", str(tmp_path), "--source", str(DATA / "source_ar.txt")]) == 2
    assert "no corrections" in capsys.readouterr().err and not any(tmp_path.iterdir())


def test_corpus_show_takes_ids_in_any_case(capsys):
    assert main(["corpus", "show", "4.46.G"]) == 0
    assert "para. 46 (g)" in capsys.readouterr().out


def test_version(capsys):
    import pytest

    from recsearch import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out.strip() == f"recsearch {__version__}"


def test_search_k_is_capped_like_the_tools(capsys):
    import pytest

    with pytest.raises(SystemExit) as info:
        main(["search", "victims", "-k", "1000"])
    assert info.value.code == 2 and "between 1 and 50" in capsys.readouterr().err


def test_corpus_show_prints_the_english_on_request(capsys):
    assert main(["corpus", "show", "4.46.g", "--english"]) == 0
    out = capsys.readouterr().out
    assert "para. 46 (g)" in out and "residence status of victims" in out and "Unofficial" in out
    assert main(["corpus", "show", "4.46.g"]) == 0
    assert "residence status" not in capsys.readouterr().out


def test_index_build_prints_no_library_debug_lines(tmp_path):
    import os
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-m", "recsearch.cli", "index", "build", "--encoder", "hashing", "--path", str(tmp_path / "i"), "-q"],
        capture_output=True, text=True, timeout=300, env={**os.environ, "HF_HUB_OFFLINE": "1"}, check=True,
    )  # fmt: skip
    assert "DEBUG" not in out.stderr and "indexed 288" in out.stdout
