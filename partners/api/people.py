"""/api/v1/people/: the people directory for logged-in partners (read-only).

Visibility comes from the selector in get_queryset(), so an invisible person answers 404.
Contact data is null unless the person shares it with logged-in partners.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, viewsets

from accounts.models import User
from accounts.scopes import IsAuthenticatedWithScope
from partners.api import examples
from partners.models import Competence, Organisation
from partners.selectors import people as selectors
from spinportal.api.serializers import ErrorSerializer


class PersonOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField(source="organisation.slug")
    name = serializers.CharField(source="organisation.name")
    role = serializers.CharField()


class PersonCompetenceSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


@extend_schema_serializer(examples=[examples.PERSON])
class PersonSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField()
    email = serializers.SerializerMethodField()
    phone = serializers.SerializerMethodField()
    photo = serializers.SerializerMethodField()
    organisations = PersonOrganisationSerializer(source="active_memberships", many=True)
    competences = PersonCompetenceSerializer(source="competence_list", many=True)

    class Meta:
        model = User
        fields = [
            "id",
            "display_name",
            "full_name",
            "title",
            "position",
            "expertise",
            "email",
            "phone",
            "photo",
            "organisations",
            "competences",
        ]
        read_only_fields = fields

    def to_representation(self, person):
        selectors.person_decorate(person, viewer=self.context["request"].user)
        return super().to_representation(person)

    def get_email(self, person) -> str | None:
        return person.visible_email or None

    def get_phone(self, person) -> str | None:
        return person.visible_phone or None

    def get_photo(self, person) -> str | None:
        if not person.photo:
            return None
        return self.context["request"].build_absolute_uri(person.photo.url)


class PersonListFilterSerializer(serializers.Serializer):
    """Query parameters of the list; unknown slugs are a 400 naming the parameter."""

    search = serializers.CharField(required=False, allow_blank=True, max_length=200)
    organisation = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE),
        required=False,
        error_messages={"does_not_exist": _("No active organisation with the slug “{value}”.")},
    )
    competence = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Competence.objects.all(),
        required=False,
        error_messages={"does_not_exist": _("No competence with the slug “{value}”.")},
    )


@extend_schema_view(
    # 404: a page number out of range (the paginator's answer)
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "search",
                OpenApiTypes.STR,
                description="Words matched against name, title, position, expertise and the "
                "competences of the person's organisations.",
            ),
            OpenApiParameter("organisation", OpenApiTypes.STR, description="Organisation slug."),
            OpenApiParameter(
                "competence",
                OpenApiTypes.STR,
                description="Competence slug; narrower concepts are included.",
            ),
        ],
        responses={
            200: PersonSerializer(many=True),
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
        },
    ),
    retrieve=extend_schema(
        responses={200: PersonSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
    ),
)
class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People of the active partner organisations (logged-in partners only)."""

    serializer_class = PersonSerializer
    permission_classes = [IsAuthenticatedWithScope]

    def get_queryset(self):
        filters = {}
        if self.action == "list":
            params = PersonListFilterSerializer(data=self.request.query_params)
            params.is_valid(raise_exception=True)
            filters = params.validated_data
        return selectors.person_list(visible_to=self.request.user, **filters)


def register(router) -> None:
    """Registers this module's viewsets on the API router."""
    router.register("people", PersonViewSet, basename="person")
