"""/api/v1/organisations/ and /api/v1/competences/ (the taxonomy tree)."""

from django.db.models import Value
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.scopes import TokenScopePermission
from partners.api import examples
from partners.models import Competence, Organisation, Sector
from partners.permissions import can_edit_organisation
from partners.selectors.organisations import (
    SORTS,
    OrganisationFilters,
    competence_tree,
    organisation_get,
    organisation_list,
)
from partners.services.organisations import organisation_update
from spinportal.api.serializers import ErrorSerializer


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [{"format": "uri"}, {"maxLength": 0}],
        "description": "A URL, or empty when there is none.",
    }
)
class OptionalURLField(serializers.CharField):
    """A URL that may be empty ("" is what the database holds for "none")."""


@extend_schema_field(
    {
        "type": "string",
        "anyOf": [{"format": "email"}, {"maxLength": 0}],
        "description": "An e-mail address, or empty when there is none.",
    }
)
class OptionalEmailField(serializers.CharField):
    """An e-mail address that may be empty, as the database holds it (schema only)."""


class CanEditOrganisation(BasePermission):
    """Reading is decided by visibility (get_queryset); changing by the edit predicate."""

    message = _("Only the organisation's administrators may change it.")

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or can_edit_organisation(request.user, obj)


@extend_schema_serializer(examples=[examples.ORGANISATION])
class OrganisationSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    sectors = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    competences = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    logo_thumbnail = serializers.SerializerMethodField()
    website = OptionalURLField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "public_id",
            "slug",
            "name",
            "short_name",
            "kind",
            "kind_label",
            "status",
            "city",
            "country",
            "website",
            "sectors",
            "competences",
            "logo_thumbnail",
            "url",
            "updated_at",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_logo_thumbnail(self, organisation) -> str | None:
        return (
            self._absolute(organisation.logo_thumbnail.url) if organisation.logo_thumbnail else None
        )

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, organisation) -> str:
        return self._absolute(f"/organisations/{organisation.slug}/")


@extend_schema_serializer(examples=[examples.ORGANISATION_DETAIL])
class OrganisationDetailSerializer(OrganisationSerializer):
    parent = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    email = OptionalEmailField(read_only=True)
    description_html = serializers.CharField(
        read_only=True,
        help_text="The description in the request's language, rendered and sanitised.",
    )
    keywords = serializers.ListField(
        source="keyword_list", child=serializers.CharField(), read_only=True
    )
    logo = serializers.SerializerMethodField()

    class Meta(OrganisationSerializer.Meta):
        fields = [
            *OrganisationSerializer.Meta.fields,
            "street",
            "postcode",
            "latitude",
            "longitude",
            "email",
            "phone",
            "size_band",
            "description_de",
            "description_en",
            "description_html",
            "keywords",
            "logo",
            "parent",
            "rejection_reason",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_logo(self, organisation) -> str | None:
        return self._absolute(organisation.logo.url) if organisation.logo else None


# --- the list, from values() ------------------------------------------------------------------
# Measured need (bench/directory.py, page_size=100): OrganisationSerializer took 2.8× the time of
# writing the same JSON by hand from values(). `organisation_rows` writes what it writes (pinned
# by tests/partners/test_api_organisations.py::test_list_rows_equal_the_serializer), from three
# queries whatever the page size; OrganisationSerializer stays the schema's description.
LIST_VALUES = (
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
)


def _related_slugs(ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """({organisation id: sector slugs}, {organisation id: competence slugs}), each in its
    model's order (position, German name): one query, a UNION ALL of the two link tables."""
    branches = [
        Organisation.sectors.through.objects.filter(organisation_id__in=ids)
        .annotate(kind=Value("sector"))
        .values_list(
            "kind", "organisation_id", "sector__slug", "sector__position", "sector__name_de"
        )
        .order_by(),
        Organisation.competences.through.objects.filter(organisation_id__in=ids)
        .annotate(kind=Value("competence"))
        .values_list(
            "kind",
            "organisation_id",
            "competence__slug",
            "competence__position",
            "competence__name_de",
        )
        .order_by(),
    ]
    found: dict[str, dict[int, list[str]]] = {"sector": {}, "competence": {}}
    for kind, organisation_id, slug, _position, _name in sorted(
        branches[0].union(branches[1], all=True), key=lambda row: (row[3], row[4], row[2])
    ):
        found[kind].setdefault(organisation_id, []).append(slug)
    return found["sector"], found["competence"]


def organisation_rows(rows: list[dict], request) -> list[dict]:
    """OrganisationSerializer's representation of `values(*LIST_VALUES)` rows."""
    ids = [row["id"] for row in rows]
    sectors, competences = _related_slugs(ids)
    kind_labels = {value: str(label) for value, label in Organisation.Kind.choices}
    storage = Organisation._meta.get_field("logo_thumbnail").storage
    updated_at = serializers.DateTimeField()
    absolute = request.build_absolute_uri
    return [
        {
            "public_id": str(row["public_id"]),
            "slug": row["slug"],
            "name": row["name"],
            "short_name": row["short_name"],
            "kind": row["kind"],
            "kind_label": kind_labels.get(row["kind"], row["kind"]),
            "status": row["status"],
            "city": row["city"],
            "country": row["country"],
            "website": row["website"],
            "sectors": sectors.get(row["id"], []),
            "competences": competences.get(row["id"], []),
            "logo_thumbnail": (
                absolute(storage.url(row["logo_thumbnail"])) if row["logo_thumbnail"] else None
            ),
            "url": absolute(f"/organisations/{row['slug']}/"),
            "updated_at": updated_at.to_representation(row["updated_at"]),
        }
        for row in rows
    ]


class OrganisationUpdateInputSerializer(serializers.Serializer):
    """A partial update: only the fields sent change. Lists replace the whole list."""

    name = serializers.CharField(max_length=200, allow_blank=True)
    short_name = serializers.CharField(max_length=60, allow_blank=True)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)
    sectors = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Sector.objects.all()
    )
    competences = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Competence.objects.all()
    )
    street = serializers.CharField(max_length=200, allow_blank=True)
    postcode = serializers.CharField(max_length=10, allow_blank=True)
    city = serializers.CharField(max_length=100, allow_blank=True)
    country = serializers.CharField(max_length=2, min_length=2)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, allow_null=True, min_value=-90, max_value=90
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, allow_null=True, min_value=-180, max_value=180
    )
    website = serializers.URLField(allow_blank=True, max_length=200)
    email = serializers.EmailField(allow_blank=True, max_length=254)
    phone = serializers.CharField(max_length=40, allow_blank=True)
    size_band = serializers.ChoiceField(choices=Organisation.SizeBand.choices, allow_blank=True)
    description_de = serializers.CharField(allow_blank=True, max_length=20000)
    description_en = serializers.CharField(allow_blank=True, max_length=20000)
    keywords = serializers.CharField(max_length=500, allow_blank=True)
    parent = serializers.SlugRelatedField(
        slug_field="slug",
        allow_null=True,
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
    )
    confirm_similar_name = serializers.BooleanField(
        default=False,
        write_only=True,
        help_text="Set to true to keep a name that resembles another organisation's.",
    )


ORGANISATION_FILTERS = [
    OpenApiParameter(
        "search",
        str,
        description="Words in name, description, keywords, "
        "competences (German full-text search with typo tolerance).",
    ),
    OpenApiParameter("kind", str, enum=Organisation.Kind.values),
    OpenApiParameter("sector", str, description="Sector slug."),
    OpenApiParameter("competence", str, description="Competence slug (includes narrower ones)."),
    OpenApiParameter("city", str),
    OpenApiParameter("sort", str, enum=list(SORTS)),
]
LOOKUP = OpenApiParameter(
    "lookup", str, OpenApiParameter.PATH, description="The organisation's public id or slug."
)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(
        parameters=ORGANISATION_FILTERS,
        responses={200: OrganisationSerializer, 404: ErrorSerializer},
    ),
    retrieve=extend_schema(
        parameters=[LOOKUP], responses={200: OrganisationDetailSerializer, 404: ErrorSerializer}
    ),
    partial_update=extend_schema(
        parameters=[LOOKUP],
        request=OrganisationUpdateInputSerializer,
        responses={200: OrganisationDetailSerializer, 400: ErrorSerializer, **ERRORS},
        examples=[examples.ORGANISATION_UPDATE, examples.ORGANISATION_DETAIL],
    ),
)
class OrganisationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Organisations visible to the caller. Their admins (and staff) may PATCH them."""

    permission_classes = [TokenScopePermission, CanEditOrganisation]
    serializer_class = OrganisationSerializer
    lookup_field = "lookup"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "patch", "head", "options"]
    queryset = Organisation.objects.none()  # for the schema; get_queryset asks the selector

    def get_serializer_class(self):
        if self.action == "list":
            return OrganisationSerializer
        return OrganisationDetailSerializer

    def get_queryset(self):
        params = self.request.query_params
        return organisation_list(
            visible_to=self.request.user,
            search=params.get("search", ""),
            filters=OrganisationFilters.from_params(params),
            sort=params.get("sort", ""),
        )

    def list(self, request, *args, **kwargs):
        rows = self.get_queryset().prefetch_related(None).values(*LIST_VALUES)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(organisation_rows(page, request))

    def get_object(self):
        organisation = organisation_get(
            visible_to=self.request.user, lookup=self.kwargs[self.lookup_field]
        )
        self.check_object_permissions(self.request, organisation)
        return organisation

    def partial_update(self, request, *args, **kwargs):
        organisation = self.get_object()
        serializer = OrganisationUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        confirm_similar = changes.pop("confirm_similar_name", False)
        sectors = changes.pop("sectors", None)
        competences = changes.pop("competences", None)
        organisation_update(
            actor=request.user,
            organisation=organisation,
            sectors=sectors,
            competences=competences,
            confirm_similar=confirm_similar,
            **changes,
        )
        organisation = organisation_get(visible_to=request.user, lookup=str(organisation.public_id))
        return Response(self.get_serializer(organisation).data)


class CompetenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(help_text="The name in the request's language.")
    synonyms = serializers.ListField(source="synonym_list", child=serializers.CharField())
    children = serializers.SerializerMethodField()

    class Meta:
        model = Competence
        fields = ["slug", "name", "name_de", "name_en", "synonyms", "children"]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"$ref": "#/components/schemas/Competence"}})
    def get_children(self, competence) -> list:
        return CompetenceSerializer(competence.tree_children, many=True).data


@extend_schema_view(list=extend_schema(responses={200: CompetenceSerializer(many=True)}))
class CompetenceViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The competence taxonomy as a tree of root concepts with their narrower concepts."""

    serializer_class = CompetenceSerializer
    pagination_class = None
    queryset = Competence.objects.none()

    def list(self, request, *args, **kwargs):
        return Response(self.get_serializer(competence_tree(), many=True).data)


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register("organisations", OrganisationViewSet, basename="organisation")
    router.register("competences", CompetenceViewSet, basename="competence")
