"""Why a card matches, in evidence a partner can check.

Match.explanation (version 5, compact; `selectors.labelled_explanations` expands it)::

    {
      "v": 5,
      "s": [12, 7],          # shared concepts (Competence ids) …
      "r": [31],             # … and the target's concepts close to the source's
      "t": ["drehrohrofen"], # shared words (lemmas), rarest first
      "e": ["Ihr Satz …", "ihr Satz …", 0.93],  # best sentence pair and its cosine, or absent
      "o": "opportunity",    # the evidence is from the counter-opportunity ("profile": the
                             # organisation's profile)
      "p": 1,                # partner kind: 1 sought, 0 not sought, absent if none was named
      "c": ["science_industry"], "k": ["large_enterprise", "research_institute"],
      "w": true,             # weak: below scoring.WEAK_SCORE, no confident reason is given
      "x": [0.8, 0.2, 0.5, 1.0, 1.0, 0.3]  # components, scoring.COMPONENT_NAMES order
    }
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from matchmaking import scoring

if TYPE_CHECKING:
    from matchmaking.engine.index import ProfileIndex, Row
    from matchmaking.engine.matches import Card

EVIDENCE_MINIMUM = 0.86  # sentence cosine below which a pair is not shown as evidence
MAX_TERMS = 4


def best_sentence_pair(source: Row, target: Row) -> tuple[str, str, float] | None:
    if not len(source.sentence_vectors) or not len(target.sentence_vectors):
        return None
    similarities = source.sentence_vectors @ target.sentence_vectors.T
    i, j = np.unravel_index(int(np.argmax(similarities)), similarities.shape)
    value = float(similarities[i, j])
    if value < EVIDENCE_MINIMUM:
        return None
    return source.sentences[i], target.sentences[j], round(value, 3)


def shared_terms(source: Row, target: Row) -> list[str]:
    """Whole words both texts use (compound parts alone are no evidence), rarest first."""
    common = [
        t
        for t in source.query_terms
        if source.counts.get(t, 0) >= 1 and target.counts.get(t, 0) >= 1
    ]
    common.sort(key=lambda t: (-source.query_terms[t], t))
    return common[:MAX_TERMS]


def explanation_for(index: ProfileIndex, source: Row, card: Card) -> dict:
    target, components = card.best, card.components
    shared, related = scoring.explain_concepts(
        source.concepts, target.concepts, index.taxonomy.parent_map, index.taxonomy.children
    )
    explanation: dict = {
        "v": scoring.EXPLANATION_VERSION,
        "s": shared,
        "r": related,
        "t": shared_terms(source, target),
        "o": "opportunity" if target.kind else "profile",
    }
    pair = best_sentence_pair(source, target)
    if pair is not None:
        explanation["e"] = list(pair)
    if source.sought:
        explanation["p"] = int(scoring.is_kind_sought(source.sought, target.organisation_kind))
    source_flags = {name: name in source.flags for name in scoring.FLAG_NAMES}
    target_flags = {name: name in target.flags for name in scoring.FLAG_NAMES}
    rules = scoring.complement_rules(source_flags, target_flags)
    holding = [name for name, _weight in scoring.COMPLEMENT_RULES if rules[name]]
    if holding:
        explanation["c"] = holding
        explanation["k"] = [source.organisation_kind, target.organisation_kind]
    if card.score < scoring.WEAK_SCORE:
        explanation["w"] = True
    explanation["x"] = [round(float(components[name]), 3) for name in scoring.COMPONENT_NAMES]
    return explanation
