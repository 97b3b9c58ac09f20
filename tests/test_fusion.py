"""Fusion: z-scores with the allowed records' statistics, and reciprocal rank fusion."""

from __future__ import annotations

import numpy as np
import pytest

from recsearch.errors import QueryError
from recsearch.fusion import ChannelScores, channel_ranks, fuse, zscore


def test_zscore_uses_the_statistics_it_is_given_not_the_pools():
    pool = np.array([3.0, 2.0, 1.0])
    assert np.allclose(zscore(pool, mean=1.0, std=2.0), [1.0, 0.5, 0.0])
    assert not np.allclose(zscore(pool, 1.0, 2.0), (pool - pool.mean()) / pool.std())


def test_a_channel_that_tells_nothing_apart_adds_nothing():
    flat = ChannelScores(np.zeros(4), weight=0.7, keyword=True, mean=0.0, std=0.0)
    dense = ChannelScores(np.array([0.9, 0.5, 0.4, 0.1]), weight=1.0, keyword=False, mean=0.5, std=0.2)
    assert np.allclose(fuse({"bm25": flat, "dense": dense}), fuse({"dense": dense}))


def test_weights_scale_each_channel():
    a = ChannelScores(np.array([1.0, 0.0]), 1.0, False, 0.5, 0.5)
    b = ChannelScores(np.array([0.0, 1.0]), 0.5, True, 0.5, 0.5)
    fused = fuse({"a": a, "b": b})
    assert np.allclose(fused, [1.0 - 0.5, -1.0 + 0.5])


def test_ranks_are_one_based_and_stable():
    assert channel_ranks(np.array([0.2, 0.9, 0.2, 0.5])).tolist() == [3, 1, 4, 2]


def test_rrf_gives_no_vote_for_a_keyword_score_of_zero():
    kw = ChannelScores(np.array([2.0, 0.0, 1.0]), 0.7, True)
    dense = ChannelScores(np.array([0.1, 0.3, 0.2]), 1.0, False)
    fused = fuse({"kw": kw, "dense": dense}, "rrf", rrf_k=60)
    assert np.allclose(fused, [1 / 61 + 1 / 63, 0 + 1 / 61, 1 / 62 + 1 / 62])


def test_unknown_fusion_and_nothing_to_fuse_are_value_errors():
    with pytest.raises(QueryError, match="unknown fusion"):
        fuse({}, "borda")
    with pytest.raises(QueryError, match="nothing to fuse"):
        fuse({})


def test_nothing_to_fuse_says_so_word_for_word():
    with pytest.raises(QueryError) as caught:
        fuse({})
    assert str(caught.value) == "nothing to fuse: no channel was used"


def test_zscore_is_float_zeros_for_a_flat_channel_and_divides_from_the_threshold_up():
    from recsearch.fusion import zscore

    flat = zscore(np.array([3, 3, 3]), 3.0, 0.0)
    assert flat.dtype == np.float64 and flat.tolist() == [0.0, 0.0, 0.0]
    assert zscore(np.array([1.0, 2.0]), 1.0, 1e-9).tolist() == [0.0, pytest.approx(1e9)]  # 1e-9 itself divides


def test_defaults_rrf_k_60_and_unit_statistics():
    dense = ChannelScores(np.array([0.0, -1.0, 2.0]), 1.0, False)  # mean 0, spread 1: the scores as they are
    assert fuse({"d": dense}).tolist() == [0.0, -1.0, 2.0]
    assert np.allclose(fuse({"d": dense}, "rrf"), [1 / 62, 1 / 63, 1 / 61])  # a dense score of 0 still votes
    with pytest.raises(QueryError) as caught:
        fuse({"d": dense}, "borda")
    assert str(caught.value) == "unknown fusion 'borda'; valid: ['zscore', 'rrf']"
