"""Ranking quality of the lists stored right after publishing, next to baselines computed in
the same run (matchmaking.evaluation), with the real multilingual model."""

import pytest

from matchmaking import evaluation

# Measured once and pinned: a change of the engine that moves them must say so here. The
# model's 4-bit matrix products take different SIMD paths on different CPUs, which moves
# cosines in their last digits and flips near ties (two machines differed by up to 0.02, and
# one figure of the tuning half by 0.005 between runs): a pin holds to within PIN_TOLERANCE,
# below what a change of the engine's weights moves; the ratio assertions are the goals.
PIN_TOLERANCE = 0.025


def pinned(values: dict) -> dict:
    """`values` (nested dicts of metrics) as pytest.approx within PIN_TOLERANCE."""
    return {
        key: pinned(value) if isinstance(value, dict) else pytest.approx(value, abs=PIN_TOLERANCE)
        for key, value in values.items()
    }


V1 = {
    "engine": {"ndcg@10": 0.775, "p@5": 0.367, "mrr": 0.825, "recall@10": 0.904},
    "embedding": {"ndcg@10": 0.55, "p@5": 0.233, "mrr": 0.606, "recall@10": 0.704},
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
    assert results == pinned(V1)


# The larger bilingual set (tests/matchmaking/evaluation_v2.py), written before any run; the
# engine's weights were set before the set existed and were not tuned on either half.
V2_HELDOUT = {
    "engine": {"ndcg@10": 0.646, "p@5": 0.256, "mrr": 0.738, "recall@10": 0.82},
    "embedding": {"ndcg@10": 0.461, "p@5": 0.136, "mrr": 0.57, "recall@10": 0.607},
    "bm25": {"ndcg@10": 0.298, "p@5": 0.12, "mrr": 0.351, "recall@10": 0.323},
    "keyword": {"ndcg@10": 0.205, "p@5": 0.08, "mrr": 0.213, "recall@10": 0.253},
}
V2_TUNE = {
    "engine": {"ndcg@10": 0.553, "p@5": 0.2, "mrr": 0.615, "recall@10": 0.747},
    "embedding": {"ndcg@10": 0.474, "p@5": 0.184, "mrr": 0.558, "recall@10": 0.633},
    "bm25": {"ndcg@10": 0.239, "p@5": 0.088, "mrr": 0.273, "recall@10": 0.333},
    "keyword": {"ndcg@10": 0.17, "p@5": 0.056, "mrr": 0.198, "recall@10": 0.22},
}
V2_HELDOUT_CROSS_LANGUAGE_NDCG = {
    "engine": 0.513,
    "embedding": 0.226,
    "bm25": 0.132,
    "keyword": 0.076,
}


@pytest.mark.django_db
def test_bilingual_set_held_out_half_meets_the_ratios(e5):
    results = evaluation.evaluate(evaluation.load_v2(), e5)
    print(evaluation.table(results))
    heldout = results["heldout"]
    engine = heldout["engine"]["ndcg@10"]
    assert engine >= 1.4 * heldout["keyword"]["ndcg@10"]
    assert engine >= 1.25 * heldout["bm25"]["ndcg@10"]
    assert engine >= 1.05 * heldout["embedding"]["ndcg@10"]
    cross = results["heldout/cross-language"]
    assert cross["engine"]["ndcg@10"] >= 1.25 * cross["bm25"]["ndcg@10"]
    assert heldout == pinned(V2_HELDOUT)
    assert results["tune"] == pinned(V2_TUNE)
    assert {m: f["ndcg@10"] for m, f in cross.items()} == pinned(V2_HELDOUT_CROSS_LANGUAGE_NDCG)
