"""The matching engine.

    profiles.py  organisation/opportunity → MatchingProfile (words, concepts, embedding)
    embedder.py  the sentence-embedding model behind a small interface
    index.py     live profiles as arrays, kept current from the database
    matches.py   retrieve, rerank, one card per organisation, incremental updates
    explain.py   the evidence stored with each card
    rebuild.py   the full rebuild, split into Celery chunk tasks

Everything runs in Celery tasks (matchmaking.tasks), never on the request path.
"""

from matchmaking.engine.index import get_index, reset_index
from matchmaking.engine.matches import TOP_ORGANISATIONS, recompute_sources, update_organisation
from matchmaking.engine.profiles import organisation_drafts, store_drafts


def refresh_organisation(organisation_id: int) -> int:
    """Derives and embeds the organisation's profiles, then brings every list they touch up
    to date. Returns the number of lists written."""
    store_drafts(organisation_drafts(organisation_id))
    return update_organisation(get_index(), organisation_id)


def recompute_opportunities(opportunity_ids: list[int]) -> int:
    """Recomputes these opportunities' own lists (after a dismissal or a contact request)."""
    return recompute_sources(get_index(), opportunity_ids)


__all__ = [
    "TOP_ORGANISATIONS",
    "get_index",
    "recompute_opportunities",
    "refresh_organisation",
    "reset_index",
]
