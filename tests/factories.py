"""factory_boy factories shared by all tests."""

import factory
from allauth.account.models import EmailAddress
from django.utils.text import slugify

from accounts.models import User
from partners.models import Competence, Membership, Organisation
from projects.models import Participation, Project

TEST_PASSWORD = "correct-horse-battery-staple-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n} GmbH")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = Organisation.Kind.SME
    city = "Dortmund"
    postcode = "44135"
    status = Organisation.Status.ACTIVE
    description_de = "Beschreibung"
    description_en = "Description"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class CompetenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competence

    slug = factory.Sequence(lambda n: f"competence-{n}")
    name_de = factory.Sequence(lambda n: f"Kompetenz {n}")
    name_en = factory.Sequence(lambda n: f"Competence {n}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    acronym = factory.Sequence(lambda n: f"PRJ-{n}")
    slug = factory.LazyAttribute(lambda p: slugify(p.acronym))
    title_de = factory.Sequence(lambda n: f"Projekt {n}")
    title_en = factory.Sequence(lambda n: f"Project {n}")


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Participation.Role.PARTNER
