"""Search over organisations: name, short name, keywords, descriptions and competences.

On PostgreSQL: full-text search with the German configuration, ranked with SearchRank, plus
typo tolerance through trigram word similarity on the name and the keywords (pg_trgm, installed
by migration 0004). On SQLite (development, the test suite): every word must occur somewhere
(case-insensitive substring), ranked by where it occurs; no typo tolerance.
"""

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import connection
from django.db.models import Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from partners.models import Competence, Organisation

SEARCH_CONFIG = "german"
# pg_trgm's default word_similarity_threshold is 0.6; rows below it are not matched by `%>`,
# which is what the GIN trigram index accelerates.
MAX_QUERY_LENGTH = 200


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def normalise_query(text: str) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def _competence_match(terms: list[str]) -> Exists:
    """Organisations that carry a competence whose name or synonyms contain every term."""
    matching = Competence.objects.all()
    for term in terms:
        matching = matching.filter(
            Q(name_de__icontains=term) | Q(name_en__icontains=term) | Q(synonyms__icontains=term)
        )
    return Exists(
        Organisation.competences.through.objects.filter(
            organisation_id=OuterRef("pk"), competence__in=matching
        )
    )


def search_organisations(queryset: QuerySet, text: str) -> QuerySet:
    """Filters `queryset` to the matches of `text` and annotates `relevance` (higher is better)."""
    text = normalise_query(text)
    if not text:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    if uses_postgres():
        return _search_postgres(queryset, text)
    return _search_fallback(queryset, text)


def _search_postgres(queryset: QuerySet, text: str) -> QuerySet:
    vector = (
        SearchVector("name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("short_name", weight="A", config=SEARCH_CONFIG)
        + SearchVector("keywords", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description_de", weight="C", config=SEARCH_CONFIG)
        + SearchVector("description_en", weight="C", config=SEARCH_CONFIG)
    )
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    competence_match = _competence_match(text.split())
    return (
        queryset.annotate(
            search_vector=vector,
            text_rank=SearchRank(vector, query),
            name_similarity=Greatest(
                TrigramWordSimilarity(Value(text), "name"),
                TrigramWordSimilarity(Value(text), "keywords"),
            ),
            competence_match=competence_match,
        )
        .filter(
            Q(search_vector=query)
            | Q(name__trigram_word_similar=text)
            | Q(keywords__trigram_word_similar=text)
            | Q(competence_match=True)
        )
        .annotate(
            relevance=F("text_rank")
            + F("name_similarity") * Value(0.5)
            + Case(When(competence_match=True, then=Value(0.2)), default=Value(0.0))
        )
    )


def _search_fallback(queryset: QuerySet, text: str) -> QuerySet:
    terms = text.split()
    for term in terms:
        queryset = queryset.filter(
            Q(name__icontains=term)
            | Q(short_name__icontains=term)
            | Q(keywords__icontains=term)
            | Q(description_de__icontains=term)
            | Q(description_en__icontains=term)
            | _competence_match([term])
        )
    return queryset.annotate(
        relevance=Case(
            When(Q(name__icontains=text) | Q(short_name__icontains=text), then=Value(1.0)),
            When(keywords__icontains=text, then=Value(0.6)),
            default=Value(0.3),
            output_field=FloatField(),
        )
    )
