"""/api/v1/projects/: list, retrieve, create, update; the consortium nested in the detail.

The same selectors, predicates and services as the pages: visibility in get_queryset and
get_object (404), edit rights as object permission (403), create and consortium rights and every
field rule in the services (400 naming the field).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.scopes import TokenScopePermission
from partners.api.organisations import OptionalURLField
from partners.models import Competence, Organisation
from projects import permissions
from projects.api import examples
from projects.models import Participation, Project, TeamMember
from projects.selectors import projects as selectors
from projects.services import consortium
from projects.services import projects as services
from spinportal.api.serializers import ErrorSerializer


class ProjectWritePermission(BasePermission):
    """Reading is decided by visibility (get_queryset); writing needs a login, changing a
    project the edit predicate. Create and consortium rights are checked by the services."""

    message = _("Only the project's leads may change it.")

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or bool(
            request.user and request.user.is_authenticated
        )

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        if view.action in ("participations", "participation"):
            return permissions.can_manage_consortium(request.user, obj)
        return permissions.can_edit_project(request.user, obj)


class ConsortiumEntrySerializer(serializers.Serializer):
    """A current partner, as shown in lists."""

    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    role = serializers.ChoiceField(choices=Participation.Role.choices)


class ParticipationSerializer(serializers.ModelSerializer):
    organisation = serializers.CharField(source="organisation.slug")
    organisation_name = serializers.CharField(source="organisation.name")
    role_label = serializers.CharField(source="get_role_display")
    budget_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        allow_null=True,
        help_text="Percent of the project budget; null for those outside the consortium.",
    )

    class Meta:
        model = Participation
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "role",
            "role_label",
            "budget_share",
            "joined_on",
            "left_on",
        ]
        read_only_fields = fields


class TeamMemberSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user.pk")
    name = serializers.CharField(source="user.display_name")
    # "project_role", not "role": the schema's enum components are named after the field, and
    # the consortium's roles are another set of choices
    project_role = serializers.ChoiceField(source="role", choices=TeamMember.Role.choices)
    project_role_label = serializers.CharField(source="get_role_display")

    class Meta:
        model = TeamMember
        fields = ["id", "user", "name", "project_role", "project_role_label"]
        read_only_fields = fields


@extend_schema_serializer(examples=[examples.PROJECT])
class ProjectSerializer(serializers.ModelSerializer):
    title = serializers.CharField(help_text="The title in the request's language.")
    summary = serializers.CharField(help_text="The summary in the request's language.")
    stage_label = serializers.CharField(source="get_stage_display")
    competences = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    consortium = ConsortiumEntrySerializer(
        source="current_participations",
        many=True,
        help_text="The current partners, coordinator first.",
    )
    url = serializers.SerializerMethodField()
    website = OptionalURLField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "public_id",
            "acronym",
            "slug",
            "title",
            "title_de",
            "title_en",
            "summary",
            "stage",
            "stage_label",
            "start_date",
            "end_date",
            "funding_programme",
            "visibility",
            "website",
            "competences",
            "consortium",
            "url",
            "is_demo",
            "updated_at",
        ]
        read_only_fields = fields

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, project) -> str:
        return self._absolute(f"/projects/{project.slug}/")


@extend_schema_serializer(examples=[examples.PROJECT_DETAIL])
class ProjectDetailSerializer(ProjectSerializer):
    description_html = serializers.CharField(
        read_only=True, help_text="The description rendered from Markdown and sanitised."
    )
    total_budget = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="EUR; null for those outside the consortium.",
    )
    funding_amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="EUR; null for those outside the consortium.",
    )
    participations = ParticipationSerializer(
        source="api_participations",
        many=True,
        help_text="The whole consortium, including partners who left.",
    )
    team = TeamMemberSerializer(
        source="api_team",
        many=True,
        help_text="The project team; empty for anonymous callers.",
    )
    logo = serializers.SerializerMethodField()
    can_edit = serializers.BooleanField(source="api_can_edit")

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "summary_de",
            "summary_en",
            "description",
            "description_html",
            "funding_reference",
            "total_budget",
            "funding_amount",
            "participations",
            "team",
            "logo",
            "can_edit",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_logo(self, project) -> str | None:
        return self._absolute(project.logo.url) if project.logo else None


def _money(help_text: str = "EUR, at most two decimals, not negative.") -> serializers.Field:
    return serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=0, allow_null=True, help_text=help_text
    )


@extend_schema_serializer(examples=[examples.PROJECT_UPDATE])
class ProjectUpdateInputSerializer(serializers.Serializer):
    """A partial update: only the fields sent change. `competences` replaces the whole list."""

    acronym = serializers.CharField(max_length=40)
    title_de = serializers.CharField(max_length=250)
    title_en = serializers.CharField(max_length=250, allow_blank=True)
    summary_de = serializers.CharField(allow_blank=True, max_length=5000)
    summary_en = serializers.CharField(allow_blank=True, max_length=5000)
    description = serializers.CharField(allow_blank=True, max_length=50000, help_text="Markdown.")
    stage = serializers.ChoiceField(choices=Project.Stage.choices)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    funding_programme = serializers.CharField(max_length=200, allow_blank=True)
    funding_reference = serializers.CharField(max_length=100, allow_blank=True)
    total_budget = _money()
    funding_amount = _money()
    website = serializers.URLField(allow_blank=True, max_length=200)
    visibility = serializers.ChoiceField(choices=Project.Visibility.choices)
    competences = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Competence.objects.all()
    )


@extend_schema_serializer(examples=[examples.PROJECT_CREATE])
class ProjectCreateInputSerializer(ProjectUpdateInputSerializer):
    coordinator = serializers.SlugRelatedField(
        slug_field="slug",
        allow_null=True,
        required=False,
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
        help_text="One of your organisations (slug); required for a running project.",
    )

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            field.required = name in ("acronym", "title_de")
        return fields


class ParticipationInputSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        # only active organisations join (the service's rule); others answer as if missing
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
        help_text="Organisation slug.",
    )
    role = serializers.ChoiceField(
        choices=Participation.Role.choices, default=Participation.Role.PARTNER
    )
    budget_share = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        allow_null=True,
        required=False,
        help_text="Percent of the project budget; all current shares add up to at most 100.",
    )
    joined_on = serializers.DateField(allow_null=True, required=False)
    left_on = serializers.DateField(allow_null=True, required=False)


class ParticipationUpdateInputSerializer(ParticipationInputSerializer):
    """A partial update of one participation; `left_on` records that the partner left."""

    organisation = None

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields


PROJECT_FILTERS = [
    OpenApiParameter(
        "search", str, description="Words in acronym, titles, summaries or funding programme."
    ),
    OpenApiParameter("stage", str, enum=Project.Stage.values),
    OpenApiParameter("competence", str, description="Competence slug (includes narrower ones)."),
    OpenApiParameter("organisation", str, description="Slug of a partner organisation."),
    OpenApiParameter("programme", str, description="Funding programme (exact, any case)."),
    OpenApiParameter("sort", str, enum=list(selectors.SORTS)),
]
LOOKUP = OpenApiParameter(
    "lookup",
    str,
    OpenApiParameter.PATH,
    description="The project's slug, acronym, id or public id.",
)
PARTICIPATION_ID = OpenApiParameter("participation_id", int, OpenApiParameter.PATH)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(
        parameters=PROJECT_FILTERS,
        responses={200: ProjectSerializer, 404: ErrorSerializer},
    ),
    retrieve=extend_schema(
        parameters=[LOOKUP], responses={200: ProjectDetailSerializer, 404: ErrorSerializer}
    ),
    create=extend_schema(
        request=ProjectCreateInputSerializer,
        responses={201: ProjectDetailSerializer, 400: ErrorSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[LOOKUP],
        request=ProjectUpdateInputSerializer,
        responses={200: ProjectDetailSerializer, 400: ErrorSerializer, **ERRORS},
    ),
)
class ProjectViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Projects visible to the caller. Partners of an organisation create projects; the
    project's leads (and staff) change them and manage the consortium."""

    permission_classes = [TokenScopePermission, ProjectWritePermission]
    serializer_class = ProjectSerializer
    lookup_field = "lookup"
    lookup_value_regex = "[^/]+"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Project.objects.none()  # for the schema; get_queryset asks the selector

    def get_serializer_class(self):
        if self.action == "list":
            return ProjectSerializer
        return ProjectDetailSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.project_list(
            visible_to=self.request.user,
            search=params.get("search", ""),
            filters=selectors.ProjectFilters.from_params(params),
            sort=params.get("sort", ""),
        )

    def get_object(self):
        project = selectors.project_get(
            visible_to=self.request.user, lookup=self.kwargs[self.lookup_field]
        )
        self.check_object_permissions(self.request, project)
        return project

    def _detail(self, project: Project, *, status_code: int = status.HTTP_200_OK) -> Response:
        """The detail as the caller may see it: finances and people only where permitted."""
        user = self.request.user
        project = selectors.project_get(visible_to=user, lookup=str(project.pk))
        participations = selectors.participation_list(project=project, visible_to=user)
        project.current_participations = [p for p in participations if p.left_on is None]
        project.api_participations = participations
        project.api_team = selectors.team_member_list(project=project, visible_to=user)
        project.api_can_edit = permissions.can_edit_project(user, project)
        if not permissions.can_view_project_finances(user, project):
            project.total_budget = project.funding_amount = None
        return Response(
            ProjectDetailSerializer(project, context=self.get_serializer_context()).data,
            status=status_code,
        )

    def retrieve(self, request, *args, **kwargs):
        return self._detail(self.get_object())

    def create(self, request, *args, **kwargs):
        serializer = ProjectCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        project = services.project_create(
            actor=request.user,
            competences=data.pop("competences", []),
            coordinator=data.pop("coordinator", None),
            **data,
        )
        return self._detail(project, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        serializer = ProjectUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        project = services.project_update(
            actor=request.user,
            project=project,
            competences=changes.pop("competences", None),
            **changes,
        )
        return self._detail(project)

    @extend_schema(
        parameters=[LOOKUP],
        request=ParticipationInputSerializer,
        responses={201: ParticipationSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="participations")
    def participations(self, request, *args, **kwargs):
        """Adds an organisation to the consortium (the project's leads and staff)."""
        project = self.get_object()
        serializer = ParticipationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participation = consortium.participation_add(
            actor=request.user, project=project, **serializer.validated_data
        )
        return Response(ParticipationSerializer(participation).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[LOOKUP, PARTICIPATION_ID],
        request=ParticipationUpdateInputSerializer,
        responses={200: ParticipationSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(
        detail=True,
        methods=["patch"],
        url_path=r"participations/(?P<participation_id>[0-9]+)",
    )
    def participation(self, request, *args, participation_id=None, **kwargs):
        """Changes a partner's role, budget share or dates (`left_on`: the partner left)."""
        project = self.get_object()
        participation = selectors.participation_get(project=project, pk=int(participation_id))
        serializer = ParticipationUpdateInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        current = {
            field: getattr(participation, field)
            for field in ("role", "budget_share", "joined_on", "left_on")
        }
        participation = consortium.participation_update(
            actor=request.user,
            participation=participation,
            **{**current, **serializer.validated_data},
        )
        return Response(ParticipationSerializer(participation).data)


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register("projects", ProjectViewSet, basename="project")
