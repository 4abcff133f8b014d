"""Ranking quality of the engine on the labelled set in tests/matchmaking/evaluation_set.py,
next to a keyword-only baseline (number of shared declared competences).

    DJANGO_DEBUG=1 .venv/bin/python -m matchmaking.evaluation

No database: the profiles are built in memory from the set and partners.taxonomy.
"""

import math

import numpy as np

from matchmaking import scoring
from matchmaking.text import tokenize
from partners.taxonomy import COMPETENCES


def precision_at(ranked: list[str], relevant: set[str], k: int) -> float:
    return sum(1 for slug in ranked[:k] if slug in relevant) / k


def ndcg_at(ranked: list[str], relevant: set[str], k: int) -> float:
    """Binary gains, log2 discount."""
    dcg = sum(1 / math.log2(i + 2) for i, slug in enumerate(ranked[:k]) if slug in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def _index(organisations, opportunities):
    from matchmaking import engine  # needs the app registry

    taxonomy = engine.Taxonomy.from_tree(COMPETENCES)
    concept_id = {slug: pk for pk, (slug, _de, _en) in taxonomy.names.items()}
    org_profiles = {}
    org_keys = {}
    for number, (slug, kind, size, sectors, competences, text_de, text_en) in enumerate(
        organisations, start=1
    ):
        org_keys[slug] = number
        org_profiles[number] = engine.Profile(
            key=number,
            organisation_id=number,
            kind="",
            concepts=engine._profile_concepts(
                [concept_id[c] for c in competences], f"{text_de}\n{text_en}", taxonomy
            ),
            tokens=tokenize(text_de, "de") + tokenize(text_en, "en"),
            text=f"{text_de}\n{text_en}",
            language="de",
            organisation_kind=kind,
            traits=scoring.Traits(kind, size, frozenset(sectors)),
        )
    opportunity_profiles = {}
    for number, (owner, kind, language, title, description, competences, _relevant) in enumerate(
        opportunities, start=1
    ):
        owner_profile = org_profiles[org_keys[owner]]
        text = f"{title}\n{title}\n{description}"
        opportunity_profiles[number] = engine.Profile(
            key=number,
            organisation_id=owner_profile.key,
            kind=kind,
            concepts=engine._profile_concepts([concept_id[c] for c in competences], text, taxonomy),
            tokens=tokenize(text, language),
            text=text,
            language=language,
            organisation_kind=owner_profile.organisation_kind,
            traits=owner_profile.traits,
            valid_until=10**6,
        )
    index = engine.MatchingIndex(taxonomy, org_profiles, opportunity_profiles, responsiveness={})
    return index, org_keys, concept_id


def evaluate(organisations=None, opportunities=None) -> dict[str, dict[str, float]]:
    """Mean precision@5 and nDCG@10 of the engine and of the baseline, rounded to 3 places."""
    if organisations is None:
        from tests.matchmaking.evaluation_set import OPPORTUNITIES, ORGANISATIONS

        organisations, opportunities = ORGANISATIONS, OPPORTUNITIES
    from matchmaking import engine

    index, org_keys, _concept_id = _index(organisations, opportunities)
    slug_of = {number: slug for slug, number in org_keys.items()}
    declared = {slug: set(row[4]) for slug, row in zip(org_keys, organisations, strict=True)}
    sources = list(index.opportunity_profiles.values())
    scores = engine.score_block(index, sources, index.organisations, today=0).raw
    keys = index.organisations.keys
    totals = {"engine": [0.0, 0.0], "baseline": [0.0, 0.0]}
    for row, opportunity in enumerate(opportunities):
        owner, competences, relevant = opportunity[0], set(opportunity[5]), set(opportunity[6])
        order = np.lexsort((keys, -scores[row]))
        ranked = [slug_of[int(keys[i])] for i in order if scores[row, i] > 0]
        candidates = [slug for slug in org_keys if slug != owner]
        # Baseline: shared declared competences, ties in the order of the set.
        baseline = sorted(
            (s for s in candidates if declared[s] & competences),
            key=lambda s: -len(declared[s] & competences),
        )
        for name, ranking in (("engine", ranked), ("baseline", baseline)):
            totals[name][0] += precision_at(ranking, relevant, 5)
            totals[name][1] += ndcg_at(ranking, relevant, 10)
    count = len(opportunities)
    return {
        name: {"precision@5": round(p / count, 3), "ndcg@10": round(n / count, 3)}
        for name, (p, n) in totals.items()
    }


def main() -> None:
    results = evaluate()
    print(f"{'ranking':<10} {'precision@5':>12} {'nDCG@10':>9}")
    for name, figures in results.items():
        print(f"{name:<10} {figures['precision@5']:>12.3f} {figures['ndcg@10']:>9.3f}")


if __name__ == "__main__":
    import django

    django.setup()
    main()
