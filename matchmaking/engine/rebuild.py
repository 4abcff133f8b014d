"""Rebuilding every stored match."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q
from django.utils import timezone

from matchmaking.engine.compute import compute_matches
from matchmaking.engine.index import get_index, reset_index
from matchmaking.engine.store import _today, store_matches
from matchmaking.models import Match, Opportunity
from partners.models import Organisation


def rebuild_all(*, chunk_size: int = 32, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuilds the index and all stored matches, chunk by chunk. Returns the number of
    opportunities with matches."""
    reset_index()
    index = get_index()
    today = _today()
    sources = [p for p in index.opportunity_profiles.values() if p.valid_until >= today]
    sources.sort(key=lambda p: p.key)
    Match.objects.filter(
        ~Q(opportunity__status=Opportunity.Status.PUBLISHED)
        | Q(opportunity__valid_until__lt=timezone.localdate())
        | ~Q(opportunity__organisation__status=Organisation.Status.ACTIVE)
    ).delete()
    done = 0
    for chunk_start in range(0, len(sources), chunk_size):
        chunk = sources[chunk_start : chunk_start + chunk_size]
        store_matches([s.key for s in chunk], compute_matches(index, chunk, today))
        done += len(chunk)
        if progress:
            progress(done, len(sources))
    return len(sources)
