"""/api/v1/me/ and /api/v1/tokens/: the authenticated user and their personal API tokens.

A token's secret is in the answer that creates it and nowhere else (only its hash is stored).
The first token is created on the token page after a verified log-in (with two-factor
authentication where it is required, `partners.middleware.MfaRequiredMiddleware`); the API
creates further tokens only for a request authenticated with a `write` token, and never one
that outlives it. Another user's token answers 404.
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User, validate_expiry_date
from accounts.scopes import IsAuthenticatedWithScope
from accounts.selectors import api_token_list
from accounts.services import api_token_create, api_token_expires_at, api_token_revoke
from spinportal.api.conflicts import conflicts
from spinportal.api.serializers import ErrorSerializer


class MeSerializer(serializers.ModelSerializer):
    token_scope = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "full_name",
            "title",
            "position",
            "language",
            "is_staff",
            "token_scope",
        ]
        read_only_fields = fields

    def get_token_scope(self, user) -> str | None:
        token = self.context["request"].auth
        return token.scope if isinstance(token, ApiToken) else None


class MeView(APIView):
    """The authenticated user."""

    permission_classes = [IsAuthenticatedWithScope]

    @extend_schema(responses={200: MeSerializer, 401: ErrorSerializer, 403: ErrorSerializer})
    def get(self, request):
        return Response(MeSerializer(request.user, context={"request": request}).data)


# --- API tokens -------------------------------------------------------------------------------


class ApiTokenSerializer(serializers.ModelSerializer):
    is_usable = serializers.BooleanField(read_only=True, help_text="Neither revoked nor expired.")

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "scope",
            "key_prefix",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_usable",
        ]
        read_only_fields = fields


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(
        read_only=True, help_text="The secret: in this answer only. Store it now."
    )

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenCreateInputSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, help_text="Unique among your active tokens, e.g. “ERP sync”."
    )
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices, help_text="`read` may only read."
    )
    expires_on = serializers.DateField(
        required=False,
        allow_null=True,
        validators=[validate_expiry_date],
        help_text="Optional: the token stops working at the end of this day. Not later than "
        "the expiry of the token that creates it.",
    )


ID = OpenApiParameter("id", int, OpenApiParameter.PATH)
ERRORS = {401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
FIRST_TOKEN_MESSAGE = _(
    "The API creates tokens only for requests made with a token. Create your first token on "
    "the token page of your account."
)
OWN_TOKEN_MESSAGE = _(
    "This token authenticates this request. Revoke it with another token or on the token page."
)


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(responses={200: ApiTokenSerializer, **ERRORS}),
    retrieve=extend_schema(parameters=[ID], responses={200: ApiTokenSerializer, **ERRORS}),
    create=extend_schema(
        request=ApiTokenCreateInputSerializer,
        responses={
            201: ApiTokenCreatedSerializer,
            400: ErrorSerializer,
            401: ErrorSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
        },
        description="Creates a further token; the request must be authenticated with a "
        "`write` token (403 otherwise: the first token comes from the token page). 409 if you "
        "have an active token of that name.",
    ),
)
class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your personal API tokens, revoked ones last. The secret is shown only on creation."""

    permission_classes = [IsAuthenticatedWithScope]
    serializer_class = ApiTokenSerializer
    lookup_value_regex = "[0-9]+"
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        return api_token_list(user=self.request.user)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def create(self, request, *args, **kwargs):
        created_with = request.auth
        if not isinstance(created_with, ApiToken):
            raise exceptions.PermissionDenied(FIRST_TOKEN_MESSAGE)
        serializer = ApiTokenCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with conflicts("name"):  # an active token of that name
            token, key = api_token_create(
                user=request.user,
                name=data["name"],
                scope=data["scope"],
                expires_at=api_token_expires_at(data.get("expires_on")),
                created_with=created_with,
            )
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[ID],
        request=None,
        responses={200: ApiTokenSerializer, 400: ErrorSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        """Revokes the token at once; revoking a revoked token changes nothing."""
        token = self.get_object()
        if isinstance(request.auth, ApiToken) and request.auth.pk == token.pk:
            raise serializers.ValidationError({"non_field_errors": [OWN_TOKEN_MESSAGE]})
        token = api_token_revoke(user=request.user, token=token)
        return Response(ApiTokenSerializer(token).data)


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register("tokens", ApiTokenViewSet, basename="api-token")
