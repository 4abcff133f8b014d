"""/api/v1/contact-requests/ with accept, decline and withdraw actions, and the conversation's
messages (/api/v1/contact-requests/{id}/messages/). Requests one does not take part in answer
404, as if missing."""

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
from rest_framework.response import Response

from accounts.models import User
from accounts.scopes import IsAuthenticatedWithScope
from matchmaking.api import examples
from matchmaking.api.fields import enum_field
from matchmaking.models import ContactRequest, Message, Opportunity
from matchmaking.permissions import can_view_contact_data, is_contact_request_sender
from matchmaking.selectors import (
    DIRECTIONS,
    contact_request_get,
    contact_request_list,
    message_list,
)
from matchmaking.services.contact_requests import (
    contact_request_accept,
    contact_request_create,
    contact_request_decline,
    contact_request_withdraw,
    message_create,
)
from partners.models import Organisation
from partners.permissions import visible_organisations_q
from spinportal.api.serializers import ErrorSerializer


class ContactPersonSerializer(serializers.ModelSerializer):
    """A person; e-mail and phone only once the request is accepted (else null)."""

    name = serializers.CharField(source="display_name")
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["name", "email", "phone"]
        read_only_fields = fields

    def _shares(self) -> bool:
        return bool(self.context.get("shares_contact_data"))

    @extend_schema_field({"type": "string", "format": "email", "nullable": True})
    def get_email(self, person) -> str | None:
        return person.email if self._shares() else None

    def get_phone(self, person) -> str | None:
        return (person.phone or None) if self._shares() else None


class ContactOrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["public_id", "slug", "name"]
        read_only_fields = fields


@extend_schema_serializer(examples=[examples.CONTACT_REQUEST])
class ContactRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    status = enum_field(ContactRequest.Status.choices, read_only=True)
    direction = serializers.SerializerMethodField()
    sender = serializers.SerializerMethodField()
    answered_by = serializers.SerializerMethodField()
    sender_organisation = ContactOrganisationSerializer()
    receiver_organisation = ContactOrganisationSerializer()
    opportunity = serializers.SerializerMethodField()

    class Meta:
        model = ContactRequest
        fields = [
            "id",
            "direction",
            "status",
            "message",
            "sender",
            "sender_organisation",
            "receiver_organisation",
            "opportunity",
            "decline_reason",
            "answered_by",
            "answered_at",
            "created_at",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    @extend_schema_field({"type": "string", "enum": list(DIRECTIONS)})
    def get_direction(self, contact_request) -> str:
        return "out" if is_contact_request_sender(self._user(), contact_request) else "in"

    def _person(self, contact_request, person):
        if person is None:
            return None
        context = {"shares_contact_data": can_view_contact_data(self._user(), contact_request)}
        if person.pk == self._user().pk:
            context["shares_contact_data"] = True
        return ContactPersonSerializer(person, context=context).data

    @extend_schema_field(ContactPersonSerializer)
    def get_sender(self, contact_request):
        return self._person(contact_request, contact_request.sender)

    @extend_schema_field(ContactPersonSerializer(allow_null=True))
    def get_answered_by(self, contact_request):
        return self._person(contact_request, contact_request.answered_by)

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_opportunity(self, contact_request) -> str | None:
        opportunity = contact_request.opportunity
        return str(opportunity.public_id) if opportunity else None


@extend_schema_serializer(examples=[examples.CONTACT_REQUEST_CREATE])
class ContactRequestCreateInputSerializer(serializers.Serializer):
    receiver_organisation = serializers.SlugField(help_text="Slug of the organisation to contact.")
    sender_organisation = serializers.SlugField(
        required=False, help_text="Slug of your organisation; needed if you belong to several."
    )
    opportunity = serializers.UUIDField(
        required=False, allow_null=True, help_text="Id of an opportunity of either side."
    )
    message = serializers.CharField(max_length=5000)


class ContactRequestListFilterSerializer(serializers.Serializer):
    """Query parameters of the list: an unknown direction or status is a 400 naming it."""

    direction = serializers.ChoiceField(choices=DIRECTIONS, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=ContactRequest.Status.choices, required=False, allow_blank=True
    )


@extend_schema_serializer(examples=[examples.CONTACT_REQUEST_DECLINE])
class ContactRequestDeclineInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True)


@extend_schema_serializer(examples=[examples.MESSAGE])
class MessageSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = ["id", "author", "text", "created_at"]
        read_only_fields = fields

    def get_author(self, message) -> str | None:
        return message.author.display_name if message.author else None


@extend_schema_serializer(examples=[examples.MESSAGE_CREATE])
class MessageCreateInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


ID = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
LIST_PARAMETERS = [
    OpenApiParameter("direction", str, enum=list(DIRECTIONS), description="Received or sent."),
    OpenApiParameter("status", str, enum=ContactRequest.Status.values),
]


def _no_such(field: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [_("No such %(field)s.") % {"field": field}]})


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(
        parameters=LIST_PARAMETERS,
        responses={200: ContactRequestSerializer, **ERRORS},
    ),
    retrieve=extend_schema(parameters=[ID], responses={200: ContactRequestSerializer, **ERRORS}),
    create=extend_schema(
        request=ContactRequestCreateInputSerializer,
        responses={201: ContactRequestSerializer, 400: ErrorSerializer, **ERRORS},
    ),
)
class ContactRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Contact requests you sent or that reached one of your organisations."""

    permission_classes = [IsAuthenticatedWithScope]
    serializer_class = ContactRequestSerializer
    lookup_field = "id"
    lookup_value_regex = "[0-9a-fA-F-]{36}"
    queryset = ContactRequest.objects.none()

    def get_queryset(self):
        params = ContactRequestListFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return contact_request_list(
            user=self.request.user,
            direction=params.validated_data.get("direction", ""),
            status=params.validated_data.get("status", ""),
        )

    def get_object(self):
        return contact_request_get(visible_to=self.request.user, public_id=self.kwargs["id"])

    def _respond(self, contact_request, status_code=status.HTTP_200_OK):
        contact_request = contact_request_get(
            visible_to=self.request.user, public_id=str(contact_request.public_id)
        )
        return Response(self.get_serializer(contact_request).data, status=status_code)

    def create(self, request, *args, **kwargs):
        serializer = ContactRequestCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        receiver = Organisation.objects.filter(
            slug=data["receiver_organisation"], status=Organisation.Status.ACTIVE
        ).first()
        if receiver is None:
            raise _no_such("receiver_organisation")
        sender_organisation = None
        if data.get("sender_organisation"):
            # one the caller may not see (a pending one) answers as if missing
            sender_organisation = (
                Organisation.objects.filter(visible_organisations_q(request.user))
                .filter(slug=data["sender_organisation"])
                .first()
            )
            if sender_organisation is None:
                raise _no_such("sender_organisation")
        opportunity = None
        if data.get("opportunity"):
            # Visibility is the service's check; a missing one gets the same message.
            opportunity = Opportunity.objects.filter(public_id=data["opportunity"]).first()
            if opportunity is None:
                raise serializers.ValidationError({"opportunity": [_("No such opportunity.")]})
        contact_request = contact_request_create(
            actor=request.user,
            receiver_organisation=receiver,
            sender_organisation=sender_organisation,
            opportunity=opportunity,
            message=data["message"],
        )
        return self._respond(contact_request, status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID],
        request=None,
        responses={200: ContactRequestSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, *args, **kwargs):
        """A member of the receiving organisation accepts; contact data become visible."""
        contact_request = contact_request_accept(
            actor=request.user, contact_request=self.get_object()
        )
        return self._respond(contact_request)

    @extend_schema(
        parameters=[ID],
        request=ContactRequestDeclineInputSerializer,
        responses={200: ContactRequestSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, *args, **kwargs):
        """A member of the receiving organisation declines, with an optional reason."""
        contact_request = self.get_object()
        serializer = ContactRequestDeclineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        contact_request = contact_request_decline(
            actor=request.user,
            contact_request=contact_request,
            reason=serializer.validated_data.get("reason", ""),
        )
        return self._respond(contact_request)

    @extend_schema(
        parameters=[ID],
        request=None,
        responses={200: ContactRequestSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, *args, **kwargs):
        """The sender takes back an open request."""
        contact_request = contact_request_withdraw(
            actor=request.user, contact_request=self.get_object()
        )
        return self._respond(contact_request)

    @extend_schema(
        methods=["GET"],
        parameters=[ID],
        responses={200: MessageSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        parameters=[ID],
        request=MessageCreateInputSerializer,
        responses={201: MessageSerializer, 400: ErrorSerializer, **ERRORS},
    )
    # Not paginated (the schema says so too): a conversation between two partners stays small.
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def messages(self, request, *args, **kwargs):
        """The conversation (GET, oldest first) or a new message (POST, once accepted)."""
        contact_request = self.get_object()
        if request.method == "POST":
            serializer = MessageCreateInputSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            message = message_create(
                actor=request.user,
                contact_request=contact_request,
                text=serializer.validated_data["text"],
            )
            return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)
        return Response(
            MessageSerializer(message_list(contact_request=contact_request), many=True).data
        )
