"""Matching profiles: what the engine compares, derived from an organisation or an opportunity
and stored in MatchingProfile with its embedding (never on the request path: a task calls
`profile_refresh_organisation` after commit)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.utils import timezone

from matchmaking import scoring
from matchmaking import text as text_module
from matchmaking.engine.embedder import Embedder, content_key, get_embedder
from matchmaking.models import Embedding, MatchingProfile, Opportunity
from partners.models import Competence, Organisation

MAX_SENTENCES = 8


# --- taxonomy ---------------------------------------------------------------------------------
@dataclass
class Taxonomy:
    """Concepts with their German and English names and synonyms, found in texts as whole
    lemmas, as the head of a German compound, or as a phrase."""

    parent_map: dict[int, int | None]
    names: dict[int, tuple[str, str, str]]  # id → (slug, German, English)
    single: dict[str, set[int]]  # lemma → concepts
    phrases: re.Pattern | None
    phrase_concepts: dict[str, set[int]]
    children: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Taxonomy:
        return cls.from_rows(
            Competence.objects.values_list(
                "id", "parent_id", "slug", "name_de", "name_en", "synonyms"
            )
        )

    @classmethod
    def from_rows(cls, rows: Iterable[tuple]) -> Taxonomy:
        """(id, parent id, slug, German, English, comma-separated synonyms) per concept."""
        parent_map, names, single, phrase_concepts = {}, {}, {}, {}
        for concept_id, parent_id, slug, name_de, name_en, synonyms in rows:
            parent_map[concept_id] = parent_id
            names[concept_id] = (slug, name_de, name_en)
            for term, language in [(name_de, "de"), (name_en, "en")] + [
                (s, "") for s in synonyms.split(",")
            ]:
                found = text_module.words(term)
                if len(found) == 1:
                    for lang in (language,) if language else ("de", "en"):
                        single.setdefault(text_module.lemma(found[0], lang), set()).add(concept_id)
                elif found:
                    phrase_concepts.setdefault(" ".join(found), set()).add(concept_id)
        pattern = (
            re.compile(
                "|".join(
                    rf"\b{re.escape(p)}\b" for p in sorted(phrase_concepts, key=len, reverse=True)
                )
            )
            if phrase_concepts
            else None
        )
        return cls(
            parent_map, names, single, pattern, phrase_concepts, scoring.children_map(parent_map)
        )

    def concepts_in(self, text: str, language: str) -> set[int]:
        found: set[int] = set()
        for term in text_module.heads(text, language):
            found |= self.single.get(term, set())
        if self.phrases is not None:
            for match in self.phrases.finditer(" ".join(text_module.words(text))):
                found |= self.phrase_concepts[match.group(0)]
        return found


def profile_concepts(declared: Iterable[int], text: str, language: str, taxonomy: Taxonomy):
    """Declared competences weigh 1, concepts only found in the text TEXT_CONCEPT_WEIGHT."""
    concepts = dict.fromkeys(taxonomy.concepts_in(text, language), scoring.TEXT_CONCEPT_WEIGHT)
    concepts.update(dict.fromkeys(declared, 1.0))
    return {str(k): v for k, v in sorted(concepts.items())}


# --- deriving profiles ------------------------------------------------------------------------
@dataclass
class Draft:
    """A profile before it is stored: MatchingProfile's fields."""

    organisation_id: int
    opportunity_id: int | None
    is_active: bool
    kind: str
    language: str
    text: str
    sentences: list[str]
    terms: dict[str, float]
    concepts: dict[str, float]
    organisation_kind: str
    flags: list[str]
    sought: list[str]
    valid_until: object


def _traits(organisation: Organisation) -> scoring.Traits:
    return scoring.Traits(
        organisation.kind,
        organisation.size_band,
        frozenset(sector.slug for sector in organisation.sectors.all()),
    )


def _terms(parts: list[tuple[str, str]]) -> dict[str, float]:
    counts: dict[str, float] = {}
    for text, language in parts:
        for term, count in text_module.terms(text, language).items():
            counts[term] = counts.get(term, 0.0) + count
    return dict(sorted(counts.items()))


def organisation_draft(organisation: Organisation, taxonomy: Taxonomy) -> Draft:
    keywords = text_module.clean(organisation.keywords.replace(",", ", "))
    description_de = text_module.clean(organisation.description_de)
    description_en = text_module.clean(organisation.description_en)
    parts = [(p, lang) for p, lang in ((description_de, "de"), (description_en, "en")) if p]
    text = "\n".join([organisation.name, *(p for p, _ in parts), keywords]).strip()
    language = parts[0][1] if parts else "de"
    traits = _traits(organisation)
    declared = [c.pk for c in organisation.competences.all()]
    concepts: dict[str, float] = {}
    for part, lang in [*parts, (keywords, language)]:
        for key, value in profile_concepts(declared, part, lang, taxonomy).items():
            concepts[key] = max(concepts.get(key, 0.0), value)
    return Draft(
        organisation_id=organisation.pk,
        opportunity_id=None,
        is_active=organisation.status == Organisation.Status.ACTIVE,
        kind="",
        language=language,
        text=text,
        sentences=_sentences(parts, keywords),
        terms=_terms([*parts, (keywords, language)]),
        concepts=dict(sorted(concepts.items())),
        organisation_kind=organisation.kind,
        flags=[name for name, value in traits.flags().items() if value],
        sought=[],
        valid_until=None,
    )


def opportunity_draft(
    opportunity: Opportunity, organisation: Organisation, taxonomy: Taxonomy
) -> Draft:
    title = text_module.clean(opportunity.title)
    description = text_module.clean(opportunity.description)
    keywords = text_module.clean(opportunity.keywords.replace(",", ", "))
    idea = text_module.clean(opportunity.project_idea)
    language = opportunity.language
    body = "\n".join(p for p in (title, description, idea, keywords) if p)
    traits = _traits(organisation)
    return Draft(
        organisation_id=organisation.pk,
        opportunity_id=opportunity.pk,
        is_active=opportunity.status == Opportunity.Status.PUBLISHED
        and organisation.status == Organisation.Status.ACTIVE,
        kind=opportunity.kind,
        language=language,
        text=body,
        sentences=_sentences([(f"{title}.", language), (description, language)], keywords),
        # the title counts twice: it names what the text is about
        terms=_terms([(title, language), (body, language)]),
        concepts=profile_concepts(
            [c.pk for c in opportunity.competences.all()], body, language, taxonomy
        ),
        organisation_kind=organisation.kind,
        flags=[name for name, value in traits.flags().items() if value],
        sought=sorted(opportunity.partner_kinds or []),
        valid_until=opportunity.valid_until,
    )


def _sentences(parts: list[tuple[str, str]], keywords: str) -> list[str]:
    found: list[str] = []
    for part, _language in parts:
        found.extend(text_module.sentences(part, limit=MAX_SENTENCES))
    if keywords:
        found.append(keywords[:300])
    return found[:MAX_SENTENCES]


# --- embeddings -------------------------------------------------------------------------------
def embedding_key(draft: Draft, embedder: Embedder) -> str:
    return content_key(embedder.name, f"{draft.text}\x00{'|'.join(draft.sentences)}")


def embeddings_for(drafts: list[Draft], embedder: Embedder | None = None) -> list[Embedding]:
    """The cached embedding of each draft's text (one query for the lot), computed for texts
    never embedded under this model: row 0 passage, row 1 query, then the sentences (query
    mode)."""
    embedder = embedder or get_embedder()
    keys = [embedding_key(draft, embedder) for draft in drafts]
    found = {e.key: e for e in Embedding.objects.filter(key__in=set(keys))}
    missing = {key: draft for key, draft in zip(keys, drafts, strict=True) if key not in found}
    new = []
    for key, draft in missing.items():
        vectors = np.vstack(
            [
                embedder.embed([draft.text], "passage"),
                embedder.embed([draft.text], "query"),
                embedder.embed(draft.sentences, "query"),
            ]
        ).astype(np.float32)
        new.append(
            Embedding(
                key=key,
                model=embedder.name,
                dimensions=vectors.shape[1],
                vectors=vectors.tobytes(),
            )
        )
    if new:
        Embedding.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        found |= {e.key: e for e in Embedding.objects.filter(key__in=list(missing))}
    return [found[key] for key in keys]


def vectors_of(embedding: Embedding) -> np.ndarray:
    return np.frombuffer(bytes(embedding.vectors), dtype=np.float32).reshape(
        -1, embedding.dimensions
    )


# --- storing ----------------------------------------------------------------------------------
PROFILE_FIELDS = (
    "is_active",
    "kind",
    "language",
    "text",
    "sentences",
    "terms",
    "concepts",
    "organisation_kind",
    "flags",
    "sought",
    "valid_until",
)


def drafts_of_organisations(
    organisation_ids: Iterable[int], taxonomy: Taxonomy | None = None
) -> list[Draft]:
    """Each organisation's own profile and one per opportunity (published or not: the others
    are stored inactive, so that they leave every list), in three queries for the lot."""
    taxonomy = taxonomy or Taxonomy.load()
    ids = list(organisation_ids)
    opportunities: dict[int, list[Opportunity]] = {}
    for opportunity in (
        Opportunity.objects.filter(organisation_id__in=ids)
        .prefetch_related("competences")
        .order_by("pk")
    ):
        opportunities.setdefault(opportunity.organisation_id, []).append(opportunity)
    drafts = []
    for organisation in (
        Organisation.objects.prefetch_related("competences", "sectors")
        .filter(pk__in=ids)
        .order_by("pk")
    ):
        drafts.append(organisation_draft(organisation, taxonomy))
        drafts.extend(
            opportunity_draft(opportunity, organisation, taxonomy)
            for opportunity in opportunities.get(organisation.pk, [])
        )
    return drafts


def organisation_drafts(organisation_id: int, taxonomy: Taxonomy | None = None) -> list[Draft]:
    return drafts_of_organisations([organisation_id], taxonomy)


def store_drafts(drafts: list[Draft], embedder: Embedder | None = None) -> list[MatchingProfile]:
    """Embeds (through the cache) and stores the drafts. Embedding happens before anything
    is written: if it fails, the stored profiles and matches stay as they were."""
    active = [draft for draft in drafts if draft.is_active]
    embeddings = {
        (draft.organisation_id, draft.opportunity_id): embedding
        for draft, embedding in zip(active, embeddings_for(active, embedder), strict=True)
    }
    now = timezone.now()
    with transaction.atomic():
        existing = {
            (profile.organisation_id, profile.opportunity_id): profile
            for profile in MatchingProfile.objects.select_for_update().filter(
                organisation_id__in={draft.organisation_id for draft in drafts}
            )
        }
        stored, new, changed = [], [], []
        for draft in drafts:
            key = (draft.organisation_id, draft.opportunity_id)
            profile = existing.get(key)
            values = {name: getattr(draft, name) for name in PROFILE_FIELDS}
            values["error"] = ""
            if key in embeddings:
                values["embedding_id"] = embeddings[key].pk
            if profile is None:
                profile = MatchingProfile(
                    organisation_id=draft.organisation_id,
                    opportunity_id=draft.opportunity_id,
                    **values,
                )
                new.append(profile)
            elif any(getattr(profile, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(profile, name, value)
                profile.updated_at = now
                changed.append((profile.pk, values))
            stored.append(profile)
        # unchanged profiles are left alone: updated_at says when the engine must re-read one
        for pk, values in changed:
            MatchingProfile.objects.filter(pk=pk).update(updated_at=now, **values)
        MatchingProfile.objects.bulk_create(new, batch_size=500)
    return stored


def record_error(organisation_id: int, message: str) -> None:
    """Staff see why a profile could not be embedded (admin: matching profiles)."""
    MatchingProfile.objects.filter(organisation_id=organisation_id).update(
        error=f"{timezone.now():%Y-%m-%d %H:%M} {message}"[:2000]
    )
