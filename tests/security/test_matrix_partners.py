"""Permission matrices of the partner pages that had none: joining, leaving, withdrawing a join
request, one's own organisations and profile, and the competence taxonomy of the API."""

import pytest
from django.urls import reverse

from partners.models import JoinRequest
from tests.partners.factories_people import JoinRequestFactory
from tests.security.coverage import KINDS, cast, changed_tables, db_state, page_statuses

__all__ = ["cast"]

COVERS = [
    "people:join",
    "people:join_request_withdraw",
    "people:leave",
    "people:my_organisations",
    "people:profile",
    "v1_competences_list",
]

pytestmark = pytest.mark.django_db


def test_own_pages_need_a_login_and_show_only_ones_own(client, cast):
    for name in ("people:my_organisations", "people:profile"):
        assert page_statuses(client, cast, "get", reverse(name)) == [302, 200, 200, 200, 200]


def test_join_matrix(client, cast):
    url = reverse("people:join", kwargs={"slug": cast["org_a"].slug})
    # the form: members are sent to their organisations, the others may ask
    assert page_statuses(client, cast, "get", url) == [302, 200, 302, 302, 200]
    # posting: only the outsider's request is recorded
    before = db_state()
    assert page_statuses(client, cast, "post", url, kinds=("anonymous", "member", "admin")) == [
        302,
        302,
        302,
    ]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, cast, "post", url, {"message": "Hallo"}, kinds=("other",)) == [302]
    assert list(JoinRequest.objects.values_list("user", "status")) == [(cast["other"].pk, "open")]


def test_withdraw_join_request_matrix_changes_nothing_on_denial(client, cast):
    join_request = JoinRequestFactory(organisation=cast["org_a"], user=cast["other_member"])
    url = reverse("people:join_request_withdraw", kwargs={"pk": join_request.pk})
    before = db_state()
    assert page_statuses(client, cast, "post", url) == [302, 404, 404, 404, 404]
    assert changed_tables(before, db_state()) == []
    assert page_statuses(client, cast, "post", url, kinds=("other_member",)) == [302]
    join_request.refresh_from_db()
    assert join_request.status == "withdrawn"


def test_leave_matrix_changes_nothing_on_denial(client, cast):
    url = reverse("people:leave", kwargs={"slug": cast["org_a"].slug})
    before = db_state()
    # the other organisation's admin and staff are not members: nothing to leave
    assert page_statuses(client, cast, "post", url, kinds=("anonymous", "other", "staff")) == [
        302,
        404,
        404,
    ]
    assert changed_tables(before, db_state()) == []
    # the member leaves
    assert page_statuses(client, cast, "post", url, kinds=("member",)) == [302]
    assert not cast["org_a"].memberships.filter(user=cast["member"]).exists()


def test_competence_taxonomy_is_public_and_read_only(api_client, cast):
    from tests.security.coverage import api_statuses

    url = "/api/v1/competences/"
    assert api_statuses(api_client, cast, "get", url) == [200] * len(KINDS)
    assert api_statuses(api_client, cast, "post", url, {}) == [405] * len(KINDS)
