"""The evaluation harness: metrics computed by hand, the query format, constraint checks."""

from __future__ import annotations

import json
import math

import pytest

from conftest import TEST_DATA
from recsearch.errors import QueryError
from recsearch.evaluate import Judged, evaluate, keeps_constraint, load_queries, score_ranking


def test_metrics_match_a_hand_computation():
    qrels = {"a": 2, "b": 1, "c": 2}
    ndcg, recall, rr = score_ranking([["x"], ["a"], ["b"]], qrels, k=10)
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    idcg = 2 / math.log2(2) + 2 / math.log2(3) + 1 / math.log2(4)
    assert ndcg == pytest.approx(dcg / idcg)
    assert recall == pytest.approx(2 / 3) and rr == pytest.approx(1 / 2)
    assert score_ranking([["a"], ["c"], ["b"]], qrels) == pytest.approx((1.0, 1.0, 1.0))
    assert score_ranking([], qrels) == (0.0, 0.0, 0.0)


def test_a_slot_standing_for_identical_recommendations_counts_once():
    qrels = {"5.34": 2, "5.35": 2, "1.1": 1}
    ndcg, recall, _ = score_ranking([["5.34", "5.35"], ["1.1"]], qrels, k=10)
    assert recall == 1.0 and ndcg < 1.0  # one slot, not two gains


def test_the_cutoff_is_applied():
    assert score_ranking([["x"]] * 10 + [["a"]], {"a": 2}, k=10) == (0.0, 0.0, 0.0)


def test_constraints_are_checked_on_the_ids_meeting():
    assert keeps_constraint([["4.46.g"], ["4.1"]], {"meeting": 4})
    assert not keeps_constraint([["4.46.g"], ["5.1"]], {"meeting": 4})
    assert keeps_constraint([["7.1.a"], ["8.2.b"]], {"meeting": [7, 8]})
    assert keeps_constraint([["1.1"]], None)


def test_evaluate_groups_by_language_and_kind_and_counts_constraints():
    queries = [
        Judged("q1", "ar", "a", {"1.1": 2}, kind="topic"),
        Judged("q2", "fr", "b", {"4.2": 2}, kind="constrained", constraint={"meeting": 4}),
    ]
    report = evaluate(queries, lambda q, mode: [["1.1"]] if q == "a" else [["4.2"], ["5.1"]], modes=["hybrid"])
    groups = report.by_mode["hybrid"]
    assert groups["all"]["n"] == 2 and groups["ar"]["ndcg@10"] == 1.0 and groups["other"]["mrr@10"] == 1.0
    assert groups["kind:constrained"]["n"] == 1 and "lang:fr" in groups
    assert report.constraints["hybrid"] == (0, 1)  # 5.1 is outside meeting 4
    assert "| hybrid | all | 2 |" in report.table() and "hybrid 0/1" in report.table()


def test_the_dev_file_loads():
    queries = load_queries(TEST_DATA / "queries_dev.jsonl")
    assert len(queries) == 40 and all(q.qrels for q in queries)


def test_a_malformed_line_is_named(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"qid": "1", "query": "x", "qrels": {"1.1": 2}}) + "\n{broken\n", encoding="utf-8")
    with pytest.raises(QueryError, match=r"q\.jsonl:2"):
        load_queries(path)
