"""Reads of organisations and the competence taxonomy, already filtered by who is asking."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields

from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.utils.translation import get_language

from partners import directory_cache
from partners.models import Competence, Membership, Organisation, Sector
from partners.permissions import (
    can_view_organisation,
    can_view_people,
    visible_organisations_q,
)
from partners.search import (
    OrganisationSearch,
    find_organisations,
    normalise_query,
    restrict_to_matches,
    search_organisations,
    spelling_suggestion,
    suggestion_sources,
)

LIST_FIELDS = (
    "id",
    "public_id",
    "name",
    "short_name",
    "slug",
    "kind",
    "city",
    "country",
    "website",
    "status",
    "logo_thumbnail",
    "description_de",
    "description_en",
    "description_html_de",
    "description_html_en",
    "keywords",
    "created_at",
    "updated_at",
)

# Names sort case-insensitively: "thyssenkrupp" and "ruhr:HUB" belong among the t's and r's.
SORTS = {
    "name": [Lower("name"), "id"],
    "-name": [Lower("name").desc(), "-id"],
    "city": [Lower("city"), Lower("name"), "id"],
    "newest": ["-created_at", "-id"],
    "relevance": ["-relevance", Lower("name"), "id"],
}
DEFAULT_SORT = "name"
DEFAULT_SEARCH_SORT = "relevance"


@dataclass(frozen=True)
class OrganisationFilters:
    """Directory filters; each value is a slug (kind, sector, competence) or a city name."""

    kind: str = ""
    sector: str = ""
    competence: str = ""
    city: str = ""

    @classmethod
    def from_params(cls, params) -> "OrganisationFilters":
        return cls(**{f.name: (params.get(f.name) or "").strip()[:100] for f in fields(cls)})

    def without(self, name: str) -> "OrganisationFilters":
        return OrganisationFilters(**{**self.__dict__, name: ""})

    @property
    def is_empty(self) -> bool:
        return not any(self.__dict__.values())


def _sectors_prefetch() -> Prefetch:
    return Prefetch("sectors", queryset=Sector.objects.only("id", "slug", "name_de", "name_en"))


def _competences_prefetch() -> Prefetch:
    return Prefetch(
        "competences", queryset=Competence.objects.only("id", "slug", "name_de", "name_en")
    )


def _competence_q(slug: str) -> Q:
    """A competence and its narrower concepts (the taxonomy is three levels deep)."""
    through = Organisation.competences.through.objects.filter(organisation_id=OuterRef("pk"))
    return Q(
        Exists(
            through.filter(
                Q(competence__slug=slug)
                | Q(competence__parent__slug=slug)
                | Q(competence__parent__parent__slug=slug)
            )
        )
    )


def _apply_filters(queryset: QuerySet, filters: OrganisationFilters) -> QuerySet:
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.city:
        queryset = queryset.filter(city__iexact=filters.city)
    if filters.sector:
        through = Organisation.sectors.through.objects.filter(
            organisation_id=OuterRef("pk"), sector__slug=filters.sector
        )
        queryset = queryset.filter(Exists(through))
    if filters.competence:
        queryset = queryset.filter(_competence_q(filters.competence))
    return queryset


def _visible(visible_to) -> QuerySet:
    return Organisation.objects.filter(visible_organisations_q(visible_to))


def organisation_search(*, visible_to, search: str) -> OrganisationSearch:
    """The organisations `visible_to` may see that match `search` (one query if not empty).

    Found once per request and handed to `organisation_list` and `organisation_facets`, so that
    the costly match condition is not evaluated again by the page, the count and each facet.
    """
    text = normalise_query(search)
    if not text:
        return OrganisationSearch()
    return directory_cache.cached(
        "search",
        [directory_cache.visibility_key(visible_to), text],
        lambda: find_organisations(_visible(visible_to), text),
    )


def organisation_search_suggestion(*, visible_to, search: OrganisationSearch) -> str:
    """ "Did you mean …": the search text with misspelt words replaced by the nearest word of
    the names and keywords `visible_to` may see, or ""."""
    if not search.is_active:
        return ""
    return spelling_suggestion(search.text, suggestion_sources(_visible(visible_to), search))


def _as_search(visible_to, search: str | OrganisationSearch) -> OrganisationSearch:
    if isinstance(search, OrganisationSearch):
        return search
    return organisation_search(visible_to=visible_to, search=search)


def organisation_list(
    *,
    visible_to,
    search: str | OrganisationSearch = "",
    filters: OrganisationFilters | None = None,
    sort: str = "",
) -> QuerySet:
    """The organisations `visible_to` may see, filtered, searched, sorted, shaped for lists.

    `search` is a text (then one query finds its matches first) or `organisation_search`'s
    result. Two prefetches (sectors, competences) whatever the number of rows.
    """
    filters = filters or OrganisationFilters()
    search = _as_search(visible_to, search)
    queryset = search_organisations(_apply_filters(_visible(visible_to), filters), search)
    if sort not in SORTS:
        sort = DEFAULT_SEARCH_SORT if search.is_active else DEFAULT_SORT
    return (
        queryset.only(*LIST_FIELDS)
        .prefetch_related(_sectors_prefetch(), _competences_prefetch())
        .order_by(*SORTS[sort])
    )


class RankedOrganisations(Sequence):
    """A search's matches in relevance order, for Paginator: a page costs one query for its
    rows (and the two prefetches); the ranking came with the matches (find_organisations)."""

    def __init__(self, queryset: QuerySet, ids: tuple[int, ...]):
        self.queryset = queryset
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Organisation]:
        """The organisations of `self.ids[index]` in that order (Paginator only slices)."""
        ids = self.ids[index]
        rows = {row.pk: row for row in self.queryset.filter(pk__in=ids)}
        return [rows[pk] for pk in ids if pk in rows]


def organisation_directory_list(
    *, visible_to, search: OrganisationSearch, filters: OrganisationFilters, sort: str = ""
) -> QuerySet | RankedOrganisations:
    """`organisation_list`; a ranked search sorted by relevance without filters is read page
    by page off its ranking instead (measured need: ranking 6,000 matches of "Wasserstoff" at
    10,000 organisations took 20 ms of the page's SQL on every request)."""
    if search.is_ranked and filters.is_empty and sort in ("", "relevance"):
        queryset = (
            _visible(visible_to)
            .only(*LIST_FIELDS)
            .prefetch_related(_sectors_prefetch(), _competences_prefetch())
        )
        return RankedOrganisations(queryset, search.ids)
    return organisation_list(visible_to=visible_to, search=search, filters=filters, sort=sort)


def organisation_facets(
    *,
    visible_to,
    search: str | OrganisationSearch = "",
    filters: OrganisationFilters | None = None,
) -> dict[str, list[dict]]:
    """Counts per kind, sector, competence and city (four queries, after the search's one;
    none while the directory is unchanged: partners.directory_cache).

    Each facet counts the matches of every other active filter, so that choosing a kind still
    shows how many organisations the other kinds would give.
    """
    filters = filters or OrganisationFilters()
    search = _as_search(visible_to, search)
    return directory_cache.cached(
        "facets",
        [
            directory_cache.visibility_key(visible_to),
            get_language() or "",
            search.text,
            repr(sorted(filters.__dict__.items())),
        ],
        lambda: _facets(visible_to, search, filters),
    )


def organisation_count(*, facets: dict[str, list[dict]], filters: OrganisationFilters) -> int:
    """How many organisations the list with these facets holds, read off the kind facet (no
    query): every organisation has exactly one kind, and the kind facet applies every other
    filter."""
    return sum(
        row["count"] for row in facets["kind"] if not filters.kind or row["value"] == filters.kind
    )


def _facets(visible_to, search: OrganisationSearch, filters: OrganisationFilters) -> dict:
    """The four facets in one query: a UNION ALL of four GROUP BYs, each over the matches of
    every filter but its own."""

    def matching(without: str) -> QuerySet:
        queryset = _apply_filters(_visible(visible_to), filters.without(without))
        return restrict_to_matches(queryset, search).order_by()

    def columns(facet: str, value: str, *, labels: bool = False) -> dict:
        text = CharField()
        fixed = {"facet": Value(facet, output_field=text)}
        if not labels:
            fixed |= {
                "label_de": Value("", output_field=text),
                "label_en": Value("", output_field=text),
                "rank": Value(0, output_field=IntegerField()),
            }
        else:
            fixed |= {"label_de": F("name_de"), "label_en": F("name_en"), "rank": F("position")}
        return fixed | {"facet_value": F(value)}

    names = ("facet", "facet_value", "label_de", "label_en", "rank")
    kinds = matching("kind").annotate(**columns("kind", "kind")).values_list(*names)
    cities = (
        matching("city").exclude(city="").annotate(**columns("city", "city")).values_list(*names)
    )
    # Filtering the join before counting over it: sectors without a match drop out, and the
    # matching organisations are hashed once (a Count(filter=) plus HAVING hashed them twice).
    sectors = (
        Sector.objects.filter(organisations__in=matching("sector").values("pk"))
        .annotate(**columns("sector", "slug", labels=True))
        .values_list(*names)
    )
    competences = (
        Competence.objects.filter(organisations__in=matching("competence").values("pk"))
        .annotate(**columns("competence", "slug", labels=True))
        .values_list(*names)
    )
    rows = (
        kinds.annotate(count=Count("pk"))
        .order_by()
        .union(
            cities.annotate(count=Count("pk")).order_by(),
            sectors.annotate(count=Count("organisations")).order_by(),
            competences.annotate(count=Count("organisations")).order_by(),
            all=True,
        )
        .order_by()
    )
    found: dict[str, list[dict]] = {"kind": [], "sector": [], "competence": [], "city": []}
    kind_labels = dict(Organisation.Kind.choices)
    english = (get_language() or "de")[:2] == "en"
    for facet, value, label_de, label_en, rank, count in rows:
        if facet == "kind":
            label = kind_labels.get(value, value)
        elif facet == "city":
            label = value
        else:
            label = (label_en if english else "") or label_de
        found[facet].append(
            {"value": value, "label": label, "count": count, "_order": (rank, label_de)}
        )
    orders = {
        "kind": lambda row: row["value"],
        "sector": lambda row: row["_order"],
        "competence": lambda row: (-row["count"], row["_order"][1]),
        "city": lambda row: (-row["count"], row["value"].lower()),
    }
    for facet, order in orders.items():
        found[facet].sort(key=order)
        for row in found[facet]:
            del row["_order"]
    return found


def organisation_get(*, visible_to, lookup: str) -> Organisation:
    """One organisation by public id or slug, if `visible_to` may see it; else Http404.

    Shaped for the detail page and the API: parent, sectors, competences (with the broader
    concept) and visible sub-units prefetched; people and projects come from their selectors.
    """
    try:
        key = Q(public_id=uuid.UUID(str(lookup)))
    except ValueError:
        key = Q(slug=lookup)
    queryset = (
        _visible(visible_to)
        .filter(key)
        .defer("search_vector", "parent__search_vector")
        .select_related("parent")
        .prefetch_related(
            _sectors_prefetch(),
            Prefetch(
                "competences",
                queryset=Competence.objects.select_related("parent").only(
                    "id",
                    "slug",
                    "name_de",
                    "name_en",
                    "parent__id",
                    "parent__slug",
                    "parent__name_de",
                    "parent__name_en",
                ),
            ),
        )
    )
    organisation = queryset.first()
    if organisation is None:
        raise Http404("No such organisation.")
    if organisation.parent is not None and not can_view_organisation(
        visible_to, organisation.parent
    ):
        organisation.parent = None  # a pending or rejected parent stays hidden
    return organisation


def organisation_unit_list(*, visible_to, organisation: Organisation) -> QuerySet:
    return (
        _visible(visible_to)
        .filter(parent=organisation)
        .only("id", "name", "short_name", "slug", "city", "status")
        .order_by("name")
    )


def organisation_member_list(*, visible_to, organisation: Organisation) -> list[Membership]:
    """The organisation's people, for logged-in partners only (an empty list for others)."""
    if not can_view_people(visible_to):
        return []
    return list(
        Membership.objects.filter(organisation=organisation, user__is_active=True)
        .select_related("user")
        .only(
            "id",
            "role",
            "organisation_id",
            "user__id",
            "user__full_name",
            "user__deleted_at",
            "user__title",
            "user__position",
            "user__email",
            "user__phone",
            "user__show_email",
            "user__show_phone",
        )
        .order_by("-role", "user__full_name")
    )


def organisation_similar_list(*, name: str, exclude_pk: int | None = None) -> QuerySet:
    """Existing organisations whose name looks like `name` (for the duplicate warning)."""
    core = similarity_key(name)
    if not core:
        return Organisation.objects.none()
    queryset = Organisation.objects.exclude(status=Organisation.Status.REJECTED)
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset.filter(Q(name__iexact=name.strip()) | Q(name__icontains=core)).only(
        "id", "name", "slug", "city", "status"
    )[:5]


LEGAL_FORMS = (
    "gmbh & co. kg",
    "gmbh",
    "ggmbh",
    "ag",
    "se",
    "kg",
    "e.v.",
    "ev",
    "e. v.",
    "ug",
    "mbh",
    "(haftungsbeschränkt)",
)


def similarity_key(name: str) -> str:
    """The name without legal form and surrounding noise, lowercase (“Foo GmbH” → “foo”)."""
    words = (name or "").lower().replace(",", " ").split()
    while words and words[-1] in LEGAL_FORMS:
        words.pop()
    return " ".join(words).strip()


def competence_tree() -> list[Competence]:
    """The taxonomy as a list of root concepts, each with `tree_children` (one query)."""
    concepts = list(
        Competence.objects.only(
            "id", "parent_id", "slug", "name_de", "name_en", "synonyms", "position"
        ).order_by("position", "name_de")
    )
    by_parent: dict[int | None, list[Competence]] = {}
    for concept in concepts:
        by_parent.setdefault(concept.parent_id, []).append(concept)
    for concept in concepts:
        concept.tree_children = by_parent.get(concept.pk, [])
    return by_parent.get(None, [])


def competence_choices() -> list[tuple[int, str]]:
    """(id, label) pairs in tree order, narrower concepts indented, for forms."""
    choices = []

    def walk(concepts, depth):
        for concept in concepts:
            choices.append((concept.pk, f"{'— ' * depth}{concept.name}"))
            walk(concept.tree_children, depth + 1)

    walk(competence_tree(), 0)
    return choices


def organisation_pending_list() -> QuerySet:
    """The moderation queue, oldest first, with the registering admins."""
    return (
        Organisation.objects.filter(status=Organisation.Status.PENDING)
        .only(
            "id",
            "public_id",
            "name",
            "slug",
            "kind",
            "city",
            "website",
            "status",
            "created_at",
            "description_de",
            "description_en",
        )
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(role=Membership.Role.ADMIN)
                .select_related("user")
                .only(
                    "id",
                    "organisation_id",
                    "user__id",
                    "user__title",
                    "user__full_name",
                    "user__email",
                    "user__deleted_at",
                ),
                to_attr="admin_memberships",
            )
        )
        .order_by("created_at", "id")
    )
