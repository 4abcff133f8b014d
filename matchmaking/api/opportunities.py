"""/api/v1/opportunities/ (CRUD of one's own, list of visible ones) and
/api/v1/opportunities/{id}/matches/ (the owner's ranked suggestions)."""

from django.conf import settings
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
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from accounts.scopes import IsAuthenticatedWithScope
from matchmaking.api import examples
from matchmaking.api.fields import enum_field
from matchmaking.models import Match, MatchFeedback, Opportunity, PartnerKind
from matchmaking.permissions import can_manage_opportunity, is_requester_hidden
from matchmaking.selectors import (
    OpportunityFilters,
    opportunity_get,
    opportunity_list,
    opportunity_matches_named,
)
from matchmaking.services.opportunities import (
    opportunity_create,
    opportunity_delete,
    opportunity_update,
)
from partners.models import Competence, Organisation
from projects.models import Project
from spinportal.api.serializers import ErrorSerializer

LANGUAGES = [(code, code) for code, _name in settings.LANGUAGES]


class CanManageOpportunity(BasePermission):
    """Reading is decided by visibility (get_queryset); changing by the manage predicate."""

    message = _("Only the opportunity's owner may change it.")

    def has_object_permission(self, request, view, obj):
        return request.method in SAFE_METHODS or can_manage_opportunity(request.user, obj)


class OpportunityOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["public_id", "slug", "name"]
        read_only_fields = fields


@extend_schema_serializer(examples=[examples.OPPORTUNITY])
class OpportunitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = enum_field(Opportunity.Kind.choices, read_only=True)
    status = enum_field(Opportunity.Status.choices, read_only=True)
    visibility = enum_field(Opportunity.Visibility.choices, read_only=True)
    language = enum_field(LANGUAGES, read_only=True)
    organisation = serializers.SerializerMethodField(
        help_text="Null for a confidential request whose requester is not revealed to you."
    )
    competences = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)
    keywords = serializers.ListField(
        child=serializers.CharField(), source="keyword_list", read_only=True
    )
    partner_kinds = serializers.ListField(child=enum_field(PartnerKind.choices), read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    description_html = serializers.CharField(
        read_only=True, help_text="The description rendered from Markdown and sanitised."
    )
    is_owner = serializers.SerializerMethodField(
        help_text="Whether you may change it and see its matches."
    )

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "description_html",
            "language",
            "organisation",
            "competences",
            "keywords",
            "partner_kinds",
            "project",
            "project_idea",
            "valid_until",
            "status",
            "visibility",
            "published_at",
            "created_at",
            "updated_at",
            "is_owner",
        ]
        read_only_fields = fields

    @extend_schema_field(OpportunityOrganisationSerializer(allow_null=True))
    def get_organisation(self, opportunity) -> dict | None:
        if is_requester_hidden(self.context["request"].user, opportunity):
            return None
        return OpportunityOrganisationSerializer(opportunity.organisation).data

    def get_is_owner(self, opportunity) -> bool:
        return can_manage_opportunity(self.context["request"].user, opportunity)


class OpportunityInputSerializer(serializers.Serializer):
    """Create (all required fields) or partial update (only the fields sent change)."""

    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
        help_text="Slug of an active organisation you belong to (create only).",
    )
    kind = enum_field(Opportunity.Kind.choices)
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=10000)
    language = enum_field(LANGUAGES, default="de")
    competences = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Competence.objects.all(), required=False
    )
    keywords = serializers.ListField(
        child=serializers.CharField(max_length=60),
        max_length=30,
        required=False,
        help_text="Free keywords, e.g. competences that are not in the taxonomy (at most 30).",
    )
    partner_kinds = serializers.ListField(child=enum_field(PartnerKind.choices), required=False)
    project = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Project.objects.all(),
        allow_null=True,
        required=False,
        # the service's answer for a project the caller may not see: the same as for a missing one
        error_messages={"does_not_exist": _("No such project.")},
    )
    project_idea = serializers.CharField(max_length=200, allow_blank=True, required=False)
    valid_until = serializers.DateField()
    status = enum_field(Opportunity.Status.choices, default=Opportunity.Status.DRAFT)
    visibility = enum_field(Opportunity.Visibility.choices, default=Opportunity.Visibility.PARTNERS)


class MatchTargetOpportunitySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    kind = enum_field(Opportunity.Kind.choices, read_only=True)

    class Meta:
        model = Opportunity
        fields = ["id", "kind", "title"]
        read_only_fields = fields


@extend_schema_serializer(examples=[examples.MATCH])
class MatchSerializer(serializers.ModelSerializer):
    rank = serializers.IntegerField(read_only=True, help_text="1 for the best match.")
    organisation = OpportunityOrganisationSerializer(source="target_organisation")
    opportunity = MatchTargetOpportunitySerializer(source="target_opportunity", allow_null=True)
    explanation = serializers.JSONField(
        help_text="Why it matches: shared and related competences, the closest pair of "
        "sentences (`evidence`), whether the partner is of a kind sought, complementarity; "
        "`is_weak` when the match is weak (see docs/api.md)."
    )
    outcome = serializers.SerializerMethodField(
        help_text="How far the contact got (suggested … agreement)."
    )

    class Meta:
        model = Match
        fields = ["rank", "score", "organisation", "opportunity", "explanation", "outcome"]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "enum": MatchFeedback.Outcome.values})
    def get_outcome(self, match) -> str:
        return match.outcome or MatchFeedback.Outcome.SUGGESTED


class OpportunityListFilterSerializer(serializers.Serializer):
    """Query parameters of the list: an unknown kind or status, or a `mine` that is no boolean,
    is a 400 naming it (rather than a filter silently ignored, or "false" read as true)."""

    q = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    kind = serializers.ChoiceField(
        choices=Opportunity.Kind.choices, required=False, allow_blank=True
    )
    competence = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(
        choices=Opportunity.Status.choices, required=False, allow_blank=True
    )
    mine = serializers.BooleanField(required=False, default=False)

    def filters(self) -> OpportunityFilters:
        data = self.validated_data
        return OpportunityFilters.from_params(
            {
                "q": data.get("q", ""),
                "kind": data.get("kind", ""),
                "competence": data.get("competence", ""),
                "status": data.get("status", ""),
                "mine": "1" if data.get("mine") else "",
            }
        )


def _with_keyword_text(validated: dict) -> dict:
    data = dict(validated)
    if "keywords" in data:
        if any("," in keyword for keyword in data["keywords"]):
            raise serializers.ValidationError(
                {"keywords": [_("A keyword may not contain a comma.")]}
            )
        data["keywords"] = ", ".join(data["keywords"])
    return data


OPPORTUNITY_FILTERS = [
    OpenApiParameter("q", str, description="Words in title, description or keywords."),
    OpenApiParameter("kind", str, enum=Opportunity.Kind.values),
    OpenApiParameter("competence", str, description="Competence slug (includes narrower ones)."),
    OpenApiParameter(
        "status",
        str,
        enum=Opportunity.Status.values,
        description="Others' opportunities are always published; drafts and closed ones are "
        "your organisations' own.",
    ),
    OpenApiParameter("mine", bool, description="Only your organisations' opportunities."),
]
ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(
        parameters=OPPORTUNITY_FILTERS,
        responses={200: OpportunitySerializer, 404: ErrorSerializer},
    ),
    retrieve=extend_schema(parameters=[ID], responses={200: OpportunitySerializer, **ERRORS}),
    create=extend_schema(
        request=OpportunityInputSerializer,
        responses={201: OpportunitySerializer, 400: ErrorSerializer, **ERRORS},
        examples=[examples.OPPORTUNITY_CREATE, examples.OPPORTUNITY],
    ),
    partial_update=extend_schema(
        parameters=[ID],
        request=OpportunityInputSerializer,
        responses={200: OpportunitySerializer, 400: ErrorSerializer, **ERRORS},
        examples=[examples.OPPORTUNITY_UPDATE, examples.OPPORTUNITY],
    ),
    destroy=extend_schema(parameters=[ID], responses={204: None, **ERRORS}),
)
class OpportunityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Offers and requests visible to the caller; their owners change them."""

    permission_classes = [IsAuthenticatedWithScope, CanManageOpportunity]
    serializer_class = OpportunitySerializer
    lookup_field = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    queryset = Opportunity.objects.none()

    def get_queryset(self):
        params = OpportunityListFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return opportunity_list(visible_to=self.request.user, filters=params.filters())

    def get_object(self):
        opportunity = opportunity_get(visible_to=self.request.user, public_id=self.kwargs["id"])
        self.check_object_permissions(self.request, opportunity)
        return opportunity

    def _respond(self, opportunity, status_code=status.HTTP_200_OK):
        opportunity = opportunity_get(
            visible_to=self.request.user, public_id=str(opportunity.public_id)
        )
        return Response(self.get_serializer(opportunity).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = OpportunityInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = _with_keyword_text(serializer.validated_data)
        opportunity = opportunity_create(actor=request.user, **data)
        return self._respond(opportunity, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        opportunity = self.get_object()
        serializer = OpportunityInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = _with_keyword_text(serializer.validated_data)
        if "organisation" in changes:
            raise serializers.ValidationError(
                {"organisation": [_("An opportunity cannot move to another organisation.")]}
            )
        competences = changes.pop("competences", None)
        opportunity_update(
            actor=request.user, opportunity=opportunity, competences=competences, **changes
        )
        return self._respond(opportunity)

    def perform_destroy(self, instance):
        opportunity_delete(actor=self.request.user, opportunity=instance)

    @extend_schema(parameters=[ID], responses={200: MatchSerializer(many=True), **ERRORS})
    # Not paginated (the schema says so too): the engine stores a bounded number per opportunity.
    @action(detail=True, methods=["get"], pagination_class=None)
    def matches(self, request, *args, **kwargs):
        """The ranked suggestions (without those marked “not relevant”); owner only."""
        opportunity = opportunity_get(visible_to=request.user, public_id=self.kwargs["id"])
        if not can_manage_opportunity(request.user, opportunity):
            raise PermissionDenied(_("Only the opportunity's owner sees its matches."))
        matches = opportunity_matches_named(opportunity=opportunity)
        return Response(MatchSerializer(matches, many=True).data)
