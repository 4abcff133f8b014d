"""The engine against the database: one card per organisation, exclusions, freshness after
every save (incremental lists equal a rebuild, score for score), failures that keep the old
matches, bad input."""

import datetime as dt
import random

import numpy as np
import pytest
from celery.exceptions import Retry
from django.utils import timezone

from matchmaking import engine, scoring
from matchmaking.engine import embedder as embedder_module
from matchmaking.engine.matches import TOP_ORGANISATIONS, candidates, recompute_sources
from matchmaking.engine.profiles import organisation_drafts, store_drafts
from matchmaking.models import Match, MatchingProfile, Opportunity
from matchmaking.tasks import matching_organisation_update, rebuild_signature
from partners.models import Competence, Organisation
from tests.factories import OrganisationFactory
from tests.matchmaking.factories import (
    ContactRequestFactory,
    MatchFeedbackFactory,
    OpportunityFactory,
    RequestOpportunityFactory,
)


def concepts(*slugs):
    return list(Competence.objects.filter(slug__in=slugs))


def organisation(name, kind="sme", slugs=(), **fields):
    org = OrganisationFactory(name=name, kind=kind, status="active", **fields)
    org.competences.set(concepts(*slugs))
    return org


def refresh(*organisations):
    for org in organisations:
        engine.refresh_organisation(org.pk)


def stored_rows(opportunity_ids=None):
    queryset = Match.objects.all()
    if opportunity_ids is not None:
        queryset = queryset.filter(opportunity_id__in=opportunity_ids)
    return sorted(
        queryset.values_list(
            "opportunity_id", "target_organisation_id", "target_opportunity_id", "score"
        )
    )


def rebuilt_rows():
    """Runs a full rebuild and returns what it stores (read the incremental rows first)."""
    rebuild_signature().apply_async()
    return stored_rows()


@pytest.fixture
def cluster(db):
    owner = organisation("Stahlwerk", "large_enterprise", ["process-heat"])
    institute = organisation(
        "HV-Institut",
        "research_institute",
        ["battery-storage", "high-voltage-engineering"],
        description_de="Prüfstände für Batteriespeicher und Isolationsprüfung im Hochvoltlabor.",
    )
    tester = organisation(
        "Prüflabor", "sme", ["insulation-testing"], description_de="Isolationsprüfung."
    )
    bakery = organisation("Bäckerei", "sme", [], description_de="Brot und Brötchen.")
    request = RequestOpportunityFactory(
        organisation=owner,
        title="Batteriespeicher für Hochspannung gesucht",
        description="Wir suchen Partner für Batteriespeicher und Hochspannungstechnik.",
        competences=concepts("battery-storage", "high-voltage-engineering"),
    )
    offer = OpportunityFactory(
        organisation=institute,
        title="Prüfstand für Hochvolt-Batteriespeicher",
        description="Wir bieten Prüfungen von Batteriespeichern unter Hochspannung an.",
        competences=concepts("battery-storage"),
    )
    refresh(owner, institute, tester, bakery)
    return {
        "owner": owner,
        "institute": institute,
        "tester": tester,
        "bakery": bakery,
        "request": request,
        "offer": offer,
    }


def test_one_card_per_organisation_with_its_best_counter_opportunity(cluster):
    rows = list(
        Match.objects.filter(opportunity=cluster["request"]).order_by(
            "-score", "target_organisation_id"
        )
    )
    organisations = [m.target_organisation_id for m in rows]
    assert len(organisations) == len(set(organisations))
    assert organisations[0] == cluster["institute"].pk
    assert rows[0].target_opportunity_id == cluster["offer"].pk
    assert cluster["bakery"].pk not in organisations
    assert [m.score for m in rows] == sorted((m.score for m in rows), reverse=True)
    explanation = rows[0].explanation
    assert explanation["v"] == scoring.EXPLANATION_VERSION
    battery = Competence.objects.get(slug="battery-storage").pk
    assert battery in explanation["s"]
    assert explanation["o"] == "opportunity"
    assert len(explanation["x"]) == len(scoring.COMPONENT_NAMES)


def test_the_offer_lists_the_request_organisation(cluster):
    rows = Match.objects.filter(opportunity=cluster["offer"]).order_by("-score")
    assert rows[0].target_organisation_id == cluster["owner"].pk
    assert rows[0].target_opportunity_id == cluster["request"].pk


@pytest.mark.parametrize("exclusion", ["contact", "dismissed"])
def test_exclusions(cluster, exclusion):
    request, institute = cluster["request"], cluster["institute"]
    if exclusion == "contact":
        ContactRequestFactory(
            opportunity=request,
            sender_organisation=cluster["owner"],
            receiver_organisation=institute,
        )
    else:
        MatchFeedbackFactory(opportunity=request, organisation=institute, is_dismissed=True)
    engine.recompute_opportunities([request.pk])
    assert not Match.objects.filter(opportunity=request, target_organisation=institute).exists()


def test_closing_drops_the_list_and_the_cards_of_others(cluster):
    offer = cluster["offer"]
    Opportunity.objects.filter(pk=offer.pk).update(status="closed")
    refresh(cluster["institute"])
    assert not Match.objects.filter(opportunity=offer).exists()
    assert not Match.objects.filter(target_opportunity=offer).exists()
    # the institute's profile still fits the request: its card stays, without the offer
    card = Match.objects.get(
        opportunity=cluster["request"], target_organisation=cluster["institute"]
    )
    assert card.target_opportunity_id is None


def test_a_new_word_counts_at_once(cluster):
    """No frozen vocabulary: a word no profile had before matches right after the save."""
    request = cluster["request"]
    newcomer = organisation(
        "Knüppelwerk", "sme", [], description_de="Wir walzen Stahlknüppel und Vorblöcke."
    )
    refresh(newcomer)
    assert not Match.objects.filter(opportunity=request, target_organisation=newcomer).exists()
    Opportunity.objects.filter(pk=request.pk).update(
        description="Wir suchen ein Walzwerk für Stahlknüppel und Vorblöcke."
    )
    refresh(cluster["owner"])
    card = Match.objects.get(opportunity=request, target_organisation=newcomer)
    assert "vorblock" in card.explanation["t"] or "stahlknüppel" in card.explanation["t"]


def test_task_runs_on_commit(cluster, django_capture_on_commit_callbacks):
    from matchmaking.scheduling import schedule_organisation_matching

    expected = stored_rows([cluster["request"].pk])
    Match.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_organisation_matching(cluster["owner"].pk)
        assert not Match.objects.exists()  # nothing on the request path
    assert len(callbacks) == 1
    assert stored_rows([cluster["request"].pk]) == expected
    assert len(expected) >= 1


def test_embedding_failure_keeps_the_matches_and_tells_staff(cluster, monkeypatch):
    before = stored_rows()
    request = cluster["request"]

    def broken(self, texts, mode):
        raise embedder_module.EmbeddingError("model crashed")

    monkeypatch.setattr(embedder_module.HashingEmbedder, "embed", broken)
    Opportunity.objects.filter(pk=request.pk).update(description="Ganz neuer Text zum Einbetten.")
    # the task asks to be retried later (in-process, Celery raises Retry instead of waiting)
    with pytest.raises(Retry, match="model crashed"):
        matching_organisation_update.apply(args=[cluster["owner"].pk], throw=True)
    assert stored_rows() == before
    profile = MatchingProfile.objects.get(opportunity=request)
    assert "EmbeddingError: model crashed" in profile.error
    assert profile.text.startswith("Batteriespeicher für Hochspannung gesucht")


def test_retries_are_bounded_with_backoff():
    task = matching_organisation_update
    assert task.max_retries == 8
    assert task.retry_backoff == 5
    assert task.retry_backoff_max == 600
    assert embedder_module.EmbeddingError in task.autoretry_for


@pytest.mark.parametrize(
    "description",
    [
        "x",
        "Stahl",
        "Nous cherchons un partenaire pour le stockage de batteries 🔋.",
        # NUL never gets this far: the form and the API refuse it (PostgreSQL cannot store it)
        "Steuer\x1bzeichen\x07 und\ttabs\r\n" * 50,
        "Wasserstoff " * 900,
    ],
)
def test_odd_texts_are_stored_and_matched_without_errors(cluster, description):
    request = cluster["request"]
    Opportunity.objects.filter(pk=request.pk).update(description=description)
    refresh(cluster["owner"])
    profile = MatchingProfile.objects.get(opportunity=request)
    assert profile.embedding_id is not None
    assert profile.error == ""
    assert all(c.isprintable() or c == "\n" for c in profile.text)  # parts are joined by "\n"
    assert stored_rows([request.pk]) == _rebuilt_for([request.pk])


def _rebuilt_for(opportunity_ids):
    recompute_sources(engine.get_index(), opportunity_ids)
    return stored_rows(opportunity_ids)


def test_identical_texts_embed_once(db, monkeypatch):
    calls = []
    original = embedder_module.HashingEmbedder.embed

    def counting(self, texts, mode):
        calls.append(len(texts))
        return original(self, texts, mode)

    monkeypatch.setattr(embedder_module.HashingEmbedder, "embed", counting)
    first = organisation("Eins", description_de="Gleicher Text über Wärmespeicher.")
    second = organisation("Zwei", description_de="Gleicher Text über Wärmespeicher.")
    second.name = "Eins"
    second.save()
    refresh(first)
    embedded = len(calls)
    refresh(second)
    assert embedded == 3  # passage, query, sentences
    assert len(calls) == embedded  # the second organisation's text was already embedded


def test_the_list_is_capped_and_ordered(db):
    owner = organisation("Suchende", "large_enterprise")
    request = RequestOpportunityFactory(
        organisation=owner,
        title="Wärmespeicher gesucht",
        description="Wir suchen Wärmespeicher für Prozesswärme.",
    )
    partners = [
        organisation(f"Speicher {n}", description_de=f"Wärmespeicher und Prozesswärme {n}.")
        for n in range(TOP_ORGANISATIONS + 5)
    ]
    refresh(owner, *partners)
    rows = stored_rows([request.pk])
    assert len(rows) == TOP_ORGANISATIONS
    assert rows == _rebuilt_for([request.pk])


# --- the property: incremental lists are exactly a rebuild's ---------------------------------
TOPICS = [
    ("Wärmespeicher", "Wir entwickeln Wärmespeicher für Prozesswärme in der Industrie."),
    ("Batteriespeicher", "Prüfstände für Batteriespeicher und Hochvoltkomponenten."),
    ("Elektrolyse", "PEM-Elektrolyseure und grüner Wasserstoff für Stahlwerke."),
    ("Recycling", "Recycling von Batterien und Kreislaufwirtschaft für Metalle."),
    ("Sensorik", "Funksensoren und KI für die Zustandsüberwachung von Anlagen."),
    ("Glas", "Glaswannen mit Wasserstoffbrennern und Abwärmenutzung."),
]
KINDS = ["sme", "large_enterprise", "research_institute", "university", "startup"]
COMPETENCES = ["thermal-storage", "battery-storage", "electrolysis", "circular-economy"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_incremental_updates_store_exactly_what_a_rebuild_stores(db, seed):
    generator = random.Random(seed)
    organisations = [
        organisation(
            f"Org {n}",
            generator.choice(KINDS),
            generator.sample(COMPETENCES, generator.randint(0, 2)),
            description_de=" ".join(t[1] for t in generator.sample(TOPICS, 2)),
        )
        for n in range(12)
    ]
    refresh(*organisations)
    opportunities: list[Opportunity] = []
    for _step in range(30):
        action = generator.choice(["create", "create", "edit", "close", "delete", "profile"])
        org = generator.choice(organisations)
        if action == "create" or not opportunities:
            title, text = generator.choice(TOPICS)
            opportunity = OpportunityFactory(
                organisation=org,
                kind=generator.choice(["offer", "request"]),
                title=f"{title} {len(opportunities)}",
                description=text,
                partner_kinds=generator.sample(
                    ["industry", "sme", "science"], generator.randint(0, 1)
                ),
                competences=concepts(*generator.sample(COMPETENCES, generator.randint(0, 2))),
            )
            opportunities.append(opportunity)
            org = opportunity.organisation
        elif action in ("edit", "close", "delete"):
            opportunity = generator.choice(opportunities)
            org = opportunity.organisation
            if action == "edit":
                Opportunity.objects.filter(pk=opportunity.pk).update(
                    description=generator.choice(TOPICS)[1],
                    status="published",
                    valid_until=timezone.localdate() + dt.timedelta(days=30),
                )
            elif action == "close":
                Opportunity.objects.filter(pk=opportunity.pk).update(status="closed")
            else:
                opportunities.remove(opportunity)
                opportunity.delete()
        else:
            Organisation.objects.filter(pk=org.pk).update(
                description_de=" ".join(t[1] for t in generator.sample(TOPICS, 2))
            )
        refresh(org)
    incremental = stored_rows()
    assert incremental, "the sequence left no matches at all"
    Match.objects.all().delete()
    assert rebuilt_rows() == incremental


def test_candidates_keep_each_organisations_near_best_rows_only():
    # organisation 1: profile 60, offer 59, offer 56 (more than twice the margin below its
    # best row and its best counter-opportunity); organisation 2: profile 40 and offer 10,
    # its best counter-opportunity; organisation 3 only below the stored minimum; position 7
    # is not eligible (−1)
    organisation_ids = np.array([1, 1, 1, 2, 2, 3, 3, 2])
    kinds = np.array([0, 1, 1, 0, 1, 0, 1, 1])
    scores = np.array([60, 59, 56, 40, 10, 3, 2, -1])
    found = candidates(organisation_ids, kinds, scores)
    assert [list(positions) for positions in found] == [[0, 1], [3, 4]]


def test_candidates_drop_organisations_below_the_twentieth(monkeypatch):
    monkeypatch.setattr("matchmaking.engine.matches.TOP_ORGANISATIONS", 2)
    found = candidates(np.array([1, 2, 3, 4]), np.zeros(4, int), np.array([50, 48, 47, 45]))
    assert [list(positions) for positions in found] == [[0], [1], [2]]  # 47 ≥ 48 − margin


def test_storing_unchanged_drafts_writes_nothing(cluster, django_assert_num_queries):
    owner = cluster["owner"]
    refresh(owner)
    profiles = MatchingProfile.objects.filter(organisation=owner)
    before = dict(profiles.values_list("pk", "updated_at"))
    drafts = organisation_drafts(owner.pk)
    # the embeddings; the profiles, locked inside a savepoint; no UPDATE, no INSERT
    with django_assert_num_queries(4):
        store_drafts(drafts)
    assert dict(profiles.values_list("pk", "updated_at")) == before

    Opportunity.objects.filter(pk=cluster["request"].pk).update(title="Neuer Titel")
    store_drafts(organisation_drafts(owner.pk))
    changed = MatchingProfile.objects.get(opportunity=cluster["request"])
    assert changed.updated_at > before[changed.pk]
    assert changed.text.startswith("Neuer Titel")
    unchanged = MatchingProfile.objects.get(organisation=owner, opportunity=None)
    assert unchanged.updated_at == before[unchanged.pk]
