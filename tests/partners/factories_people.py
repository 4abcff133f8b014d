"""Factories for invitations and join requests."""

import factory
from django.utils import timezone

from partners.models import Invitation, JoinRequest
from tests.factories import OrganisationFactory, UserFactory


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = "member"
    invited_by = factory.SubFactory(UserFactory)
    sent_at = factory.LazyFunction(timezone.now)


class JoinRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JoinRequest

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    message = "I lead the electrolysis lab."
