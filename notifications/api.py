"""/api/v1/notifications/, /api/v1/notification-preferences/ and /api/v1/webhooks/.

Visibility lives in the selectors used by get_queryset() (own notifications; webhooks of the
organisations the user administers, all for staff), so anything else answers 404. Writes go
through the same services as the pages.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from accounts.scopes import IsAuthenticatedWithScope
from notifications.events import Frequency
from notifications.models import Notification, WebhookDelivery, WebhookEndpoint
from notifications.selectors import notification_list, webhook_deliveries, webhook_list
from notifications.services import (
    notification_mark_all_read,
    notification_mark_read,
    preference_set,
    preferences_for,
)
from notifications.views import _render_line
from notifications.webhooks import (
    subscribable_events,
    webhook_create,
    webhook_delete,
    webhook_ping,
    webhook_replay,
    webhook_rotate_secret,
    webhook_update,
)
from partners.models import Organisation
from partners.permissions import visible_organisations_q
from spinportal.api.serializers import ErrorSerializer

ERRORS = {401: ErrorSerializer, 404: ErrorSerializer}
# writes: a token with the scope "read" is refused with 403
WRITE_ERRORS = {**ERRORS, 403: ErrorSerializer}

# --- Notifications ---------------------------------------------------------------------------


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.SerializerMethodField(help_text="The line shown in the centre.")
    actor = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event_type", "text", "url", "actor", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_text(self, notification) -> str:
        return _render_line(notification)

    def get_actor(self, notification) -> str | None:
        return notification.actor.display_name if notification.actor else None

    def get_is_read(self, notification) -> bool:
        return notification.read_at is not None


class NotificationFilterSerializer(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[OpenApiParameter("unread", OpenApiTypes.BOOL, description="Only unread ones.")],
        responses={200: NotificationSerializer(many=True), 400: ErrorSerializer, **ERRORS},
    ),
    retrieve=extend_schema(responses={200: NotificationSerializer, **ERRORS}),
)
class NotificationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The user's own notifications, newest first."""

    serializer_class = NotificationSerializer
    permission_classes = [IsAuthenticatedWithScope]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Notification.objects.none()
        unread = False
        if self.action == "list":
            params = NotificationFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            unread = params.validated_data["unread"]
        return notification_list(user=self.request.user, unread_only=unread)

    @extend_schema(request=None, responses={200: NotificationSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = notification_mark_read(user=request.user, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        request=None,
        responses={
            200: inline_serializer(
                "NotificationsMarkedRead", {"marked": serializers.IntegerField()}
            ),
            401: ErrorSerializer,
            403: ErrorSerializer,
        },
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": notification_mark_all_read(user=request.user)})


# --- Preferences -----------------------------------------------------------------------------


class PreferenceSerializer(serializers.Serializer):
    event_type = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    frequency = serializers.ChoiceField(choices=Frequency.CHOICES)
    is_mandatory = serializers.BooleanField(read_only=True)


def _preference_rows(user) -> list[dict]:
    return [
        {"event_type": key, "label": str(label), "frequency": frequency, "is_mandatory": mandatory}
        for key, label, frequency, mandatory in preferences_for(user)
    ]


@extend_schema_view(
    list=extend_schema(responses={200: PreferenceSerializer(many=True), 401: ErrorSerializer}),
    retrieve=extend_schema(responses={200: PreferenceSerializer, **ERRORS}),
    update=extend_schema(
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, 400: ErrorSerializer, **WRITE_ERRORS},
    ),
    partial_update=extend_schema(
        request=PreferenceSerializer,
        responses={200: PreferenceSerializer, 400: ErrorSerializer, **WRITE_ERRORS},
    ),
)
class NotificationPreferenceViewSet(viewsets.ViewSet):
    """How often the user gets e-mail per event type (in-app entries always appear).
    Mandatory (security) events stay "immediate"."""

    permission_classes = [IsAuthenticatedWithScope]
    lookup_field = "event_type"
    lookup_value_regex = r"[a-z_]+\.[a-z_]+"
    serializer_class = PreferenceSerializer

    def _row(self, event_type: str) -> dict:
        for row in _preference_rows(self.request.user):
            if row["event_type"] == event_type:
                return row
        raise NotFound

    def list(self, request):
        return Response(PreferenceSerializer(_preference_rows(request.user), many=True).data)

    def retrieve(self, request, event_type=None):
        return Response(PreferenceSerializer(self._row(event_type)).data)

    def update(self, request, event_type=None, partial=False):
        row = self._row(event_type)
        serializer = PreferenceSerializer(row, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        frequency = serializer.validated_data.get("frequency", row["frequency"])
        if row["is_mandatory"] and frequency != Frequency.IMMEDIATE:
            raise serializers.ValidationError(
                {"frequency": [_mandatory_message()]}, code="mandatory"
            )
        preference_set(user=request.user, event_type=event_type, frequency=frequency)
        return Response(PreferenceSerializer(self._row(event_type)).data)

    def partial_update(self, request, event_type=None):
        return self.update(request, event_type=event_type, partial=True)


def _mandatory_message() -> str:
    from django.utils.translation import gettext

    return gettext("Security-relevant: always sent immediately.")


# --- Webhooks --------------------------------------------------------------------------------


WEBHOOK = {
    "id": 3,
    "organisation": "fh-dortmund",
    "url": "https://crm.fh-dortmund.example/spin/webhook",
    "event_types": ["contact_request.received", "message.received"],
    "is_active": True,
    "consecutive_failures": 0,
    "disabled_at": None,
    "created_at": "2026-11-05T14:00:00+01:00",
}
WEBHOOK_EXAMPLE = OpenApiExample("A webhook of FH Dortmund", value=WEBHOOK, response_only=True)
WEBHOOK_CREATED_EXAMPLE = OpenApiExample(
    "A new webhook, with its secret",
    value={**WEBHOOK, "secret": "whsec_4f9c2a7e1b8d4c6a9e3f0b2d5a7c1e8f"},
    response_only=True,
)
WEBHOOK_CREATE_EXAMPLE = OpenApiExample(
    "Subscribe to contact requests and messages",
    value={
        "organisation": "fh-dortmund",
        "url": "https://crm.fh-dortmund.example/spin/webhook",
        "event_types": ["contact_request.received", "message.received"],
    },
    request_only=True,
)
WEBHOOK_UPDATE_EXAMPLE = OpenApiExample(
    "Pause a webhook",
    value={
        "url": "https://crm.fh-dortmund.example/spin/webhook",
        "event_types": ["contact_request.received"],
        "is_active": False,
    },
    request_only=True,
)


@extend_schema_serializer(examples=[WEBHOOK_EXAMPLE])
class WebhookSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "organisation",
            "url",
            "event_types",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "created_at",
        ]
        read_only_fields = fields


@extend_schema_serializer(examples=[WEBHOOK_CREATED_EXAMPLE])
class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(read_only=True, help_text="Shown only in this response.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


def _event_types_field(**kwargs):
    return serializers.ListField(
        child=serializers.ChoiceField(choices=[key for key, _label in subscribable_events()]),
        allow_empty=False,
        **kwargs,
    )


class WebhookCreateInputSerializer(serializers.Serializer):
    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.none()
    )
    url = serializers.URLField(max_length=500)
    event_types = _event_types_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator
            return
        user = request.user
        self.fields["organisation"].queryset = Organisation.objects.filter(
            visible_organisations_q(user)
        )


class WebhookUpdateInputSerializer(serializers.Serializer):
    url = serializers.URLField(max_length=500)
    event_types = _event_types_field()
    is_active = serializers.BooleanField()


class WebhookReplayInputSerializer(serializers.Serializer):
    since = serializers.DateTimeField(help_text="Start of the range (events created from).")
    until = serializers.DateTimeField(
        help_text="End of the range, inclusive; at most 31 days after `since`, not in the future."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    # a plain string in the schema: another "status" enum would collide with existing ones
    status = serializers.CharField(
        help_text="pending (also: held while the webhook is disabled), sending, retry (waiting "
        "for the next attempt), sent, dead (failed after 5 attempts) or skipped (held back by "
        "an earlier version of the portal; a replay sends it)."
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event_id",
            "event_type",
            "status",
            "attempts",
            "response_status",
            "last_error",
            "created_at",
            "delivered_at",
            "next_attempt_at",
        ]
        read_only_fields = fields


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Shown only in this response.")


WEBHOOK_ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer}


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(responses={200: WebhookSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: WebhookSerializer, **ERRORS}),
    create=extend_schema(
        request=WebhookCreateInputSerializer,
        responses={201: WebhookCreatedSerializer, **WEBHOOK_ERRORS},
        examples=[WEBHOOK_CREATE_EXAMPLE, WEBHOOK_CREATED_EXAMPLE],
    ),
    update=extend_schema(
        request=WebhookUpdateInputSerializer,
        responses={200: WebhookSerializer, **WEBHOOK_ERRORS, 404: ErrorSerializer},
        examples=[WEBHOOK_UPDATE_EXAMPLE, WEBHOOK_EXAMPLE],
    ),
    partial_update=extend_schema(
        request=WebhookUpdateInputSerializer,
        responses={200: WebhookSerializer, **WEBHOOK_ERRORS, 404: ErrorSerializer},
        examples=[WEBHOOK_UPDATE_EXAMPLE, WEBHOOK_EXAMPLE],
    ),
    destroy=extend_schema(responses={204: None, **WRITE_ERRORS}),
)
class WebhookViewSet(viewsets.ModelViewSet):
    """Webhooks of the organisations the user administers (all for staff)."""

    serializer_class = WebhookSerializer
    permission_classes = [IsAuthenticatedWithScope]

    def get_queryset(self):
        return webhook_list(user=self.request.user)

    def create(self, request):
        data = WebhookCreateInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        endpoint, secret = webhook_create(actor=request.user, **data.validated_data)
        endpoint.secret = secret
        return Response(WebhookCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        endpoint = self.get_object()
        current = {
            "url": endpoint.url,
            "event_types": endpoint.event_types,
            "is_active": endpoint.is_active,
        }
        data = WebhookUpdateInputSerializer(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        endpoint = webhook_update(
            actor=request.user, endpoint=endpoint, **{**current, **data.validated_data}
        )
        return Response(WebhookSerializer(endpoint).data)

    def partial_update(self, request, pk=None):
        return self.update(request, pk=pk, partial=True)

    def destroy(self, request, pk=None):
        webhook_delete(actor=request.user, endpoint=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={200: WebhookDeliverySerializer(many=True), **ERRORS})
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        page = self.paginate_queryset(webhook_deliveries(endpoint=self.get_object()))
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        delivery = webhook_ping(actor=request.user, endpoint=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=WebhookReplayInputSerializer,
        responses={
            202: inline_serializer("WebhookReplayQueued", {"queued": serializers.IntegerField()}),
            400: ErrorSerializer,
            **WRITE_ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        """Sends the events created in [since, until] again, in order, with their original
        event ids (receivers deduplicate by them)."""
        endpoint = self.get_object()
        data = WebhookReplayInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        queued = webhook_replay(actor=request.user, endpoint=endpoint, **data.validated_data)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: SecretSerializer, **WRITE_ERRORS})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        return Response(
            {"secret": webhook_rotate_secret(actor=request.user, endpoint=self.get_object())}
        )


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register("notifications", NotificationViewSet, basename="notification")
    router.register(
        "notification-preferences",
        NotificationPreferenceViewSet,
        basename="notification-preference",
    )
    router.register("webhooks", WebhookViewSet, basename="webhook")
