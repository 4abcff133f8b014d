"""Scoring sources against blocks of candidates and choosing the best ones."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matchmaking import scoring
from matchmaking.engine.explain import explanation_for
from matchmaking.engine.index import Block, MatchingIndex, _bits
from matchmaking.engine.profiles import (
    FLAG_NAMES,
    KIND_CODES,
    TOP_OPPORTUNITIES,
    TOP_ORGANISATIONS,
    Profile,
)
from matchmaking.models import ContactRequest, Match, MatchFeedback


# --- scoring ----------------------------------------------------------------------------------
@dataclass
class Scores:
    raw: np.ndarray  # (queries × candidates), −1 where a candidate is excluded
    components: dict[str, np.ndarray]


def score_block(
    index: MatchingIndex,
    sources: list[Profile],
    block: Block,
    *,
    today: int,
    excluded_organisations: list[set[int]] | None = None,
) -> Scores:
    """Scores each source against every row of `block` with sparse products over the
    inverted indexes; only the postings of the sources' concepts and terms are touched."""
    n = len(block.profiles)
    q = len(sources)
    if not n or not q:
        return Scores(np.zeros((q, n)), {})
    source_concepts = index.concept_matrix([s.concepts for s in sources])
    source_expanded = index.concept_matrix([index.expand(s.concepts) for s in sources])
    source_sizes = np.asarray(source_concepts.sum(axis=1)).ravel()[:, None]
    source_texts = index.text_matrix([s.tokens for s in sources])

    with np.errstate(divide="ignore", invalid="ignore"):
        forward = (source_concepts @ block.expanded).toarray() / np.where(
            source_sizes > 0, source_sizes, 1.0
        )
        size_product = np.sqrt(source_sizes * block.sizes[None, :])
        backward = np.minimum(
            1.0,
            (source_expanded @ block.concepts).toarray()
            / np.where(size_product > 0, size_product, 1.0),
        )
    text = (source_texts @ block.texts).toarray()
    source_flags = {
        name: np.array([getattr(s.traits, f"is_{name}") for s in sources])[:, None]
        for name in FLAG_NAMES
    }
    complement = scoring.complementarity(source_flags, block.flags)
    complement = np.broadcast_to(complement, forward.shape)
    # Partner kinds sought: the source's wish about the target, and, for opportunities, the
    # target's wish about the source's organisation.
    sought = np.array([_bits(s.sought) for s in sources])[:, None]
    kind_factor = np.where(
        (sought == 0) | ((sought & block.partner_kind_bits[None, :]) != 0),
        1.0,
        scoring.PARTNER_KIND_MISMATCH,
    )
    source_kind_bits = np.array(
        [_bits([scoring.PARTNER_KIND_OF.get(s.organisation_kind, "")]) for s in sources]
    )[:, None]
    kind_factor = kind_factor * np.where(
        (block.sought_bits[None, :] == 0) | ((block.sought_bits[None, :] & source_kind_bits) != 0),
        1.0,
        scoring.PARTNER_KIND_MISMATCH,
    )
    responsiveness = block.responsiveness(index.responsiveness)[None, :]
    raw = scoring.raw_score(forward, backward, text, complement, kind_factor, responsiveness)

    allowed = np.broadcast_to(block.alive[None, :], raw.shape).copy()
    source_orgs = np.array([s.organisation_id for s in sources])[:, None]
    allowed &= block.organisation_ids[None, :] != source_orgs
    source_kinds = np.array([KIND_CODES[s.kind] for s in sources])[:, None]
    is_opportunity_block = block.kinds != 0
    if is_opportunity_block.any():
        allowed &= (block.kinds[None, :] != source_kinds) | ~is_opportunity_block[None, :]
        allowed &= (block.valid_until[None, :] >= today) | ~is_opportunity_block[None, :]
    if excluded_organisations:
        for row, organisations in enumerate(excluded_organisations):
            if organisations:
                allowed[row] &= ~np.isin(block.organisation_ids, list(organisations))
    raw = np.where(allowed, raw, -1.0)
    components = {
        "forward": forward,
        "backward": backward,
        "text": text,
        "complementarity": complement,
        "partner_kind": kind_factor,
        "responsiveness": np.broadcast_to(responsiveness, raw.shape),
    }
    return Scores(raw, components)


def top_rows(raw: np.ndarray, keys: np.ndarray, limit: int) -> list[list[int]]:
    """Per source, the row numbers of the best candidates (score ≥ MIN_STORED_SCORE), best
    first; ties by rounded score go to the higher raw score, then the lower key."""
    threshold = (scoring.MIN_STORED_SCORE - 0.5) / 100.0
    result = []
    for row in raw:
        candidates = np.flatnonzero(row >= threshold)
        if len(candidates) > limit * 4:
            candidates = candidates[np.argpartition(-row[candidates], limit * 4)[: limit * 4]]
        order = sorted(candidates, key=lambda i: (-scoring.to_score(row[i]), -row[i], int(keys[i])))
        result.append([int(i) for i in order[:limit]])
    return result


# --- computing and storing ----------------------------------------------------------------
def _excluded_organisations(opportunity_ids: list[int]) -> dict[int, set[int]]:
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


def compute_matches(index: MatchingIndex, sources: list[Profile], today: int) -> list[Match]:
    """Unsaved Match rows for the sources: the best organisations and counter-opportunities."""
    excluded = _excluded_organisations([s.key for s in sources])
    excluded_list = [excluded[s.key] for s in sources]
    matches = []
    per_source: list[list[tuple]] = [[] for _ in sources]
    for blocks, limit, is_opportunity in (
        ((index.organisations, index.delta_organisations), TOP_ORGANISATIONS, False),
        ((index.opportunities, index.delta_opportunities), TOP_OPPORTUNITIES, True),
    ):
        for row_number, candidates in enumerate(
            _best_over_blocks(index, sources, blocks, limit, today, excluded_list)
        ):
            per_source[row_number].extend((is_opportunity, *c) for c in candidates)
    for source, candidates in zip(sources, per_source, strict=True):
        for kind in (False, True):
            chosen = [c for c in candidates if c[0] is kind]
            for rank, (_is_opportunity, raw, target, components) in enumerate(chosen, start=1):
                score = scoring.to_score(raw)
                matches.append(
                    Match(
                        opportunity_id=source.key,
                        target_opportunity_id=target.key if kind else None,
                        target_organisation_id=target.organisation_id,
                        score=score,
                        rank=rank,
                        explanation=explanation_for(index, source, target, components),
                    )
                )
    return matches


def _best_over_blocks(index, sources, blocks, limit, today, excluded_list):
    """Best `limit` candidates per source over the base and the delta block."""
    found: list[list[tuple]] = [[] for _ in sources]
    for block in blocks:
        if not block.profiles:
            continue
        scores = score_block(
            index, sources, block, today=today, excluded_organisations=excluded_list
        )
        for row_number, rows in enumerate(top_rows(scores.raw, block.keys, limit)):
            for i in rows:
                components = {
                    name: values[row_number, i] for name, values in scores.components.items()
                }
                found[row_number].append(
                    (float(scores.raw[row_number, i]), block.profiles[i], components)
                )
    return [
        sorted(c, key=lambda x: (-scoring.to_score(x[0]), -x[0], x[1].key))[:limit] for c in found
    ]
