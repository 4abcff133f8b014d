"""Consortium, team and requests to join: permission matrix, rules, audit, nothing half-saved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from projects.models import Participation, ParticipationRequest, Project, TeamMember
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, OrganisationFactory, ParticipationFactory
from tests.projects.factories import ACTORS, ParticipationRequestFactory, consortium_world

pytestmark = pytest.mark.usefixtures("english")

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "projects:consortium",
    "projects:team",
    "projects:participation_edit",
    "projects:participation_remove",
    "projects:participation_make_coordinator",
    "projects:team_role",
    "projects:team_remove",
    "projects:request",
    "projects:request_accept",
    "projects:request_decline",
]


@pytest.fixture
def world(organisation, org_member, other_partner, staff):
    return consortium_world(organisation, org_member, other_partner, staff)


@pytest.fixture
def as_actor(client, world):
    _project, users = world

    def login(actor):
        client.logout()
        if users[actor] is not None:
            client.force_login(users[actor])
        return client

    return login


def url(name, project, **kwargs):
    return reverse(f"projects:{name}", kwargs={"slug": project.slug, **kwargs})


def snapshot(project):
    return (
        sorted(
            Participation.objects.filter(project=project).values_list(
                "organisation_id", "role", "budget_share", "left_on"
            )
        ),
        sorted(TeamMember.objects.filter(project=project).values_list("user_id", "role")),
        AuditRecord.objects.count(),
    )


# --- Permission matrix ------------------------------------------------------------------------


@pytest.mark.django_db
def test_management_pages_matrix(as_actor, world):
    project, _users = world
    participation = project.participations.get()
    for page in (
        url("consortium", project),
        url("team", project),
        url("participation_edit", project, pk=participation.pk),
    ):
        codes = [as_actor(actor).get(page).status_code for actor in ACTORS]
        assert codes == [302, 403, 403, 200, 200], page


@pytest.mark.django_db
def test_management_pages_of_a_hidden_project_are_404(as_actor, world):
    project, _users = world
    Project.objects.filter(pk=project.pk).update(visibility="consortium")
    codes = [as_actor(actor).get(url("consortium", project)).status_code for actor in ACTORS]
    assert codes == [302, 404, 403, 200, 200]


@pytest.mark.django_db
def test_denied_writes_change_nothing(as_actor, world, other_partner):
    # given a consortium and a partner organisation that is not in it
    project, users = world
    participation = project.participations.get()
    outsider = OrganisationFactory(slug="outsider")
    lead_member = TeamMember.objects.get(project=project)
    join_request = ParticipationRequestFactory(project=project, organisation=outsider)
    before = snapshot(project)
    posts = [
        (url("consortium", project), {"organisation": "outsider", "role": "partner"}),
        (url("participation_edit", project, pk=participation.pk), {"role": "partner"}),
        (url("participation_remove", project, pk=participation.pk), {}),
        (url("participation_make_coordinator", project, pk=participation.pk), {}),
        (url("team", project), {"user": other_partner.pk, "role": "lead"}),
        (url("team_role", project, pk=lead_member.pk), {"role": "member"}),
        (url("team_remove", project, pk=lead_member.pk), {}),
        (url("request_accept", project, pk=join_request.pk), {}),
        (url("request_decline", project, pk=join_request.pk), {}),
    ]
    for target, data in posts:
        # when anyone but the lead and staff posts
        codes = [as_actor(actor).post(target, data).status_code for actor in ACTORS[:3]]
        # then they are sent to log in or refused
        assert codes == [302, 403, 403], target
    assert snapshot(project) == before
    assert ParticipationRequest.objects.get().status == "open"


# --- Consortium -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lead_adds_a_partner_and_it_is_audited(as_actor, world):
    project, users = world
    partner = OrganisationFactory(name="Siemens AG", slug="siemens")
    response = as_actor("lead").post(
        url("consortium", project),
        {
            "organisation": "siemens",
            "role": "partner",
            "budget_share": "35.5",
            "joined_on": "2025-02-01",
        },
    )
    assert response.status_code == 302
    added = Participation.objects.get(project=project, organisation=partner)
    assert (added.role, added.budget_share, added.joined_on) == (
        "partner",
        Decimal("35.50"),
        dt.date(2025, 2, 1),
    )
    record = AuditRecord.objects.get()
    assert (record.action, record.actor, record.data["organisation"], record.data["role"]) == (
        "participation.added",
        users["lead"],
        "siemens",
        "partner",
    )


@pytest.mark.django_db
def test_organisation_by_exact_name_or_address(as_actor, world):
    project, _users = world
    OrganisationFactory(name="Weißgerber Engineering GmbH", slug="weissgerber-engineering")
    response = as_actor("lead").post(
        url("consortium", project),
        {"organisation": "weißgerber engineering gmbh", "role": "partner"},
    )
    assert response.status_code == 302
    response = as_actor("lead").post(
        url("consortium", project),
        {"organisation": "https://portal.example/organisations/nowhere/", "role": "partner"},
    )
    assert response.status_code == 400
    assert list(response.context["add_form"].errors) == ["organisation"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"role": "coordinator"}, "role"),
        ({"budget_share": "100.01"}, "budget_share"),
        ({"budget_share": "-1"}, "budget_share"),
        ({"budget_share": "viel"}, "budget_share"),
        ({"budget_share": "60.01"}, "budget_share"),  # 40 % are taken: 100.01 in total
        ({"joined_on": "2025-05-01", "left_on": "2025-04-30"}, "left_on"),
        ({"role": "boss"}, "role"),
    ],
)
def test_adding_refuses_bad_input_naming_the_field(as_actor, world, data, field):
    project, _users = world
    OrganisationFactory(slug="newcomer")
    before = snapshot(project)
    response = as_actor("lead").post(
        url("consortium", project), {"organisation": "newcomer", "role": "partner", **data}
    )
    assert response.status_code == 400
    assert list(response.context["add_form"].errors) == [field]
    assert snapshot(project) == before


@pytest.mark.django_db
def test_shares_may_add_up_to_exactly_100(as_actor, world):
    project, _users = world
    OrganisationFactory(slug="newcomer")
    response = as_actor("lead").post(
        url("consortium", project),
        {"organisation": "newcomer", "role": "partner", "budget_share": "60"},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_partner_who_left_does_not_count_towards_the_shares(as_actor, world):
    project, _users = world
    ParticipationFactory(project=project, budget_share=Decimal("50"), left_on=dt.date(2025, 6, 1))
    OrganisationFactory(slug="newcomer")
    response = as_actor("lead").post(
        url("consortium", project),
        {"organisation": "newcomer", "role": "partner", "budget_share": "60"},
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_adding_twice_and_pending_organisations_are_refused(as_actor, world, organisation):
    project, _users = world
    OrganisationFactory(slug="pending-org", status="pending")
    for value in (organisation.slug, "pending-org"):
        response = as_actor("lead").post(
            url("consortium", project), {"organisation": value, "role": "partner"}
        )
        assert response.status_code == 400
        assert list(response.context["add_form"].errors) == ["organisation"]
    assert project.participations.count() == 1


@pytest.mark.django_db
def test_coordinator_of_a_running_project_cannot_be_demoted_removed_or_leave(as_actor, world):
    project, _users = world
    coordinator = project.participations.get()
    before = snapshot(project)
    edit = url("participation_edit", project, pk=coordinator.pk)
    demoted = as_actor("lead").post(edit, {"role": "partner", "budget_share": "40"})
    assert list(demoted.context["form"].errors) == ["role"]
    left = as_actor("lead").post(
        edit, {"role": "coordinator", "budget_share": "40", "left_on": "2025-06-30"}
    )
    assert list(left.context["form"].errors) == ["left_on"]
    removed = as_actor("lead").post(url("participation_remove", project, pk=coordinator.pk))
    assert removed.status_code == 302
    assert snapshot(project) == before


@pytest.mark.django_db
def test_coordinator_handover(as_actor, world, organisation):
    # given a second partner
    project, _users = world
    partner = ParticipationFactory(project=project, budget_share=Decimal("20"))
    # when the lead makes it the coordinator
    response = as_actor("lead").post(url("participation_make_coordinator", project, pk=partner.pk))
    # then the roles are swapped in one step and both changes are audited
    assert response.status_code == 302
    roles = dict(Participation.objects.filter(project=project).values_list("pk", "role"))
    assert roles == {
        partner.pk: "coordinator",
        project.participations.get(organisation=organisation).pk: "partner",
    }
    assert list(AuditRecord.objects.values_list("action", flat=True)) == [
        "participation.role_changed",
        "participation.role_changed",
    ]


@pytest.mark.django_db
def test_partner_leaves_and_loses_consortium_access(client, world, org_member):
    # given a partner organisation with a member
    project, users = world
    partner = ParticipationFactory(project=project)
    person = MembershipFactory(organisation=partner.organisation).user
    Project.objects.filter(pk=project.pk).update(visibility="consortium")
    client.force_login(person)
    assert client.get(url("detail", project)).status_code == 200
    # when the lead records that it left
    client.force_login(users["lead"])
    response = client.post(
        url("participation_edit", project, pk=partner.pk),
        {"role": "partner", "left_on": "2025-06-30"},
    )
    assert response.status_code == 302
    # then its people no longer see the consortium-only project
    client.force_login(person)
    assert client.get(url("detail", project)).status_code == 404
    assert AuditRecord.objects.get().data["fields"] == ["left_on"]


@pytest.mark.django_db
def test_removing_a_partner(as_actor, world):
    project, _users = world
    partner = ParticipationFactory(project=project)
    response = as_actor("staff").post(url("participation_remove", project, pk=partner.pk))
    assert response.status_code == 302
    assert project.participations.count() == 1
    assert AuditRecord.objects.get().action == "participation.removed"


@pytest.mark.django_db
def test_participation_of_another_project_is_404(as_actor, world):
    project, _users = world
    foreign = ParticipationFactory()
    response = as_actor("lead").get(url("participation_edit", project, pk=foreign.pk))
    assert response.status_code == 404


# --- Team -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_lead_adds_a_consortium_person_to_the_team(as_actor, world, org_member):
    project, _users = world
    response = as_actor("lead").post(
        url("team", project), {"user": org_member.pk, "role": "wp_lead"}
    )
    assert response.status_code == 302
    assert TeamMember.objects.get(project=project, user=org_member).role == "wp_lead"
    assert AuditRecord.objects.get().action == "team_member.added"


@pytest.mark.django_db
def test_people_outside_the_consortium_cannot_join_the_team(as_actor, world, other_partner):
    project, _users = world
    response = as_actor("lead").post(
        url("team", project), {"user": other_partner.pk, "role": "member"}
    )
    assert response.status_code == 400
    assert list(response.context["add_form"].errors) == ["user"]
    assert project.team.count() == 1


@pytest.mark.django_db
def test_the_last_lead_stays(as_actor, world):
    project, users = world
    lead_member = TeamMember.objects.get(project=project)
    before = snapshot(project)
    for target, data in (
        (url("team_role", project, pk=lead_member.pk), {"role": "member"}),
        (url("team_remove", project, pk=lead_member.pk), {}),
    ):
        response = as_actor("lead").post(target, data, follow=True)
        assert "at least one project lead" in response.content.decode()
    assert snapshot(project) == before


@pytest.mark.django_db
def test_a_second_lead_may_hand_over_and_the_first_loses_edit_rights(as_actor, world, org_member):
    project, users = world
    TeamMember.objects.create(project=project, user=org_member, role="lead")
    first = TeamMember.objects.get(project=project, user=users["lead"])
    response = as_actor("lead").post(url("team_role", project, pk=first.pk), {"role": "member"})
    assert response.status_code == 302
    assert response["Location"] == url("detail", project)
    assert as_actor("lead").get(url("edit", project)).status_code == 403
    assert as_actor("member").get(url("edit", project)).status_code == 200
    record = AuditRecord.objects.get()
    assert (record.action, record.data["previous"], record.data["role"]) == (
        "team_member.role_changed",
        "lead",
        "member",
    )


# --- Requests to join -------------------------------------------------------------------------


@pytest.mark.django_db
def test_request_page_matrix(as_actor, world):
    project, _users = world
    # other_partner administers an organisation; the member and lead administer none
    codes = [as_actor(actor).get(url("request", project)).status_code for actor in ACTORS]
    assert codes == [302, 200, 403, 403, 403]


@pytest.mark.django_db
def test_request_accept_journey(as_actor, world, other_partner):
    # given an admin of an organisation outside the consortium
    project, users = world
    organisation = other_partner.memberships.get().organisation
    # when they ask to join as partner
    response = as_actor("other_partner").post(
        url("request", project),
        {"organisation": organisation.pk, "role": "partner", "message": "Wir bringen Sensorik."},
    )
    assert response.status_code == 302
    join_request = ParticipationRequest.objects.get()
    assert (join_request.status, join_request.requested_by) == ("open", other_partner)
    # then asking twice is refused
    again = as_actor("other_partner").post(
        url("request", project), {"organisation": organisation.pk, "role": "partner"}
    )
    assert again.status_code == 400
    # when the lead accepts
    consortium_page = as_actor("lead").get(url("consortium", project))
    assert "Wir bringen Sensorik." in consortium_page.content.decode()
    response = as_actor("lead").post(url("request_accept", project, pk=join_request.pk))
    assert response.status_code == 302
    # then the organisation is a partner and the request is decided
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("accepted", users["lead"])
    assert project.participations.filter(organisation=organisation, role="partner").exists()
    assert list(AuditRecord.objects.order_by("id").values_list("action", flat=True)) == [
        "participation_request.created",
        "participation.added",
        "participation_request.accepted",
    ]
    # and deciding again is refused with a message
    again = as_actor("lead").post(url("request_accept", project, pk=join_request.pk), follow=True)
    assert "decided already" in again.content.decode()


@pytest.mark.django_db
def test_request_as_coordinator_cannot_be_accepted_while_one_exists(as_actor, world, other_partner):
    project, _users = world
    organisation = other_partner.memberships.get().organisation
    join_request = ParticipationRequestFactory(
        project=project, organisation=organisation, role="coordinator"
    )
    response = as_actor("lead").post(
        url("request_accept", project, pk=join_request.pk), follow=True
    )
    assert "is the coordinator already" in response.content.decode()
    join_request.refresh_from_db()
    assert join_request.status == "open"
    assert project.participations.count() == 1


@pytest.mark.django_db
def test_request_decline(as_actor, world):
    project, users = world
    join_request = ParticipationRequestFactory(project=project)
    response = as_actor("staff").post(url("request_decline", project, pk=join_request.pk))
    assert response.status_code == 302
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("declined", users["staff"])
    assert project.participations.count() == 1


@pytest.mark.django_db
def test_request_for_a_foreign_organisation_is_refused(as_actor, world):
    project, _users = world
    foreign = OrganisationFactory()
    response = as_actor("other_partner").post(
        url("request", project), {"organisation": foreign.pk, "role": "partner"}
    )
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["organisation"]
    assert ParticipationRequest.objects.count() == 0
