"""Profiles: what the engine compares, loaded from the database in a few queries."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone

from matchmaking import scoring
from matchmaking.models import ContactRequest, Opportunity
from matchmaking.text import tokenize
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
    *,
    processes: int = 1,
) -> dict[int, Profile]:
    """Published opportunities of active organisations (all, or those of `ids`): two queries.
    Expiry is checked at scoring time, so the index does not go stale at midnight. With
    `processes` > 1, a forked process finds the concepts and words of half of many texts."""
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
    # Ordered by kind: the rebuild's candidates of one kind of source are then two runs.
    rows = list(
        queryset.order_by("kind", "id").values_list(
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
    )
    texts = [f"{row[3]}\n{row[3]}\n{row[4]}\n{row[5]}" for row in rows]
    parts = _text_parts_in_processes(rows, texts, competences, taxonomy, processes)
    for (pk, org_id, kind, _t, _d, _i, language, sought, valid_until), text, (
        concepts,
        tokens,
    ) in zip(rows, texts, parts, strict=True):
        organisation = organisations.get(org_id)
        if organisation is None:
            continue
        profiles[pk] = Profile(
            key=pk,
            organisation_id=org_id,
            kind=kind,
            concepts=concepts,
            tokens=tokens,
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


PARALLEL_FROM = 20_000  # texts; fewer are not worth a process
_fork_state: tuple | None = None


def _text_parts(bounds: tuple[int, int]) -> list[tuple[dict[int, float], list[str]]]:
    """(concepts, words) of the texts in [start, stop) of the state set before forking."""
    rows, texts, competences, taxonomy = _fork_state
    return [
        (_profile_concepts(competences.get(row[0], ()), text, taxonomy), tokenize(text, row[6]))
        for row, text in zip(rows[bounds[0] : bounds[1]], texts[bounds[0] : bounds[1]], strict=True)
    ]


def _text_parts_in_processes(rows, texts, competences, taxonomy, processes: int) -> list:
    global _fork_state
    _fork_state = (rows, texts, competences, taxonomy)
    try:
        if processes <= 1 or len(rows) < PARALLEL_FROM:
            return _text_parts((0, len(rows)))
        from django.db import connection, connections

        if not connection.in_atomic_block:
            connections.close_all()  # the children need no database; leave them no socket
        bounds = [len(rows) * i // processes for i in range(processes + 1)]
        context = multiprocessing.get_context("fork")
        with context.Pool(processes - 1) as pool:
            others = pool.map_async(_text_parts, list(zip(bounds[1:-1], bounds[2:], strict=True)))
            parts = _text_parts((bounds[0], bounds[1]))
            for chunk in others.get():
                parts.extend(chunk)
        return parts
    finally:
        _fork_state = None
