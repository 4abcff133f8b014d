"""factory_boy factories for the matchmaking app (shared by the engine and the pages' tests)."""

import datetime as dt

import factory
from django.utils import timezone

from matchmaking.models import (
    ContactRequest,
    Match,
    MatchFeedback,
    Message,
    Opportunity,
)
from tests.factories import OrganisationFactory, UserFactory


class OpportunityFactory(factory.django.DjangoModelFactory):
    """A published offer, valid for 90 days. Pass competences=[...] to link competences."""

    class Meta:
        model = Opportunity
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    created_by = factory.SubFactory(UserFactory)
    kind = Opportunity.Kind.OFFER
    title = factory.Sequence(lambda n: f"Opportunity {n}")
    description = "Beschreibung der Kooperation."
    language = "de"
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    status = Opportunity.Status.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def competences(self, create, extracted, **kwargs):
        if create and extracted:
            self.competences.set(extracted)


class RequestOpportunityFactory(OpportunityFactory):
    kind = Opportunity.Kind.REQUEST


class MatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Match

    opportunity = factory.SubFactory(OpportunityFactory)
    target_organisation = factory.SubFactory(OrganisationFactory)
    score = 50
    explanation = factory.LazyFunction(
        lambda: {"version": 1, "shared": [], "complementary": [], "related": []}
    )


class MatchFeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MatchFeedback

    opportunity = factory.SubFactory(OpportunityFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class ContactRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContactRequest

    sender = factory.SubFactory(UserFactory)
    sender_organisation = factory.SubFactory(OrganisationFactory)
    receiver_organisation = factory.SubFactory(OrganisationFactory)
    message = "Guten Tag, wir würden gern mit Ihnen sprechen."


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    contact_request = factory.SubFactory(ContactRequestFactory)
    author = factory.SubFactory(UserFactory)
    text = "Hallo!"
