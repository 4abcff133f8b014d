"""Background work of the matching engine. Tasks take ids and are idempotent."""

from celery import shared_task

from matchmaking import engine


@shared_task(acks_late=True)
def recompute_opportunity_matches(opportunity_id: int) -> None:
    """Recomputes and stores the matches of one opportunity (and of those it may match)."""
    engine.update_opportunity(opportunity_id)


@shared_task(acks_late=True)
def recompute_organisation_matches(organisation_id: int) -> None:
    """Recomputes the matches affected by a change of an organisation's profile."""
    engine.update_organisation(organisation_id)
