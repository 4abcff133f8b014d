"""/api/v1/projects/{project_id}/work-packages/, …/milestones/, …/news/, …/documents/.

Nested under a project (its public id or slug). Reading follows the pages: the project must be
visible (else 404), consortium-only news and documents only for the consortium. Writing needs the
project team (`can_contribute`) and goes through the same services as the pages.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.scopes import TokenScopePermission
from partners.models import Organisation
from projects.models import Document, DocumentVersion, Milestone, NewsPost, WorkPackage
from projects.permissions import can_contribute
from projects.selectors.workplan import (
    document_get,
    document_list,
    document_version_get,
    milestone_get,
    milestone_list,
    milestone_state,
    news_get,
    news_list,
    project_visible_get,
    work_package_get,
    work_package_list,
)
from projects.services import content as content_services
from projects.services import workplan as workplan_services
from projects.uploads import check_upload
from projects.views.workplan import file_response
from spinportal.api.parsers import FormParser, JSONParser, MultiPartParser
from spinportal.api.serializers import ErrorSerializer

PROJECT = OpenApiParameter(
    "project_id", str, OpenApiParameter.PATH, description="The project's public id or slug."
)
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
WRITE_ERRORS = {400: ErrorSerializer, **ERRORS}
# ASCII digits: str.isdigit() also accepts "¹9", which int() refuses.
VERSION_NUMBER = re.compile(r"[0-9]{1,9}")


class ContributorWrites(BasePermission):
    """The project must be visible (404 otherwise); changes need the project team."""

    message = _("Only the project team may change this.")

    def has_permission(self, request, view):
        project = view.get_project()
        if request.method in SAFE_METHODS:
            return True
        if not (request.user and request.user.is_authenticated):
            return False
        if can_contribute(request.user, project):
            return True
        if view.kwargs.get("pk") is not None:
            # an object the caller may not even see answers 404, as if missing, not 403
            view.get_object()
        return False


class ProjectNestedViewSet(viewsets.GenericViewSet):
    permission_classes = [TokenScopePermission, ContributorWrites]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    lookup_value_regex = "[0-9]+"

    def get_project(self):
        if not hasattr(self, "_project"):
            self._project = project_visible_get(
                visible_to=self.request.user, lookup=self.kwargs["project_id"]
            )
        return self._project

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "project": self.get_project()}

    def input(self, serializer_class, *, partial=False) -> dict:
        serializer = serializer_class(data=self.request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, instance, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=status_code)


# Inline enums: "kind" and "status" would otherwise collide with the organisations' enums in
# the schema's component names.
@extend_schema_field(
    {"type": "string", "enum": Milestone.Kind.values}, component_name="MilestoneKindEnum"
)
class MilestoneKindField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Milestone.Kind.choices, **kwargs)


@extend_schema_field(
    {"type": "string", "enum": Milestone.Status.values}, component_name="MilestoneStatusEnum"
)
class MilestoneStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Milestone.Status.choices, **kwargs)


# --- work packages ------------------------------------------------------------------------------


class WorkPackageSerializer(serializers.ModelSerializer):
    lead_organisation = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = WorkPackage
        fields = ["id", "number", "title", "lead_organisation", "start_month", "end_month"]
        read_only_fields = fields


class WorkPackageInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(min_value=1, max_value=32767)
    title = serializers.CharField(max_length=200)
    lead_organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        allow_null=True,
        required=False,
        help_text="Slug of an organisation in the consortium.",
    )
    start_month = serializers.IntegerField(min_value=1, max_value=32767)
    end_month = serializers.IntegerField(min_value=1, max_value=32767)


@extend_schema_view(
    list=extend_schema(parameters=[PROJECT], responses={200: WorkPackageSerializer, **ERRORS}),
    retrieve=extend_schema(
        parameters=[PROJECT, ID], responses={200: WorkPackageSerializer, **ERRORS}
    ),
    create=extend_schema(
        parameters=[PROJECT],
        request=WorkPackageInputSerializer,
        responses={201: WorkPackageSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[PROJECT, ID],
        request=WorkPackageInputSerializer,
        responses={200: WorkPackageSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(parameters=[PROJECT, ID], responses={204: None, **ERRORS}),
)
class WorkPackageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet):
    """A project's work packages (number, title, lead, start and end month)."""

    serializer_class = WorkPackageSerializer
    queryset = WorkPackage.objects.none()

    def get_queryset(self):
        return work_package_list(project=self.get_project())

    def get_object(self):
        return work_package_get(project=self.get_project(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = self.input(WorkPackageInputSerializer)
        package = workplan_services.work_package_create(
            actor=request.user, project=self.get_project(), **data
        )
        return self.respond(package, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        package = self.get_object()
        data = self.input(WorkPackageInputSerializer, partial=True)
        package = workplan_services.work_package_update(
            actor=request.user, work_package=package, **data
        )
        return self.respond(package)

    def destroy(self, request, *args, **kwargs):
        workplan_services.work_package_delete(actor=request.user, work_package=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- milestones ---------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    work_package = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    responsible_organisation = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    kind = MilestoneKindField(read_only=True)
    status = MilestoneStatusField(read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text="Marked late, or still open after the due date."
    )
    state = serializers.SerializerMethodField(help_text="done, open or overdue.")

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "title",
            "due_date",
            "work_package",
            "responsible_organisation",
            "status",
            "is_overdue",
            "state",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": ["done", "open", "overdue"]})
    def get_state(self, milestone) -> str:
        return milestone_state(milestone)


class MilestoneInputSerializer(serializers.Serializer):
    kind = MilestoneKindField(default=Milestone.Kind.MILESTONE)
    title = serializers.CharField(max_length=200)
    due_date = serializers.DateField()
    work_package = serializers.PrimaryKeyRelatedField(
        queryset=WorkPackage.objects.all(), allow_null=True, required=False
    )
    responsible_organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    status = MilestoneStatusField(default=Milestone.Status.OPEN)


@extend_schema_view(
    list=extend_schema(parameters=[PROJECT], responses={200: MilestoneSerializer, **ERRORS}),
    retrieve=extend_schema(
        parameters=[PROJECT, ID], responses={200: MilestoneSerializer, **ERRORS}
    ),
    create=extend_schema(
        parameters=[PROJECT],
        request=MilestoneInputSerializer,
        responses={201: MilestoneSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[PROJECT, ID],
        request=MilestoneInputSerializer,
        responses={200: MilestoneSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(parameters=[PROJECT, ID], responses={204: None, **ERRORS}),
)
class MilestoneViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet):
    """A project's milestones and deliverables, with overdue flags."""

    serializer_class = MilestoneSerializer
    queryset = Milestone.objects.none()

    def get_queryset(self):
        return milestone_list(project=self.get_project())

    def get_object(self):
        return milestone_get(project=self.get_project(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        data = self.input(MilestoneInputSerializer)
        milestone = workplan_services.milestone_create(
            actor=request.user, project=self.get_project(), **data
        )
        return self.respond(milestone_get(project=self.get_project(), pk=milestone.pk), 201)

    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        data = self.input(MilestoneInputSerializer, partial=True)
        workplan_services.milestone_update(actor=request.user, milestone=milestone, **data)
        return self.respond(milestone_get(project=self.get_project(), pk=milestone.pk))

    def destroy(self, request, *args, **kwargs):
        workplan_services.milestone_delete(actor=request.user, milestone=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- news ---------------------------------------------------------------------------------------


class NewsPostSerializer(serializers.ModelSerializer):
    text_html = serializers.CharField(read_only=True, help_text="The text rendered and sanitised.")

    class Meta:
        model = NewsPost
        fields = ["id", "title", "text", "text_html", "published_at", "is_public", "updated_at"]
        read_only_fields = fields


# Dates far in the past come out with local mean time offsets (+00:53:28 in Berlin before 1893),
# which are no RFC 3339 date-times; no news item is that old.
NEWS_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
NEWS_END = dt.datetime(2999, 12, 31, tzinfo=dt.UTC)


class NewsPostInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    text = serializers.CharField(max_length=50000, help_text="Markdown.")
    published_at = serializers.DateTimeField(
        validators=[MinValueValidator(NEWS_EPOCH), MaxValueValidator(NEWS_END)],
        help_text="Between 1970 and 2999.",
    )
    is_public = serializers.BooleanField(default=False)


@extend_schema_view(
    list=extend_schema(parameters=[PROJECT], responses={200: NewsPostSerializer, **ERRORS}),
    retrieve=extend_schema(parameters=[PROJECT, ID], responses={200: NewsPostSerializer, **ERRORS}),
    create=extend_schema(
        parameters=[PROJECT],
        request=NewsPostInputSerializer,
        responses={201: NewsPostSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[PROJECT, ID],
        request=NewsPostInputSerializer,
        responses={200: NewsPostSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(parameters=[PROJECT, ID], responses={204: None, **ERRORS}),
)
class NewsPostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet):
    """A project's news visible to the caller (public ones for everyone who sees the project)."""

    serializer_class = NewsPostSerializer
    queryset = NewsPost.objects.none()

    def get_queryset(self):
        return news_list(visible_to=self.request.user, project=self.get_project())

    def get_object(self):
        return news_get(
            visible_to=self.request.user, project=self.get_project(), pk=self.kwargs["pk"]
        )

    def create(self, request, *args, **kwargs):
        data = self.input(NewsPostInputSerializer)
        post = content_services.news_post_create(
            actor=request.user, project=self.get_project(), **data
        )
        return self.respond(post, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        post = self.get_object()
        data = self.input(NewsPostInputSerializer, partial=True)
        return self.respond(
            content_services.news_post_update(actor=request.user, post=post, **data)
        )

    def destroy(self, request, *args, **kwargs):
        content_services.news_post_delete(actor=request.user, post=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- documents ----------------------------------------------------------------------------------


class DocumentVersionSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "uploaded_at",
            "download_url",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_download_url(self, version) -> str:
        project = self.context["project"]
        path = (
            f"/api/v1/projects/{project.public_id}/documents/{version.document_id}/download/"
            f"?version={version.number}"
        )
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class DocumentSerializer(serializers.ModelSerializer):
    versions = DocumentVersionSerializer(source="version_list", many=True, read_only=True)

    class Meta:
        model = Document
        fields = ["id", "title", "description", "is_public", "created_at", "updated_at", "versions"]
        read_only_fields = fields


class DocumentUpdateInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, max_length=5000, required=False)
    is_public = serializers.BooleanField(default=False)


class UploadField(serializers.FileField):
    def to_internal_value(self, data):
        uploaded = super().to_internal_value(data)
        try:
            return check_upload(uploaded)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error


class DocumentCreateInputSerializer(DocumentUpdateInputSerializer):
    file = UploadField(
        help_text="PDF, docx/xlsx/pptx, odt/ods/odp, PNG/JPEG/WebP; checked by content."
    )


class DocumentVersionInputSerializer(serializers.Serializer):
    file = UploadField(help_text="The new version; checked by content.")


@extend_schema_view(
    list=extend_schema(parameters=[PROJECT], responses={200: DocumentSerializer, **ERRORS}),
    retrieve=extend_schema(parameters=[PROJECT, ID], responses={200: DocumentSerializer, **ERRORS}),
    create=extend_schema(
        parameters=[PROJECT],
        request={"multipart/form-data": DocumentCreateInputSerializer},
        responses={201: DocumentSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        parameters=[PROJECT, ID],
        request=DocumentUpdateInputSerializer,
        responses={200: DocumentSerializer, **WRITE_ERRORS},
    ),
    destroy=extend_schema(parameters=[PROJECT, ID], responses={204: None, **ERRORS}),
)
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet):
    """Document metadata with versions; files are downloaded through `download`."""

    serializer_class = DocumentSerializer
    queryset = Document.objects.none()
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return document_list(visible_to=self.request.user, project=self.get_project())

    def get_object(self):
        return document_get(
            visible_to=self.request.user, project=self.get_project(), pk=self.kwargs["pk"]
        )

    def create(self, request, *args, **kwargs):
        data = self.input(DocumentCreateInputSerializer)
        document = content_services.document_create(
            actor=request.user, project=self.get_project(), upload=data.pop("file"), **data
        )
        return self.respond(self._reload(document), status.HTTP_201_CREATED)

    def _reload(self, document):
        return document_get(
            visible_to=self.request.user, project=self.get_project(), pk=document.pk
        )

    def partial_update(self, request, *args, **kwargs):
        document = self.get_object()
        data = self.input(DocumentUpdateInputSerializer, partial=True)
        content_services.document_update(actor=request.user, document=document, **data)
        return self.respond(self._reload(document))

    def destroy(self, request, *args, **kwargs):
        content_services.document_delete(actor=request.user, document=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        parameters=[PROJECT, ID],
        request={"multipart/form-data": DocumentVersionInputSerializer},
        responses={201: DocumentSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, *args, **kwargs):
        """Uploads the next version of the document."""
        document = self.get_object()
        data = self.input(DocumentVersionInputSerializer)
        content_services.document_version_add(
            actor=request.user, document=document, upload=data["file"]
        )
        return self.respond(self._reload(document), status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            PROJECT,
            ID,
            OpenApiParameter("version", int, description="A version number; default the latest."),
        ],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        """The file of a version (the latest by default), as an attachment."""
        document = self.get_object()
        number = request.query_params.get("version")
        if number is not None and not VERSION_NUMBER.fullmatch(number):
            raise serializers.ValidationError({"version": [_("A version number is expected.")]})
        return file_response(
            document_version_get(document=document, number=int(number) if number else None)
        )


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    prefix = r"projects/(?P<project_id>[^/.]+)"
    router.register(f"{prefix}/work-packages", WorkPackageViewSet, basename="work-package")
    router.register(f"{prefix}/milestones", MilestoneViewSet, basename="milestone")
    router.register(f"{prefix}/news", NewsPostViewSet, basename="news-post")
    router.register(f"{prefix}/documents", DocumentViewSet, basename="document")
