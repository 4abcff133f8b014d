"""Permission matrix of the privacy pages: everyone logged in reaches only their own data."""

import json

import pytest

from tests.factories import MembershipFactory, OrganisationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
COVERS = ["accounts:privacy", "accounts:privacy_export", "accounts:account_delete"]
KINDS = ["anonymous", "partner of another organisation", "member", "organisation admin", "staff"]


@pytest.fixture
def people():
    organisation = OrganisationFactory()
    MembershipFactory(organisation=organisation, role="admin")  # a second admin: may leave
    return {
        "anonymous": None,
        "partner of another organisation": MembershipFactory(role="member").user,
        "member": MembershipFactory(organisation=organisation, role="member").user,
        "organisation admin": MembershipFactory(organisation=organisation, role="admin").user,
        "staff": StaffFactory(),
    }


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def test_privacy_page_matrix(client, people):
    statuses = [
        _as(client.__class__(), people[kind]).get("/account/privacy/").status_code for kind in KINDS
    ]
    assert statuses == [302, 200, 200, 200, 200]


def test_export_matrix_gives_each_person_only_their_own_data(client, people):
    for kind in KINDS:
        response = _as(client.__class__(), people[kind]).get("/account/privacy/export/")
        if people[kind] is None:
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        assert json.loads(response.content)["profile"]["id"] == people[kind].pk


def test_delete_matrix_without_the_password_changes_nothing(client, people):
    statuses = [
        _as(client.__class__(), people[kind])
        .post("/account/privacy/delete/", {"password": "wrong"})
        .status_code
        for kind in KINDS
    ]
    assert statuses == [302, 200, 200, 200, 200]
    users = UserFactory._meta.model.objects.all()
    assert [(user.is_active, user.deleted_at) for user in users] == [(True, None)] * 5
