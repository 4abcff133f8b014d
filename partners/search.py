"""Search over organisations: name, short name, keywords, descriptions and competences.

On PostgreSQL: full-text search in German and English over a stored, trigger-maintained
document (migrations 0005, 0008), ranked with SearchRank, plus typo tolerance through pg_trgm's
`<%` operator on the name and the keywords (GIN indexes, migration 0004). Every word must
match; each word's matches are one UNION of index-backed branches (EXPLAIN pinned in
tests/partners/test_directory_postgres.py).

On SQLite (development, the test suite): every word must occur somewhere (case-insensitive
substring), ranked by where it occurs; no typo tolerance.

The match condition is costly (trigram similarity row by row), so a request evaluates it once
(`find_organisations`, one query for the matching ids); the page, the count and the facets then
restrict themselves to those ids (`restrict_to_matches`), and only the page computes the
relevance, for the rows it sorts.
"""

import difflib
import json
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import BooleanField, Case, F, FloatField, Func, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.db.models.lookups import GreaterThanOrEqual

from partners.models import Competence, Organisation
from spinportal.config import TRIGRAM_WORD_THRESHOLD

SEARCH_CONFIG = "german"
# pg_trgm's word_similarity_threshold, set on every connection (spinportal.config).
TYPO_THRESHOLD = TRIGRAM_WORD_THRESHOLD
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


def _matching_competences(terms: list[str]) -> QuerySet:
    """The competences whose name or synonyms contain every term (the taxonomy is small)."""
    matching = Competence.objects.all()
    for term in terms:
        matching = matching.filter(
            Q(name_de__icontains=term) | Q(name_en__icontains=term) | Q(synonyms__icontains=term)
        )
    return matching


def _competence_match(terms: list[str]) -> Q:
    """Organisations that carry a competence whose name or synonyms contain every term.

    An IN over one small subquery: PostgreSQL hashes it once instead of probing per row.
    """
    return Q(
        pk__in=Organisation.competences.through.objects.filter(
            competence__in=_matching_competences(terms)
        ).values("organisation_id")
    )


@dataclass(frozen=True)
class OrganisationSearch:
    """A search text and the ids of the organisations it matches (found once per request).

    An empty text matches everything: `ids` is then unused.
    """

    text: str = ""
    ids: tuple[int, ...] = ()
    # the ids by relevance, best first (PostgreSQL: found with them in the same query)
    is_ranked: bool = False

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
    if uses_postgres():
        # the matches, ranked by relevance as the directory shows them (then by name)
        # (the SQL is the ORM's own for each branch; every value travels as a parameter)
        matched = RawSQL(*matches_sql_postgres(queryset, text))  # noqa: S611
        matches = Organisation.objects.filter(pk__in=matched)
        ids = (
            _relevance_postgres(matches, text)
            .order_by("-relevance", Lower("name"), "id")
            .values_list("pk", flat=True)
        )
        return OrganisationSearch(text=text, ids=tuple(ids), is_ranked=True)
    ids = queryset.filter(_condition_fallback(text)).order_by().values_list("pk", flat=True)
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
    """The word as German or English (the stored document holds both, migration 0008)."""
    return SearchQuery(term, config="german", search_type="plain") | SearchQuery(
        term, config="english", search_type="plain"
    )


def _term_branches_postgres(queryset: QuerySet, term: str) -> list[QuerySet]:
    """The organisations of `queryset` one word matches, as branches that each an index
    answers: the stored document (GIN), a near spelling of a word of the name or of the keywords
    (`<%`, pg_trgm's GIN indexes, migration 0004; its threshold is set per connection, see
    spinportal.config), and a competence of that name (the through table's index).

    An OR of these conditions would make PostgreSQL test every row (a sequential scan that
    computes the trigram similarity 20,000 times at 10,000 organisations).
    """
    queryset = queryset.order_by()
    near_name = queryset.filter(name__trigram_word_similar=term)
    near_keywords = queryset.filter(keywords__trigram_word_similar=term)
    threshold = typo_threshold(term)
    if threshold > TYPO_THRESHOLD:  # short words: the index finds candidates, this decides
        near_name = near_name.filter(
            GreaterThanOrEqual(TrigramWordSimilarity(Value(term), "name"), threshold)
        )
        near_keywords = near_keywords.filter(
            GreaterThanOrEqual(TrigramWordSimilarity(Value(term), "keywords"), threshold)
        )
    return [
        branch.values_list("pk", flat=True)
        for branch in (
            queryset.filter(search_vector=_term_query(term)),
            near_name,
            near_keywords,
            queryset.filter(_competence_match([term])),
        )
    ]


def matches_sql_postgres(queryset: QuerySet, text: str) -> tuple[str, list]:
    """The ids of the organisations of `queryset` that every word of `text` matches: per word
    a UNION of index-backed branches, the words' sets INTERSECTed. Composed from the ORM's
    own SQL for each branch, because Django cannot nest a UNION inside an INTERSECT."""
    words, params = [], []
    for term in search_terms(text):
        branches = [
            branch.query.sql_with_params() for branch in _term_branches_postgres(queryset, term)
        ]
        words.append("(" + " UNION ".join(f"({sql})" for sql, _ in branches) + ")")
        params.extend(param for _, branch_params in branches for param in branch_params)
    return " INTERSECT ".join(words), params


def _relevance_postgres(queryset: QuerySet, text: str) -> QuerySet:
    """The stored document's rank (name above keywords above descriptions) and a bonus for a
    matching competence. Matches found only through a near spelling rank 0 and follow, by name:
    a trigram similarity per row would cost 15 µs × every match (90 ms for 6,000 matches).
    """
    terms = search_terms(text)
    any_term = _term_query(terms[0])
    for term in terms[1:]:
        any_term |= _term_query(term)
    return queryset.annotate(
        relevance=SearchRank(F("search_vector"), any_term)
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


# --- "Did you mean …" --------------------------------------------------------------------------
SUGGESTION_CUTOFF = 0.75
WORD = re.compile(r"\w+")


def _closest_word(term: str, vocabulary: set[str]) -> str:
    """The word of `vocabulary` nearest to `term`, or "" (inflections of the term do not count:
    "Speichers" is found through "Speicher" already)."""
    lowered = term.lower()
    candidates = {word.lower(): word for word in vocabulary if len(word) > 2}
    if lowered in candidates:
        return ""
    close = difflib.get_close_matches(lowered, candidates, n=1, cutoff=SUGGESTION_CUTOFF)
    if not close or close[0].startswith(lowered) or lowered.startswith(close[0]):
        return ""
    return candidates[close[0]]


def spelling_suggestion(text: str, texts: list[str]) -> str:
    """`text` with each word that looks misspelt replaced by the nearest word of `texts`
    (names and keywords), or "" when nothing would change."""
    vocabulary = {word for value in texts for word in WORD.findall(value or "")}
    words = normalise_query(text).split()
    suggested = [_closest_word(word, vocabulary) or word for word in words]
    return " ".join(suggested) if suggested != words else ""


def suggestion_sources(
    queryset: QuerySet, search: OrganisationSearch, limit: int = 50
) -> list[str]:
    """Names and keywords a suggestion may come from: those of the organisations found (a near
    spelling found them) or, when none was, on PostgreSQL those near in spelling to a word
    (pg_trgm's indexes) and elsewhere the first `limit` × 20 of all."""
    if search.ids:
        queryset = restrict_to_matches(queryset, search)
    elif uses_postgres():
        near = [
            Organisation.objects.filter(**{f"{field}__trigram_word_similar": term}).values("pk")
            for term in search_terms(search.text)
            for field in ("name", "keywords")
        ]
        queryset = queryset.filter(pk__in=near[0].union(*near[1:]))
    else:
        limit *= 20
    rows = queryset.order_by().values_list("name", "keywords")[:limit]
    return [value for row in rows for value in row]
