"""The full rebuild, as Celery work that any number of workers on any machines share:

1. every organisation's profiles are derived and embedded (chunks of organisations);
2. then every live opportunity's list is recomputed (chunks of opportunities).

`rebuild_signature()` is a chord of the first stage whose callback fans out the second;
without a broker (CELERY_TASK_ALWAYS_EAGER) the same signature runs in-process.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from matchmaking.engine.index import get_index
from matchmaking.engine.matches import recompute_sources
from matchmaking.engine.profiles import Taxonomy, drafts_of_organisations, store_drafts
from matchmaking.models import Match, Opportunity
from partners.models import Organisation

ORGANISATIONS_PER_CHUNK = 200
OPPORTUNITIES_PER_CHUNK = 500


def chunks(ids: list[int], size: int) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def organisation_chunks() -> list[list[int]]:
    ids = list(Organisation.objects.order_by("pk").values_list("pk", flat=True))
    return chunks(ids, ORGANISATIONS_PER_CHUNK)


def opportunity_chunks() -> list[list[int]]:
    """Every opportunity that has or may have a list (the others' lists are emptied)."""
    ids = list(
        Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return chunks(ids, OPPORTUNITIES_PER_CHUNK)


def refresh_profiles(organisation_ids: list[int]) -> int:
    drafts = drafts_of_organisations(organisation_ids, Taxonomy.load())
    store_drafts(drafts)
    return len(drafts)


def recompute_lists(opportunity_ids: list[int]) -> int:
    return recompute_sources(get_index(), opportunity_ids)


def drop_stale() -> int:
    """Deletes the lists of opportunities that are no longer published or have expired."""
    deleted, _ = Match.objects.filter(
        ~Q(opportunity__status=Opportunity.Status.PUBLISHED)
        | Q(opportunity__valid_until__lt=timezone.localdate())
    ).delete()
    return deleted
