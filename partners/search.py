"""Search over organisations: name, short name, keywords, descriptions and competences.

On PostgreSQL: full-text search with the German configuration over a stored, trigger-maintained
document (migration 0005), ranked with SearchRank, plus typo tolerance through trigram word
similarity on the name and the keywords (pg_trgm, migration 0004). Every word must match.

On SQLite (development, the test suite): every word must occur somewhere (case-insensitive
substring), ranked by where it occurs; no typo tolerance.

The match condition is costly (trigram similarity row by row), so a request evaluates it once
(`find_organisations`, one query for the matching ids); the page, the count and the facets then
restrict themselves to those ids (`restrict_to_matches`), and only the page computes the
relevance, for the rows it sorts.
"""

import json
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.db.models.lookups import GreaterThanOrEqual

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


@dataclass(frozen=True)
class OrganisationSearch:
    """A search text and the ids of the organisations it matches (found once per request).

    An empty text matches everything: `ids` is then unused.
    """

    text: str = ""
    ids: tuple[int, ...] = ()

    @property
    def is_active(self) -> bool:
        return bool(self.text)


class AmongIds(Func):
    """`field` is one of `ids`, sent as a single parameter whatever their number.

    PostgreSQL: `= ANY(array)`, which it hashes once per query (a constant array); SQLite: the
    elements of a JSON array (an IN list would hit SQLite's limit on parameters).
    """

    output_field = BooleanField()

    def __init__(self, field: str, ids: tuple[int, ...]):
        super().__init__(F(field))
        self.ids = tuple(ids)

    def as_sql(self, compiler, connection, **extra_context):
        # `column` is the compiler's quoted column; the ids always travel as a parameter
        column, params = compiler.compile(self.get_source_expressions()[0])
        if connection.vendor == "postgresql":
            return f"{column} = ANY(%s::bigint[])", (*params, list(self.ids))
        return (
            f"{column} IN (SELECT value FROM json_each(%s))",  # noqa: S608
            (*params, json.dumps(self.ids)),
        )


def find_organisations(queryset: QuerySet, text: str) -> OrganisationSearch:
    """The organisations of `queryset` that match `text`: one query, unless `text` is empty."""
    text = normalise_query(text)
    if not text:
        return OrganisationSearch()
    condition = _condition_postgres(text) if uses_postgres() else _condition_fallback(text)
    ids = queryset.filter(condition).order_by().values_list("pk", flat=True)
    return OrganisationSearch(text=text, ids=tuple(ids))


def restrict_to_matches(
    queryset: QuerySet, search: OrganisationSearch, *, field: str = "pk"
) -> QuerySet:
    """`queryset` limited to the organisations `search` found (all of them without a text)."""
    if not search.is_active:
        return queryset
    return queryset.filter(AmongIds(field, search.ids))


def search_organisations(queryset: QuerySet, search: OrganisationSearch) -> QuerySet:
    """Limits `queryset` to the matches of `search` and annotates `relevance` (higher is better)."""
    if not search.is_active:
        return queryset.annotate(relevance=Value(0.0, output_field=FloatField()))
    queryset = restrict_to_matches(queryset, search)
    if uses_postgres():
        return _relevance_postgres(queryset, search.text)
    return _relevance_fallback(queryset, search.text)


def typo_threshold(term: str) -> float:
    """Short words need a closer match: "stahl" must not find "Stadtwerke" (0.5)."""
    return 0.6 if len(term) < 6 else TYPO_THRESHOLD


def search_terms(text: str) -> list[str]:
    """The words that must each match; stop words would match nothing in full-text search."""
    terms = [term for term in text.split() if term.lower() not in STOP_WORDS]
    return terms[:MAX_TERMS] or text.split()[:1]


def _term_query(term: str) -> SearchQuery:
    return SearchQuery(term, config=SEARCH_CONFIG, search_type="plain")


def _condition_postgres(text: str) -> Q:
    """Every word matches: as a competence, as a (stemmed) word, or as a near spelling.

    The cheap tests come first: PostgreSQL stops at the first true one, so the trigram
    similarity is only computed for the rows the others miss.
    """
    condition = Q()
    for term in search_terms(text):
        threshold = typo_threshold(term)
        condition &= (
            _competence_match([term])
            # the stored document (migration 0005's trigger): computing it per query costs
            # ~180 ms at 10,000 organisations
            | Q(search_vector=_term_query(term))
            | Q(GreaterThanOrEqual(TrigramWordSimilarity(Value(term), "name"), threshold))
            | Q(GreaterThanOrEqual(TrigramWordSimilarity(Value(term), "keywords"), threshold))
        )
    return condition


def _relevance_postgres(queryset: QuerySet, text: str) -> QuerySet:
    terms = search_terms(text)
    queries = [_term_query(term) for term in terms]
    any_term = queries[0]
    for query in queries[1:]:
        any_term |= query
    similarity_total = Value(0.0)
    for term in terms:
        similarity_total = similarity_total + Greatest(
            TrigramWordSimilarity(Value(term), "name"),
            TrigramWordSimilarity(Value(term), "keywords"),
        )
    return queryset.annotate(
        relevance=SearchRank(F("search_vector"), any_term)
        + similarity_total * Value(0.5 / len(terms))
        + Case(When(_competence_match(terms), then=Value(0.2)), default=Value(0.0)),
    )


def _condition_fallback(text: str) -> Q:
    condition = Q()
    for term in search_terms(text):
        condition &= (
            Q(name__icontains=term)
            | Q(short_name__icontains=term)
            | Q(keywords__icontains=term)
            | Q(description_de__icontains=term)
            | Q(description_en__icontains=term)
            | _competence_match([term])
        )
    return condition


def _relevance_fallback(queryset: QuerySet, text: str) -> QuerySet:
    return queryset.annotate(
        relevance=Case(
            When(Q(name__icontains=text) | Q(short_name__icontains=text), then=Value(1.0)),
            When(keywords__icontains=text, then=Value(0.6)),
            default=Value(0.3),
            output_field=FloatField(),
        )
    )
