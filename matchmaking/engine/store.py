"""Storing matches and keeping them current after edits."""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from matchmaking import scoring
from matchmaking.engine.compute import _excluded_organisations, compute_matches, score_block
from matchmaking.engine.explain import explanation_for
from matchmaking.engine.index import Block, MatchingIndex, get_index
from matchmaking.engine.profiles import MAX_REVERSE_UPDATES, TOP_OPPORTUNITIES, Profile
from matchmaking.models import Match, Opportunity


def store_matches(opportunity_ids: list[int], matches: list[Match]) -> None:
    """Replaces the stored matches of these opportunities (one transaction)."""
    with transaction.atomic():
        Match.objects.filter(opportunity_id__in=opportunity_ids).delete()
        Match.objects.bulk_create(matches, batch_size=2000)


def _today() -> int:
    return timezone.localdate().toordinal()


def update_opportunity(opportunity_id: int, *, index: MatchingIndex | None = None) -> int:
    """Recomputes one opportunity's matches and those of the counter-opportunities whose
    lists it enters or leaves. Returns the number of opportunities updated."""
    index = index or get_index(opportunity_ids=[opportunity_id])
    today = _today()
    source = index.opportunity_profiles.get(opportunity_id)
    if source is None or source.valid_until < today:
        # Closed, draft, expired or deleted: no matches of its own, and out of other lists.
        affected = list(
            Match.objects.filter(target_opportunity_id=opportunity_id)
            .values_list("opportunity_id", flat=True)
            .distinct()
        )
        store_matches([opportunity_id], [])
        _recompute(index, affected, today)
        return 1 + len(affected)
    store_matches([opportunity_id], compute_matches(index, [source], today))
    affected = _reverse_affected(index, source, today)
    refill = _merge_into_lists(index, source, affected, today)
    _recompute(index, refill, today)
    return 1 + len(affected)


def _merge_into_lists(
    index: MatchingIndex, source: Profile, opportunity_ids: list[int], today: int
) -> list[int]:
    """Puts `source` at its new place in the counter-opportunity lists of `opportunity_ids`
    (scored from their side, in one vectorised call) without recomputing those lists.
    Returns the lists it left while full: they need a full recompute to refill."""
    profiles = [
        index.opportunity_profiles[pk] for pk in opportunity_ids if pk in index.opportunity_profiles
    ]
    if not profiles:
        return []
    excluded = _excluded_organisations([p.key for p in profiles])
    scores = score_block(
        index,
        profiles,
        Block([source], index),
        today=today,
        excluded_organisations=[excluded[p.key] for p in profiles],
    )
    stored: dict[int, list[Match]] = {p.key: [] for p in profiles}
    for match in Match.objects.filter(
        opportunity_id__in=list(stored), target_opportunity__isnull=False
    ).order_by("rank"):
        stored[match.opportunity_id].append(match)
    refill, merged = [], []
    for row, profile in enumerate(profiles):
        current = [m for m in stored[profile.key] if m.target_opportunity_id != source.key]
        was_listed = len(current) < len(stored[profile.key])
        raw = float(scores.raw[row, 0])
        score = scoring.to_score(raw)
        if score >= scoring.MIN_STORED_SCORE:
            components = {name: values[row, 0] for name, values in scores.components.items()}
            current.append(
                Match(
                    opportunity_id=profile.key,
                    target_opportunity_id=source.key,
                    target_organisation_id=source.organisation_id,
                    score=score,
                    explanation=explanation_for(index, profile, source, components),
                    rank=0,
                )
            )
        current.sort(key=lambda m: (-m.score, m.rank or 0))
        kept = current[:TOP_OPPORTUNITIES]
        if (
            was_listed
            and len(stored[profile.key]) >= TOP_OPPORTUNITIES
            and (
                len(kept) < TOP_OPPORTUNITIES
                or source.key not in {m.target_opportunity_id for m in kept}
            )
        ):
            refill.append(profile.key)
            continue
        for rank, match in enumerate(kept, start=1):
            merged.append(
                Match(
                    opportunity_id=profile.key,
                    target_opportunity_id=match.target_opportunity_id,
                    target_organisation_id=match.target_organisation_id,
                    score=match.score,
                    rank=rank,
                    explanation=match.explanation,
                )
            )
    with transaction.atomic():
        Match.objects.filter(
            opportunity_id__in=[p.key for p in profiles if p.key not in refill],
            target_opportunity__isnull=False,
        ).delete()
        Match.objects.bulk_create(merged, batch_size=2000)
    return refill


def _reverse_affected(index: MatchingIndex, source: Profile, today: int) -> list[int]:
    """Counter-opportunities whose stored list may change because of `source`: those listing
    it now and those it would now enter (score above their current last place)."""
    listing = set(
        Match.objects.filter(target_opportunity_id=source.key).values_list(
            "opportunity_id", flat=True
        )
    )
    candidates: dict[int, float] = {}
    for block in (index.opportunities, index.delta_opportunities):
        if not block.profiles:
            continue
        raw = score_block(index, [source], block, today=today).raw[0]
        good = np.flatnonzero(raw >= (scoring.MIN_STORED_SCORE - 0.5) / 100.0)
        for i in good:
            candidates[int(block.keys[i])] = float(raw[i])
    best = sorted(candidates, key=lambda k: -candidates[k])[:MAX_REVERSE_UPDATES]
    thresholds = {
        row["opportunity_id"]: (row["lowest"], row["count"])
        for row in Match.objects.filter(opportunity_id__in=best, target_opportunity__isnull=False)
        .values("opportunity_id")
        .annotate(lowest=Min("score"), count=Count("id"))
    }
    entering = {
        pk
        for pk in best
        if thresholds.get(pk, (0, 0))[1] < TOP_OPPORTUNITIES
        or scoring.to_score(candidates[pk]) >= thresholds[pk][0]
    }
    return sorted((listing | entering) - {source.key})


def _recompute(index: MatchingIndex, opportunity_ids: list[int], today: int) -> None:
    sources = [
        index.opportunity_profiles[pk]
        for pk in opportunity_ids
        if pk in index.opportunity_profiles and index.opportunity_profiles[pk].valid_until >= today
    ]
    gone = [pk for pk in opportunity_ids if pk not in {s.key for s in sources}]
    for chunk_start in range(0, len(sources), 64):
        chunk = sources[chunk_start : chunk_start + 64]
        store_matches([s.key for s in chunk], compute_matches(index, chunk, today))
    if gone:
        store_matches(gone, [])


def update_organisation(organisation_id: int, *, index: MatchingIndex | None = None) -> int:
    """After an organisation's profile changed: its own opportunities, and the opportunities
    whose organisation lists it enters or leaves. Returns the number updated."""
    index = index or get_index(organisation_ids=[organisation_id])
    today = _today()
    own = list(
        Opportunity.objects.filter(organisation_id=organisation_id).values_list("id", flat=True)
    )
    affected = set(
        Match.objects.filter(
            target_organisation_id=organisation_id, target_opportunity=None
        ).values_list("opportunity_id", flat=True)
    )
    profile = index.organisation_profiles.get(organisation_id)
    if profile is not None:
        # Opportunities for which the organisation would now score above their last place.
        for block in (index.opportunities, index.delta_opportunities):
            if not block.profiles:
                continue
            raw = score_block(index, [profile], block, today=today).raw[0]
            good = np.flatnonzero(raw >= (scoring.MIN_STORED_SCORE - 0.5) / 100.0)
            best = good[np.argsort(-raw[good])][:MAX_REVERSE_UPDATES]
            affected |= {int(block.keys[i]) for i in best}
    count = 0
    for pk in own:
        count += update_opportunity(pk, index=index)
    rest = sorted(affected - set(own))
    _recompute(index, rest, today)
    return count + len(rest)
