"""Invitations and requests to join, from both sides.

- An organisation's admins (and staff): /api/v1/organisations/{organisation_lookup}/invitations/
  (list the open ones, invite an address, resend, revoke) and …/join-requests/ (list the open
  ones, approve, decline). An organisation the caller may not see answers 404; one they see
  but do not manage, 403; an invitation or request of another organisation, 404.
- The person: /api/v1/invitations/ (the open invitations to one of their verified addresses;
  accept, decline) and /api/v1/join-requests/ (their open requests; ask, withdraw). Others'
  answer 404.

The same services and predicates as the member pages (partners/views/people.py).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from accounts.scopes import IsAuthenticatedWithScope
from partners.models import Invitation, JoinRequest, Membership, Organisation
from partners.permissions import can_manage_members
from partners.selectors import people as selectors
from partners.selectors.organisations import organisation_get
from partners.services import invitations, join_requests
from partners.services.invitations import InvitationProblem, invitation_expires_at
from spinportal.api.conflicts import Conflict, conflicts
from spinportal.api.fields import enum_field
from spinportal.api.serializers import ErrorSerializer

ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
# 409: the current state does not allow it (answered already, a member already, …)
WRITE_ERRORS = {400: ErrorSerializer, 409: ErrorSerializer, **ERRORS}
CREATE_ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    409: ErrorSerializer,
}
ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ORGANISATION = OpenApiParameter(
    "organisation_lookup",
    str,
    OpenApiParameter.PATH,
    description="The organisation's public id or slug.",
)


# --- Serializers ------------------------------------------------------------------------------


class OrganisationReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["public_id", "slug", "name"]
        read_only_fields = fields


class InvitationSerializer(serializers.ModelSerializer):
    organisation = OrganisationReferenceSerializer(read_only=True)
    role = enum_field(Membership.Role.choices, read_only=True)
    status = enum_field(Invitation.Status.choices, read_only=True)
    invited_by = serializers.SerializerMethodField(help_text="The inviter's name.")
    expires_at = serializers.SerializerMethodField(
        help_text=f"{Invitation.VALID_DAYS} days after it was (re)sent."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "organisation",
            "email",
            "role",
            "status",
            "invited_by",
            "sent_at",
            "expires_at",
            "accepted_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_invited_by(self, invitation) -> str | None:
        return invitation.invited_by.display_name if invitation.invited_by else None

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_expires_at(self, invitation):
        return serializers.DateTimeField().to_representation(invitation_expires_at(invitation))


class InvitationCreateInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    role = enum_field(Membership.Role.choices, default=Membership.Role.MEMBER)


class JoinRequestPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="display_name")
    email = serializers.EmailField()


class JoinRequestSerializer(serializers.ModelSerializer):
    organisation = OrganisationReferenceSerializer(read_only=True)
    person = JoinRequestPersonSerializer(source="user", read_only=True)
    status = enum_field(JoinRequest.Status.choices, read_only=True)

    class Meta:
        model = JoinRequest
        fields = ["id", "organisation", "person", "message", "status", "created_at", "decided_at"]
        read_only_fields = fields


class JoinRequestCreateInputSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
        help_text="Slug of the (active) organisation to join.",
        error_messages={"does_not_exist": _("No active organisation with the slug “{value}”.")},
    )
    message = serializers.CharField(
        max_length=JoinRequest._meta.get_field("message").max_length,
        required=False,
        allow_blank=True,
        help_text="Optional: who you are and what you do in the organisation.",
    )


class MembershipSerializer(serializers.ModelSerializer):
    organisation = OrganisationReferenceSerializer(read_only=True)
    role = enum_field(Membership.Role.choices, read_only=True)

    class Meta:
        model = Membership
        fields = ["organisation", "role", "created_at"]
        read_only_fields = fields


# --- An organisation's side (its admins and staff) --------------------------------------------


class ManagesOrganisationMembers(BasePermission):
    """The organisation must be visible (404 otherwise); its member business is its admins'."""

    message = _("Only the organisation's administrators manage its members.")

    def has_permission(self, request, view):
        return can_manage_members(request.user, view.get_organisation())


class OrganisationMembersViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticatedWithScope, ManagesOrganisationMembers]
    lookup_value_regex = "[0-9]+"

    def get_organisation(self) -> Organisation:
        if not hasattr(self, "_organisation"):
            self._organisation = organisation_get(
                visible_to=self.request.user, lookup=self.kwargs["organisation_lookup"]
            )
        return self._organisation

    def respond(self, instance, status_code=status.HTTP_200_OK):
        return Response(self.get_serializer(instance).data, status=status_code)


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(parameters=[ORGANISATION], responses={200: InvitationSerializer, **ERRORS}),
    retrieve=extend_schema(
        parameters=[ORGANISATION, ID], responses={200: InvitationSerializer, **ERRORS}
    ),
    create=extend_schema(
        parameters=[ORGANISATION],
        request=InvitationCreateInputSerializer,
        responses={201: InvitationSerializer, **WRITE_ERRORS},
        description="Invites an e-mail address (the link goes out by mail, valid for "
        f"{Invitation.VALID_DAYS} days). 409 for a member's address or one with an open "
        "invitation.",
    ),
)
class OrganisationInvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationMembersViewSet
):
    """The organisation's invitations: the list holds the open ones."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()

    def get_queryset(self):
        return selectors.invitation_list_open(organisation=self.get_organisation())

    def get_object(self):
        return selectors.invitation_get(organisation=self.get_organisation(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = InvitationCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with conflicts("email"):  # a member's address, or one invited already
            invitation = invitations.invitation_create(
                actor=request.user,
                organisation=self.get_organisation(),
                **serializer.validated_data,
            )
        return self.respond(invitation, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ORGANISATION, ID],
        request=None,
        responses={200: InvitationSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        """Sends a new link, valid for another period; the previous link stops working."""
        with conflicts():
            invitation = invitations.invitation_resend(
                actor=request.user, invitation=self.get_object()
            )
        return self.respond(invitation)

    @extend_schema(
        parameters=[ORGANISATION, ID],
        request=None,
        responses={200: InvitationSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Withdraws an open invitation; its link stops working."""
        with conflicts():
            invitation = invitations.invitation_revoke(
                actor=request.user, invitation=self.get_object()
            )
        return self.respond(invitation)


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(parameters=[ORGANISATION], responses={200: JoinRequestSerializer, **ERRORS}),
    retrieve=extend_schema(
        parameters=[ORGANISATION, ID], responses={200: JoinRequestSerializer, **ERRORS}
    ),
)
class OrganisationJoinRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganisationMembersViewSet
):
    """Requests to join the organisation: the list holds the open ones, oldest first."""

    serializer_class = JoinRequestSerializer
    queryset = JoinRequest.objects.none()

    def get_queryset(self):
        return selectors.join_request_list_open(organisation=self.get_organisation())

    def get_object(self):
        return selectors.join_request_get(
            organisation=self.get_organisation(), pk=self.kwargs["pk"]
        )

    @extend_schema(
        parameters=[ORGANISATION, ID],
        request=None,
        responses={200: JoinRequestSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """The requester becomes a member (role `member`) and is told."""
        with conflicts():
            join_requests.join_request_approve(actor=request.user, join_request=self.get_object())
        return self.respond(self.get_object())

    @extend_schema(
        parameters=[ORGANISATION, ID],
        request=None,
        responses={200: JoinRequestSerializer, **WRITE_ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """The request is declined and the requester told."""
        with conflicts():
            join_request = join_requests.join_request_decline(
                actor=request.user, join_request=self.get_object()
            )
        return self.respond(join_request)


# --- The person's side ------------------------------------------------------------------------

# Why an invitation cannot be accepted (the services' codes), in words.
ACCEPT_PROBLEMS = {
    InvitationProblem.EXPIRED: _("This invitation has expired"),
    InvitationProblem.REVOKED: _("This invitation has been withdrawn"),
    InvitationProblem.ACCEPTED: _("This invitation has already been used"),
    InvitationProblem.DECLINED: _("This invitation has been declined"),
    InvitationProblem.WRONG_ADDRESS: _("This invitation is for another e-mail address"),
    InvitationProblem.ALREADY_MEMBER: _("You are already a member"),
}


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(responses={200: InvitationSerializer, **ERRORS}),
    retrieve=extend_schema(parameters=[ID], responses={200: InvitationSerializer, **ERRORS}),
)
class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Open invitations to one of your verified e-mail addresses, newest first."""

    permission_classes = [IsAuthenticatedWithScope]
    serializer_class = InvitationSerializer
    lookup_value_regex = "[0-9]+"
    queryset = Invitation.objects.none()

    def get_queryset(self):
        return selectors.invitation_list_for_user(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    @extend_schema(
        parameters=[ID], request=None, responses={200: MembershipSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """You become a member with the invited role; the answer is the new membership."""
        try:
            membership = invitations.invitation_accept(
                user=request.user, invitation=self.get_object()
            )
        except DjangoValidationError as error:
            raise Conflict(ACCEPT_PROBLEMS.get(error.code) or " ".join(error.messages)) from error
        return Response(MembershipSerializer(membership).data)

    @extend_schema(
        parameters=[ID], request=None, responses={200: InvitationSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """You decline: the invitation and its link are void."""
        with conflicts():
            invitation = invitations.invitation_decline(
                user=request.user, invitation=self.get_object()
            )
        return Response(self.get_serializer(invitation).data)


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(responses={200: JoinRequestSerializer, **ERRORS}),
    retrieve=extend_schema(parameters=[ID], responses={200: JoinRequestSerializer, **ERRORS}),
    create=extend_schema(
        request=JoinRequestCreateInputSerializer,
        responses={201: JoinRequestSerializer, **CREATE_ERRORS},
        description="Asks the organisation's administrators to let you join; they are told. "
        "409 if you are a member already or have an open request.",
    ),
)
class JoinRequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your open requests to join an organisation, newest first."""

    permission_classes = [IsAuthenticatedWithScope]
    serializer_class = JoinRequestSerializer
    lookup_value_regex = "[0-9]+"
    queryset = JoinRequest.objects.none()

    def get_queryset(self):
        return selectors.join_request_list_for_user(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        serializer = JoinRequestCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with conflicts():
            join_request = join_requests.join_request_create(
                user=request.user,
                organisation=serializer.validated_data["organisation"],
                message=serializer.validated_data.get("message", ""),
            )
        return Response(self.get_serializer(join_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID], request=None, responses={200: JoinRequestSerializer, **WRITE_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """You take back an open request."""
        with conflicts():
            join_request = join_requests.join_request_withdraw(
                user=request.user, join_request=self.get_object()
            )
        return Response(self.get_serializer(join_request).data)


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    prefix = r"organisations/(?P<organisation_lookup>[^/]+)"
    router.register(
        f"{prefix}/invitations", OrganisationInvitationViewSet, basename="organisation-invitation"
    )
    router.register(
        f"{prefix}/join-requests",
        OrganisationJoinRequestViewSet,
        basename="organisation-join-request",
    )
    router.register("invitations", InvitationViewSet, basename="invitation")
    router.register("join-requests", JoinRequestViewSet, basename="join-request")
