from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import ApiToken, User
from accounts.scopes import IsAuthenticatedWithScope
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
