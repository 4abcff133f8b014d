"""Scoring many sources at once for the full rebuild.

`score_block` (compute.py) is exact but allocates a dozen float64 (sources × candidates)
arrays and its callers build explanations pair by pair in Python, which is what made the
rebuild take ~40 minutes at 100,000 opportunities. Here, per block of sources:

1. a float32 *prefilter* over every candidate that can match the block's kind of source
   (an offer never matches an offer), all at once: dense BLAS products for the concept
   parts and the frequent terms, a sparse product for the rare terms, and the score formula
   of `scoring.raw_score` with the chunk maxima of step 2 in one compiled loop (kernels.py);
2. per source and per kind of target, a lower bound of the 20th best score from the maxima of
   chunks of 64 candidates, and every candidate above it (less a margin that covers the
   float32 error);
3. the *exact* float64 score of those few candidates with the functions of `scoring`, and the
   same order as `top_rows`: rounded score, raw score, then key;
4. the explanations of the chosen pairs with vectorised set intersections, written straight
   to JSON text (shape in `matchmaking.engine`).

The float32 pass only chooses candidates; every stored score comes from step 3, so the
stored rows are those of `compute_matches` (tests compare both).
"""

from __future__ import annotations

import functools
import json
from typing import NamedTuple

import numpy as np
from numpy.dtypes import StringDType
from scipy import sparse

from matchmaking import scoring
from matchmaking.engine.index import Block, MatchingIndex, _bits
from matchmaking.engine.profiles import (
    FLAG_NAMES,
    KIND_CODES,
    TOP_OPPORTUNITIES,
    TOP_ORGANISATIONS,
    Profile,
)
from matchmaking.text import tokenize_with_surface

CHUNK = 64  # candidates per chunk maximum (step 2)
MARGIN = 1e-4  # float32 prefilter error is below 1e-5
MAX_DENSE_TERMS = 256
TILE = 2048  # candidate columns per pass of the prefilter (a multiple of CHUNK)
TEXT = StringDType()  # numpy's variable-width strings: columns of texts joined in C


class Row(NamedTuple):
    """One stored match as plain values (Match without the ORM; cheap to pickle)."""

    opportunity_id: int
    target_opportunity_id: int | None
    target_organisation_id: int
    score: int
    rank: int
    explanation: str  # JSON text


class Rows(NamedTuple):
    """Stored matches as columns: what a block of sources yields, cheap to concatenate and
    to write with COPY without a Python object per row. `target_opportunity_ids` is 0 where
    the target is an organisation."""

    opportunity_ids: np.ndarray
    target_opportunity_ids: np.ndarray
    target_organisation_ids: np.ndarray
    scores: np.ndarray
    ranks: np.ndarray
    explanations: np.ndarray  # JSON texts (StringDType)

    @classmethod
    def joined(cls, parts: list[Rows]) -> Rows:
        if not parts:
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty, empty, np.zeros(0, dtype=TEXT))
        return cls(*(np.concatenate(column) for column in zip(*parts, strict=True)))

    def __len__(self) -> int:
        return len(self.opportunity_ids)

    def as_rows(self) -> list[Row]:
        return list(
            map(
                Row,
                self.opportunity_ids.tolist(),
                [t or None for t in self.target_opportunity_ids.tolist()],
                self.target_organisation_ids.tolist(),
                self.scores.tolist(),
                self.ranks.tolist(),
                self.explanations.tolist(),
            )
        )

    def copy_text(self, end: str = "") -> str:
        """The rows in COPY's text format, in the column order of COPY_COLUMNS, each line
        ending with `end` (e.g. a tab and computed_at): tab-separated, \\N for NULL,
        backslashes doubled (JSON text never holds a raw tab or newline). One f-string per
        row: three times faster than numpy's string functions column by column."""
        return "".join(
            [
                f"{source}\t{target or '\\N'}\t{organisation}\t{score}\t{rank}\t"
                f"{explanation.replace('\\', '\\\\')}{end}\n"
                for source, target, organisation, score, rank, explanation in zip(
                    self.opportunity_ids.tolist(),
                    self.target_opportunity_ids.tolist(),
                    self.target_organisation_ids.tolist(),
                    self.scores.tolist(),
                    self.ranks.tolist(),
                    self.explanations.tolist(),
                    strict=True,
                )
            ]
        )


# The columns Rows.copy_text writes, in its order (computed_at is left to a default).
COPY_COLUMNS = (
    "opportunity_id",
    "target_opportunity_id",
    "target_organisation_id",
    "score",
    "rank",
    "explanation",
)


class Candidates:
    """The organisation and opportunity blocks of an index side by side (organisations first),
    as dense float32 matrices for the prefilter and float64 ones for the exact pass."""

    def __init__(self, index: MatchingIndex, today: int):
        self.index = index
        self.today = today
        organisations, opportunities = index.organisations, index.opportunities
        self.split = len(organisations.profiles)
        self.profiles: list[Profile] = organisations.profiles + opportunities.profiles
        self.n = n = len(self.profiles)

        def both(name):
            return np.concatenate([getattr(organisations, name), getattr(opportunities, name)])

        self.keys = both("keys")
        self.organisation_ids = both("organisation_ids")
        self.kinds = both("kinds")
        self.partner_kind_bits = both("partner_kind_bits")
        self.sought_bits = both("sought_bits")
        self.flags = {
            name: np.concatenate([organisations.flags[name], opportunities.flags[name]])
            for name in FLAG_NAMES
        }
        self.responsiveness = np.concatenate(
            [
                organisations.responsiveness(index.responsiveness),
                opportunities.responsiveness(index.responsiveness),
            ]
        )
        is_opportunity = self.kinds != 0
        self.usable = both("alive") & (~is_opportunity | (both("valid_until") >= today))
        self.opportunity_position = {
            int(k): self.split + i for i, k in enumerate(opportunities.keys)
        }
        # Per kind of source, the candidates that can match it at all: every organisation and
        # the opportunities of another kind (an offer never matches an offer). With the index's
        # opportunities ordered by kind these are two runs of columns, so the prefilter skips
        # about half of the opportunities.
        self.columns_for: dict[int, tuple[np.ndarray, list[tuple[int, int]]]] = {}
        for code in {KIND_CODES[k] for k in KIND_CODES if k}:
            columns = np.flatnonzero((self.kinds == 0) | (self.kinds != code))
            # runs end at the organisations' end: chunks of the bound never mix both sorts
            runs = [
                part
                for start, stop in _runs(columns)
                for part in (
                    ((start, self.split), (self.split, stop))
                    if start < self.split < stop
                    else ((start, stop),)
                )
            ]
            self.columns_for[code] = (columns, runs)
        # Concepts (row = candidate), exact and float32 transposed for BLAS.
        self.concepts = sparse.vstack(
            [organisations.concepts.T, opportunities.concepts.T]
        ).toarray()
        self.expanded = sparse.vstack(
            [organisations.expanded.T, opportunities.expanded.T]
        ).toarray()
        self.sizes = np.concatenate([organisations.sizes, opportunities.sizes])
        # The blocks' texts side by side, for the exact pass's text product. CSC: picking
        # the few candidate columns is a cheap row slice of the stored transpose, and the
        # product still sums in the source rows' order. (Its concept parts are summed by
        # pair_products from the dense rows above.)
        self.texts_by_term = sparse.hstack([organisations.texts, opportunities.texts]).tocsc()
        root = np.sqrt(self.sizes)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = np.where(root[:, None] > 0, self.concepts / root[:, None], 0.0)
        self.expanded_t32 = np.ascontiguousarray(self.expanded.T, dtype=np.float32)
        self.scaled_concepts_t32 = np.ascontiguousarray(scaled.T, dtype=np.float32)
        self.concept_ids = np.array(sorted(index.concept_columns, key=index.concept_columns.get))
        # Text: rows are candidates (exact); frequent terms dense, the rest sparse (prefilter).
        self.texts = sparse.vstack([organisations.texts.T, opportunities.texts.T]).tocsr()
        self.texts.sort_indices()
        frequency = np.bincount(self.texts.indices, minlength=self.texts.shape[1])
        frequent = np.flatnonzero(frequency >= max(1, n // CHUNK))
        frequent = frequent[np.argsort(-frequency[frequent], kind="stable")][:MAX_DENSE_TERMS]
        self.frequent = np.sort(frequent)
        is_frequent = np.zeros(self.texts.shape[1], dtype=bool)
        is_frequent[self.frequent] = True
        self.texts32 = self.texts.astype(np.float32)
        self.dense_texts_t32 = np.ascontiguousarray(
            self.texts32[:, self.frequent].toarray().T, dtype=np.float32
        )
        rare = self.texts32 @ sparse.diags((~is_frequent).astype(np.float32))
        rare.eliminate_zeros()
        self.rare_texts_t32 = rare.T.tocsr()
        self.terms = np.array(sorted(index.vocabulary, key=index.vocabulary.get), dtype=object)
        # Candidate positions of each organisation (to exclude own and contacted ones).
        order = np.argsort(self.organisation_ids, kind="stable")
        ids, starts = np.unique(self.organisation_ids[order], return_index=True)
        bounds = [*starts[1:], len(order)][: len(starts)]
        self.positions_of = {
            int(i): order[s:e] for i, s, e in zip(ids, starts, bounds, strict=True)
        }
        self.complements = _StackedVectors(n)  # see complement_row
        self.factors = _StackedVectors(n)  # see factor_row
        self._hierarchy = _hierarchy_matrix(index)
        self._concept_pairs: tuple | None = None  # see concept_pair_texts
        self._complementary_json: dict[int, str] = {}
        self._quoted: dict[str, str] = {}
        # What an explanation's complementarity part depends on, as one code per candidate:
        # organisation kind · 2^flags + the flags' bits.
        kinds: dict[str, int] = {}
        kind_codes = np.array(
            [kinds.setdefault(p.organisation_kind, len(kinds)) for p in self.profiles],
            dtype=np.int64,
        )
        bits = sum(self.flags[name].astype(np.int64) << i for i, name in enumerate(FLAG_NAMES))
        self.trait_codes = (kind_codes << len(FLAG_NAMES)) + bits
        self.trait_kinds = list(kinds)
        # numba only here, in a rebuild's parent process: the forked workers share the code
        from matchmaking.engine import kernels

        kernels.warm_up()

    def concept_pair_texts(self) -> tuple[np.ndarray, int, int]:
        """(table, base, slots per code) for the explanations' lists of concept ids: with
        codes 1 + column (0: none), table[a · base + b] is "id_a,id_b", "id_a" or "";
        one slot per code instead of two for a taxonomy of more than 512 concepts (the
        table would pass 262,144 texts). Built once."""
        if self._concept_pairs is None:
            ids = [""] + [str(i) for i in self.concept_ids.tolist()]
            base = len(ids)
            if base <= 512:
                texts = [
                    f"{a},{b}" if a and b else a or b
                    for a in ids
                    for b in ids
                ]  # fmt: skip
                self._concept_pairs = (np.array(texts, dtype=TEXT), base, 2)
            else:
                self._concept_pairs = (np.array(ids, dtype=TEXT), base, 1)
        return self._concept_pairs

    # per-source vectors over all candidates, kept by the source attributes they depend on
    def complement_row(self, source: Profile) -> int:
        """Row in `complements.matrix` of 0.15 · complementarity per candidate, plus a tiny
        constant so that the harmonic mean never divides by zero (the exact pass recomputes
        without it)."""
        flags = source.traits.flags()

        def make():
            values = scoring.complementarity(flags, self.flags)
            return (scoring.W_COMPLEMENT * values + 1e-30).astype(np.float32)

        return self.complements.row(tuple(flags.values()), make)

    def factor_row(self, source: Profile) -> int:
        """Row in `factors.matrix` of 2 (harmonic mean) · partner-kind factor ·
        responsiveness · usable, per candidate, with 0 for candidates of the same kind as the
        source."""
        own_bits = _bits([scoring.PARTNER_KIND_OF.get(source.organisation_kind, "")])
        sought = _bits(source.sought)
        kind = KIND_CODES[source.kind]

        def make():
            factor = _kind_factor(sought, own_bits, self.partner_kind_bits, self.sought_bits)
            same_kind = (self.kinds == kind) & (self.kinds != 0)
            return (2.0 * factor * self.responsiveness * self.usable * ~same_kind).astype(
                np.float32
            )

        return self.factors.row((own_bits, sought, kind), make)


def _kind_factor(sought, own_bits, partner_kind_bits, sought_bits):
    """As in score_block: the source's wish about the target, the target's about the source."""
    mismatch = scoring.PARTNER_KIND_MISMATCH
    factor = np.where((sought == 0) | ((sought & partner_kind_bits) != 0), 1.0, mismatch)
    return factor * np.where((sought_bits == 0) | ((sought_bits & own_bits) != 0), 1.0, mismatch)


def _hierarchy_matrix(index: MatchingIndex) -> np.ndarray:
    """H[a, b]: the hierarchy weight of b as a relative (not itself) of a, in columns."""
    columns = index.concept_columns
    size = len(columns)
    matrix = np.zeros((size, size))
    taxonomy = index.taxonomy
    for concept, column in columns.items():
        for relative, relation in scoring.concept_neighbours(
            concept, taxonomy.parent_map, taxonomy.children
        ):
            if relation != "same" and relative in columns:
                weight = scoring.HIERARCHY_WEIGHTS[relation]
                other = columns[relative]
                matrix[column, other] = max(matrix[column, other], weight)
    return matrix


def _runs(columns: np.ndarray) -> list[tuple[int, int]]:
    """Sorted column positions as [start, stop) runs of consecutive positions."""
    if not len(columns):
        return []
    breaks = np.flatnonzero(np.diff(columns) != 1) + 1
    starts, stops = np.r_[0, breaks], np.r_[breaks, len(columns)]
    return [(int(columns[a]), int(columns[b - 1]) + 1) for a, b in zip(starts, stops, strict=True)]


def prefilter(candidates: Candidates, sources: list[Profile], excluded: list[set[int]]):
    """float32 scores (sources × the candidates that can match them), 0 where excluded or
    without any overlap; all sources of one kind. Returns the scores, the sources' rows, the
    candidates' columns, and the maximum of each chunk of up to CHUNK candidates (sources ×
    chunks) with the chunks' first positions. Worked in column tiles: BLAS products for the
    three parts, then the formula and the chunk maxima in one compiled loop over the tile
    while it is in the CPU cache (kernels.score_tile)."""
    from matchmaking.engine import kernels  # loaded and compiled by Candidates

    c = candidates
    q = len(sources)
    kinds = {KIND_CODES[s.kind] for s in sources}
    if len(kinds) != 1:
        raise ValueError("prefilter scores sources of one kind at a time")
    columns, runs = c.columns_for[kinds.pop()]
    rows = np.array([c.opportunity_position[s.key] for s in sources])
    sizes = c.sizes[rows][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        forward_weights = np.where(sizes > 0, 0.6 * c.concepts[rows] / sizes, 0.0)
        backward_weights = np.where(sizes > 0, 0.6 * c.expanded[rows] / np.sqrt(sizes), 0.0)
    forward_weights = forward_weights.astype(np.float32)
    backward_weights = backward_weights.astype(np.float32)
    source_texts = c.texts32[rows] * np.float32(0.5)
    frequent_texts = np.ascontiguousarray(source_texts[:, c.frequent].toarray())
    rare = (source_texts @ c.rare_texts_t32).tocoo()
    rare_order = np.argsort(rare.col, kind="stable")
    rare_rows, rare_columns, rare_data = (
        rare.row[rare_order],
        rare.col[rare_order],
        rare.data[rare_order],
    )
    complement_of = np.array([c.complement_row(s) for s in sources])
    factor_of = np.array([c.factor_row(s) for s in sources])
    complements, factors = c.complements.matrix, c.factors.matrix
    scores = np.empty((q, len(columns)), dtype=np.float32)
    width = min(TILE, c.n)
    forward = np.empty((q, width), dtype=np.float32)
    backward = np.empty_like(forward)
    text = np.empty_like(forward)
    tiles = _tiles(runs)
    chunk_starts = np.concatenate(
        [np.arange(local, local + stop - start, CHUNK) for start, stop, local in tiles]
    ).astype(np.int64)
    maxima = np.empty((q, len(chunk_starts)), dtype=np.float32)
    first_chunk = 0
    for start, stop, local in tiles:
        w = stop - start
        f, b, t = forward[:, :w], backward[:, :w], text[:, :w]
        np.matmul(forward_weights, c.expanded_t32[:, start:stop], out=f)
        np.matmul(backward_weights, c.scaled_concepts_t32[:, start:stop], out=b)
        np.matmul(frequent_texts, c.dense_texts_t32[:, start:stop], out=t)
        low, high = np.searchsorted(rare_columns, [start, stop])
        if high > low:
            t[rare_rows[low:high], rare_columns[low:high] - start] += rare_data[low:high]
        kernels.score_tile(
            forward, backward, text, w, complements, complement_of, factors, factor_of, start,
            scores, local, maxima, first_chunk, CHUNK,
        )  # fmt: skip
        first_chunk += -(-w // CHUNK)
    chunk_stops = np.r_[chunk_starts[1:], len(columns)].astype(np.int64)
    _exclude(c, sources, excluded, columns, scores, maxima, chunk_starts, chunk_stops)
    return scores, rows, columns, (maxima, chunk_starts, chunk_stops)


def _tiles(runs: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """The prefilter's tiles: (first candidate, end, position of the first in the scores),
    at most TILE candidates each, within one run of candidate columns."""
    tiles, offset = [], 0  # offset: position in the scores of the run's first column
    for run_start, run_stop in runs:
        for start in range(run_start, run_stop, TILE):
            tiles.append((start, min(start + TILE, run_stop), offset + start - run_start))
        offset += run_stop - run_start
    return tiles


def _exclude(c, sources, excluded, columns, scores, maxima, chunk_starts, chunk_stops) -> None:
    """Zeroes the scores of each source's own organisation and of those it must not be
    matched with (`excluded`), and takes the maxima of the chunks concerned again."""
    source_rows, positions = [], []
    for i, source in enumerate(sources):
        for organisation_id in {source.organisation_id, *excluded[i]}:
            found = c.positions_of.get(organisation_id)
            if found is not None:
                source_rows.append(np.full(len(found), i))
                positions.append(found)
    if not positions:
        return
    source_rows, positions = np.concatenate(source_rows), np.concatenate(positions)
    local = np.searchsorted(columns, positions)
    inside = local < len(columns)
    source_rows, local, positions = source_rows[inside], local[inside], positions[inside]
    present = columns[local] == positions
    source_rows, local = source_rows[present], local[present]
    if not len(local):
        return
    scores[source_rows, local] = 0.0
    chunk = np.searchsorted(chunk_starts, local, "right") - 1
    width = len(chunk_starts)
    pairs = np.unique(source_rows * width + chunk)
    source_rows, chunk = pairs // width, pairs % width
    positions, inside = _chunk_positions(chunk_starts[chunk], chunk_stops[chunk])
    values = scores[source_rows[:, None], np.where(inside, positions, 0)]
    maxima[source_rows, chunk] = np.where(inside, values, 0.0).max(axis=1)


def _chunk_positions(starts: np.ndarray, stops: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, inside): per chunk a row of CHUNK positions from its start, and whether
    each lies before the chunk's stop (a chunk at the end of a tile or run is shorter)."""
    offsets = np.arange(CHUNK)
    return starts[:, None] + offsets, offsets < (stops - starts)[:, None]


class _StackedVectors:
    """Distinct float32 vectors over all candidates as the rows of one matrix, by key: a
    block of sources names its vectors by row instead of stacking copies of them. Grows by
    doubling."""

    def __init__(self, width: int):
        self.rows: dict[tuple, int] = {}
        self.matrix = np.empty((8, width), dtype=np.float32)  # rows past len(rows) unused

    def row(self, key: tuple, make) -> int:
        row = self.rows.get(key)
        if row is None:
            row = len(self.rows)
            if row == len(self.matrix):
                grown = np.empty((2 * row, self.matrix.shape[1]), dtype=np.float32)
                grown[:row] = self.matrix
                self.matrix = grown
            self.matrix[row] = make()
            self.rows[key] = row
        return row


def _candidates_above_bound(
    scores: np.ndarray, chunks: tuple, first: int, last: int, limit: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, position) of every score in positions [first, last) that may belong to its row's
    best `limit` above the stored minimum: at least the `limit`-th largest chunk maximum
    (some `limit` candidates reach it), less the margin for the float32 error. Only the chunks
    whose maximum reaches that are read again."""
    all_maxima, starts, stops = chunks
    inside = (starts >= first) & (stops <= last)
    maxima, starts, stops = all_maxima[:, inside], starts[inside], stops[inside]
    q, k = maxima.shape
    if not k:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    if k >= limit:
        bound = np.partition(maxima, k - limit, axis=1)[:, k - limit]
    else:
        bound = np.zeros(q, dtype=scores.dtype)
    threshold = (np.maximum(bound, (scoring.MIN_STORED_SCORE - 0.5) / 100.0) - MARGIN).astype(
        scores.dtype
    )
    rows, chunk = np.nonzero(maxima >= threshold[:, None])
    positions, valid = _chunk_positions(starts[chunk], stops[chunk])
    rows = np.broadcast_to(rows[:, None], positions.shape)[valid]
    positions = positions[valid]
    keep = scores[rows, positions] >= threshold[rows]
    return rows[keep], positions[keep]


def pair_products(
    left: sparse.csr_matrix, right: np.ndarray, pair_rows: np.ndarray, columns: np.ndarray
) -> np.ndarray:
    """(left @ right.T)[pair_rows[p], columns[p]] for each pair p, bit for bit as scipy's
    sparse product computes it, without forming the (rows × columns) product: each left row's
    entries are summed in their stored order, starting from zero (scipy's csr_matmat order);
    where the right side has no entry the term is 0.0, and adding 0.0 changes nothing.
    `right` is the dense (candidates × concepts) matrix of the sparse right side."""
    counts = np.diff(left.indptr)
    total = np.zeros(len(pair_rows))
    if not len(pair_rows):
        return total
    starts = left.indptr[:-1][pair_rows]
    pair_counts = counts[pair_rows]
    for slot in range(int(pair_counts.max())):
        present = slot < pair_counts
        entry = np.where(present, starts + slot, 0)
        values = np.where(present, left.data[entry], 0.0)
        total += values * right[columns, left.indices[entry]]
    return total


def exact_scores(candidates: Candidates, sources, rows, pair_rows, columns):
    """Exact float64 components and raw scores of the pairs (source row, candidate column),
    bit for bit those of score_block: the same source matrices; the concept parts summed per
    pair in scipy's order (pair_products), the text part by the same sparse product
    restricted to the candidate columns (a product's entry does not depend on the others)."""
    c = candidates
    index = c.index
    source = rows[pair_rows]
    source_concepts = index.concept_matrix([s.concepts for s in sources])
    source_expanded = index.concept_matrix([index.expand(s.concepts) for s in sources])
    source_texts = index.text_matrix([s.tokens for s in sources])
    source_sizes = np.asarray(source_concepts.sum(axis=1)).ravel()[pair_rows]
    target_sizes = c.sizes[columns]
    used, position = np.unique(columns, return_inverse=True)

    def product(left, right):
        return (left @ right[:, used]).toarray()[pair_rows, position]

    with np.errstate(divide="ignore", invalid="ignore"):
        forward = pair_products(source_concepts, c.expanded, pair_rows, columns) / np.where(
            source_sizes > 0, source_sizes, 1.0
        )
        size_product = np.sqrt(source_sizes * target_sizes)
        backward = np.minimum(
            1.0,
            pair_products(source_expanded, c.concepts, pair_rows, columns)
            / np.where(size_product > 0, size_product, 1.0),
        )
    text = product(source_texts, c.texts_by_term)
    products = c.texts[source].multiply(c.texts[columns]).tocsr()  # per-term, for explanations
    products.sort_indices()
    source_flags = {name: values[source] for name, values in c.flags.items()}
    target_flags = {name: values[columns] for name, values in c.flags.items()}
    complement = scoring.complementarity(source_flags, target_flags)
    own_bits = np.array(
        [_bits([scoring.PARTNER_KIND_OF.get(s.organisation_kind, "")]) for s in sources]
    )[pair_rows]
    sought = np.array([_bits(s.sought) for s in sources])[pair_rows]
    kind_factor = _kind_factor(
        sought, own_bits, c.partner_kind_bits[columns], c.sought_bits[columns]
    )
    responsiveness = c.responsiveness[columns]
    raw = scoring.raw_score(forward, backward, text, complement, kind_factor, responsiveness)
    components = {
        "forward": forward,
        "backward": backward,
        "text": text,
        "complementarity": np.broadcast_to(complement, raw.shape),
        "partner_kind": kind_factor,
        "responsiveness": responsiveness,
    }
    return raw, components, products


def compute_rows(
    candidates: Candidates, sources: list[Profile], excluded: list[set[int]]
) -> list[Row]:
    """The stored rows of the sources: the same as compute_matches, much faster."""
    return compute_columns(candidates, sources, excluded).as_rows()


def compute_columns(
    candidates: Candidates, sources: list[Profile], excluded: list[set[int]]
) -> Rows:
    """compute_rows as columns."""
    by_kind: dict[str, list[int]] = {}
    for i, source in enumerate(sources):
        by_kind.setdefault(source.kind, []).append(i)
    return Rows.joined(
        [
            _compute_rows_of_one_kind(
                candidates, [sources[i] for i in members], [excluded[i] for i in members]
            )
            for members in by_kind.values()
        ]
    )


def _compute_rows_of_one_kind(
    candidates: Candidates, sources: list[Profile], excluded: list[set[int]]
) -> Rows:
    c = candidates
    scores, rows, candidate_columns, chunks = prefilter(c, sources, excluded)
    pair_rows, columns = [], []
    split = c.split  # the organisations come first, all of them
    for start, stop, limit in (
        (0, split, TOP_ORGANISATIONS),
        (split, len(candidate_columns), TOP_OPPORTUNITIES),
    ):
        r, positions = _candidates_above_bound(scores, chunks, start, stop, limit)
        pair_rows.append(r)
        columns.append(candidate_columns[positions])
    del scores
    pair_rows = np.concatenate(pair_rows)
    columns = np.concatenate(columns)
    raw, components, products = exact_scores(c, sources, rows, pair_rows, columns)
    score = scoring.to_score(raw) if len(raw) else np.zeros(0, dtype=int)
    is_opportunity = columns >= c.split
    keep = score >= scoring.MIN_STORED_SCORE
    # Order within (source, kind of target): rounded score, raw score, key.
    order = np.lexsort((c.keys[columns], -raw, -score, is_opportunity, pair_rows))
    order = order[keep[order]]
    group = pair_rows[order] * 2 + is_opportunity[order]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    limits = np.where(is_opportunity[order], TOP_OPPORTUNITIES, TOP_ORGANISATIONS)
    chosen = order[rank < limits]
    ranks = rank[rank < limits] + 1
    explanations = explain_pairs(
        c,
        sources,
        rows,
        pair_rows[chosen],
        columns[chosen],
        components,
        chosen,
        products[chosen],
    )
    targets = columns[chosen]
    source_keys = np.array([source.key for source in sources], dtype=np.int64)
    return Rows(
        source_keys[pair_rows[chosen]],
        np.where(targets < c.split, 0, c.keys[targets]).astype(np.int64),  # organisations first
        c.organisation_ids[targets].astype(np.int64),
        score[chosen].astype(np.int64),
        ranks.astype(np.int64),
        explanations,
    )


_surface_cache: dict[int, dict[str, str]] = {}


def _surface(source: Profile) -> dict[str, str]:
    surface = _surface_cache.get(source.key)
    if surface is None:
        if len(_surface_cache) > 4096:
            _surface_cache.clear()
        surface = _surface_cache[source.key] = tokenize_with_surface(source.text, source.language)
    return surface


def explain_pairs(
    c: Candidates, sources, rows, pair_rows, columns, components, chosen, products
) -> np.ndarray:
    """Explanation JSON text of each chosen pair, as explanation_for builds it (version 4,
    compact separators), as a column of texts."""
    if not len(pair_rows):
        return np.zeros(0, dtype=TEXT)
    source_columns = rows[pair_rows]
    source_weights = c.concepts[source_columns]
    target_weights = c.concepts[columns]
    shared_values = source_weights * target_weights
    # related: max over the source's concepts of (source weight · target weight) · hierarchy
    width = int((c.concepts[rows] > 0).sum(axis=1).max()) if c.concepts.shape[1] else 0
    related_values = np.zeros_like(target_weights)
    source_order = np.argsort(source_weights <= 0, axis=1, kind="stable")
    for slot in range(width):
        concept = source_order[:, slot]
        weight = source_weights[np.arange(len(concept)), concept]
        values = (weight[:, None] * target_weights) * c._hierarchy[concept]
        np.maximum(related_values, values, out=related_values)
    related_values[(source_weights > 0) | (target_weights == 0)] = 0.0
    shared_order = np.argsort(-shared_values, axis=1, kind="stable")[:, :5]
    related_order = np.argsort(-related_values, axis=1, kind="stable")[:, :5]
    shared_ok = np.take_along_axis(shared_values, shared_order, axis=1) > 0
    related_ok = np.take_along_axis(related_values, related_order, axis=1) > 0
    shared_texts = _concept_lists(c, shared_order, shared_ok)
    related_texts = _concept_lists(c, related_order, related_ok)
    term_texts = _term_texts(c, sources, pair_rows, products)
    # Components: rounded to 3 decimals, so each column has few distinct values; each is
    # formatted once.
    component_texts = []
    for name in scoring.COMPONENT_NAMES:
        if component_texts:
            component_texts.append(",")
        component_texts.append(_formatted(np.round(np.asarray(components[name], float)[chosen], 3)))
    complementary = _complementary_texts(c, source_columns, columns)
    parts = [
        f'{{"v":{scoring.EXPLANATION_VERSION},"s":[',
        shared_texts,
        '],"r":[',
        related_texts,
        "]",
        complementary,
        ',"t":[',
        term_texts,
        '],"x":[',
        *component_texts,
        "]}",
    ]
    # Concatenated column by column (numpy's string ufuncs), not row by row in Python.
    return functools.reduce(np.strings.add, parts)


def _formatted(values: np.ndarray) -> np.ndarray:
    """repr() of each value (as json.dumps writes a float), once per distinct value."""
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = np.array([repr(v) for v in distinct.tolist()], dtype=TEXT)
    return texts[inverse.ravel()]


def _concept_lists(c: Candidates, order: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per row, the ids of the concepts in `order` (columns) where `ok`, joined with ",".
    Two slots at a time: every pair of concept columns has its text in a table
    (Candidates.concept_pair_texts), so a row's list is two or three gathers and joins of
    whole columns, with no Python per row."""
    table, base, group = c.concept_pair_texts()
    codes = np.where(ok, order + 1, 0)  # 0: no concept in this slot
    slots = []
    for j in range(0, codes.shape[1], group):
        code = codes[:, j]
        if group == 2:
            code = code * base + (codes[:, j + 1] if j + 1 < codes.shape[1] else 0)
        slots.append(table[code])
    return _joined(slots, len(codes))


def _joined(slots: list[np.ndarray], rows: int) -> np.ndarray:
    """Per row, the non-empty texts of the slots joined with "," (columns of texts)."""
    result = np.full(rows, "", dtype=TEXT)
    for slot in slots:
        present = slot != ""
        joined = np.strings.add(np.strings.add(result, ","), slot)
        result = np.where(present, np.where(result != "", joined, slot), result)
    return result


def _term_texts(c: Candidates, sources, pair_rows, products) -> np.ndarray:
    """Per pair, the three terms contributing most to the text similarity (ties by term, as
    scoring.shared_terms), as the source's own words, JSON-quoted."""
    counts = np.diff(products.indptr)
    entry_rows = np.repeat(np.arange(len(counts)), counts)
    order = np.lexsort((products.indices, -products.data, entry_rows))  # columns in term order
    position = np.arange(len(order)) - np.repeat(products.indptr[:-1], counts)
    best = order[position < 3]
    # the term of each pair's 1st, 2nd and 3rd place, -1 where there are fewer
    places = np.full((len(counts), 3), -1, dtype=np.int64)
    places[entry_rows[best], position[position < 3]] = products.indices[best]
    # A word depends on the source (its surface form): one lookup per (source, term).
    width = len(c.terms) + 1
    keys = pair_rows[:, None].astype(np.int64) * width + (places + 1)
    distinct, inverse = np.unique(keys, return_inverse=True)
    quoted = c._quoted
    words = []
    for key in distinct.tolist():
        source, term = divmod(key, width)
        if term == 0:
            words.append("")
            continue
        stem = c.terms[term - 1]
        word = _surface(sources[source]).get(stem, stem)
        text = quoted.get(word)
        if text is None:
            text = quoted[word] = _compact(word)
        words.append(text)
    texts = np.array(words, dtype=TEXT)[inverse.reshape(keys.shape)]
    return _joined([texts[:, 0], texts[:, 1], texts[:, 2]], len(counts))


def _complementary_texts(c: Candidates, source_columns, columns) -> np.ndarray:
    """Per pair, the `,"c":[rules],"k":[kinds]` part of the explanation, empty if no
    complementarity rule holds: written once per combination of the traits and kinds of both
    sides (and kept for the next blocks), then spread to the pairs."""
    cache = c._complementary_json
    width = len(c.trait_kinds) << len(FLAG_NAMES)
    codes = c.trait_codes[source_columns] * width + c.trait_codes[columns]
    distinct, inverse = np.unique(codes, return_inverse=True)
    texts = []
    for code in distinct.tolist():
        text = cache.get(code)
        if text is None:
            (source_flags, source_kind), (target_flags, target_kind) = map(
                functools.partial(_decoded_traits, c), divmod(code, width)
            )
            rules = scoring.complement_rules(source_flags, target_flags)
            names = [name for name, _weight in scoring.COMPLEMENT_RULES if rules[name]]
            text = cache[code] = (
                ',"c":' + _compact([*names]) + ',"k":' + _compact([source_kind, target_kind])
                if names
                else ""
            )
        texts.append(text)
    return np.array(texts, dtype=TEXT)[inverse.ravel()]


def _decoded_traits(c: Candidates, code: int) -> tuple[dict[str, bool], str]:
    """(flags, organisation kind) of a Candidates.trait_codes value."""
    kind, bits = divmod(code, 1 << len(FLAG_NAMES))
    flags = {name: bool(bits >> i & 1) for i, name in enumerate(FLAG_NAMES)}
    return flags, c.trait_kinds[kind]


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


__all__ = ["Block", "Candidates", "Row", "Rows", "compute_columns", "compute_rows"]
