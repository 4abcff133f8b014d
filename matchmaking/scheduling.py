"""How services ask for matches to be brought up to date: always after commit, never inline."""

from django.db import transaction

from matchmaking.models import Opportunity
from matchmaking.tasks import matching_opportunities_recompute, matching_organisation_update


def schedule_organisation_matching(organisation_id: int) -> None:
    """After a change of an organisation or of one of its opportunities."""
    transaction.on_commit(lambda: matching_organisation_update.delay(organisation_id))


def schedule_opportunity_matching(opportunity_id: int) -> None:
    """After a change of an opportunity: its organisation's profiles are re-derived."""
    organisation_id = (
        Opportunity.objects.filter(pk=opportunity_id).values_list("organisation_id", flat=True)
    ).first()
    if organisation_id is not None:
        schedule_organisation_matching(organisation_id)


def schedule_opportunity_list(opportunity_id: int) -> None:
    """After its exclusions changed (a dismissal, a contact request): its own list."""
    transaction.on_commit(lambda: matching_opportunities_recompute.delay([opportunity_id]))
