"""The full rebuild on PostgreSQL: rows copied into a staging table that is swapped in.

Runs outside a test transaction (the swap needs its own), so it creates what it needs; the
database is flushed afterwards."""

import psycopg
import pytest
from django.db import IntegrityError, connection

from matchmaking import engine
from matchmaking.engine import swap
from matchmaking.models import Match
from partners.models import Competence
from tests.factories import OrganisationFactory
from tests.matchmaking.factories import MatchFactory, OpportunityFactory, RequestOpportunityFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_index(require_postgres):
    engine.reset_index()
    yield
    engine.reset_index()


def competence(slug: str) -> Competence:
    found, _created = Competence.objects.get_or_create(
        slug=f"swap-{slug}", defaults={"name_de": f"{slug} (de)", "name_en": f"{slug} (en)"}
    )
    return found


@pytest.fixture
def world():
    storage, grid = competence("storage"), competence("grid")
    experts = []
    for number in range(6):
        expert = OrganisationFactory(kind="research_institute", name=f"Expert {number}")
        expert.competences.set([storage] if number % 2 else [storage, grid])
        experts.append(expert)
    requests = [RequestOpportunityFactory(competences=[storage, grid]) for _ in range(5)]
    offers = [OpportunityFactory(competences=[storage]) for _ in range(5)]
    closed = OpportunityFactory(competences=[storage], status="closed")
    MatchFactory(opportunity=closed, target_organisation=experts[0])
    return {"requests": requests, "offers": offers, "closed": closed, "experts": experts}


def stored_rows() -> list[tuple]:
    return sorted(
        Match.objects.values_list(
            "opportunity_id", "target_opportunity_id", "target_organisation_id", "score", "rank"
        ),
        key=lambda row: tuple(v or 0 for v in row),
    )


def per_pair_rows() -> list[tuple]:
    engine.reset_index()
    index = engine.get_index()
    today = engine._today()
    sources = list(index.opportunity_profiles.values())
    return sorted(
        (
            (m.opportunity_id, m.target_opportunity_id, m.target_organisation_id, m.score, m.rank)
            for m in engine.compute_matches(index, sources, today)
        ),
        key=lambda row: tuple(v or 0 for v in row),
    )


def constraints_valid() -> bool:
    """Whether every constraint of the match table is validated."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(convalidated) FROM pg_constraint WHERE conrelid = %s::regclass",
            [Match._meta.db_table],
        )
        return cursor.fetchone()[0]


def stored_explanations() -> dict:
    return {
        (opportunity, target or 0, organisation): explanation
        for opportunity, target, organisation, explanation in Match.objects.values_list(
            "opportunity_id", "target_opportunity_id", "target_organisation_id", "explanation"
        )
    }


def per_pair_explanations() -> dict:
    engine.reset_index()
    index = engine.get_index()
    sources = list(index.opportunity_profiles.values())
    return {
        (m.opportunity_id, m.target_opportunity_id or 0, m.target_organisation_id): m.explanation
        for m in engine.compute_matches(index, sources, engine._today())
    }


def test_rebuild_swaps_in_a_table_with_the_same_indexes_and_constraints(world):
    # given the live table's indexes and constraints as the migrations made them
    before = swap.definitions()
    assert {kind for _name, kind, _definition in before} == {"p", "f", "i"}
    assert swap.can_swap() is True
    # when everything is rebuilt with two worker processes, a chunk per opportunity
    count = engine.rebuild_all(chunk_size=1, workers=2)
    # then the stored rows are those of the per-pair path, the closed one's stale row is gone
    assert count == 10
    assert stored_rows() == per_pair_rows()
    assert stored_explanations() == per_pair_explanations()
    assert Match.objects.filter(opportunity=world["closed"]).count() == 0
    # and the table has the same indexes and constraints under the same names, all valid
    assert swap.definitions() == before
    assert constraints_valid() is True
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [swap.staging_table()])
        assert cursor.fetchone()[0] is None
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Match._meta.db_table])
        assert cursor.fetchone()[0] == f"public.{Match._meta.db_table}_id_seq"


def test_constraints_still_hold_after_the_swap(world):
    engine.rebuild_all(workers=1)
    match = Match.objects.filter(target_opportunity__isnull=True).first()
    # a second row for the same pair is refused by the unique index
    with pytest.raises(IntegrityError) as refused, connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Match._meta.db_table} (opportunity_id, target_organisation_id, "  # noqa: S608
            "score, rank, explanation, computed_at) VALUES (%s, %s, 50, 99, '{}', now())",
            [match.opportunity_id, match.target_organisation_id],
        )
    assert isinstance(refused.value.__cause__, psycopg.errors.UniqueViolation)
    # and deleting an opportunity still takes its matches along (new rows get new ids)
    request = world["requests"][0]
    pk = request.pk
    assert Match.objects.filter(target_opportunity_id=pk).count() == 5  # the five offers
    request.delete()
    assert Match.objects.filter(opportunity_id=pk).count() == 0
    assert Match.objects.filter(target_opportunity_id=pk).count() == 0
    created = MatchFactory(
        opportunity=world["offers"][0], target_organisation=OrganisationFactory()
    )
    assert created.pk > Match.objects.exclude(pk=created.pk).order_by("-pk").first().pk


def test_changes_during_the_rebuild_are_caught_up(world):
    # given a request that, while the rebuild runs (after the first chunk), comes to need a
    # competence only the last expert has
    request, specialist = world["requests"][0], world["experts"][5]
    heat = competence("heat")
    specialist.competences.add(heat)
    edited = []

    def progress(done, total):
        if not edited:
            request.competences.set([heat])
            request.save()
            edited.append(done)

    # when
    engine.rebuild_all(chunk_size=1, workers=1, progress=progress)
    # then its stored matches are those of its new version: the specialist comes first
    # (the rebuild itself scored the old version, where experts with both storage and grid
    # came first)
    assert edited == [1]
    best = Match.objects.filter(opportunity=request, target_opportunity__isnull=True)
    assert best.order_by("rank").values_list("target_organisation", flat=True)[0] == (specialist.pk)
    # and all its stored rows are those the per-pair path computes for its new version
    stored = [row for row in stored_rows() if row[0] == request.pk]
    expected = [row for row in per_pair_rows() if row[0] == request.pk]
    assert stored == expected
    assert len(stored) == 21  # the 16 other organisations and the 5 offers


def test_a_second_rebuild_at_the_same_time_is_refused(world):
    holder = swap.lock()
    try:
        with pytest.raises(swap.RebuildRunning):
            engine.rebuild_all(workers=1)
    finally:
        swap.unlock(holder)
    # and once the first is done, the next one runs
    assert engine.rebuild_all(workers=1) == 10


def test_what_is_deleted_during_the_rebuild_leaves_no_rows_behind(world):
    # given an offer deleted while the rebuild runs, after its own chunk was computed
    offer = world["offers"][0]
    pk = offer.pk
    deleted = []

    def progress(done, total):
        if done == total - 1 and not deleted:
            offer.delete()
            deleted.append(done)

    # when
    engine.rebuild_all(chunk_size=1, workers=1, progress=progress)
    # then the rebuild completes, nothing points at the offer and every constraint is valid
    assert deleted == [9]
    assert Match.objects.filter(opportunity_id=pk).count() == 0
    assert Match.objects.filter(target_opportunity_id=pk).count() == 0
    assert Match.objects.filter(opportunity=world["requests"][0]).count() > 0
    assert constraints_valid() is True
