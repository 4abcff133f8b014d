"""The profiles of all active organisations and opportunities as arrays, for scoring many
pairs at once.

A process keeps one `ProfileIndex` and calls `get_index()` before every use: that re-reads
the rows changed in the last minutes (MatchingProfile.updated_at) and drops deleted ones, so
a save in any process is seen by the next task in every other. Nothing is frozen: words are
hashed into columns (no vocabulary), word weights come from general language (text.weight).
Changed rows are appended and their old slots marked dead; after many changes, or if the
rows cannot be reconciled, the index is loaded anew.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import numpy as np
from django.utils import timezone
from scipy import sparse

from matchmaking import scoring
from matchmaking import text as text_module
from matchmaking.engine.profiles import Taxonomy
from matchmaking.models import MatchingProfile

HASH_COLUMNS = 1 << 20
RECENT = dt.timedelta(minutes=10)  # rows re-read on every sync (commits can lag updated_at)
KIND_CODES = {"": 0, "offer": 1, "request": 2}
NEVER = 10**7  # valid_until of organisation profiles


def term_column(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode(), digest_size=8).digest()) % HASH_COLUMNS


@dataclass
class Row:
    """One profile as the scoring code sees it."""

    profile_id: int
    organisation_id: int
    opportunity_id: int  # 0 for an organisation's own profile
    kind: int
    valid_until: int
    organisation_kind: str
    partner_kind: str
    sought: tuple[str, ...]
    flags: frozenset[str]
    language: str
    concepts: dict[int, float]
    expanded: dict[int, float]
    counts: dict[str, float]
    query_terms: dict[str, float]
    document_terms: dict[str, float]
    passage: np.ndarray
    query: np.ndarray
    sentence_vectors: np.ndarray
    sentences: list[str]
    updated_at: dt.datetime


def _row(profile: MatchingProfile, taxonomy: Taxonomy) -> Row:
    vectors = np.frombuffer(bytes(profile.embedding.vectors), dtype=np.float32).reshape(
        -1, profile.embedding.dimensions
    )
    concepts = {int(k): float(v) for k, v in profile.concepts.items()}
    counts = profile.terms
    return Row(
        profile_id=profile.pk,
        organisation_id=profile.organisation_id,
        opportunity_id=profile.opportunity_id or 0,
        kind=KIND_CODES[profile.kind],
        valid_until=profile.valid_until.toordinal() if profile.valid_until else NEVER,
        organisation_kind=profile.organisation_kind,
        partner_kind=scoring.PARTNER_KIND_OF.get(profile.organisation_kind, ""),
        sought=tuple(profile.sought),
        flags=frozenset(profile.flags),
        language=profile.language,
        concepts=concepts,
        expanded=scoring.expand_concepts(concepts, taxonomy.parent_map, taxonomy.children),
        counts=counts,
        query_terms=scoring.query_weights(
            counts, {t: text_module.weight(t, profile.language) for t in counts}
        ),
        document_terms=scoring.document_weights(counts),
        passage=vectors[0],
        query=vectors[1],
        sentence_vectors=vectors[2:],
        sentences=list(profile.sentences),
        updated_at=profile.updated_at,
    )


def _rows_queryset():
    return (
        MatchingProfile.objects.filter(is_active=True, embedding__isnull=False)
        .select_related("embedding")
        .order_by("pk")
    )


class ProfileIndex:
    """The live rows in two blocks of arrays: the base, built when the index is loaded (its
    changed or deleted rows are masked out), and a small delta of rows changed since, rebuilt
    on change. After MAX_DELTA changed rows the index is loaded anew."""

    MAX_DELTA = 2000

    def __init__(self, taxonomy: Taxonomy, rows: list[Row]):
        self.taxonomy = taxonomy
        self.loaded_at = timezone.now()
        self.base = Arrays.of(rows)
        self.base_alive = np.ones(len(rows), dtype=bool)
        self.base_position = {row.profile_id: i for i, row in enumerate(rows)}
        self.delta: dict[int, Row] = {}
        self.live: dict[int, Row] = {row.profile_id: row for row in rows}
        self.by_organisation: dict[int, dict[int, Row]] = {}
        for row in rows:
            self.by_organisation.setdefault(row.organisation_id, {})[row.profile_id] = row
        self._view: View | None = None

    # --- keeping current --------------------------------------------------------------------
    @classmethod
    def load(cls) -> ProfileIndex:
        taxonomy = Taxonomy.load()
        loaded_at = timezone.now()
        rows = [_row(profile, taxonomy) for profile in _rows_queryset().iterator(chunk_size=2000)]
        index = cls(taxonomy, rows)
        index.loaded_at = loaded_at
        return index

    def _drop(self, profile_id: int) -> None:
        row = self.live.pop(profile_id, None)
        if row is None:
            return
        self.by_organisation.get(row.organisation_id, {}).pop(profile_id, None)
        self.delta.pop(profile_id, None)
        position = self.base_position.get(profile_id)
        if position is not None:
            self.base_alive[position] = False
        self._view = None

    def _put(self, row: Row) -> None:
        self._drop(row.profile_id)
        self.live[row.profile_id] = row
        self.delta[row.profile_id] = row
        self.by_organisation.setdefault(row.organisation_id, {})[row.profile_id] = row
        self._view = None

    def sync(self) -> bool:
        """Reads what changed since the last sync. False if the index should be reloaded."""
        since = self.loaded_at - RECENT
        now = timezone.now()
        recent = MatchingProfile.objects.filter(updated_at__gte=since).values_list(
            "pk", "updated_at", "is_active", "embedding_id"
        )
        changed = []
        for pk, updated_at, is_active, embedding_id in recent:
            row = self.live.get(pk)
            if not is_active or embedding_id is None:
                self._drop(pk)
            elif row is None or row.updated_at != updated_at:
                changed.append(pk)
        if len(self.delta) + len(changed) > self.MAX_DELTA:
            return False
        for profile in _rows_queryset().filter(pk__in=changed):
            self._put(_row(profile, self.taxonomy))
        self.loaded_at = now
        alive = _rows_queryset().count()
        if alive != len(self.live):
            present = set(_rows_queryset().values_list("pk", flat=True))
            for profile_id in set(self.live) - present:
                self._drop(profile_id)
            if present - set(self.live):
                return False  # rows older than RECENT that this index never saw
        return True

    # --- reading ----------------------------------------------------------------------------
    def view(self) -> View:
        if self._view is None:
            self._view = View(
                [
                    (self.base, self.base_alive),
                    (delta := Arrays.of(list(self.delta.values())), np.ones(len(delta.rows), bool)),
                ]
            )
        return self._view

    def rows_of_organisation(self, organisation_id: int) -> list[Row]:
        rows = self.by_organisation.get(organisation_id, {})
        return [rows[pk] for pk in sorted(rows)]


class View:
    """The blocks as one sequence of positions (`all_rows`, the id arrays); `map` runs a
    vectorised function on each block and joins the results, −1 at dead positions."""

    def __init__(self, parts: list[tuple[Arrays, np.ndarray]]):
        self.parts = parts
        self.organisation_ids = np.concatenate([a.organisation_ids for a, _ in parts])
        self.opportunity_ids = np.concatenate([a.opportunity_ids for a, _ in parts])
        self.kinds = np.concatenate([a.kinds for a, _ in parts])
        self.rows = [row for a, alive in parts for row, ok in zip(a.rows, alive, strict=True) if ok]
        self.all_rows = [row for a, _alive in parts for row in a.rows]  # by position

    def map(self, function) -> np.ndarray:
        return self.map_many(lambda arrays, _part: function(arrays)[None, :])[0]

    def map_many(self, function) -> np.ndarray:
        """Runs function(arrays, part number), which returns one row of scores per source, on
        each block and joins the blocks: sources × positions, −1 at dead positions."""
        results = [
            np.where(alive[None, :], function(arrays, part), -1)
            for part, (arrays, alive) in enumerate(self.parts)
        ]
        return np.concatenate(results, axis=1).astype(np.int64)


@dataclass
class Arrays:
    """Column arrays of the live rows, in one order."""

    rows: list[Row]
    organisation_ids: np.ndarray
    opportunity_ids: np.ndarray
    kinds: np.ndarray
    valid_until: np.ndarray
    passage: np.ndarray  # n × d
    query: np.ndarray  # n × d
    # by column (CSC): a product with a sparse vector reads only the columns it names
    document_terms: sparse.csc_matrix  # n × HASH_COLUMNS
    query_terms: sparse.csc_matrix
    concepts: sparse.csc_matrix  # n × concept ids
    expanded: sparse.csc_matrix
    concept_totals: np.ndarray
    flags: np.ndarray  # n × len(FLAG_NAMES), bool
    partner_kinds: np.ndarray  # bit of the organisation's partner kind
    sought: np.ndarray  # bits of the partner kinds sought (0: any)
    by_organisation: dict[int, list[int]]

    @classmethod
    def of(cls, rows: list[Row]) -> Arrays:
        by_organisation: dict[int, list[int]] = {}
        for position, row in enumerate(rows):
            by_organisation.setdefault(row.organisation_id, []).append(position)
        width = max(
            [1, *(max(r.expanded, default=0) + 1 for r in rows)],
        )
        dimensions = rows[0].passage.shape[0] if rows else 384
        return cls(
            rows=rows,
            organisation_ids=np.array([r.organisation_id for r in rows], dtype=np.int64),
            opportunity_ids=np.array([r.opportunity_id for r in rows], dtype=np.int64),
            kinds=np.array([r.kind for r in rows], dtype=np.int8),
            valid_until=np.array([r.valid_until for r in rows], dtype=np.int64),
            passage=_stack([r.passage for r in rows], dimensions),
            query=_stack([r.query for r in rows], dimensions),
            document_terms=_sparse([r.document_terms for r in rows], term_column, HASH_COLUMNS),
            query_terms=_sparse([r.query_terms for r in rows], term_column, HASH_COLUMNS),
            concepts=_sparse([r.concepts for r in rows], int, width),
            expanded=_sparse([r.expanded for r in rows], int, width),
            concept_totals=np.array([sum(r.concepts.values()) for r in rows], dtype=np.float64),
            flags=np.array(
                [[name in r.flags for name in scoring.FLAG_NAMES] for r in rows], dtype=bool
            ).reshape(len(rows), len(scoring.FLAG_NAMES)),
            partner_kinds=np.array([kind_bits([r.partner_kind]) for r in rows], dtype=np.int64),
            sought=np.array([kind_bits(r.sought) for r in rows], dtype=np.int64),
            by_organisation=by_organisation,
        )


def kind_bits(kinds) -> int:
    return sum(
        1 << scoring.PARTNER_KINDS.index(k) for k in set(kinds) if k in scoring.PARTNER_KINDS
    )


def _stack(vectors: list[np.ndarray], dimensions: int) -> np.ndarray:
    if not vectors:
        return np.zeros((0, dimensions), dtype=np.float32)
    return np.vstack(vectors).astype(np.float32, copy=False)


def _sparse(maps: list[dict], column, width: int) -> sparse.csc_matrix:
    indptr = [0]
    indices: list[int] = []
    data: list[float] = []
    for values in maps:
        for key, value in values.items():
            indices.append(column(key))
            data.append(value)
        indptr.append(len(indices))
    matrix = sparse.csr_matrix(
        (np.array(data, dtype=np.float64), np.array(indices, dtype=np.int64), indptr),
        shape=(len(maps), width),
    )
    matrix.sum_duplicates()
    return matrix.tocsc()


_index: ProfileIndex | None = None


def get_index() -> ProfileIndex:
    """This process's index, brought up to date with the database."""
    global _index
    if _index is None or not _index.sync():
        _index = ProfileIndex.load()
    return _index


def reset_index() -> None:
    global _index
    _index = None
