"""Scoring many sources at once for the full rebuild.

`score_block` (compute.py) is exact but allocates a dozen float64 (sources × candidates)
arrays and its callers build explanations pair by pair in Python, which is what made the
rebuild take ~40 minutes at 100,000 opportunities. Here, per block of sources:

1. a float32 *prefilter* over all candidates at once: dense BLAS products for the concept
   parts and the frequent terms, a sparse product for the rare terms, and the score formula
   of `scoring.raw_score` folded into a dozen in-place passes;
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

import json
from dataclasses import dataclass

import numpy as np
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
EXPLANATION_VERSION = 2


@dataclass
class Row:
    """One stored match as plain values (Match without the ORM)."""

    opportunity_id: int
    target_opportunity_id: int | None
    target_organisation_id: int
    score: int
    rank: int
    explanation: str  # JSON text


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
        # Concepts (row = candidate), exact and float32 transposed for BLAS.
        self.concepts = sparse.vstack(
            [organisations.concepts.T, opportunities.concepts.T]
        ).toarray()
        self.expanded = sparse.vstack(
            [organisations.expanded.T, opportunities.expanded.T]
        ).toarray()
        self.sizes = np.concatenate([organisations.sizes, opportunities.sizes])
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
        self.is_frequent = is_frequent
        self.terms = np.array(sorted(index.vocabulary, key=index.vocabulary.get), dtype=object)
        # Candidate positions of each organisation (to exclude own and contacted ones).
        order = np.argsort(self.organisation_ids, kind="stable")
        ids, starts = np.unique(self.organisation_ids[order], return_index=True)
        bounds = [*starts[1:], len(order)][: len(starts)]
        self.positions_of = {
            int(i): order[s:e] for i, s, e in zip(ids, starts, bounds, strict=True)
        }
        self._complement: dict[tuple, np.ndarray] = {}
        self._factor: dict[tuple, np.ndarray] = {}
        self._hierarchy = _hierarchy_matrix(index)
        self._label_json = {
            i: json.dumps(index.taxonomy.label(int(c)), ensure_ascii=False)
            for i, c in enumerate(self.concept_ids)
        }
        self._complementary_json: dict[tuple, str] = {}

    # per-source vectors over all candidates, cached by the source attributes they depend on
    def complement_vector(self, source: Profile) -> np.ndarray:
        """0.15 · complementarity per candidate, plus a tiny constant so that the harmonic
        mean never divides by zero (the exact pass recomputes without it)."""
        key = tuple(source.traits.flags().values())
        vector = self._complement.get(key)
        if vector is None:
            values = scoring.complementarity(source.traits.flags(), self.flags)
            vector = (scoring.W_COMPLEMENT * values + 1e-30).astype(np.float32)
            self._complement[key] = vector
        return vector

    def factor_vector(self, source: Profile) -> np.ndarray:
        """2 (harmonic mean) · partner-kind factor · responsiveness · usable, per candidate,
        with 0 for candidates of the same kind as the source."""
        own_bits = _bits([scoring.PARTNER_KIND_OF.get(source.organisation_kind, "")])
        sought = _bits(source.sought)
        kind = KIND_CODES[source.kind]
        key = (own_bits, sought, kind)
        vector = self._factor.get(key)
        if vector is None:
            factor = _kind_factor(sought, own_bits, self.partner_kind_bits, self.sought_bits)
            same_kind = (self.kinds == kind) & (self.kinds != 0)
            vector = (2.0 * factor * self.responsiveness * self.usable * ~same_kind).astype(
                np.float32
            )
            self._factor[key] = vector
        return vector


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


def prefilter(candidates: Candidates, sources: list[Profile], excluded: list[set[int]]):
    """float32 scores (sources × candidates), 0 where excluded or without any overlap."""
    c = candidates
    rows = np.array([c.opportunity_position[s.key] for s in sources])
    sizes = c.sizes[rows][:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        forward_weights = np.where(sizes > 0, 0.6 * c.concepts[rows] / sizes, 0.0)
        backward_weights = np.where(sizes > 0, 0.6 * c.expanded[rows] / np.sqrt(sizes), 0.0)
    forward = forward_weights.astype(np.float32) @ c.expanded_t32
    backward = backward_weights.astype(np.float32) @ c.scaled_concepts_t32
    source_texts = c.texts32[rows] * np.float32(0.5)
    text = source_texts[:, c.frequent].toarray() @ c.dense_texts_t32
    rare = (source_texts @ c.rare_texts_t32).tocoo()
    if rare.nnz:
        text[rare.row, rare.col] += rare.data
    overlap = forward + backward
    overlap += text
    np.minimum(backward, 0.6, out=backward)
    np.minimum(text, 0.25, out=text)
    for i, source in enumerate(sources):
        text[i] += c.complement_vector(source)
    forward += text
    backward += text
    np.multiply(forward, backward, out=text)
    forward += backward
    text /= forward
    for i, source in enumerate(sources):
        text[i] *= c.factor_vector(source)
        for organisation_id in {source.organisation_id, *excluded[i]}:
            positions = c.positions_of.get(organisation_id)
            if positions is not None:
                text[i, positions] = 0.0
    text *= overlap > 0
    return text, rows


def _candidates_above_bound(scores: np.ndarray, limit: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every score that may belong to its row's best `limit` above the
    stored minimum: at least the `limit`-th largest chunk maximum, less the margin."""
    q, n = scores.shape
    if not n:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    whole = n - n % CHUNK
    maxima = [scores[:, :whole].reshape(q, -1, CHUNK).max(axis=2)] if whole else []
    if whole < n:
        maxima.append(scores[:, whole:].max(axis=1, keepdims=True))
    maxima = np.concatenate(maxima, axis=1)
    if maxima.shape[1] >= limit:
        bound = np.partition(maxima, maxima.shape[1] - limit, axis=1)[:, maxima.shape[1] - limit]
    else:
        bound = np.zeros(q, dtype=scores.dtype)
    threshold = np.maximum(bound, (scoring.MIN_STORED_SCORE - 0.5) / 100.0) - MARGIN
    return np.nonzero(scores >= threshold[:, None].astype(scores.dtype))


def exact_scores(candidates: Candidates, sources, rows, pair_rows, columns):
    """Exact float64 components and raw scores of the pairs (source row, candidate column),
    with the arithmetic of score_block."""
    c = candidates
    source = rows[pair_rows]
    source_sizes = c.sizes[source]
    target_sizes = c.sizes[columns]
    with np.errstate(divide="ignore", invalid="ignore"):
        forward = np.einsum("kc,kc->k", c.concepts[source], c.expanded[columns]) / np.where(
            source_sizes > 0, source_sizes, 1.0
        )
        size_product = np.sqrt(source_sizes * target_sizes)
        backward = np.minimum(
            1.0,
            np.einsum("kc,kc->k", c.expanded[source], c.concepts[columns])
            / np.where(size_product > 0, size_product, 1.0),
        )
    products = c.texts[source].multiply(c.texts[columns]).tocsr()
    text = np.asarray(products.sum(axis=1)).ravel()
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
    if not sources:
        return []
    c = candidates
    scores, rows = prefilter(c, sources, excluded)
    pair_rows, columns = [], []
    for start, stop, limit in ((0, c.split, TOP_ORGANISATIONS), (c.split, c.n, TOP_OPPORTUNITIES)):
        r, col = _candidates_above_bound(scores[:, start:stop], limit)
        pair_rows.append(r)
        columns.append(col + start)
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
        score[chosen],
        components,
        chosen,
        products[chosen],
    )
    result = []
    for k, pair, rank_value, explanation in zip(
        chosen.tolist(), pair_rows[chosen].tolist(), ranks.tolist(), explanations, strict=True
    ):
        column = int(columns[k])
        target = c.profiles[column]
        result.append(
            Row(
                opportunity_id=sources[pair].key,
                target_opportunity_id=target.key if column >= c.split else None,
                target_organisation_id=target.organisation_id,
                score=int(score[k]),
                rank=rank_value,
                explanation=explanation,
            )
        )
    return result


_surface_cache: dict[int, dict[str, str]] = {}


def _surface(source: Profile) -> dict[str, str]:
    surface = _surface_cache.get(source.key)
    if surface is None:
        if len(_surface_cache) > 4096:
            _surface_cache.clear()
        surface = _surface_cache[source.key] = tokenize_with_surface(source.text, source.language)
    return surface


def explain_pairs(
    c: Candidates, sources, rows, pair_rows, columns, score, components, chosen, products
) -> list[str]:
    """Explanation JSON text of each chosen pair, as explanation_for builds it (without the
    rendered sentences: explanation_sentence renders them when shown)."""
    if not len(pair_rows):
        return []
    source_columns = rows[pair_rows]
    source_weights = c.concepts[source_columns]
    target_weights = c.concepts[columns]
    shared_values = source_weights * target_weights
    # related: max over the source's concepts of (source weight · target weight) · hierarchy
    width = max(1, int((c.concepts[rows] > 0).sum(axis=1).max()))
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
    rounded = {
        name: np.round(np.asarray(values, dtype=float)[chosen], 3).tolist()
        for name, values in components.items()
    }
    labels = c._label_json
    result = []
    for k in range(len(pair_rows)):
        source = sources[int(pair_rows[k])]
        target = c.profiles[int(columns[k])]
        shared = [labels[i] for i in shared_order[k] if shared_values[k, i] > 0]
        related = [labels[i] for i in related_order[k] if related_values[k, i] > 0]
        start, stop = products.indptr[k], products.indptr[k + 1]
        stems = ""
        if stop > start:
            data = products.data[start:stop]
            term_columns = products.indices[start:stop]
            best = np.lexsort((term_columns, -data))[:3]  # columns are in term order
            surface = _surface(source)
            stems = ", ".join(
                json.dumps(surface.get(s, s), ensure_ascii=False)
                for s in c.terms[term_columns[best]]
            )
        component_text = ", ".join(f'"{name}": {rounded[name][k]!r}' for name in rounded)
        result.append(
            f'{{"version": {EXPLANATION_VERSION}, "score": {int(score[k])}, '
            f'"shared": [{", ".join(shared)}], '
            f'"complementary": {_complementary_json(c, source, target)}, '
            f'"related": [{", ".join(related)}], "terms": [{stems}], '
            f'"components": {{{component_text}}}}}'
        )
    return result


def _complementary_json(c: Candidates, source: Profile, target: Profile) -> str:
    key = (source.traits, source.organisation_kind, target.traits, target.organisation_kind)
    text = c._complementary_json.get(key)
    if text is None:
        rules = scoring.complement_rules(source.traits.flags(), target.traits.flags())
        text = json.dumps(
            [
                {"key": name, "from": source.organisation_kind, "to": target.organisation_kind}
                for name, _weight in scoring.COMPLEMENT_RULES
                if rules[name]
            ],
            ensure_ascii=False,
        )
        c._complementary_json[key] = text
    return text


__all__ = ["Block", "Candidates", "Row", "compute_rows"]
