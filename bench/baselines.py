"""Hand-written lower bounds for the API lists, and the URLconf the bench workers use.

Each view writes, with `values()` and orjson (the standard library's json when orjson is not
installed; the scripts say which), the very bytes the API answers for an anonymous caller's
first page in German. The scripts compare the two answers byte for byte in every round and
fail when they differ, so when the API's JSON changes (fields, order, formats) the baseline
must be changed with it before a ratio means anything.
"""

import json

from django.core.files.storage import default_storage
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower
from django.http import HttpResponse
from django.urls import include, path, reverse
from django.utils import timezone

from partners.models import Organisation
from projects.models import Participation, Project

try:
    import orjson
except ImportError:  # the standard library writes the same bytes, more slowly
    orjson = None

ENCODER = "orjson" if orjson is not None else "json (standard library; orjson not installed)"


def dumps(data) -> bytes:
    if orjson is not None:
        return orjson.dumps(data)
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _datetime(value) -> str:
    """DRF's ISO 8601: in the current time zone, "Z" for UTC."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _page_size(request) -> int:
    return max(1, min(200, int(request.GET.get("page_size", 20))))


def _links(request, api: str, count: int, page_size: int) -> tuple[str | None, None]:
    """The API's first page's next and previous links, parameters sorted as DRF writes them."""
    if count <= page_size:
        return None, None
    return request.build_absolute_uri(f"{reverse(api)}?page=2&page_size={page_size}"), None


def _slugs_by_owner(through, owner: str, related: str, ids: list[int]) -> dict[int, list[str]]:
    """Related slugs per row in the related model's order (position, German name)."""
    slugs: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(**{f"{owner}_id__in": ids})
        .order_by(f"{related}__position", f"{related}__name_de", f"{related}_id")
        .values_list(f"{owner}_id", f"{related}__slug")
    )
    for owner_id, slug in rows:
        slugs.setdefault(owner_id, []).append(slug)
    return slugs


def organisation_list_values(request):
    """GET /api/v1/organisations/?page_size=N, first page, anonymous."""
    page_size = _page_size(request)
    active = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
    count = active.count()
    rows = list(
        active.order_by(Lower("name"), "id").values_list(
            "id",
            "public_id",
            "slug",
            "name",
            "short_name",
            "kind",
            "status",
            "city",
            "country",
            "website",
            "logo_thumbnail",
            "updated_at",
        )[:page_size]
    )
    ids = [row[0] for row in rows]
    sectors = _slugs_by_owner(Organisation.sectors.through, "organisation", "sector", ids)
    competences = _slugs_by_owner(
        Organisation.competences.through, "organisation", "competence", ids
    )
    kinds = {value: str(label) for value, label in Organisation.Kind.choices}
    site = request.build_absolute_uri("/")[:-1]
    results = [
        {
            "public_id": str(public_id),
            "slug": slug,
            "name": name,
            "short_name": short_name,
            "kind": kind,
            "kind_label": kinds.get(kind, kind),
            "status": status,
            "city": city,
            "country": country,
            "website": website,
            "sectors": sectors.get(pk, []),
            "competences": competences.get(pk, []),
            "logo_thumbnail": site + default_storage.url(logo) if logo else None,
            "url": f"{site}/organisations/{slug}/",
            "updated_at": _datetime(updated_at),
        }
        for (
            pk,
            public_id,
            slug,
            name,
            short_name,
            kind,
            status,
            city,
            country,
            website,
            logo,
            updated_at,
        ) in rows
    ]
    following, previous = _links(request, "api:organisation-list", count, page_size)
    body = {"count": count, "next": following, "previous": previous, "results": results}
    return HttpResponse(dumps(body), content_type="application/json")


def project_list_values(request):
    """GET /api/v1/projects/?page_size=N, first page, anonymous, in German."""
    page_size = _page_size(request)
    public = Project.objects.filter(visibility=Project.Visibility.PUBLIC)
    count = public.count()
    rows = list(
        public.order_by("acronym", "id").values(
            "id",
            "public_id",
            "acronym",
            "slug",
            "title_de",
            "title_en",
            "summary_de",
            "stage",
            "start_date",
            "end_date",
            "funding_programme",
            "visibility",
            "website",
            "is_demo",
            "updated_at",
        )[:page_size]
    )
    ids = [row["id"] for row in rows]
    competences = _slugs_by_owner(Project.competences.through, "project", "competence", ids)
    role_order = Case(
        *(
            When(role=role, then=Value(position))
            for position, role in enumerate(Participation.Role.values)
        ),
        output_field=IntegerField(),
    )
    consortium: dict[int, list[dict]] = {}
    for project_id, slug, name, role in (
        Participation.objects.filter(project_id__in=ids, left_on__isnull=True)
        .order_by(role_order, "organisation__name", "id")
        .values_list("project_id", "organisation__slug", "organisation__name", "role")
    ):
        consortium.setdefault(project_id, []).append(
            {"organisation": slug, "organisation_name": name, "role": role}
        )
    stages = {value: str(label) for value, label in Project.Stage.choices}
    site = request.build_absolute_uri("/")[:-1]
    results = [
        {
            "id": row["id"],
            "public_id": str(row["public_id"]),
            "acronym": row["acronym"],
            "slug": row["slug"],
            "title": row["title_de"],
            "title_de": row["title_de"],
            "title_en": row["title_en"],
            "summary": row["summary_de"],
            "stage": row["stage"],
            "stage_label": stages.get(row["stage"], row["stage"]),
            "start_date": row["start_date"].isoformat() if row["start_date"] else None,
            "end_date": row["end_date"].isoformat() if row["end_date"] else None,
            "funding_programme": row["funding_programme"],
            "visibility": row["visibility"],
            "website": row["website"],
            "competences": competences.get(row["id"], []),
            "consortium": consortium.get(row["id"], []),
            "url": f"{site}/projects/{row['slug']}/",
            "is_demo": row["is_demo"],
            "updated_at": _datetime(row["updated_at"]),
        }
        for row in rows
    ]
    following, previous = _links(request, "api:project-list", count, page_size)
    body = {"count": count, "next": following, "previous": previous, "results": results}
    return HttpResponse(dumps(body), content_type="application/json")


urlpatterns = [
    path("bench/values/organisations/", organisation_list_values),
    path("bench/values/projects/", project_list_values),
    path("", include("spinportal.urls")),
]
