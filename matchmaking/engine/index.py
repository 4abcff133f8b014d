"""The in-process index: candidates as column-oriented sparse blocks, kept current by
overlaying changed rows."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterable

import numpy as np
from django.utils import timezone
from scipy import sparse

from matchmaking import scoring
from matchmaking.engine.profiles import (
    FLAG_NAMES,
    KIND_CODES,
    MAX_DELTA_ROWS,
    PARTNER_KINDS,
    Profile,
    Taxonomy,
    _organisation_rows,
    load_opportunity_profiles,
    load_organisation_profiles,
    load_responsiveness,
)
from matchmaking.models import Opportunity
from partners.models import Organisation


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
        self._relatives: dict[int, list[tuple[int, float]]] = {}
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
    def build(cls, *, processes: int = 1) -> MatchingIndex:
        taxonomy = Taxonomy.load()
        organisations = load_organisation_profiles(taxonomy)
        opportunities = load_opportunity_profiles(taxonomy, organisations, processes=processes)
        return cls(taxonomy, organisations, opportunities)

    # vectorising
    def expand(self, concepts: dict[int, float]) -> dict[int, float]:
        """The concepts spread over the hierarchy: scoring.expand_concepts, with each
        concept's relatives looked up once per index instead of once per profile."""
        relatives = self._relatives
        expanded: dict[int, float] = {}
        for concept, weight in concepts.items():
            found = relatives.get(concept)
            if found is None:
                found = relatives[concept] = [
                    (relative, scoring.HIERARCHY_WEIGHTS[relation])
                    for relative, relation in scoring.concept_neighbours(
                        concept, self.taxonomy.parent_map, self.taxonomy.children
                    )
                ]
            for relative, factor in found:
                value = weight * factor
                if value > expanded.get(relative, 0.0):
                    expanded[relative] = value
        return expanded

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
    """Rows of {key: value} as a CSR matrix over `columns` (keys without a column are left
    out), in each row's order."""
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    total = int(lengths.sum())
    indices = np.fromiter(
        (columns.get(key, -1) for row in rows for key in row), dtype=np.int64, count=total
    )
    data = np.fromiter(
        (value for row in rows for value in row.values()), dtype=np.float64, count=total
    )
    known = indices >= 0
    counts = lengths
    if not known.all():
        counts = np.bincount(np.repeat(np.arange(len(rows)), lengths)[known], minlength=len(rows))
        indices, data = indices[known], data[known]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return sparse.csr_matrix((data, indices, indptr), shape=(len(rows), width))


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


def build_index(*, processes: int = 1) -> MatchingIndex:
    """A new index for this process, built with `processes` processes (the full rebuild)."""
    global _index
    with _index_lock:
        _index = MatchingIndex.build(processes=processes)
        return _index


def reset_index() -> None:
    """Forget the process's index (tests and benchmarks; a full rebuild replaces it with
    build_index)."""
    global _index
    with _index_lock:
        _index = None
