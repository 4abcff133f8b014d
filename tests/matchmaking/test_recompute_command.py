"""`manage.py recompute_matches` rebuilds every stored match."""

import io

import pytest
from django.core.management import call_command

from matchmaking import engine
from matchmaking.models import Match
from partners.models import Competence
from tests.factories import OrganisationFactory
from tests.matchmaking.factories import MatchFactory, OpportunityFactory, RequestOpportunityFactory


@pytest.fixture(autouse=True)
def _fresh_index():
    engine.reset_index()
    yield
    engine.reset_index()


def test_recompute_matches_rebuilds_everything(db):
    # given two matching opportunities, a stale match of a closed one, and an expert
    storage = list(Competence.objects.filter(slug="battery-storage"))
    expert = OrganisationFactory(kind="research_institute")
    expert.competences.set(storage)
    request = RequestOpportunityFactory(competences=storage)
    offer = OpportunityFactory(competences=storage)
    closed = OpportunityFactory(competences=storage, status="closed")
    MatchFactory(opportunity=closed)
    err = io.StringIO()
    out = io.StringIO()
    # when
    call_command("recompute_matches", stdout=out, stderr=err)
    # then
    assert out.getvalue().startswith("Recomputed matches of 2 opportunities in ")
    assert "2/2 opportunities" in err.getvalue()
    assert Match.objects.filter(opportunity=closed).count() == 0
    # (factory organisations also match weakly, score 8, on the shared word "Beschreibung")
    assert sorted(
        Match.objects.filter(opportunity=request, score__gte=20).values_list(
            "target_opportunity", "rank", "target_organisation", "score"
        ),
        key=lambda row: (row[0] or 0, row[1]),
    ) == [
        (None, 1, expert.pk, 83),
        (offer.pk, 1, offer.organisation_id, 85),
    ]


def test_recompute_matches_quiet(db):
    err = io.StringIO()
    call_command("recompute_matches", "--quiet", stdout=io.StringIO(), stderr=err)
    assert err.getvalue() == ""
