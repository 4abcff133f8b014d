"""An organisation's way in: /api/v1/organisation-registrations/ (any logged-in partner
registers one; it is pending and they become its admin) and /api/v1/moderation/organisations/
(the cluster office lists the pending ones, approves or rejects them with a reason).

The same services and predicates as the pages (partners/views/organisations.py). Registration
has a path of its own because /api/v1/organisations/ is the directory's viewset.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.scopes import IsAuthenticatedWithScope
from partners.api.organisations import (
    OrganisationDetailSerializer,
    OrganisationUpdateInputSerializer,
)
from partners.models import Organisation
from partners.permissions import can_moderate_organisations
from partners.selectors.organisations import organisation_get, organisation_pending_list
from partners.services.organisations import (
    organisation_approve,
    organisation_register,
    organisation_reject,
)
from spinportal.api.conflicts import conflicts
from spinportal.api.serializers import ErrorSerializer

ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
CREATE_ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}
TRANSITION_ERRORS = {400: ErrorSerializer, 409: ErrorSerializer, **ERRORS}
LOOKUP = OpenApiParameter(
    "lookup", str, OpenApiParameter.PATH, description="The organisation's public id or slug."
)


def _detail(request, organisation) -> dict:
    organisation = organisation_get(visible_to=request.user, lookup=str(organisation.public_id))
    return OrganisationDetailSerializer(organisation, context={"request": request}).data


# --- Registration -----------------------------------------------------------------------------


class OrganisationRegisterInputSerializer(OrganisationUpdateInputSerializer):
    """The profile of a new organisation: name and kind are required, the rest optional."""

    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name not in ("name", "kind"):
                field.required = False


@extend_schema_view(
    create=extend_schema(
        request=OrganisationRegisterInputSerializer,
        responses={201: OrganisationDetailSerializer, 409: ErrorSerializer, **CREATE_ERRORS},
        description="Registers an organisation. It is `pending` (seen only by you and the "
        "cluster office) until the office approves it; you become its administrator. The name "
        "of a registered organisation is refused with 409, and so is a similar one unless "
        "`confirm_similar_name` is true.",
    )
)
class OrganisationRegistrationViewSet(mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Registering an organisation, as on the page /organisations/register/."""

    permission_classes = [IsAuthenticatedWithScope]
    serializer_class = OrganisationRegisterInputSerializer
    queryset = Organisation.objects.none()

    def create(self, request, *args, **kwargs):
        serializer = OrganisationRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with conflicts("name"):  # the name of a registered organisation, or a similar one
            organisation = organisation_register(
                actor=request.user,
                sectors=data.pop("sectors", ()),
                competences=data.pop("competences", ()),
                confirm_similar=data.pop("confirm_similar_name", False),
                **data,
            )
        return Response(_detail(request, organisation), status=status.HTTP_201_CREATED)


# --- Moderation -------------------------------------------------------------------------------


class CanModerateOrganisations(BasePermission):
    message = _("Only the cluster office may moderate organisations.")

    def has_permission(self, request, view):
        return can_moderate_organisations(request.user)


class RegistrantSerializer(serializers.Serializer):
    name = serializers.CharField(source="user.display_name")
    email = serializers.EmailField(source="user.email")


class OrganisationPendingSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    registered_by = RegistrantSerializer(
        source="admin_memberships", many=True, help_text="The organisation's administrators."
    )

    class Meta:
        model = Organisation
        fields = [
            "public_id",
            "slug",
            "name",
            "kind",
            "kind_label",
            "status",
            "city",
            "website",
            "description_de",
            "description_en",
            "registered_by",
            "created_at",
        ]
        read_only_fields = fields


class OrganisationRejectInputSerializer(serializers.Serializer):
    rejection_reason = serializers.CharField(
        max_length=2000, help_text="The organisation's administrators will see this text."
    )


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(responses={200: OrganisationPendingSerializer, **ERRORS}),
)
class OrganisationModerationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The cluster office's queue of pending organisations, oldest first (staff only)."""

    permission_classes = [IsAuthenticatedWithScope, CanModerateOrganisations]
    serializer_class = OrganisationPendingSerializer
    lookup_field = "lookup"
    lookup_value_regex = "[^/]+"
    queryset = Organisation.objects.none()

    def get_queryset(self):
        return organisation_pending_list()

    def get_object(self):
        return organisation_get(visible_to=self.request.user, lookup=self.kwargs["lookup"])

    @extend_schema(
        parameters=[LOOKUP],
        request=None,
        responses={200: OrganisationDetailSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Makes a pending (or rejected, or inactive) organisation active; 409 if it is."""
        with conflicts("status"):
            organisation = organisation_approve(actor=request.user, organisation=self.get_object())
        return Response(_detail(request, organisation))

    @extend_schema(
        parameters=[LOOKUP],
        request=OrganisationRejectInputSerializer,
        responses={200: OrganisationDetailSerializer, **TRANSITION_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        """Rejects a pending organisation with a reason its administrators see; 409 if it is
        not pending."""
        organisation = self.get_object()
        serializer = OrganisationRejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with conflicts("status"):
            organisation = organisation_reject(
                actor=request.user,
                organisation=organisation,
                reason=serializer.validated_data["rejection_reason"],
            )
        return Response(_detail(request, organisation))


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register(
        "organisation-registrations",
        OrganisationRegistrationViewSet,
        basename="organisation-registration",
    )
    router.register(
        "moderation/organisations", OrganisationModerationViewSet, basename="moderation"
    )
