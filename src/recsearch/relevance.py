"""Calibrated relevance: the estimated probability that a hit answers the query.

The fused score ranks hits within one result list but has no fixed range, so it cannot tell an
answer from the closest of several non-answers. Relevance is a small logistic model over
evidence each channel already has for a hit — a dense channel's raw cosine (which, unlike a
z-score, does not rise just because one record is the least unrelated) and how far it stands
above the channel's mean, the best keyword channel's BM25 score, and the query's length (the
features below) — fitted on judged queries by
``scripts/fit_relevance.py`` and stored as reviewable JSON (``data/relevance.json``): its
coefficients, the channels it was fitted for (channel name → encoder or keyword language),
and ``answer_at``, the relevance from which the library believes it has an answer.

A model applies only to an index whose channels match the ones it was fitted for; for any
other index relevance is unknown (``None``) rather than guessed.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import IndexCorruptError

__all__ = ["RelevanceModel", "RELEVANCE_FILE", "KEYWORD_MAX", "QUERY_WORDS", "ABOVE_MEAN", "query_words", "channel_signature", "load_relevance"]

RELEVANCE_FILE = "relevance.json"


def channel_signature(channels: Sequence[Any]) -> dict[str, str]:
    """What a model is fitted for: each channel's name → its encoder (dense) or
    ``keyword:<language>``."""
    return {
        ch.name: (f"keyword:{ch.language}" if ch.kind == "keyword" else ch.encoder.name) for ch in channels
    }


#: The features a model can use, for a channel ``c``: ``c`` (its raw score), ``c:above_mean``
#: (the score minus the channel's mean over the allowed records: how far the hit stands out),
#: ``keyword:max_log1p`` (``log1p`` of the best keyword channel's BM25 score),
#: ``query:log_words`` (``log(1 + words in the query)``: a one-word query meets a passage at a
#: lower cosine than a question does), and ``A*B``, the product of two of those.
KEYWORD_MAX = "keyword:max_log1p"
QUERY_WORDS = "query:log_words"
ABOVE_MEAN = ":above_mean"
_OWN_FEATURES = (KEYWORD_MAX, QUERY_WORDS)
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")


def query_words(query: str) -> int:
    """Words in a query; a run of Chinese characters counts one word per two characters."""
    n = 0
    for token in re.findall(r"\w+", query):
        cjk = len(_CJK.findall(token))
        n += max(1, round(cjk / 2)) if cjk else 1
    return n


@dataclass(frozen=True)
class RelevanceModel:
    """``P(answers) = sigmoid(intercept + sum coef[f] * feature f)``; see the features above."""

    channels: Mapping[str, str]
    coef: Mapping[str, float]
    intercept: float
    answer_at: float
    fitted: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 < self.answer_at < 1.0 or not math.isfinite(self.intercept):
            raise ValueError(f"answer_at must be in (0, 1) and the intercept finite, got {self.answer_at}, {self.intercept}")
        for name, c in self.coef.items():
            bad = [f for f in name.split("*") if f not in _OWN_FEATURES and f.removesuffix(ABOVE_MEAN) not in self.channels]
            if bad or not math.isfinite(c):
                raise ValueError(f"coefficient {name!r}: not a feature of channels {list(self.channels)}, or not finite")

    @property
    def keyword_channels(self) -> list[str]:
        return [name for name, what in self.channels.items() if what.startswith("keyword:")]

    @property
    def _base_features(self) -> set[str]:
        return {f for name in self.coef for f in name.split("*")}

    @property
    def needs(self) -> set[str]:
        """The channels whose scores the features read."""
        base = self._base_features
        out = {f.removesuffix(ABOVE_MEAN) for f in base if f not in _OWN_FEATURES}
        return out | (set(self.keyword_channels) if KEYWORD_MAX in base else set())

    def applies_to(self, channels: Sequence[Any]) -> bool:
        """Whether this model was fitted for exactly these channels."""
        return dict(self.channels) == channel_signature(channels)

    def features(self, scores: Mapping[str, np.ndarray], means: Mapping[str, float], query: str = "") -> dict[str, np.ndarray]:
        """Each feature's value for each hit, from the channels' raw scores (aligned arrays),
        their means over the allowed records, and the query's text."""
        n = len(next(iter(scores.values()))) if scores else 1
        base: dict[str, np.ndarray] = {}
        for name in self._base_features:
            if name == KEYWORD_MAX:
                best = np.max([np.asarray(scores[c], dtype=np.float64) for c in self.keyword_channels], axis=0)
                base[name] = np.log1p(np.maximum(best, 0.0))
            elif name == QUERY_WORDS:
                base[name] = np.full(n, math.log1p(query_words(query)))
            elif name.endswith(ABOVE_MEAN):
                channel = name.removesuffix(ABOVE_MEAN)
                base[name] = np.asarray(scores[channel], dtype=np.float64) - float(means[channel])
            else:
                base[name] = np.asarray(scores[name], dtype=np.float64)
        out = {}
        for name in self.coef:
            value = np.ones(n)
            for f in name.split("*"):
                value = value * base[f]
            out[name] = value
        return out

    def predict(self, scores: Mapping[str, np.ndarray], means: Mapping[str, float], query: str = "") -> np.ndarray:
        """Relevance of each hit, in [0, 1]."""
        values = self.features(scores, means, query)
        z = self.intercept + sum(c * values[name] for name, c in self.coef.items())
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=np.float64)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "channels": dict(self.channels),
            "coef": dict(self.coef),
            "intercept": self.intercept,
            "answer_at": self.answer_at,
            "fitted": dict(self.fitted),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RelevanceModel:
        return cls(
            channels=dict(data["channels"]),
            coef={k: float(v) for k, v in data["coef"].items()},
            intercept=float(data["intercept"]),
            answer_at=float(data["answer_at"]),
            fitted=dict(data.get("fitted", {})),
        )


def load_relevance(path: str | Path) -> RelevanceModel:
    """Read a model file; a damaged one is an :class:`IndexCorruptError` naming it."""
    path = Path(path)
    try:
        return RelevanceModel.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise IndexCorruptError(f"relevance model {path} is unreadable ({exc}); refit it: python scripts/fit_relevance.py") from exc
