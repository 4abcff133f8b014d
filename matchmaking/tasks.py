"""Background work of the matching engine. Tasks take ids and are idempotent.

A save schedules `matching_organisation_update` after commit. Embedding failures are retried
with backoff (the stored profiles and matches stay as they were meanwhile); the error is
written on the organisation's matching profiles, where staff see it in the admin.
"""

from celery import chord, group, shared_task

from matchmaking import engine
from matchmaking.engine import profiles, rebuild
from matchmaking.engine.embedder import EmbeddingError, get_embedder
from matchmaking.models import MatchingProfile

RETRY = {
    "autoretry_for": (EmbeddingError, OSError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(acks_late=True, **RETRY)
def matching_organisation_update(organisation_id: int) -> int:
    """Re-derives an organisation's profiles and updates every list they touch."""
    try:
        return engine.refresh_organisation(organisation_id)
    except (EmbeddingError, OSError) as error:
        profiles.record_error(organisation_id, f"{type(error).__name__}: {error}")
        raise


@shared_task(acks_late=True)
def matching_opportunities_recompute(opportunity_ids: list[int]) -> int:
    """Recomputes these opportunities' own lists (exclusions changed)."""
    return engine.recompute_opportunities(opportunity_ids)


@shared_task(acks_late=True, ignore_result=False, **RETRY)
def matching_profiles_refresh_chunk(organisation_ids: list[int]) -> int:
    return rebuild.refresh_profiles(organisation_ids)


@shared_task(acks_late=True, ignore_result=False)
def matching_lists_rebuild_chunk(opportunity_ids: list[int]) -> int:
    return rebuild.recompute_lists(opportunity_ids)


@shared_task(acks_late=True, ignore_result=False)
def matching_lists_rebuild(_results=None) -> int:
    """Second stage of a rebuild: one task per chunk of opportunities."""
    rebuild.drop_stale()
    chunks = rebuild.opportunity_chunks()
    group(matching_lists_rebuild_chunk.si(chunk) for chunk in chunks).apply_async()
    return len(chunks)


def rebuild_signature():
    """The whole rebuild: profiles (chord header), then the lists."""
    header = [matching_profiles_refresh_chunk.si(c) for c in rebuild.organisation_chunks()]
    if not header:
        return matching_lists_rebuild.si()
    return chord(header, matching_lists_rebuild.s())


@shared_task(acks_late=True)
def matching_rebuild() -> None:
    """Nightly (beat) and after `recompute_matches`: expiry at midnight is applied here."""
    rebuild_signature().apply_async()


@shared_task(acks_late=True)
def matching_profiles_reembed(limit: int = 200) -> int:
    """Profiles embedded by another model than the configured one are re-embedded, a batch
    at a time (beat, every ten minutes) until none is left."""
    organisation_ids = list(
        MatchingProfile.objects.filter(is_active=True)
        .exclude(embedding__model=get_embedder().name)
        .values_list("organisation_id", flat=True)
        .distinct()[:limit]
    )
    for organisation_id in organisation_ids:
        matching_organisation_update.delay(organisation_id)
    return len(organisation_ids)
