"""/api/v1/organisation-registrations/ and /api/v1/moderation/organisations/: registering an
organisation (pending, the registrant its admin) and the cluster office's approval or rejection."""

import itertools

import pytest
from allauth.mfa.models import Authenticator

from accounts.services import api_token_create
from notifications.models import Notification
from partners.models import Membership, Organisation
from spinportal.models import AuditRecord
from tests.factories import (
    CompetenceFactory,
    MembershipFactory,
    OrganisationFactory,
    StaffFactory,
    UserFactory,
)
from tests.security.coverage import api_statuses, cast, changed_tables, db_state

__all__ = ["cast"]

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = [
    "v1_organisation_registrations_create",
    "v1_moderation_organisations_list",
    "v1_moderation_organisations_approve_create",
    "v1_moderation_organisations_reject_create",
]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
REGISTER = "/api/v1/organisation-registrations/"
QUEUE = "/api/v1/moderation/organisations/"
NAMES = ["Emscher Robotik", "Lippe Sensorik", "Zeche Daten", "Hellweg Wärme", "Ruhr Quanten"]


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def pending(cast):
    """A pending organisation registered by a partner without any other organisation."""
    registrant = UserFactory(full_name="Petra Neu", email="petra@delta.example")
    organisation = OrganisationFactory(
        name="Delta Neugründung", slug="delta", status=Organisation.Status.PENDING
    )
    MembershipFactory(organisation=organisation, user=registrant, role="admin")
    return organisation


# --- registration -----------------------------------------------------------------------------


def test_registration_matrix(api_client, cast):
    names = itertools.count()

    def data():
        return {"name": f"{NAMES[next(names)]} GmbH", "kind": "sme", "city": "Bochum"}

    assert api_statuses(api_client, cast, "post", REGISTER, data, kinds=("anonymous",)) == [401]
    assert api_statuses(
        api_client, cast, "post", REGISTER, data, kinds=("other", "member", "admin", "staff")
    ) == [201, 201, 201, 201]
    # each registrant is the admin of their own pending organisation
    registered = Organisation.objects.filter(status=Organisation.Status.PENDING).order_by("pk")
    assert [
        (organisation.name, list(organisation.memberships.values_list("user", "role")))
        for organisation in registered
    ] == [
        (f"{NAMES[1]} GmbH", [(cast["other"].pk, "admin")]),
        (f"{NAMES[2]} GmbH", [(cast["member"].pk, "admin")]),
        (f"{NAMES[3]} GmbH", [(cast["admin"].pk, "admin")]),
        (f"{NAMES[4]} GmbH", [(cast["staff"].pk, "admin")]),
    ]


def test_a_read_token_cannot_register_and_nothing_changes(api_client, user):
    _token, key = api_token_create(user=user, name="read", scope="read")
    api_client.get("/api/v1/me/", **bearer(key))  # records its use now, not during the refusal
    before = db_state()
    response = api_client.post(REGISTER, {"name": "X GmbH", "kind": "sme"}, **bearer(key))
    assert response.status_code == 403
    assert changed_tables(before, db_state()) == []


def test_registration_answers_the_pending_organisation(api_client, user, staff):
    competence = CompetenceFactory(slug="wasserstoff")
    api_client.force_authenticate(user)
    response = api_client.post(
        REGISTER,
        {
            "name": "Emscher Robotik GmbH",
            "short_name": "Emscher Robotik",
            "kind": "startup",
            "postcode": "44227",
            "city": "Dortmund",
            "competences": ["wasserstoff"],
            "description_en": "We build **robots**.",
            "website": "https://robotik.example",
        },
        format="json",
    )
    assert response.status_code == 201
    organisation = Organisation.objects.get(name="Emscher Robotik GmbH")
    body = response.json()
    assert {
        key: body[key]
        for key in ("public_id", "slug", "name", "kind", "status", "city", "postcode")
    } == {
        "public_id": str(organisation.public_id),
        "slug": "emscher-robotik",
        "name": "Emscher Robotik GmbH",
        "kind": "startup",
        "status": "pending",
        "city": "Dortmund",
        "postcode": "44227",
    }
    assert (body["competences"], body["sectors"], body["rejection_reason"]) == (
        [competence.slug],
        [],
        "",
    )
    assert body["description_html"] == "<p>We build <strong>robots</strong>.</p>"
    assert list(organisation.memberships.values_list("user", "role")) == [(user.pk, "admin")]
    assert list(AuditRecord.objects.values_list("action", "target_id")) == [
        ("organisation.registered", str(organisation.pk))
    ]
    # the cluster office is told
    assert list(Notification.objects.values_list("recipient", "event_type")) == [
        (staff.pk, "organisation.pending")
    ]
    # only the registrant (and staff) see it until it is approved
    assert api_client.get("/api/v1/organisations/emscher-robotik/").status_code == 200
    api_client.force_authenticate(UserFactory())
    assert api_client.get("/api/v1/organisations/emscher-robotik/").status_code == 404


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"kind": "sme"}, {"name": ["This field is required."]}),
        ({"name": "  ", "kind": "sme"}, {"name": ["This field may not be blank."]}),
        ({"name": "Ruhr Quanten GmbH"}, {"kind": ["This field is required."]}),
        (
            {"name": "Ruhr Quanten GmbH", "kind": "bank"},
            {"kind": ['"bank" is not a valid choice.']},
        ),
        (
            {"name": "Ruhr Quanten GmbH", "kind": "sme", "postcode": "123"},
            {"postcode": ["A German postcode has five digits."]},
        ),
        (
            {"name": "Ruhr Quanten GmbH", "kind": "sme", "competences": ["gibt-es-nicht"]},
            {"competences": ["Object with slug=gibt-es-nicht does not exist."]},
        ),
        (
            {"name": "Ruhr Quanten GmbH", "kind": "sme", "parent": "delta"},
            {"parent": ["Object with slug=delta does not exist."]},
        ),
    ],
)
def test_bad_registrations_are_a_400_naming_the_field(api_client, cast, pending, data, errors):
    api_client.force_authenticate(cast["other_member"])
    before = db_state()
    response = api_client.post(REGISTER, data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert changed_tables(before, db_state()) == []


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (
            {"name": "Alpha Energie GmbH", "kind": "sme", "confirm_similar_name": True},
            "An organisation named “Alpha Energie GmbH” is already registered. Ask its "
            "administrators to invite you instead of registering it again.",
        ),
        (
            {"name": "Alpha Energie", "kind": "sme"},
            "A similar organisation is already registered: “Alpha Energie GmbH”. If yours is a "
            "different one, confirm this and submit again.",
        ),
    ],
)
def test_a_registered_or_similar_name_is_a_conflict(api_client, cast, data, detail):
    api_client.force_authenticate(cast["other_member"])
    before = db_state()
    response = api_client.post(REGISTER, data, format="json")
    assert response.status_code == 409
    assert response.json() == {"status": 409, "code": "conflict", "detail": detail}
    assert changed_tables(before, db_state()) == []


def test_a_similar_name_can_be_confirmed(api_client, cast):
    api_client.force_authenticate(cast["other_member"])
    data = {"name": "Alpha Energie", "kind": "sme", "confirm_similar_name": True}
    response = api_client.post(REGISTER, data, format="json")
    assert response.status_code == 201
    assert response.json()["name"] == "Alpha Energie"


# --- moderation -------------------------------------------------------------------------------


def test_queue_matrix_and_contents(api_client, cast, pending, django_assert_num_queries):
    assert api_statuses(api_client, cast, "get", QUEUE) == [401, 403, 403, 403, 200]
    api_client.force_authenticate(cast["staff"])
    # the count, the page, the admins
    with django_assert_num_queries(3):
        response = api_client.get(QUEUE)
    assert response.json()["count"] == 1
    [row] = response.json()["results"]
    assert row["public_id"] == str(pending.public_id)
    assert (row["slug"], row["name"], row["status"], row["kind"], row["kind_label"]) == (
        "delta",
        "Delta Neugründung",
        "pending",
        "sme",
        "SME",
    )
    assert row["registered_by"] == [{"name": "Petra Neu", "email": "petra@delta.example"}]


def test_queue_query_count_does_not_grow(api_client, staff, django_assert_num_queries):
    for number in range(6):
        organisation = OrganisationFactory(status=Organisation.Status.PENDING)
        MembershipFactory(organisation=organisation, role="admin")
        if number % 2:
            MembershipFactory(organisation=organisation, role="admin")
    api_client.force_authenticate(staff)
    with django_assert_num_queries(3):
        response = api_client.get(QUEUE)
    assert response.json()["count"] == 6
    assert [len(row["registered_by"]) for row in response.json()["results"]] == [1, 2] * 3


def test_approve_matrix_changes_nothing_on_denial(api_client, cast, pending):
    url = f"{QUEUE}delta/approve/"
    before = db_state()
    kinds = ("anonymous", "other", "member", "admin")
    assert api_statuses(api_client, cast, "post", url, {}, kinds=kinds) == [401, 403, 403, 403]
    # the organisation's own admin may not approve it either
    api_client.force_authenticate(pending.memberships.get().user)
    assert api_client.post(url).status_code == 403
    assert changed_tables(before, db_state()) == []

    assert api_statuses(api_client, cast, "post", url, {}, kinds=("staff",)) == [200]
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.ACTIVE
    assert list(AuditRecord.objects.values_list("action", "actor")) == [
        ("organisation.approved", cast["staff"].pk)
    ]
    assert list(Notification.objects.values_list("recipient__email", "event_type")) == [
        ("petra@delta.example", "organisation.approved")
    ]


def test_approve_answers_the_active_organisation_and_refuses_twice(api_client, staff, pending):
    api_client.force_authenticate(staff)
    response = api_client.post(f"{QUEUE}{pending.public_id}/approve/")
    assert response.status_code == 200
    assert (response.json()["slug"], response.json()["status"]) == ("delta", "active")
    response = api_client.post(f"{QUEUE}delta/approve/")
    assert response.status_code == 409
    assert response.json()["detail"] == "This organisation is already active."
    assert api_client.get(QUEUE).json()["count"] == 0


def test_reject_matrix_changes_nothing_on_denial(api_client, cast, pending):
    url = f"{QUEUE}delta/reject/"
    data = {"rejection_reason": "Kein Bezug zur Region."}
    before = db_state()
    kinds = ("anonymous", "other", "member", "admin")
    assert api_statuses(api_client, cast, "post", url, data, kinds=kinds) == [401, 403, 403, 403]
    assert changed_tables(before, db_state()) == []

    assert api_statuses(api_client, cast, "post", url, data, kinds=("staff",)) == [200]
    pending.refresh_from_db()
    assert (pending.status, pending.rejection_reason) == ("rejected", "Kein Bezug zur Region.")
    assert list(AuditRecord.objects.values_list("action", "data")) == [
        ("organisation.rejected", {"reason": "Kein Bezug zur Region."})
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({}, {"rejection_reason": ["This field is required."]}),
        ({"rejection_reason": "   "}, {"rejection_reason": ["This field may not be blank."]}),
        (
            {"rejection_reason": "x" * 2001},
            {"rejection_reason": ["Ensure this field has no more than 2000 characters."]},
        ),
    ],
)
def test_reject_needs_a_reason(api_client, staff, pending, data, errors):
    api_client.force_authenticate(staff)
    before = db_state()
    response = api_client.post(f"{QUEUE}delta/reject/", data, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert changed_tables(before, db_state()) == []


def test_only_pending_organisations_can_be_rejected(api_client, cast):
    api_client.force_authenticate(cast["staff"])
    response = api_client.post(f"{QUEUE}alpha/reject/", {"rejection_reason": "Nein"})
    assert response.status_code == 409
    assert response.json()["detail"] == "Only pending organisations can be rejected."


def test_unknown_organisations_answer_404(api_client, staff):
    api_client.force_authenticate(staff)
    for action in ("approve", "reject"):
        url = f"{QUEUE}gibt-es-nicht/{action}/"
        assert api_client.post(url, {"rejection_reason": "x"}).status_code == 404


# --- two-factor authentication -----------------------------------------------------------------


def test_mfa_rule_holds_for_moderation_and_for_new_admins(client, settings, pending):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = True
    staff = StaffFactory()
    client.force_login(staff)
    response = client.get(QUEUE)
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
    response = client.post(f"{QUEUE}delta/approve/")
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
    pending.refresh_from_db()
    assert pending.status == Organisation.Status.PENDING
    _token, key = api_token_create(user=staff, name="office", scope="write")
    assert client.get(QUEUE, **bearer(key)).status_code == 200
    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.post(f"{QUEUE}delta/approve/").status_code == 200

    # a partner who registers becomes an admin: their next session call needs enrolment too
    partner = UserFactory()
    client.force_login(partner)
    assert client.post(REGISTER, {"name": "Zeche Daten eG", "kind": "sme"}).status_code == 201
    assert Membership.objects.get(user=partner).role == "admin"
    response = client.get("/api/v1/me/")
    assert (response.status_code, response.json()["code"]) == (403, "mfa_required")
