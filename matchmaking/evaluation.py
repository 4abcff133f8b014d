"""Ranking quality of the stored matches on labelled sets, next to simple baselines computed
in the same run on the same texts.

The sets live in tests/matchmaking/ (evaluation_v2.py: a tuning half and a held-out half;
evaluation_set.py: the first, smaller set). `evaluate()` creates the organisations and
requests in the database, publishes them through the engine's save path
(engine.refresh_organisation, what the task runs after a save) and reads the lists that are
stored right after publishing. Baselines rank the organisations' profiles:

- keyword: Jaccard overlap of the two texts' lower-case word sets;
- bm25: Okapi BM25 (k1 1.2, b 0.75, IDF from the organisations' texts) on lower-case words;
- embedding: the cosine of the same model's vectors (request as query, profile as passage).

Metrics: graded nDCG@10 (gain = grade), P@5, MRR and recall@10 with grade ≥ 2 as relevant.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from matchmaking import engine
from matchmaking import text as text_module
from matchmaking.engine.embedder import get_embedder
from matchmaking.models import Match, Opportunity
from partners.models import Competence, Organisation, Sector

RELEVANT_GRADE = 2
METHODS = ("engine", "embedding", "bm25", "keyword")


@dataclass
class Case:
    id: str
    owner: str
    kind: str
    language: str
    title: str
    description: str
    competences: list[str]
    judgements: dict[str, int]
    keywords: str = ""
    partner_kinds: list[str] = field(default_factory=list)
    split: str = "all"
    tags: list[str] = field(default_factory=list)


@dataclass
class EvaluationSet:
    name: str
    organisations: list[dict]
    cases: list[Case]


def load_v2() -> EvaluationSet:
    from tests.matchmaking import evaluation_v2 as module

    return EvaluationSet(
        "v2", list(module.ORGANISATIONS), [Case(**case) for case in module.REQUESTS]
    )


def load_v1() -> EvaluationSet:
    """The first set: binary judgements (grade 3 for each relevant organisation)."""
    from tests.matchmaking import evaluation_set as module

    organisations = [
        {
            "slug": slug,
            "name": slug,
            "kind": kind,
            "size_band": size,
            "sectors": sectors,
            "competences": competences,
            "keywords": "",
            "description_de": text_de,
            "description_en": text_en,
        }
        for slug, kind, size, sectors, competences, text_de, text_en in module.ORGANISATIONS
    ]
    cases = [
        Case(
            id=f"v1-{number}",
            owner=owner,
            kind=kind,
            language=language,
            title=title,
            description=description,
            competences=competences,
            judgements=dict.fromkeys(relevant, 3),
        )
        for number, (owner, kind, language, title, description, competences, relevant) in (
            enumerate(module.OPPORTUNITIES, start=1)
        )
    ]
    return EvaluationSet("v1", organisations, cases)


# --- metrics ----------------------------------------------------------------------------------
def ndcg_at(ranked: list[str], judgements: dict[str, int], k: int = 10) -> float:
    dcg = sum(judgements.get(s, 0) / math.log2(i + 2) for i, s in enumerate(ranked[:k]))
    ideal = sorted(judgements.values(), reverse=True)[:k]
    best = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def metrics(ranked: list[str], judgements: dict[str, int]) -> dict[str, float]:
    relevant = {s for s, g in judgements.items() if g >= RELEVANT_GRADE}
    first = next((i for i, s in enumerate(ranked) if s in relevant), None)
    return {
        "ndcg@10": ndcg_at(ranked, judgements),
        "p@5": sum(1 for s in ranked[:5] if s in relevant) / 5,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "recall@10": (
            sum(1 for s in ranked[:10] if s in relevant) / len(relevant) if relevant else 0.0
        ),
    }


def mean(rows: list[dict[str, float]]) -> dict[str, float]:
    if not rows:
        return {}
    return {key: round(sum(r[key] for r in rows) / len(rows), 3) for key in rows[0]}


# --- the data ---------------------------------------------------------------------------------
def organisation_text(row: dict) -> str:
    return "\n".join(
        p for p in (row["name"], row["description_de"], row["description_en"], row["keywords"]) if p
    )


def case_text(case: Case) -> str:
    return "\n".join(p for p in (case.title, case.description, case.keywords) if p)


@transaction.atomic
def create(evaluation_set: EvaluationSet) -> dict[str, int]:
    """The set's organisations (active) and requests (published) in the database; returns
    slug → organisation id. The caller runs it in a transaction it rolls back (tests) or in
    an empty database."""
    competences = {c.slug: c for c in Competence.objects.all()}
    sectors = {s.slug: s for s in Sector.objects.all()}
    ids = {}
    for row in evaluation_set.organisations:
        organisation = Organisation.objects.create(
            name=row["name"][:200],
            slug=f"eval-{row['slug']}"[:50],
            kind=row["kind"],
            size_band=row["size_band"],
            keywords=row["keywords"],
            description_de=row["description_de"],
            description_en=row["description_en"],
            status=Organisation.Status.ACTIVE,
        )
        organisation.competences.set([competences[c] for c in row["competences"]])
        organisation.sectors.set([sectors[s] for s in row["sectors"] if s in sectors])
        ids[row["slug"]] = organisation.pk
    return ids


def publish(evaluation_set: EvaluationSet, ids: dict[str, int]) -> dict[str, int]:
    """Runs the save path for every organisation, then publishes each request and runs it
    for the request's organisation, as the task after each save does. Returns case id →
    opportunity id."""
    for organisation_id in ids.values():
        engine.refresh_organisation(organisation_id)
    competences = {c.slug: c for c in Competence.objects.all()}
    opportunities = {}
    valid_until = timezone.localdate() + dt.timedelta(days=90)
    for case in evaluation_set.cases:
        opportunity = Opportunity.objects.create(
            organisation_id=ids[case.owner],
            kind=case.kind,
            language=case.language,
            title=case.title,
            description=case.description,
            keywords=case.keywords,
            partner_kinds=case.partner_kinds,
            valid_until=valid_until,
            status=Opportunity.Status.PUBLISHED,
            published_at=timezone.now(),
        )
        opportunity.competences.set([competences[c] for c in case.competences])
        engine.refresh_organisation(ids[case.owner])
        opportunities[case.id] = opportunity.pk
    return opportunities


# --- rankings ---------------------------------------------------------------------------------
def engine_rankings(
    evaluation_set: EvaluationSet, ids: dict[str, int], opportunities: dict[str, int]
) -> dict[str, list[str]]:
    slug_of = {pk: slug for slug, pk in ids.items()}
    return {
        case.id: [
            slug_of[pk]
            for pk in Match.objects.filter(opportunity_id=opportunities[case.id])
            .order_by("-score", "target_organisation_id")
            .values_list("target_organisation_id", flat=True)
            if pk in slug_of  # organisations outside the set, if the database has any
        ]
        for case in evaluation_set.cases
    }


def keyword_rankings(evaluation_set: EvaluationSet) -> dict[str, list[str]]:
    profiles = {
        row["slug"]: set(text_module.words(organisation_text(row)))
        for row in evaluation_set.organisations
    }
    rankings = {}
    for case in evaluation_set.cases:
        query = set(text_module.words(case_text(case)))
        scores = {
            slug: len(query & words) / len(query | words)
            for slug, words in profiles.items()
            if slug != case.owner and query | words
        }
        rankings[case.id] = _ranked(scores)
    return rankings


def bm25_rankings(evaluation_set: EvaluationSet, k1=1.2, b=0.75) -> dict[str, list[str]]:
    documents = {
        row["slug"]: Counter(text_module.words(organisation_text(row)))
        for row in evaluation_set.organisations
    }
    count = len(documents)
    average = sum(sum(d.values()) for d in documents.values()) / max(count, 1)
    frequency = Counter(term for d in documents.values() for term in d)
    idf = {t: math.log(1 + (count - n + 0.5) / (n + 0.5)) for t, n in frequency.items()}
    rankings = {}
    for case in evaluation_set.cases:
        query = set(text_module.words(case_text(case)))
        scores = {}
        for slug, document in documents.items():
            if slug == case.owner:
                continue
            length = sum(document.values())
            scores[slug] = sum(
                idf[t]
                * document[t]
                * (k1 + 1)
                / (document[t] + k1 * (1 - b + b * length / average))
                for t in query
                if t in document
            )
        rankings[case.id] = _ranked(scores)
    return rankings


def embedding_rankings(evaluation_set: EvaluationSet, embedder=None) -> dict[str, list[str]]:
    embedder = embedder or get_embedder()
    slugs = [row["slug"] for row in evaluation_set.organisations]
    passages = embedder.embed(
        [organisation_text(r) for r in evaluation_set.organisations], "passage"
    )
    queries = embedder.embed([case_text(c) for c in evaluation_set.cases], "query")
    rankings = {}
    for case, query in zip(evaluation_set.cases, queries, strict=True):
        cosine = passages @ query
        rankings[case.id] = _ranked(
            {slug: float(c) for slug, c in zip(slugs, cosine, strict=True) if slug != case.owner}
        )
    return rankings


def _ranked(scores: dict[str, float]) -> list[str]:
    return [s for s, v in sorted(scores.items(), key=lambda item: (-item[1], item[0])) if v > 0]


# --- the report -------------------------------------------------------------------------------
def report(evaluation_set: EvaluationSet, rankings: dict[str, dict[str, list[str]]]) -> dict:
    """{subset: {method: mean metrics}} for each split, the whole set and the cross-language
    cases of each split."""
    subsets: dict[str, list[Case]] = {"all": evaluation_set.cases}
    for case in evaluation_set.cases:
        if case.split != "all":
            subsets.setdefault(case.split, []).append(case)
            if "cross-language" in case.tags:
                subsets.setdefault(f"{case.split}/cross-language", []).append(case)
    return {
        subset: {
            method: mean([metrics(rankings[method][c.id], c.judgements) for c in cases])
            for method in rankings
        }
        for subset, cases in subsets.items()
    }


def evaluate(evaluation_set: EvaluationSet, embedder=None) -> dict:
    ids = create(evaluation_set)
    opportunities = publish(evaluation_set, ids)
    rankings = {
        "engine": engine_rankings(evaluation_set, ids, opportunities),
        "embedding": embedding_rankings(evaluation_set, embedder),
        "bm25": bm25_rankings(evaluation_set),
        "keyword": keyword_rankings(evaluation_set),
    }
    return report(evaluation_set, rankings)


def table(results: dict) -> str:
    lines = [f"{'subset':<26} {'method':<10} {'nDCG@10':>8} {'P@5':>6} {'MRR':>6} {'R@10':>6}"]
    for subset, methods in results.items():
        for method, figures in methods.items():
            lines.append(
                f"{subset:<26} {method:<10} {figures['ndcg@10']:>8.3f} {figures['p@5']:>6.3f} "
                f"{figures['mrr']:>6.3f} {figures['recall@10']:>6.3f}"
            )
    return "\n".join(lines)
