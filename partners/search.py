"""Search over organisations: name, short name, keywords, descriptions and competences.

On PostgreSQL: full-text search with the German configuration over a stored, trigger-maintained
document (migration 0005), ranked with SearchRank, plus typo tolerance through trigram word
similarity on the name and the keywords (pg_trgm, migration 0004). Every word must match.

On SQLite (development, the test suite): every word must occur somewhere (case-insensitive
substring), ranked by where it occurs; no typo tolerance.
"""

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Greatest

from partners.models import Competence, Organisation

SEARCH_CONFIG = "german"
# pg_trgm's default word_similarity_threshold (0.6, used by the `%>` operator) misses swapped
# letters ("Wassertsoff" scores 0.5); 0.45 keeps them without matching unrelated words.
TYPO_THRESHOLD = 0.45
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
STOP_WORDS = frozenset(
    [
        "und",
        "oder",
        "der",
        "die",
        "das",
        "des",
        "dem",
        "den",
        "ein",
        "eine",
        "für",
        "von",
        "mit",
        "im",
        "in",
        "am",
        "an",
        "zu",
        "zur",
        "zum",
        "auf",
        "and",
        "or",
        "the",
        "of",
        "for",
        "with",
        "in",
        "on",
        "at",
        "to",
        "a",
        "an",
    ]
)


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def normalise_query(text: str) -> str:
    return " ".join((text or "").split())[:MAX_QUERY_LENGTH]


def _competence_match(terms: list[str]) -> Q:
    """Organisations that carry a competence whose name or synonyms contain every term.

    An IN over one small subquery: PostgreSQL hashes it once instead of probing per row.
    """
    matching = Competence.objects.all()
    for term in terms:
        matching = matching.filter(
            Q(name_de__icontains=term) | Q(name_en__icontains=term) | Q(synonyms__icontains=term)
        )
    return Q(
        pk__in=Organisation.competences.through.objects.filter(competence__in=matching).values(
            "organisation_id"
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


def typo_threshold(term: str) -> float:
    """Short words need a closer match: "stahl" must not find "Stadtwerke" (0.5)."""
    return 0.6 if len(term) < 6 else TYPO_THRESHOLD


def search_terms(text: str) -> list[str]:
    """The words that must each match; stop words would match nothing in full-text search."""
    terms = [term for term in text.split() if term.lower() not in STOP_WORDS]
    return terms[:MAX_TERMS] or text.split()[:1]


def _search_postgres(queryset: QuerySet, text: str) -> QuerySet:
    # The stored document (migration 0005's trigger): computing it per query costs ~180 ms
    # at 10,000 organisations.
    vector = F("search_vector")
    terms = search_terms(text)
    queries = [SearchQuery(term, config=SEARCH_CONFIG, search_type="plain") for term in terms]
    any_term = queries[0]
    for query in queries[1:]:
        any_term |= query
    annotations = {"text_rank": SearchRank(vector, any_term)}
    condition = Q()
    similarity_total = Value(0.0)
    for index, (term, query) in enumerate(zip(terms, queries, strict=True)):
        similarity = f"similarity_{index}"
        annotations[similarity] = Greatest(
            TrigramWordSimilarity(Value(term), "name"),
            TrigramWordSimilarity(Value(term), "keywords"),
        )
        # Every word must match: as a (stemmed) word, as a near spelling, or as a competence.
        condition &= (
            Q(search_vector=query)
            | Q(**{f"{similarity}__gte": typo_threshold(term)})
            | _competence_match([term])
        )
        similarity_total = similarity_total + F(similarity)
    return (
        queryset.annotate(**annotations)
        .filter(condition)
        .annotate(
            relevance=F("text_rank")
            + similarity_total * Value(0.5 / len(terms))
            + Case(When(_competence_match(terms), then=Value(0.2)), default=Value(0.0))
        )
    )


def _search_fallback(queryset: QuerySet, text: str) -> QuerySet:
    terms = search_terms(text)
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
