"""How well two profiles fit: pure functions, no database.

A *profile* is an opportunity or an organisation reduced to what the engine compares:
weighted taxonomy concepts (declared competences weigh 1.0, concepts only found in the text
weigh TEXT_CONCEPT_WEIGHT), a TF-IDF text vector and a few attributes (`Traits`).

The score of a pair (0–100) is

    100 · harmonic_mean(relevance(A→B), relevance(B→A)) · partner_kind_factor · responsiveness

with relevance(X→Y) = W_COMPETENCE·coverage(X→Y) + W_TEXT·text + W_COMPLEMENT·complementarity.
Coverage uses the taxonomy: the same concept counts 1, a parent or child 0.5, a grandparent,
grandchild or sibling 0.25. Text similarity and complementarity are symmetric; the two
coverages are not, which is where reciprocity comes from: a pair scores high only when each
side covers what the other is about.

The combining functions accept floats or numpy arrays, so the engine scores all candidates
at once with exactly the arithmetic that the unit tests check pair by pair.
"""

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

W_COMPETENCE = 0.6
W_TEXT = 0.25
W_COMPLEMENT = 0.15
TEXT_SATURATION = 0.5  # a cosine of 0.5 already counts as full text agreement
TEXT_CONCEPT_WEIGHT = 0.6
PARTNER_KIND_MISMATCH = 0.5
MAX_RESPONSIVENESS_PENALTY = 0.2
HIERARCHY_WEIGHTS = {"same": 1.0, "parent": 0.5, "child": 0.5, "near": 0.25}
MIN_STORED_SCORE = 5

# Organisation.Kind values → groups used by the rules (kept as strings: no model import here).
INDUSTRY_KINDS = frozenset({"large_enterprise", "sme", "startup"})
SCIENCE_KINDS = frozenset({"university", "university_applied", "research_institute"})
SMALL_KINDS = frozenset({"sme", "startup"})
SMALL_SIZE_BANDS = frozenset({"1-9", "10-49", "50-249"})
LARGE_SIZE_BANDS = frozenset({"1000+", "250-999"})
ENERGY_SUPPLY_SECTORS = frozenset({"energy-supply"})
ENERGY_INTENSIVE_SECTORS = frozenset({"steel", "chemicals", "cement-lime", "glass", "paper"})
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
def inverse_document_frequencies(documents: Iterable[Iterable[str]]) -> dict[str, float]:
    """Smoothed IDF as in scikit-learn: ln((1 + n) / (1 + df)) + 1."""
    frequency: Counter[str] = Counter()
    count = 0
    for tokens in documents:
        frequency.update(set(tokens))
        count += 1
    return {term: math.log((1 + count) / (1 + df)) + 1.0 for term, df in frequency.items()}


def tfidf_vector(tokens: Iterable[str], idf: Mapping[str, float]) -> dict[str, float]:
    """Sub-linear TF × IDF, L2-normalised; unknown terms are ignored."""
    counts = Counter(t for t in tokens if t in idf)
    vector = {t: (1.0 + math.log(n)) * idf[t] for t, n in counts.items()}
    norm = math.sqrt(sum(v * v for v in vector.values()))
    return {t: v / norm for t, v in vector.items()} if norm else {}


def cosine(u: Mapping[str, float], v: Mapping[str, float]) -> float:
    """Dot product of two L2-normalised sparse vectors."""
    if len(u) > len(v):
        u, v = v, u
    return sum(w * v.get(t, 0.0) for t, w in u.items())


def shared_terms(u: Mapping[str, float], v: Mapping[str, float], limit: int = 3) -> list[str]:
    """The terms contributing most to the cosine of u and v."""
    common = sorted(((u[t] * v[t], t) for t in u.keys() & v.keys()), key=lambda x: (-x[0], x[1]))
    return [t for _, t in common[:limit]]


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
        return {
            name: getattr(self, f"is_{name}")
            for name in ("industry", "science", "small", "large", "supplier", "intensive")
        }


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
    value = 0.0
    for name, weight in COMPLEMENT_RULES:
        value = np.maximum(value, np.where(rules[name], weight, 0.0))
    return value if isinstance(value, np.ndarray) and value.ndim else float(value)


def partner_kind_factor(sought: Iterable[str], organisation_kind: str) -> float:
    """1 when the opportunity seeks any partner or this kind, PARTNER_KIND_MISMATCH otherwise."""
    sought = set(sought)
    if not sought or PARTNER_KIND_OF.get(organisation_kind) in sought:
        return 1.0
    return PARTNER_KIND_MISMATCH


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
def harmonic_mean(x, y):
    """Harmonic mean of two non-negative values (0 when both are 0). Floats or arrays."""
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    total = x + y
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(total > 0, 2.0 * x * y / np.where(total > 0, total, 1.0), 0.0)
    return value if value.ndim else float(value)


def relevance(coverage, text, complement):
    """One direction's relevance (0–1)."""
    text_part = np.minimum(1.0, np.asarray(text, dtype=float) / TEXT_SATURATION)
    value = W_COMPETENCE * np.asarray(coverage) + W_TEXT * text_part + W_COMPLEMENT * complement
    return value if np.ndim(value) else float(value)


def raw_score(forward, backward, text, complement, kind_factor=1.0, responsiveness_factor=1.0):
    """0–1 score before rounding; zero when neither competences nor text overlap, so that
    complementarity alone never makes a match."""
    value = (
        harmonic_mean(relevance(forward, text, complement), relevance(backward, text, complement))
        * np.asarray(kind_factor)
        * np.asarray(responsiveness_factor)
    )
    has_overlap = (np.asarray(forward) + np.asarray(backward) + np.asarray(text)) > 0
    value = np.where(has_overlap, value, 0.0)
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


EXPLANATION_VERSION = 4
COMPONENT_NAMES = (
    "forward",
    "backward",
    "text",
    "complementarity",
    "partner_kind",
    "responsiveness",
)


def build_explanation(
    *,
    shared: list[int],
    related: list[int],
    rules: list[str],
    kinds: tuple[str, str],
    terms: list[str],
    components: Mapping[str, float],
) -> dict:
    """The stored Match.explanation (version 4, compact; see matchmaking.engine): concepts by
    id, the complementarity rules that hold with the two organisation kinds they relate, the
    shared words, and the score components in COMPONENT_NAMES order."""
    explanation: dict = {"v": EXPLANATION_VERSION, "s": shared, "r": related}
    if rules:
        explanation["c"] = rules
        explanation["k"] = list(kinds)
    explanation["t"] = terms
    explanation["x"] = [round(float(components[name]), 3) for name in COMPONENT_NAMES]
    return explanation
