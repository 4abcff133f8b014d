"""Ranking quality of the lists stored right after publishing, next to baselines computed in
the same run (matchmaking.evaluation), with the real multilingual model."""

import pytest

from matchmaking import evaluation

# Measured once and pinned: a change of the engine that moves them must say so here.
V1 = {
    "engine": {"ndcg@10": 0.775, "p@5": 0.362, "mrr": 0.824, "recall@10": 0.904},
    "embedding": {"ndcg@10": 0.542, "p@5": 0.233, "mrr": 0.607, "recall@10": 0.684},
    "bm25": {"ndcg@10": 0.481, "p@5": 0.229, "mrr": 0.559, "recall@10": 0.609},
    "keyword": {"ndcg@10": 0.478, "p@5": 0.214, "mrr": 0.522, "recall@10": 0.652},
}


@pytest.mark.django_db
def test_first_set_engine_beats_every_baseline(e5):
    results = evaluation.evaluate(evaluation.load_v1(), e5)["all"]
    print(evaluation.table({"v1": results}))
    engine = results["engine"]["ndcg@10"]
    assert engine >= 1.4 * results["keyword"]["ndcg@10"]
    assert engine >= 1.25 * results["bm25"]["ndcg@10"]
    assert engine >= 1.05 * results["embedding"]["ndcg@10"]
    assert results == V1
