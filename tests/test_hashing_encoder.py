"""The model-free hashing encoder: deterministic, unit vectors, close for shared words."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from recsearch.encoders import Encoder, get_encoder
from recsearch.errors import QueryError, QueryTypeError
from recsearch.hashing_encoder import DEFAULT_HASHING_DIM, HashingEncoder

TEXTS = ["تعويض ضحايا الاتجار بالأشخاص", "compensation for victims of trafficking", "", "!!!"]


def test_shapes_norms_and_protocol():
    enc = HashingEncoder(64)
    assert isinstance(enc, Encoder) and enc.dim == 64 and enc.name == "hashing-64/v1"
    vecs = enc.encode_passages(TEXTS)
    assert vecs.shape == (4, 64) and vecs.dtype == np.float32
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(enc.encode_queries(TEXTS), vecs)  # queries and passages alike


def test_texts_sharing_words_are_closer_than_unrelated_ones():
    enc = HashingEncoder()
    q, near, far = enc.encode_queries(["victims of trafficking", "protection of trafficking victims", "football world cup"])
    assert q @ near > q @ far + 0.2


def test_batches_do_not_change_vectors():
    enc = HashingEncoder(32)
    many = [f"text number {i} about victims" for i in range(20_000)]
    assert np.array_equal(enc.encode_passages(many)[[0, 9000, 19_999]], enc.encode_passages([many[0], many[9000], many[19_999]]))


def test_same_vectors_in_another_process_whatever_the_hash_seed():
    code = (
        "import sys, numpy as np; from recsearch.hashing_encoder import HashingEncoder;"
        f"sys.stdout.write(HashingEncoder(48).encode_queries({TEXTS!r}).tobytes().hex())"
    )
    outs = {
        subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True,
                       text=True, check=True).stdout
        for seed in ("1", "2")
    }
    assert outs == {HashingEncoder(48).encode_queries(TEXTS).tobytes().hex()}


def test_get_encoder_specs():
    assert get_encoder("hashing").dim == DEFAULT_HASHING_DIM
    assert get_encoder("hashing:512").dim == 512
    assert get_encoder(" Hashing:64 ").spec == "hashing:64"
    for bad in ("hashing:x", "hashing:٥١٢", "hashing:4"):
        with pytest.raises(QueryError):
            get_encoder(bad)


def test_bad_input_is_typed():
    enc = HashingEncoder(16)
    with pytest.raises(QueryTypeError):
        enc.encode_queries("a bare string")
    with pytest.raises(QueryTypeError):
        enc.encode_passages(["ok", 3])
