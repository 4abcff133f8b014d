"""`manage.py recompute_matches` rebuilds every matching profile and every stored list."""

import io
import re
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from matchmaking import engine
from matchmaking.models import Match, MatchingProfile
from partners.models import Competence
from tests.factories import OrganisationFactory
from tests.matchmaking.factories import MatchFactory, OpportunityFactory, RequestOpportunityFactory

DONE = re.compile(
    r"Recomputed the profiles of (\d+) organisations and the matches of every published "
    r"opportunity in \d+\.\d s\.\n"
)


@pytest.fixture(autouse=True)
def _fresh_index():
    engine.reset_index()
    yield
    engine.reset_index()


def recompute() -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("recompute_matches", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def cards(opportunity) -> list[tuple]:
    return list(
        Match.objects.filter(opportunity=opportunity)
        .order_by("-score", "target_organisation_id")
        .values_list("target_organisation", "target_opportunity", "score")
    )


def test_recompute_matches_rebuilds_everything(db):
    # given two matching opportunities, a stale match of a closed one, and an expert
    storage = list(Competence.objects.filter(slug="battery-storage"))
    expert = OrganisationFactory(kind="research_institute")
    expert.competences.set(storage)
    request = RequestOpportunityFactory(competences=storage)
    offer = OpportunityFactory(competences=storage)
    closed = OpportunityFactory(competences=storage, status="closed")
    stale = MatchFactory(opportunity=closed)
    # when
    out, err = recompute()
    # then (five organisations: the expert, the three opportunities' and the stale match's)
    assert DONE.fullmatch(out).group(1) == "5"
    assert err == ""
    assert Match.objects.filter(opportunity=closed).count() == 0
    # every organisation and every opportunity has a profile; the closed one takes no part
    assert MatchingProfile.objects.filter(opportunity__isnull=True).count() == 5
    assert set(
        MatchingProfile.objects.filter(opportunity__isnull=False).values_list(
            "opportunity", "is_active"
        )
    ) == {(request.pk, True), (offer.pk, True), (closed.pk, False)}
    # one card per other organisation: the offer's organisation with its offer first, then
    # the expert (shared concept, science ↔ industry), then those that share only the word
    # "Beschreibung" of the factory description (the closed opportunity's organisation by
    # its profile)
    assert cards(request) == [
        (offer.organisation_id, offer.pk, 100),
        (expert.pk, None, 89),
        (closed.organisation_id, None, 59),
        (stale.target_organisation_id, None, 59),
    ]
    assert cards(offer) == [
        (request.organisation_id, request.pk, 100),
        (expert.pk, None, 89),
        (closed.organisation_id, None, 59),
        (stale.target_organisation_id, None, 59),
    ]
    expert_card = Match.objects.get(opportunity=request, target_organisation=expert)
    assert expert_card.explanation == {
        "v": 5,
        "s": [storage[0].pk],
        "r": [],
        "t": ["beschreibung"],
        "o": "profile",
        "c": ["science_industry"],
        "k": ["sme", "research_institute"],
        "x": [0.831, 0.537, 1.0, 1.0, 1.0, 1.0],
    }


def test_recompute_matches_twice_gives_the_same_lists(db):
    request = RequestOpportunityFactory()
    OpportunityFactory()
    recompute()
    first = cards(request)
    assert len(first) == 1
    engine.reset_index()
    recompute()
    assert cards(request) == first


def test_recompute_matches_without_organisations(db):
    out, err = recompute()
    assert DONE.fullmatch(out).group(1) == "0"
    assert err == ""
    assert Match.objects.count() == 0


def test_recompute_matches_takes_no_options(db):
    for option in ("--quiet", "--workers=2", "--chunk-size=10"):
        with pytest.raises(CommandError, match="unrecognized arguments"):
            call_command("recompute_matches", option, stdout=io.StringIO())


def test_recompute_matches_queues_the_rebuild_when_there_is_a_broker(db, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    OrganisationFactory.create_batch(2)
    out = io.StringIO()
    with mock.patch(
        "matchmaking.management.commands.recompute_matches.rebuild_signature"
    ) as signature:
        call_command("recompute_matches", stdout=out)
    signature.return_value.apply_async.assert_called_once_with()
    assert out.getvalue() == (
        "Queued the rebuild of 2 organisations' profiles and then of every published "
        "opportunity's matches; the workers share the chunks.\n"
    )
    assert Match.objects.count() == 0
