"""Explanations of a match: why two profiles fit."""

from __future__ import annotations

from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext

from matchmaking import scoring
from matchmaking.engine.index import MatchingIndex
from matchmaking.engine.profiles import Profile
from matchmaking.text import tokenize_with_surface
from partners.models import Organisation


# --- explanations -----------------------------------------------------------------------------
def explanation_for(
    index: MatchingIndex, source: Profile, target: Profile, components: dict
) -> dict:
    """The stored explanation of one pair (its score is stored beside it, in Match.score)."""
    shared, related = scoring.explain_concepts(
        source.concepts, target.concepts, index.taxonomy.parent_map, index.taxonomy.children
    )
    rules = scoring.complement_rules(source.traits.flags(), target.traits.flags())
    source_vector, surface = _source_text(index, source)
    stems = scoring.shared_terms(source_vector, index.tfidf(target.tokens), 3)
    return scoring.build_explanation(
        shared=list(shared),
        related=list(related),
        rules=[name for name, _weight in scoring.COMPLEMENT_RULES if rules[name]],
        kinds=(source.organisation_kind, target.organisation_kind),
        terms=[surface.get(s, s) for s in stems],
        components=components,
    )


_source_cache: dict[int, tuple] = {}


def _source_text(index: MatchingIndex, source: Profile) -> tuple[dict, dict]:
    """The source's TF-IDF vector and stem → word map, kept while its matches are built."""
    cached = _source_cache.get(id(source))
    if cached is None or cached[0] is not source:
        if len(_source_cache) > 512:
            _source_cache.clear()
        vector = index.tfidf(source.tokens)
        cached = (source, vector, tokenize_with_surface(source.text, source.language))
        _source_cache[id(source)] = cached
    return cached[1], cached[2]


@lru_cache(maxsize=8)
def _labels(language: str) -> dict[str, str]:
    """Translated sentence parts and organisation kinds (translations do not change at run
    time, so once per process and language)."""
    with translation.override(language):
        labels = {f"kind:{value}": str(label) for value, label in Organisation.Kind.choices}
        labels.update(
            shared=gettext("shared: %(names)s"),
            complementary=gettext("complementary: %(pairs)s"),
            related=gettext("also relevant: %(names)s"),
            terms=gettext("similar wording: %(terms)s"),
            supplier_user=gettext("energy supplier ↔ energy-intensive user"),
            small_large=gettext("small ↔ large company"),
        )
    return labels


def _name(concept, language: str) -> str:
    return (
        concept.get(language) or concept.get("slug", "") if isinstance(concept, dict) else concept
    )


def explanation_sentence(explanation: dict, language: str) -> str:
    """The explanation as one sentence in `language` (labels through gettext; concepts as
    labelled_explanations gives them, else by their slugs)."""
    labels = _labels(language)
    parts = []
    if explanation.get("shared"):
        names = ", ".join(_name(c, language) for c in explanation["shared"])
        parts.append(labels["shared"] % {"names": names})
    if explanation.get("complementary"):
        pairs: list[str] = []
        for rule in explanation["complementary"]:
            pair = labels.get(rule["key"]) or (
                f"{labels.get('kind:' + rule['from'], rule['from'])} ↔ "
                f"{labels.get('kind:' + rule['to'], rule['to'])}"
            )
            if pair not in pairs:
                pairs.append(pair)
        parts.append(labels["complementary"] % {"pairs": ", ".join(pairs)})
    if explanation.get("related"):
        names = ", ".join(_name(c, language) for c in explanation["related"])
        parts.append(labels["related"] % {"names": names})
    if explanation.get("terms") and not explanation.get("shared"):
        parts.append(labels["terms"] % {"terms": ", ".join(explanation["terms"])})
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."
