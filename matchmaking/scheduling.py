"""How services ask for matches to be recomputed: always after commit, never inline."""

from django.db import transaction


def schedule_opportunity_matching(opportunity_id: int) -> None:
    from matchmaking.tasks import recompute_opportunity_matches

    transaction.on_commit(lambda: recompute_opportunity_matches.delay(opportunity_id))


def schedule_organisation_matching(organisation_id: int) -> None:
    from matchmaking.tasks import recompute_organisation_matches

    transaction.on_commit(lambda: recompute_organisation_matches.delay(organisation_id))
