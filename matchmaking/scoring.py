"""How well an opportunity (the source) fits a target profile: pure functions, no database.

Profiles are opportunities and organisations (see engine.profiles). The score of a pair, 0–100:

    100 · topical · kind_factor · responsiveness · (1 + W_COMPLEMENT·complementarity
                                                      + W_RECIPROCITY·reciprocity)

- topical = W_SEMANTIC·semantic + W_LEXICAL·lexical + W_CONCEPT·concept, each 0–1:
  semantic is the cosine of the two texts' multilingual embeddings, rescaled from the range
  where e5's cosines live (SEMANTIC_FLOOR … SEMANTIC_FULL); lexical is BM25-like overlap of
  lemmas and compound parts weighted by general-language rarity (matchmaking.text); concept
  is the share of the source's taxonomy concepts that the target covers (relatives count
  partly).
- A pair below TOPICAL_MINIMUM is not a match at all: kinds, complementarity and reciprocity
  only refine the order of partners that are on topic, they never make one.
- kind_factor: the partner kinds the source seeks count strongly (KIND_MISMATCH), the
  target opportunity's wish about the source's organisation mildly (TARGET_KIND_MISMATCH).
- complementarity (science ↔ industry, supplier ↔ energy-intensive user, small ↔ large) and
  reciprocity (the source covers what the target is about) add at most W_COMPLEMENT +
  W_RECIPROCITY = 12 %.

Every function takes floats or numpy arrays, so the engine scores many pairs at once with the
arithmetic that the unit tests check pair by pair.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

W_SEMANTIC = 0.55
W_LEXICAL = 0.25
W_CONCEPT = 0.20
SEMANTIC_FLOOR = 0.78
SEMANTIC_FULL = 0.90
TOPICAL_MINIMUM = 0.12
KIND_MISMATCH = 0.4
TARGET_KIND_MISMATCH = 0.85
W_COMPLEMENT = 0.07
W_RECIPROCITY = 0.05
MAX_RESPONSIVENESS_PENALTY = 0.2
HIERARCHY_WEIGHTS = {"same": 1.0, "parent": 0.5, "child": 0.5, "near": 0.25}
TEXT_CONCEPT_WEIGHT = 0.6
MIN_STORED_SCORE = 5
WEAK_SCORE = 35  # below it a card says the match is weak, with no confident reason
BM25_K1 = 1.2
BM25_B = 0.5
BM25_AVERAGE_LENGTH = 40.0  # terms; fixed so that one pair's score needs no other text

# Organisation.Kind values → groups used by the rules (kept as strings: no model import here).
INDUSTRY_KINDS = frozenset({"large_enterprise", "sme", "startup"})
SCIENCE_KINDS = frozenset({"university", "university_applied", "research_institute"})
SMALL_KINDS = frozenset({"sme", "startup"})
SMALL_SIZE_BANDS = frozenset({"1-9", "10-49", "50-249"})
LARGE_SIZE_BANDS = frozenset({"1000+", "250-999"})
ENERGY_SUPPLY_SECTORS = frozenset({"energy-supply"})
ENERGY_INTENSIVE_SECTORS = frozenset({"steel", "chemicals", "cement-lime", "glass", "paper"})
PARTNER_KINDS = ("industry", "sme", "science", "public", "association")
PARTNER_KIND_OF = {
    "large_enterprise": "industry",
    "sme": "sme",
    "startup": "sme",
    "university": "science",
    "university_applied": "science",
    "research_institute": "science",
    "public_body": "public",
    "association": "association",
}
COMPLEMENT_RULES = (("science_industry", 1.0), ("supplier_user", 1.0), ("small_large", 0.6))
FLAG_NAMES = ("industry", "science", "small", "large", "supplier", "intensive")


# --- taxonomy ---------------------------------------------------------------------------------
def children_map(parent_map: Mapping[int, int | None]) -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for concept, parent in parent_map.items():
        if parent is not None:
            children.setdefault(parent, []).append(concept)
    return children


def concept_neighbours(
    concept: int, parent_map: Mapping[int, int | None], children: Mapping[int, list[int]]
) -> list[tuple[int, str]]:
    """(concept, relation) for the concept itself and its relatives within two steps."""
    found = [(concept, "same")]
    parent = parent_map.get(concept)
    if parent is not None:
        found.append((parent, "parent"))
        grandparent = parent_map.get(parent)
        if grandparent is not None:
            found.append((grandparent, "near"))
        found.extend(
            (sibling, "near") for sibling in children.get(parent, ()) if sibling != concept
        )
    for child in children.get(concept, ()):
        found.append((child, "child"))
        found.extend((grandchild, "near") for grandchild in children.get(child, ()))
    return found


def expand_concepts(
    weights: Mapping[int, float],
    parent_map: Mapping[int, int | None],
    children: Mapping[int, list[int]] | None = None,
) -> dict[int, float]:
    """Spreads each concept to its relatives with HIERARCHY_WEIGHTS (the strongest path wins)."""
    children = children_map(parent_map) if children is None else children
    expanded: dict[int, float] = {}
    for concept, weight in weights.items():
        for relative, relation in concept_neighbours(concept, parent_map, children):
            value = weight * HIERARCHY_WEIGHTS[relation]
            if value > expanded.get(relative, 0.0):
                expanded[relative] = value
    return expanded


def forward_coverage(source: Mapping[int, float], target_expanded: Mapping[int, float]) -> float:
    """Share of what `source` is about that the target covers (0–1)."""
    total = sum(source.values())
    if not total:
        return 0.0
    return sum(w * target_expanded.get(c, 0.0) for c, w in source.items()) / total


def backward_coverage(
    source: Mapping[int, float], target: Mapping[int, float], source_expanded: Mapping[int, float]
) -> float:
    """How much of the target's profile the source is relevant to (0–1), normalised by the
    geometric mean of both sizes so that a broad partner is not punished for being broad."""
    size = sum(source.values()) * sum(target.values())
    if not size:
        return 0.0
    return min(1.0, sum(w * source_expanded.get(c, 0.0) for c, w in target.items()) / size**0.5)


# --- text -------------------------------------------------------------------------------------
def semantic(cosine):
    """e5 cosines of unrelated texts sit near 0.75, of the same topic near 0.9: rescaled 0–1."""
    if isinstance(cosine, float | int):
        return min(1.0, max(0.0, (cosine - SEMANTIC_FLOOR) / (SEMANTIC_FULL - SEMANTIC_FLOOR)))
    value = np.clip(
        (np.asarray(cosine, dtype=float) - SEMANTIC_FLOOR) / (SEMANTIC_FULL - SEMANTIC_FLOOR),
        0.0,
        1.0,
    )
    return value if value.ndim else float(value)


def query_weights(counts: Mapping[str, float], weights: Mapping[str, float]) -> dict[str, float]:
    """The source side of the lexical overlap: each term's rarity weight, summing to 1."""
    raw = {t: weights[t] * min(2.0, n) for t, n in counts.items() if weights.get(t, 0.0) > 0}
    total = sum(raw.values())
    return {t: v / total for t, v in raw.items()} if total else {}


def document_weights(counts: Mapping[str, float]) -> dict[str, float]:
    """The target side: BM25's saturated term frequency with a fixed average length, scaled
    so that one occurrence in a text of average length gives 1."""
    length = sum(counts.values())
    norm = BM25_K1 * (1.0 - BM25_B + BM25_B * length / BM25_AVERAGE_LENGTH)
    one = (BM25_K1 + 1.0) / (1.0 + BM25_K1)
    return {t: n * (BM25_K1 + 1.0) / (n + norm) / one for t, n in counts.items()}


def lexical(query: Mapping[str, float], document: Mapping[str, float]) -> float:
    """Σ query weight × document weight over shared terms, at most 1."""
    if len(query) > len(document):
        shared = [t for t in document if t in query]
    else:
        shared = [t for t in query if t in document]
    return min(1.0, sum(query[t] * document[t] for t in shared))


# --- complementarity --------------------------------------------------------------------------
@dataclass(frozen=True)
class Traits:
    """What the complementarity rules look at."""

    kind: str = ""
    size_band: str = ""
    sectors: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_industry(self) -> bool:
        return self.kind in INDUSTRY_KINDS

    @property
    def is_science(self) -> bool:
        return self.kind in SCIENCE_KINDS

    @property
    def is_small(self) -> bool:
        return self.kind in SMALL_KINDS or self.size_band in SMALL_SIZE_BANDS

    @property
    def is_large(self) -> bool:
        return self.kind == "large_enterprise" or self.size_band in LARGE_SIZE_BANDS

    @property
    def is_supplier(self) -> bool:
        return bool(self.sectors & ENERGY_SUPPLY_SECTORS)

    @property
    def is_intensive(self) -> bool:
        return bool(self.sectors & ENERGY_INTENSIVE_SECTORS)

    def flags(self) -> dict[str, bool]:
        return {name: getattr(self, f"is_{name}") for name in FLAG_NAMES}


def complement_rules(a: Mapping, b: Mapping) -> dict:
    """Which rules hold for a pair. `a` and `b` map flag names (see Traits.flags) to booleans
    or to numpy boolean arrays (one entry per candidate)."""
    return {
        "science_industry": (a["science"] & b["industry"]) | (a["industry"] & b["science"]),
        "supplier_user": (a["supplier"] & b["intensive"]) | (a["intensive"] & b["supplier"]),
        "small_large": (a["small"] & b["large"]) | (a["large"] & b["small"]),
    }


def complementarity(a: Mapping, b: Mapping):
    """The strongest complementarity rule that holds (0–1): industry need ↔ science
    competence and energy supplier ↔ energy-intensive user weigh 1, small ↔ large 0.6."""
    rules = complement_rules(a, b)
    if all(isinstance(v, bool) for v in rules.values()):
        return max([0.0] + [weight for name, weight in COMPLEMENT_RULES if rules[name]])
    value = 0.0
    for name, weight in COMPLEMENT_RULES:
        value = np.maximum(value, np.where(rules[name], weight, 0.0))
    return value if isinstance(value, np.ndarray) and value.ndim else float(value)


def is_kind_sought(sought: Iterable[str], organisation_kind: str) -> bool:
    """True when nothing in particular is sought or this organisation's kind is."""
    sought = set(sought)
    return not sought or PARTNER_KIND_OF.get(organisation_kind) in sought


def responsiveness(answered: int, unanswered: int):
    """A mild penalty for leaving contact requests unanswered: factor 1 − 0.2 · share of
    unanswered requests, the share smoothed with two answered pseudo-requests so that one
    unlucky request barely counts. Works on ints or numpy arrays."""
    share = np.asarray(unanswered, dtype=float) / (
        np.asarray(answered, dtype=float) + np.asarray(unanswered, dtype=float) + 2.0
    )
    factor = 1.0 - MAX_RESPONSIVENESS_PENALTY * share
    return factor if factor.ndim else float(factor)


# --- combining --------------------------------------------------------------------------------
def topical(semantic_value, lexical_value, concept_value):
    if isinstance(semantic_value, float | int) and isinstance(lexical_value, float | int):
        return (
            W_SEMANTIC * semantic_value
            + W_LEXICAL * min(1.0, lexical_value)
            + W_CONCEPT * concept_value
        )
    value = (
        W_SEMANTIC * np.asarray(semantic_value, dtype=float)
        + W_LEXICAL * np.minimum(1.0, np.asarray(lexical_value, dtype=float))
        + W_CONCEPT * np.asarray(concept_value, dtype=float)
    )
    return value if value.ndim else float(value)


def raw_score(topical_value, kind_factor, complement, reciprocity, responsiveness_factor=1.0):
    """0–1 before rounding; 0 below TOPICAL_MINIMUM."""
    values = (topical_value, kind_factor, complement, reciprocity, responsiveness_factor)
    if all(isinstance(v, float | int) for v in values):
        if topical_value < TOPICAL_MINIMUM:
            return 0.0
        bonus = 1.0 + W_COMPLEMENT * complement + W_RECIPROCITY * reciprocity
        return min(1.0, topical_value * kind_factor * responsiveness_factor * bonus)
    topical_value = np.asarray(topical_value, dtype=float)
    value = (
        topical_value
        * np.asarray(kind_factor)
        * np.asarray(responsiveness_factor)
        * (1.0 + W_COMPLEMENT * np.asarray(complement) + W_RECIPROCITY * np.asarray(reciprocity))
    )
    value = np.where(topical_value >= TOPICAL_MINIMUM, np.minimum(1.0, value), 0.0)
    return value if value.ndim else float(value)


def to_score(raw):
    """0–1 → integer 0–100 (round half up, so the vectorised and the scalar path agree)."""
    if isinstance(raw, float | int | np.floating):
        return int(math.floor(min(1.0, max(0.0, float(raw))) * 100.0 + 0.5))
    value = np.floor(np.clip(np.asarray(raw, dtype=float), 0.0, 1.0) * 100.0 + 0.5).astype(int)
    return value if value.ndim else int(value)


# --- explanation ------------------------------------------------------------------------------
def explain_concepts(
    source: Mapping[int, float],
    target: Mapping[int, float],
    parent_map: Mapping[int, int | None],
    children: Mapping[int, list[int]] | None = None,
    limit: int = 5,
) -> tuple[list[int], list[int]]:
    """(shared, related): concepts both profiles have; the target's concepts that are parent,
    child or close relative of one of the source's (strongest first)."""
    children = children_map(parent_map) if children is None else children
    shared = sorted(source.keys() & target.keys(), key=lambda c: (-source[c] * target[c], c))
    related: dict[int, float] = {}
    for concept, weight in source.items():
        for relative, relation in concept_neighbours(concept, parent_map, children):
            if relation != "same" and relative in target and relative not in source:
                value = weight * target[relative] * HIERARCHY_WEIGHTS[relation]
                related[relative] = max(related.get(relative, 0.0), value)
    return shared[:limit], sorted(related, key=lambda c: (-related[c], c))[:limit]


EXPLANATION_VERSION = 5
COMPONENT_NAMES = ("semantic", "lexical", "concept", "kind", "complementarity", "reciprocity")
