"""The matching engine: loads profiles with a handful of queries, keeps an inverted
(column-oriented) sparse index of all candidates, scores opportunities against all of them at
once and stores the best ones as Match rows.

Match.explanation (version 1)::

    {
      "version": 1,
      "score": 87,                                  # the same as Match.score
      "shared": [{"slug": "battery-storage", "de": "Batteriespeicher", "en": "Battery storage"}],
      "complementary": [{"key": "science_industry", "from": "large_enterprise",
                         "to": "research_institute"}],
      "related": [{"slug": "insulation-testing", "de": "Isolationsprüfung",
                   "en": "Insulation testing"}],
      "terms": ["Prüfstand", "Hochvolt"],           # shared words of the two texts
      "components": {"forward": 1.0, "backward": 0.707, "text": 0.31,
                     "complementarity": 1.0, "partner_kind": 1.0, "responsiveness": 1.0},
      "sentence": {"en": "Shared: battery storage; complementary: large enterprise ↔ research
                   institute; also relevant: insulation testing.", "de": "…"}
    }

"shared" are concepts both sides have (declared or found in their text), "related" the target's
concepts that are a parent, child or close relative of one of the opportunity's, "complementary"
the rules of `scoring.complement_rules` that hold, with the Organisation.Kind values of the
opportunity's organisation ("from") and of the target's ("to"). Templates can render the lists
themselves (`explanation_sentence(explanation, language)` does it with gettext); "sentence"
is the same text rendered when the match was computed.

The index lives in the process (a Celery worker keeps it between tasks) and is kept current
by overlaying changed rows: `refresh()` marks changed rows of the base blocks dead and scores
their new versions from a small delta block; once the delta is large the index is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext
from scipy import sparse

from matchmaking import scoring
from matchmaking.models import ContactRequest, Match, MatchFeedback, Opportunity
from matchmaking.text import tokenize, tokenize_with_surface
from partners.models import Competence, Organisation

TOP_ORGANISATIONS = 20
TOP_OPPORTUNITIES = 20
MAX_DELTA_ROWS = 2000
MAX_REVERSE_UPDATES = 200
PARTNER_KINDS = ("industry", "sme", "science", "public", "association")
FLAG_NAMES = ("industry", "science", "small", "large", "supplier", "intensive")
KIND_CODES = {"": 0, Opportunity.Kind.OFFER: 1, Opportunity.Kind.REQUEST: 2}


# --- profiles ---------------------------------------------------------------------------------
@dataclass
class Taxonomy:
    parent_map: dict[int, int | None]
    names: dict[int, tuple[str, str, str]]  # id → (slug, German, English)
    pattern: re.Pattern | None
    term_concepts: dict[str, set[int]]
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Taxonomy:
        return cls.from_rows(
            Competence.objects.values_list(
                "id", "parent_id", "slug", "name_de", "name_en", "synonyms"
            )
        )

    @classmethod
    def from_tree(cls, tree: list) -> Taxonomy:
        """From the nested tuples of partners.taxonomy (ids numbered 1, 2, … in order)."""
        rows: list[tuple] = []

        def walk(entries, parent_id):
            for slug, name_de, name_en, synonyms, children in entries:
                rows.append((len(rows) + 1, parent_id, slug, name_de, name_en, synonyms))
                walk(children, len(rows))

        walk(tree, None)
        return cls.from_rows(rows)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> Taxonomy:
        """(id, parent id, slug, German, English, comma-separated synonyms) per concept."""
        parent_map, names, term_concepts = {}, {}, {}
        for concept_id, parent_id, slug, name_de, name_en, synonyms in rows:
            parent_map[concept_id] = parent_id
            names[concept_id] = (slug, name_de, name_en)
            for term in [name_de, name_en, *synonyms.split(",")]:
                term = term.strip().lower()
                if len(term) >= 2:
                    term_concepts.setdefault(term, set()).add(concept_id)
        # Long terms also count inside German compounds, short ones (H2, PEM, KI) only as words.
        alternatives = [
            re.escape(t) if len(t) >= 5 else rf"(?<!\w){re.escape(t)}(?!\w)"
            for t in sorted(term_concepts, key=len, reverse=True)
        ]
        pattern = re.compile("|".join(alternatives)) if alternatives else None
        return cls(parent_map, names, pattern, term_concepts, scoring.children_map(parent_map))

    def concepts_in(self, text: str) -> set[int]:
        if self.pattern is None:
            return set()
        found: set[int] = set()
        for match in self.pattern.finditer(text.lower()):
            found |= self.term_concepts[match.group(0)]
        return found

    def label(self, concept_id: int) -> dict[str, str]:
        slug, name_de, name_en = self.names[concept_id]
        return {"slug": slug, "de": name_de, "en": name_en}


@dataclass
class Profile:
    """An opportunity (kind offer/request) or an organisation (kind "") ready for scoring."""

    key: int
    organisation_id: int
    kind: str
    concepts: dict[int, float]
    tokens: list[str]
    text: str
    language: str
    organisation_kind: str
    traits: scoring.Traits
    sought: tuple[str, ...] = ()
    valid_until: int = 0  # proleptic ordinal; 0 for organisations


def _profile_concepts(declared: Iterable[int], text: str, taxonomy: Taxonomy) -> dict[int, float]:
    concepts = dict.fromkeys(taxonomy.concepts_in(text), scoring.TEXT_CONCEPT_WEIGHT)
    concepts.update(dict.fromkeys(declared, 1.0))
    return concepts


def _organisation_rows(ids: Iterable[int] | None):
    queryset = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    return queryset


def load_organisation_profiles(
    taxonomy: Taxonomy, ids: Iterable[int] | None = None
) -> dict[int, Profile]:
    """Active organisations (all, or those of `ids`) in three queries."""
    organisations = _organisation_rows(ids)
    competences: dict[int, list[int]] = {}
    for organisation_id, competence_id in Organisation.competences.through.objects.filter(
        organisation__in=organisations
    ).values_list("organisation_id", "competence_id"):
        competences.setdefault(organisation_id, []).append(competence_id)
    sectors: dict[int, set[str]] = {}
    for organisation_id, slug in Organisation.sectors.through.objects.filter(
        organisation__in=organisations
    ).values_list("organisation_id", "sector__slug"):
        sectors.setdefault(organisation_id, set()).add(slug)
    profiles = {}
    for pk, kind, size_band, description_de, description_en, keywords in organisations.values_list(
        "id", "kind", "size_band", "description_de", "description_en", "keywords"
    ):
        text_de = f"{description_de}\n{keywords}"
        profiles[pk] = Profile(
            key=pk,
            organisation_id=pk,
            kind="",
            concepts=_profile_concepts(
                competences.get(pk, ()), f"{text_de}\n{description_en}", taxonomy
            ),
            tokens=tokenize(text_de, "de") + tokenize(description_en, "en"),
            text=f"{text_de}\n{description_en}",
            language="de",
            organisation_kind=kind,
            traits=scoring.Traits(kind, size_band, frozenset(sectors.get(pk, ()))),
        )
    return profiles


def load_opportunity_profiles(
    taxonomy: Taxonomy,
    organisations: dict[int, Profile],
    ids: Iterable[int] | None = None,
) -> dict[int, Profile]:
    """Published opportunities of active organisations (all, or those of `ids`): two queries.
    Expiry is checked at scoring time, so the index does not go stale at midnight."""
    queryset = Opportunity.objects.filter(
        status=Opportunity.Status.PUBLISHED, organisation__status=Organisation.Status.ACTIVE
    )
    if ids is not None:
        queryset = queryset.filter(id__in=list(ids))
    competences: dict[int, list[int]] = {}
    for opportunity_id, competence_id in Opportunity.competences.through.objects.filter(
        opportunity__in=queryset
    ).values_list("opportunity_id", "competence_id"):
        competences.setdefault(opportunity_id, []).append(competence_id)
    profiles = {}
    rows = queryset.values_list(
        "id",
        "organisation_id",
        "kind",
        "title",
        "description",
        "project_idea",
        "language",
        "partner_kinds",
        "valid_until",
    )
    for pk, org_id, kind, title, description, idea, language, sought, valid_until in rows:
        organisation = organisations.get(org_id)
        if organisation is None:
            continue
        text = f"{title}\n{title}\n{description}\n{idea}"
        profiles[pk] = Profile(
            key=pk,
            organisation_id=org_id,
            kind=kind,
            concepts=_profile_concepts(competences.get(pk, ()), text, taxonomy),
            tokens=tokenize(text, language),
            text=text,
            language=language,
            organisation_kind=organisation.organisation_kind,
            traits=organisation.traits,
            sought=tuple(sought or ()),
            valid_until=valid_until.toordinal(),
        )
    return profiles


def load_responsiveness() -> dict[int, float]:
    """Organisation id → responsiveness factor (only organisations that were ever asked)."""
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


# --- the index --------------------------------------------------------------------------------
class Block:
    """Profiles of one sort as column-oriented sparse matrices: concept → rows and
    term → rows (CSR of the transposed matrices, i.e. inverted indexes), plus attributes."""

    def __init__(self, profiles: list[Profile], index: MatchingIndex):
        self.profiles = profiles
        n = len(profiles)
        self.keys = np.fromiter((p.key for p in profiles), dtype=np.int64, count=n)
        self.position = {int(k): i for i, k in enumerate(self.keys)}
        self.organisation_ids = np.fromiter(
            (p.organisation_id for p in profiles), dtype=np.int64, count=n
        )
        self.kinds = np.fromiter((KIND_CODES[p.kind] for p in profiles), dtype=np.int8, count=n)
        self.valid_until = np.fromiter((p.valid_until for p in profiles), dtype=np.int64, count=n)
        self.alive = np.ones(n, dtype=bool)
        self.flags = {
            name: np.fromiter((getattr(p.traits, f"is_{name}") for p in profiles), bool, n)
            for name in FLAG_NAMES
        }
        self.partner_kind_bits = np.fromiter(
            (_bits([scoring.PARTNER_KIND_OF.get(p.organisation_kind, "")]) for p in profiles),
            dtype=np.int64,
            count=n,
        )
        self.sought_bits = np.fromiter((_bits(p.sought) for p in profiles), np.int64, n)
        concepts = index.concept_matrix([p.concepts for p in profiles])
        self.concepts = concepts.T.tocsr()  # concept → rows
        self.expanded = index.concept_matrix([index.expand(p.concepts) for p in profiles]).T.tocsr()
        self.sizes = np.asarray(concepts.sum(axis=1)).ravel()
        self.texts = index.text_matrix([p.tokens for p in profiles]).T.tocsr()  # term → rows
        self._responsiveness: tuple[dict, np.ndarray] | None = None

    def responsiveness(self, factors: dict[int, float]) -> np.ndarray:
        """Per row, the responsiveness factor of its organisation (cached per factor map)."""
        if self._responsiveness is None or self._responsiveness[0] is not factors:
            values = np.ones(len(self.profiles))
            for organisation_id, factor in factors.items():
                values[self.organisation_ids == organisation_id] = factor
            self._responsiveness = (factors, values)
        return self._responsiveness[1]


def _bits(kinds: Iterable[str]) -> int:
    return sum(1 << PARTNER_KINDS.index(k) for k in kinds if k in PARTNER_KINDS)


class MatchingIndex:
    """Everything needed to score, built from the database in a few queries."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        organisations: dict,
        opportunities: dict,
        responsiveness: dict[int, float] | None = None,
    ):
        self.taxonomy = taxonomy
        self.concept_columns = {c: i for i, c in enumerate(sorted(taxonomy.parent_map))}
        documents = [p.tokens for p in organisations.values()] + [
            p.tokens for p in opportunities.values()
        ]
        idf = scoring.inverse_document_frequencies(documents)
        self.vocabulary = {term: i for i, term in enumerate(sorted(idf))}
        self.idf = idf
        self.organisation_profiles = organisations
        self.opportunity_profiles = opportunities
        self.organisations = Block(list(organisations.values()), self)
        self.opportunities = Block(list(opportunities.values()), self)
        self.delta_organisations = Block([], self)
        self.delta_opportunities = Block([], self)
        self.built_at = self.refreshed_at = timezone.now()
        self.responsiveness = load_responsiveness() if responsiveness is None else responsiveness

    @classmethod
    def build(cls) -> MatchingIndex:
        taxonomy = Taxonomy.load()
        organisations = load_organisation_profiles(taxonomy)
        opportunities = load_opportunity_profiles(taxonomy, organisations)
        return cls(taxonomy, organisations, opportunities)

    # vectorising
    def expand(self, concepts: dict[int, float]) -> dict[int, float]:
        return scoring.expand_concepts(concepts, self.taxonomy.parent_map, self.taxonomy.children)

    def concept_matrix(self, rows: list[dict[int, float]]) -> sparse.csr_matrix:
        return _csr(rows, self.concept_columns, len(self.concept_columns))

    def tfidf(self, tokens: list[str]) -> dict[str, float]:
        return scoring.tfidf_vector(tokens, self.idf)

    def text_matrix(self, token_lists: list[list[str]]) -> sparse.csr_matrix:
        return _csr([self.tfidf(t) for t in token_lists], self.vocabulary, len(self.vocabulary))

    # keeping current
    def refresh(
        self,
        *,
        opportunity_ids: Iterable[int] = (),
        organisation_ids: Iterable[int] = (),
    ) -> None:
        """Reloads the given rows, every row updated since the last refresh, and drops rows
        that disappeared (deleted, unpublished by a bulk update, rolled back)."""
        since = self.refreshed_at - dt.timedelta(seconds=5)
        self.refreshed_at = timezone.now()
        opportunity_ids = set(opportunity_ids) | set(
            Opportunity.objects.filter(updated_at__gte=since).values_list("id", flat=True)
        )
        organisation_ids = set(organisation_ids) | set(
            Organisation.objects.filter(updated_at__gte=since).values_list("id", flat=True)
        )
        organisation_ids |= self.organisation_profiles.keys() - set(
            _organisation_rows(None).values_list("id", flat=True)
        )
        opportunity_ids |= self.opportunity_profiles.keys() - set(
            Opportunity.objects.filter(status=Opportunity.Status.PUBLISHED).values_list(
                "id", flat=True
            )
        )
        if organisation_ids:
            # An organisation's kind and sectors are part of its opportunities' profiles.
            opportunity_ids |= set(
                Opportunity.objects.filter(organisation_id__in=organisation_ids).values_list(
                    "id", flat=True
                )
            )
        organisations = load_organisation_profiles(self.taxonomy, organisation_ids)
        for pk in organisation_ids:
            self.organisation_profiles.pop(pk, None)
        self.organisation_profiles.update(organisations)
        opportunities = load_opportunity_profiles(
            self.taxonomy, self.organisation_profiles, opportunity_ids
        )
        for pk in opportunity_ids:
            self.opportunity_profiles.pop(pk, None)
        self.opportunity_profiles.update(opportunities)
        self.responsiveness = load_responsiveness()
        self._overlay(self.organisations, organisation_ids, "delta_organisations", organisations)
        self._overlay(self.opportunities, opportunity_ids, "delta_opportunities", opportunities)

    def _overlay(self, base: Block, changed: set[int], delta_name: str, fresh: dict) -> None:
        if not changed:
            return
        for pk in changed:
            if pk in base.position:
                base.alive[base.position[pk]] = False
        delta: Block = getattr(self, delta_name)
        kept = [p for p in delta.profiles if p.key not in changed]
        setattr(self, delta_name, Block(kept + list(fresh.values()), self))

    @property
    def delta_size(self) -> int:
        return len(self.delta_opportunities.profiles) + len(self.delta_organisations.profiles)


def _csr(rows: list[dict], columns: dict, width: int) -> sparse.csr_matrix:
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for row in rows:
        for key, value in row.items():
            column = columns.get(key)
            if column is not None:
                indices.append(column)
                data.append(value)
        indptr.append(len(indices))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int64), indptr),
        shape=(len(rows), width),
    )


_index: MatchingIndex | None = None
_index_lock = threading.Lock()


def get_index(*, opportunity_ids=(), organisation_ids=()) -> MatchingIndex:
    """The process's index, brought up to date with the given and all recently updated rows."""
    global _index
    with _index_lock:
        if _index is None or _index.delta_size > MAX_DELTA_ROWS:
            _index = MatchingIndex.build()
        else:
            _index.refresh(opportunity_ids=opportunity_ids, organisation_ids=organisation_ids)
        return _index


def reset_index() -> None:
    """Forget the process's index (tests, and after a full rebuild)."""
    global _index
    with _index_lock:
        _index = None


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


# --- explanations -----------------------------------------------------------------------------
def explanation_for(
    index: MatchingIndex, source: Profile, target: Profile, score: int, components: dict
) -> dict:
    shared, related = scoring.explain_concepts(
        source.concepts, target.concepts, index.taxonomy.parent_map, index.taxonomy.children
    )
    rules = scoring.complement_rules(source.traits.flags(), target.traits.flags())
    complementary = [
        {"key": name, "from": source.organisation_kind, "to": target.organisation_kind}
        for name, _weight in scoring.COMPLEMENT_RULES
        if rules[name]
    ]
    source_vector, surface = _source_text(index, source)
    stems = scoring.shared_terms(source_vector, index.tfidf(target.tokens), 3)
    explanation = scoring.build_explanation(
        score=score,
        shared=[index.taxonomy.label(c) for c in shared],
        related=[index.taxonomy.label(c) for c in related],
        complementary=complementary,
        terms=[surface.get(s, s) for s in stems],
        components=components,
    )
    explanation["sentence"] = {
        language: explanation_sentence(explanation, language) for language in ("en", "de")
    }
    return explanation


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


def explanation_sentence(explanation: dict, language: str) -> str:
    """The explanation as one sentence in `language` (labels through gettext)."""
    labels = _labels(language)
    parts = []
    if explanation.get("shared"):
        names = ", ".join(c[language] for c in explanation["shared"])
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
        names = ", ".join(c[language] for c in explanation["related"])
        parts.append(labels["related"] % {"names": names})
    if explanation.get("terms") and not explanation.get("shared"):
        parts.append(labels["terms"] % {"terms": ", ".join(explanation["terms"])})
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


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
                        explanation=explanation_for(index, source, target, score, components),
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
                    explanation=explanation_for(index, profile, source, score, components),
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


def update_organisation(organisation_id: int) -> int:
    """After an organisation's profile changed: its own opportunities, and the opportunities
    whose organisation lists it enters or leaves. Returns the number updated."""
    index = get_index(organisation_ids=[organisation_id])
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
