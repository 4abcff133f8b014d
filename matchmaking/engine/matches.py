"""Scoring, choosing and storing matches: retrieve, then rerank.

For one source opportunity every live profile is a possible target: the organisations' own
profiles and the published opportunities of the other kind. Retrieval scores all of them at
once with matrix products (embedding cosine, lexical overlap, taxonomy concepts, kinds,
complementarity: `scores_against_many`): a few milliseconds at 100,000 profiles. The organisations
of the best of them are reranked exactly, pair by pair (`pair_components`), into one card each
with the organisation's best counter-opportunity, and explained.

A pair's score depends on the two profiles alone and a list holds the best TOP_ORGANISATIONS
cards over all targets, so a save keeps every list current by moving one organisation's card
(`update_organisation`), and what it stores is exactly what a rebuild stores.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from matchmaking import scoring
from matchmaking.engine.explain import explanation_for
from matchmaking.engine.index import Arrays, ProfileIndex, Row, kind_bits, term_column
from matchmaking.models import ContactRequest, Match, MatchFeedback, Opportunity

TOP_ORGANISATIONS = 20
OPPOSITE = {1: 2, 2: 1}
ROUNDING_MARGIN = 1  # retrieval's scores may differ from the exact ones in the last bits
BATCH = 32  # sources scored together in retrieval


def today() -> int:
    return timezone.localdate().toordinal()


# --- one pair ---------------------------------------------------------------------------------
def pair_components(source: Row, target: Row, responsiveness: float = 1.0) -> dict[str, float]:
    """The components of one pair and its raw score, from the two rows alone."""
    cosine = float(np.dot(source.query.astype(np.float64), target.passage.astype(np.float64)))
    concept = scoring.forward_coverage(source.concepts, target.expanded)
    reciprocity = scoring.backward_coverage(source.concepts, target.concepts, source.expanded)
    kind = (
        1.0
        if scoring.is_kind_sought(source.sought, target.organisation_kind)
        else (scoring.KIND_MISMATCH)
    )
    if target.kind and not scoring.is_kind_sought(target.sought, source.organisation_kind):
        kind *= scoring.TARGET_KIND_MISMATCH
    source_flags = {name: name in source.flags for name in scoring.FLAG_NAMES}
    target_flags = {name: name in target.flags for name in scoring.FLAG_NAMES}
    components = {
        "semantic": scoring.semantic(cosine),
        "lexical": scoring.lexical(source.query_terms, target.document_terms),
        "concept": concept,
        "kind": kind,
        "complementarity": scoring.complementarity(source_flags, target_flags),
        "reciprocity": reciprocity,
    }
    components["topical"] = scoring.topical(
        components["semantic"], components["lexical"], components["concept"]
    )
    components["raw"] = scoring.raw_score(
        components["topical"],
        kind,
        components["complementarity"],
        reciprocity,
        responsiveness,
    )
    return components


def is_eligible(source: Row, target: Row, day: int, excluded: set[int]) -> bool:
    """Whether the target may appear in the source's list at all."""
    if target.organisation_id == source.organisation_id or target.organisation_id in excluded:
        return False
    if target.kind == 0:
        return True
    return target.kind == OPPOSITE.get(source.kind) and target.valid_until >= day


# --- retrieval --------------------------------------------------------------------------------
def _column(matrix, values: dict, column=int) -> np.ndarray:
    """matrix (CSC, rows × columns) times the sparse vector `values` (key → weight): the
    weighted sum of the few columns the vector names."""
    return _columns(matrix, [values], column)[:, 0]


def _columns(matrix, maps: list[dict], column=int) -> np.ndarray:
    """matrix (CSC, rows × columns) times several sparse vectors at once: rows × len(maps),
    reading only the columns the vectors name."""
    positions: dict[int, int] = {}
    entries: list[tuple[int, int, float]] = []
    for b, values in enumerate(maps):
        for key, value in values.items():
            position = column(key)
            if position < matrix.shape[1]:
                slot = positions.setdefault(position, len(positions))
                entries.append((slot, b, value))
    if not positions:
        return np.zeros((matrix.shape[0], len(maps)))
    weights = np.zeros((len(positions), len(maps)))
    for slot, b, value in entries:
        weights[slot, b] += value
    columns = np.fromiter(positions, dtype=np.int64, count=len(positions))
    return np.asarray(matrix[:, columns] @ weights)


def _flags(values: np.ndarray) -> dict:
    return {name: values[..., i] for i, name in enumerate(scoring.FLAG_NAMES)}


def _row_flags(row: Row) -> dict:
    return {name: name in row.flags for name in scoring.FLAG_NAMES}


def responsiveness_array(arrays: Arrays, responsiveness: dict[int, float]) -> np.ndarray:
    """The responsiveness factor of each row's organisation (1 where none was computed)."""
    if not responsiveness or not arrays.rows:
        return np.ones(len(arrays.rows))
    keys = np.fromiter(responsiveness, dtype=np.int64, count=len(responsiveness))
    values = np.fromiter(responsiveness.values(), dtype=np.float64, count=len(responsiveness))
    order = np.argsort(keys)
    keys, values = keys[order], values[order]
    at = np.minimum(np.searchsorted(keys, arrays.organisation_ids), len(keys) - 1)
    return np.where(keys[at] == arrays.organisation_ids, values[at], 1.0)


def scores_against_many(
    arrays: Arrays, sources: list[Row], day: int, excluded: list[set[int]], factors: np.ndarray
) -> np.ndarray:
    """Integer scores of several sources (one row each) against every row (−1 where the row
    is not eligible): the same formulas as pair_components, as matrix products."""
    if not arrays.rows:
        return np.zeros((len(sources), 0), dtype=np.int64)
    totals = np.array([sum(s.concepts.values()) for s in sources])[:, None]
    concept = _columns(arrays.expanded, [s.concepts for s in sources]).T / np.where(
        totals > 0, totals, 1.0
    )
    size = np.sqrt(totals * arrays.concept_totals[None, :])
    overlap = _columns(arrays.concepts, [s.expanded for s in sources]).T
    reciprocity = np.minimum(1.0, np.divide(overlap, size, out=np.zeros_like(size), where=size > 0))
    lexical = np.minimum(
        1.0, _columns(arrays.document_terms, [s.query_terms for s in sources], term_column).T
    )
    sought = np.array([kind_bits(s.sought) for s in sources])[:, None]
    kind = np.where(
        (sought == 0) | ((arrays.partner_kinds[None, :] & sought) != 0), 1.0, scoring.KIND_MISMATCH
    )
    own = np.array([kind_bits([s.partner_kind]) for s in sources])[:, None]
    kind = kind * np.where(
        (arrays.kinds == 0) | (arrays.sought == 0) | ((arrays.sought[None, :] & own) != 0),
        1.0,
        scoring.TARGET_KIND_MISMATCH,
    )
    source_flags = {
        name: np.array([name in s.flags for s in sources])[:, None] for name in scoring.FLAG_NAMES
    }
    complement = scoring.complementarity(source_flags, _flags(arrays.flags))
    queries = np.vstack([s.query for s in sources]).astype(np.float32, copy=False)
    cosine = queries @ arrays.passage.T
    topical = scoring.topical(scoring.semantic(cosine), lexical, concept)
    raw = scoring.raw_score(topical, kind, complement, reciprocity, factors[None, :])
    organisations = np.array([s.organisation_id for s in sources])[:, None]
    opposite = np.array([OPPOSITE.get(s.kind, -1) for s in sources])[:, None]
    allowed = arrays.organisation_ids[None, :] != organisations
    allowed &= (arrays.kinds == 0) | (
        (arrays.kinds[None, :] == opposite) & (arrays.valid_until >= day)
    )
    for b, organisation_ids in enumerate(excluded):
        if organisation_ids:
            allowed[b] &= ~np.isin(arrays.organisation_ids, list(organisation_ids))
    return np.where(allowed, scoring.to_score(raw), -1)


def scores_of_sources(arrays: Arrays, target: Row, day: int) -> np.ndarray:
    """Integer scores of every live source opportunity against one target (−1 where the
    target is not eligible for it), without exclusions and responsiveness, which only lower
    a score: the reverse direction of scores_against_many, to find the lists a target may enter."""
    if not arrays.rows:
        return np.zeros(0, dtype=np.int64)
    overlap = _column(arrays.concepts, target.expanded)
    concept = np.divide(
        overlap,
        arrays.concept_totals,
        out=np.zeros_like(arrays.concept_totals),
        where=arrays.concept_totals > 0,
    )
    target_total = sum(target.concepts.values())
    size = np.sqrt(arrays.concept_totals * target_total)
    back = _column(arrays.expanded, target.concepts)
    reciprocity = np.minimum(1.0, np.divide(back, size, out=np.zeros_like(size), where=size > 0))
    lexical = np.minimum(
        1.0,
        _column(arrays.query_terms, target.document_terms, term_column),
    )
    bits = kind_bits([target.partner_kind])
    kind = np.where(
        (arrays.sought == 0) | ((arrays.sought & bits) != 0), 1.0, scoring.KIND_MISMATCH
    )
    if target.kind:
        wish = kind_bits(target.sought)
        kind = kind * np.where(
            (wish == 0) | ((arrays.partner_kinds & wish) != 0), 1.0, scoring.TARGET_KIND_MISMATCH
        )
    complement = scoring.complementarity(_flags(arrays.flags), _row_flags(target))
    topical = scoring.topical(scoring.semantic(arrays.query @ target.passage), lexical, concept)
    raw = scoring.raw_score(topical, kind, complement, reciprocity)
    allowed = (arrays.kinds != 0) & (arrays.valid_until >= day)
    allowed &= arrays.organisation_ids != target.organisation_id
    if target.kind:
        allowed &= arrays.kinds == OPPOSITE[target.kind]
        allowed &= target.valid_until >= day
    return np.where(allowed, scoring.to_score(raw), -1)


def candidates(
    organisation_ids: np.ndarray, kinds: np.ndarray, scores: np.ndarray
) -> list[np.ndarray]:
    """The positions worth reranking exactly, by organisation: each organisation whose best
    row reaches the TOP_ORGANISATIONS-th best organisation's score (less the margin), with
    its rows that may be its exact best or best counter-opportunity (retrieval's scores are
    within ROUNDING_MARGIN of the exact ones, so those are within twice that of its best)."""
    positions = np.flatnonzero(scores >= scoring.MIN_STORED_SCORE - ROUNDING_MARGIN)
    if not len(positions):
        return []
    values = scores[positions]
    order = np.lexsort((-values, organisation_ids[positions]))
    positions, values = positions[order], values[order]
    organisations = organisation_ids[positions]
    starts = np.flatnonzero(np.r_[True, organisations[1:] != organisations[:-1]])
    lengths = np.diff(np.r_[starts, len(positions)])
    best = values[starts]  # sorted by score within each organisation
    ranked = np.sort(best)[::-1]
    floor = ranked[min(len(ranked), TOP_ORGANISATIONS) - 1] - ROUNDING_MARGIN
    is_opportunity = kinds[positions] != 0
    counter = np.maximum.reduceat(np.where(is_opportunity, values, -(10**6)), starts)
    organisation_best = np.repeat(best, lengths)
    keep = (organisation_best >= floor) & (
        (values >= organisation_best - 2 * ROUNDING_MARGIN)
        | (is_opportunity & (values >= np.repeat(counter, lengths) - 2 * ROUNDING_MARGIN))
    )
    found = []
    for start, length in zip(starts, lengths, strict=True):
        chosen = positions[start : start + length][keep[start : start + length]]
        if len(chosen):
            found.append(chosen)
    return found


# --- cards ------------------------------------------------------------------------------------
@dataclass
class Card:
    organisation_id: int
    raw: float
    score: int
    best: Row  # the target profile that scored highest
    counter: Row | None  # the best counter-opportunity, if any qualifies
    counter_components: dict | None
    components: dict


def card_for(
    source: Row, targets: list[Row], responsiveness: dict[int, float], day: int, excluded
) -> Card | None:
    """The card of one organisation: its best profile, and its best counter-opportunity."""
    best: tuple | None = None
    counter: tuple | None = None
    for target in targets:
        if not is_eligible(source, target, day, excluded):
            continue
        components = pair_components(
            source, target, responsiveness.get(target.organisation_id, 1.0)
        )
        score = scoring.to_score(components["raw"])
        if score < scoring.MIN_STORED_SCORE:
            continue
        key = (score, components["raw"], -target.opportunity_id)
        if best is None or key > best[0]:
            best = (key, target, components)
        if target.kind and (counter is None or key > counter[0]):
            counter = (key, target, components)
    if best is None:
        return None
    return Card(
        organisation_id=best[1].organisation_id,
        raw=best[0][1],
        score=best[0][0],
        best=best[1],
        counter=counter[1] if counter else None,
        counter_components=counter[2] if counter else None,
        components=best[2],
    )


def cards_for_sources(
    index: ProfileIndex,
    sources: list[Row],
    *,
    day: int,
    excluded: dict[int, set[int]],
    responsiveness: dict[int, float],
) -> list[list[Card]]:
    """Each source's best TOP_ORGANISATIONS cards, best first (ties: lower organisation id).
    Retrieval runs for BATCH sources at a time (matrix-matrix products)."""
    view = index.view()
    factors = [responsiveness_array(arrays, responsiveness) for arrays, _alive in view.parts]
    lists = []
    for begin in range(0, len(sources), BATCH):
        batch = sources[begin : begin + BATCH]
        wanted = [excluded.get(s.opportunity_id, set()) for s in batch]
        scores = view.map_many(
            lambda arrays, part, b=batch, w=wanted: scores_against_many(
                arrays, b, day, w, factors[part]
            )
        )
        for source, row_scores, unwanted in zip(batch, scores, wanted, strict=True):
            cards = []
            for positions in candidates(view.organisation_ids, view.kinds, row_scores):
                targets = [view.all_rows[p] for p in positions]
                card = card_for(source, targets, responsiveness, day, unwanted)
                if card is not None:
                    cards.append(card)
            cards.sort(key=card_order)
            lists.append(cards[:TOP_ORGANISATIONS])
    return lists


def card_order(card: Card) -> tuple:
    return (-card.score, card.organisation_id)


# --- storing ----------------------------------------------------------------------------------
def match_row(index: ProfileIndex, source: Row, card: Card) -> Match:
    return Match(
        opportunity_id=source.opportunity_id,
        target_organisation_id=card.organisation_id,
        target_opportunity_id=card.counter.opportunity_id if card.counter else None,
        score=card.score,
        explanation=explanation_for(index, source, card),
    )


def excluded_organisations(opportunity_ids: list[int]) -> dict[int, set[int]]:
    """Per opportunity: organisations already in contact about it, or dismissed by its owner."""
    excluded: dict[int, set[int]] = {pk: set() for pk in opportunity_ids}
    for pk, sender, receiver in ContactRequest.objects.filter(
        opportunity_id__in=opportunity_ids
    ).values_list("opportunity_id", "sender_organisation_id", "receiver_organisation_id"):
        excluded[pk] |= {sender, receiver}
    for pk, organisation_id in MatchFeedback.objects.filter(
        opportunity_id__in=opportunity_ids, is_dismissed=True
    ).values_list("opportunity_id", "organisation_id"):
        excluded[pk].add(organisation_id)
    return excluded


def responsiveness_factors() -> dict[int, float]:
    """Organisation id → factor for leaving contact requests unanswered (only those asked)."""
    stale = timezone.now() - dt.timedelta(days=ContactRequest.REMIND_AFTER_DAYS)
    rows = (
        ContactRequest.objects.values("receiver_organisation_id")
        .annotate(
            answered=Count("id", filter=Q(status__in=["accepted", "declined"])),
            unanswered=Count(
                "id", filter=Q(status="expired") | Q(status="open", created_at__lt=stale)
            ),
        )
        .filter(unanswered__gt=0)
    )
    return {
        row["receiver_organisation_id"]: scoring.responsiveness(row["answered"], row["unanswered"])
        for row in rows
    }


def sources(index: ProfileIndex, opportunity_ids: list[int] | None = None) -> list[Row]:
    """Live opportunity rows (all, or those of the ids) that have not expired."""
    day = today()
    wanted = set(opportunity_ids) if opportunity_ids is not None else None
    return [
        row
        for row in index.view().rows
        if row.kind and row.valid_until >= day and (wanted is None or row.opportunity_id in wanted)
    ]


def recompute_sources(
    index: ProfileIndex, opportunity_ids: list[int], responsiveness: dict[int, float] | None = None
) -> int:
    """Replaces the stored lists of these opportunities (empty for those no longer live)."""
    if not opportunity_ids:
        return 0
    day = today()
    live = sources(index, opportunity_ids)
    excluded = excluded_organisations(opportunity_ids)
    if responsiveness is None:
        responsiveness = responsiveness_factors()
    lists = cards_for_sources(
        index, live, day=day, excluded=excluded, responsiveness=responsiveness
    )
    rows = [
        match_row(index, source, card)
        for source, cards in zip(live, lists, strict=True)
        for card in cards
    ]
    with transaction.atomic():
        Match.objects.filter(opportunity_id__in=opportunity_ids).delete()
        Match.objects.bulk_create(rows, batch_size=2000)
    return len(live)


# --- keeping lists current after a save ------------------------------------------------------
def update_organisation(index: ProfileIndex, organisation_id: int) -> int:
    """After the profile of an organisation or of one of its opportunities changed: its own
    opportunities' lists are recomputed, and its card is put at its new place in every other
    list that holds it or that it now enters. Returns the number of lists written."""
    own = list(
        Opportunity.objects.filter(organisation_id=organisation_id).values_list("id", flat=True)
    )
    responsiveness = responsiveness_factors()
    recompute_sources(index, own, responsiveness)
    view = index.view()
    day = today()
    targets = index.rows_of_organisation(organisation_id)
    reaching = np.full(len(view.opportunity_ids), -1)
    for target in targets:
        reaching = np.maximum(
            reaching, view.map(lambda arrays, t=target: scores_of_sources(arrays, t, day))
        )
    positions = np.flatnonzero(reaching >= scoring.MIN_STORED_SCORE - ROUNDING_MARGIN)
    lowest = _lowest_stored([int(view.opportunity_ids[i]) for i in positions])
    entering = {
        int(view.opportunity_ids[i])
        for i in positions
        if reaching[i] >= lowest.get(int(view.opportunity_ids[i]), 0) - ROUNDING_MARGIN
    }
    listing = set(
        Match.objects.filter(target_organisation_id=organisation_id).values_list(
            "opportunity_id", flat=True
        )
    )
    affected = sorted((listing | entering) - set(own))
    if not affected:
        return len(own)
    excluded = excluded_organisations(affected)
    current = _stored_lists(affected)
    live = {row.opportunity_id: row for row in sources(index, affected)}
    refill, writes = [], {}
    for opportunity_id in affected:
        source = live.get(opportunity_id)
        if source is None:
            refill.append(opportunity_id)  # no longer live: recompute_sources empties it
            continue
        card = card_for(source, targets, responsiveness, day, excluded[opportunity_id])
        stored = current.get(opportunity_id, [])
        others = sorted(
            (-m.score, m.target_organisation_id)
            for m in stored
            if m.target_organisation_id != organisation_id
        )
        was_listed = len(others) < len(stored)
        entries = sorted([*others, *([card_order(card)] if card else [])])
        stays = card is not None and card_order(card) in entries[:TOP_ORGANISATIONS]
        if was_listed and len(stored) >= TOP_ORGANISATIONS and not stays:
            refill.append(opportunity_id)  # a place came free: the next one moves up
        elif stays or was_listed:
            writes[opportunity_id] = (
                match_row(index, source, card) if stays else None,
                entries[TOP_ORGANISATIONS:],
            )
    with transaction.atomic():
        Match.objects.filter(
            opportunity_id__in=list(writes), target_organisation_id=organisation_id
        ).delete()
        for opportunity_id, (_row, overflow) in writes.items():
            for _score, target in overflow:
                Match.objects.filter(
                    opportunity_id=opportunity_id, target_organisation_id=target
                ).delete()
        Match.objects.bulk_create([row for row, _overflow in writes.values() if row is not None])
    recompute_sources(index, refill, responsiveness)
    return len(own) + len(writes) + len(refill)


def _lowest_stored(opportunity_ids: list[int]) -> dict[int, int]:
    """Per full list of these, its lowest score (a card below it cannot enter)."""
    return {
        row["opportunity_id"]: row["lowest"]
        for row in Match.objects.filter(opportunity_id__in=opportunity_ids)
        .values("opportunity_id")
        .annotate(lowest=Min("score"), count=Count("id"))
        .filter(count__gte=TOP_ORGANISATIONS)
    }


def _stored_lists(opportunity_ids: list[int]) -> dict[int, list[Match]]:
    lists: dict[int, list[Match]] = {}
    for match in Match.objects.filter(opportunity_id__in=opportunity_ids).only(
        "id", "opportunity_id", "target_organisation_id", "score"
    ):
        lists.setdefault(match.opportunity_id, []).append(match)
    return lists
