"""Ranking quality on the labelled set: the figures are pinned, the engine beats the baseline."""

from matchmaking.evaluation import evaluate, ndcg_at, precision_at
from tests.matchmaking.evaluation_set import OPPORTUNITIES, ORGANISATIONS


def test_evaluation_set_is_large_enough_and_bilingual():
    assert len(OPPORTUNITIES) == 42
    assert len(ORGANISATIONS) == 26
    assert {row[2] for row in OPPORTUNITIES} == {"de", "en"}


def test_metrics():
    assert precision_at(["a", "x", "b", "y", "z"], {"a", "b"}, 5) == 0.4
    assert ndcg_at(["a", "b"], {"a", "b"}, 10) == 1.0
    assert round(ndcg_at(["x", "a"], {"a"}, 10), 3) == 0.631


def test_engine_beats_the_keyword_baseline_with_pinned_figures():
    results = evaluate()
    assert results == {
        "engine": {"precision@5": 0.343, "ndcg@10": 0.736},
        "baseline": {"precision@5": 0.305, "ndcg@10": 0.603},
    }
    assert results["engine"]["precision@5"] > results["baseline"]["precision@5"]
    assert results["engine"]["ndcg@10"] > results["baseline"]["ndcg@10"]
