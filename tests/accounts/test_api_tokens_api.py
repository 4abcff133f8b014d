"""/api/v1/tokens/: one's own API tokens through the API (the first one comes from the page)."""

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_expires_at
from spinportal.models import AuditRecord
from tests.factories import MembershipFactory, StaffFactory
from tests.security.coverage import api_statuses, cast, changed_tables, db_state

__all__ = ["cast"]

# Endpoints whose permission matrix this module asserts (tests/security/coverage.py).
COVERS = ["v1_tokens_list", "v1_tokens_retrieve", "v1_tokens_create", "v1_tokens_revoke_create"]

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
TOKENS = "/api/v1/tokens/"
FIELDS = [
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


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def member_token(cast):
    token, key = api_token_create(user=cast["member"], name="Alpha CI", scope="write")
    return token, key


# --- the permission matrix --------------------------------------------------------------------


def test_list_shows_only_ones_own_tokens(api_client, cast, member_token):
    assert api_statuses(api_client, cast, "get", TOKENS) == [401, 200, 200, 200, 200]
    api_client.force_authenticate(cast["other"])
    assert api_client.get(TOKENS).json()["count"] == 0
    api_client.force_authenticate(cast["member"])
    body = api_client.get(TOKENS).json()
    assert [row["name"] for row in body["results"]] == ["Alpha CI"]


def test_retrieve_matrix(api_client, cast, member_token):
    url = f"{TOKENS}{member_token[0].pk}/"
    assert api_statuses(api_client, cast, "get", url) == [401, 404, 200, 404, 404]


def test_revoke_matrix_changes_nothing_on_denial(api_client, cast, member_token):
    token, key = member_token
    url = f"{TOKENS}{token.pk}/revoke/"
    before = db_state()
    assert api_statuses(
        api_client, cast, "post", url, {}, kinds=("anonymous", "other", "admin", "staff")
    ) == [401, 404, 404, 404]
    assert changed_tables(before, db_state()) == []
    # the owner revokes it (with the session here), and the token stops working
    assert api_statuses(api_client, cast, "post", url, {}, kinds=("member",)) == [200]
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_client.get(TOKENS, **bearer(key)).status_code == 401


def test_create_needs_a_write_token_and_changes_nothing_without_one(api_client, cast):
    data = {"name": "Zweites Token", "scope": "read"}
    before = db_state()
    # the session (or no log-in at all) cannot create tokens: the first one comes from the page
    assert api_statuses(api_client, cast, "post", TOKENS, data) == [401, 403, 403, 403, 403]
    _token, read_key = api_token_create(user=cast["member"], name="read", scope="read")
    api_client.get(TOKENS, **bearer(read_key))  # records its use now, not during the refusal
    after_page = db_state()
    assert api_client.post(TOKENS, data, format="json", **bearer(read_key)).status_code == 403
    assert changed_tables(after_page, db_state()) == []
    assert changed_tables(before, after_page) == ["accounts.ApiToken", "spinportal.AuditRecord"]
    # with a write token the same request works
    _token, write_key = api_token_create(user=cast["member"], name="write", scope="write")
    response = api_client.post(TOKENS, data, format="json", **bearer(write_key))
    assert response.status_code == 201
    assert ApiToken.objects.filter(user=cast["member"]).count() == 3


def test_the_session_is_told_where_the_first_token_comes_from(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(TOKENS, {"name": "x", "scope": "read"}, format="json")
    assert response.status_code == 403
    assert response.json() == {
        "status": 403,
        "code": "permission_denied",
        "detail": "The API creates tokens only for requests made with a token. Create your "
        "first token on the token page of your account.",
    }


# --- creating: the secret once ----------------------------------------------------------------


def test_create_returns_the_secret_once_and_stores_only_its_hash(api_client, user):
    deploy, key = api_token_create(user=user, name="Deploy", scope="write")
    response = api_client.post(
        TOKENS,
        {"name": "  ERP sync ", "scope": "read", "expires_on": "2099-12-31"},
        format="json",
        **bearer(key),
    )
    assert response.status_code == 201
    body = response.json()
    created = ApiToken.objects.get(name="ERP sync")
    assert list(body) == [*FIELDS, "key"]
    assert body["key"].startswith("spin_")
    assert (body["id"], body["name"], body["scope"], body["key_prefix"]) == (
        created.pk,
        "ERP sync",
        "read",
        body["key"][:11],
    )
    assert (body["revoked_at"], body["last_used_at"], body["is_usable"]) == (None, None, True)
    assert created.expires_at == api_token_expires_at(dt.date(2099, 12, 31))
    assert created.key_hash == ApiToken.hash_key(body["key"])
    # the new token works, with its own scope
    me = api_client.get("/api/v1/me/", **bearer(body["key"]))
    assert (me.status_code, me.json()["token_scope"]) == (200, "read")
    # and its secret is in no other answer
    listed = api_client.get(TOKENS, **bearer(key))
    detail = api_client.get(f"{TOKENS}{created.pk}/", **bearer(key))
    for answer in (listed, detail):
        assert answer.status_code == 200
        assert body["key"] not in answer.text
        assert '"key"' not in answer.text
    assert list(detail.json()) == FIELDS
    assert list(
        AuditRecord.objects.filter(action="api_token.create")
        .order_by("pk")
        .values_list("target_id", "data")
    ) == [
        (str(deploy.pk), {"scope": "write", "created_with": None}),
        (str(created.pk), {"scope": "read", "created_with": deploy.pk}),
    ]


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"name": "", "scope": "read"}, {"name": ["This field may not be blank."]}),
        ({"scope": "read"}, {"name": ["This field is required."]}),
        (
            {"name": "x" * 101, "scope": "read"},
            {"name": ["Ensure this field has no more than 100 characters."]},
        ),
        ({"name": "ok", "scope": "admin"}, {"scope": ['"admin" is not a valid choice.']}),
        (
            {"name": "ok", "scope": "read", "expires_on": "morgen"},
            {
                "expires_on": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
        ),
        (
            {"name": "ok", "scope": "read", "expires_on": "2000-01-01"},
            {"expires_on": ["The expiry date must not be in the past."]},
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_client, user, data, errors):
    _token, key = api_token_create(user=user, name="Deploy", scope="write")
    api_client.get(TOKENS, **bearer(key))  # records its use now, not during the refusal
    before = db_state()
    response = api_client.post(TOKENS, data, format="json", **bearer(key))
    assert response.status_code == 400
    assert response.json()["errors"] == errors
    assert changed_tables(before, db_state()) == []


def test_a_taken_name_is_a_conflict(api_client, user):
    _token, key = api_token_create(user=user, name="Deploy", scope="write")
    api_client.get(TOKENS, **bearer(key))  # records its use now, not during the refusal
    before = db_state()
    response = api_client.post(
        TOKENS, {"name": " Deploy ", "scope": "read"}, format="json", **bearer(key)
    )
    assert response.status_code == 409
    assert response.json() == {
        "status": 409,
        "code": "conflict",
        "detail": "You already have an active token with this name.",
    }
    assert changed_tables(before, db_state()) == []
    # a revoked token's name is free again
    _other, other_key = api_token_create(user=user, name="Other", scope="write")
    assert api_client.post(f"{TOKENS}{_token.pk}/revoke/", **bearer(other_key)).status_code == 200
    response = api_client.post(
        TOKENS, {"name": "Deploy", "scope": "read"}, format="json", **bearer(other_key)
    )
    assert response.status_code == 201


def test_a_token_cannot_mint_one_that_outlives_it(api_client, user):
    expires_at = api_token_expires_at(timezone.localdate() + dt.timedelta(days=10))
    _token, key = api_token_create(user=user, name="short", scope="write", expires_at=expires_at)
    limit = timezone.localtime(expires_at).date()
    message = (
        "A token created with an expiring token cannot outlive it: choose "
        f"{limit.isoformat()} or earlier."
    )
    for expires_on in (None, (limit + dt.timedelta(days=1)).isoformat()):
        data = {"name": "longer", "scope": "read", "expires_on": expires_on}
        response = api_client.post(TOKENS, data, format="json", **bearer(key))
        assert response.status_code == 400
        assert response.json()["errors"] == {"expires_on": [message]}
    data = {"name": "as long", "scope": "read", "expires_on": limit.isoformat()}
    response = api_client.post(TOKENS, data, format="json", **bearer(key))
    assert response.status_code == 201
    assert ApiToken.objects.get(name="as long").expires_at == expires_at


# --- revoking ---------------------------------------------------------------------------------


def test_a_token_revokes_another_but_not_itself(api_client, user):
    current, key = api_token_create(user=user, name="current", scope="write")
    other, other_key = api_token_create(user=user, name="other", scope="read")
    response = api_client.post(f"{TOKENS}{current.pk}/revoke/", **bearer(key))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "non_field_errors": [
            "This token authenticates this request. Revoke it with another token or on the "
            "token page."
        ]
    }
    current.refresh_from_db()
    assert current.revoked_at is None

    response = api_client.post(f"{TOKENS}{other.pk}/revoke/", **bearer(key))
    assert response.status_code == 200
    other.refresh_from_db()
    assert dt.datetime.fromisoformat(response.json()["revoked_at"]) == other.revoked_at
    assert response.json()["is_usable"] is False
    assert api_client.get(TOKENS, **bearer(other_key)).status_code == 401
    # revoking again keeps the first time and leaves one audit row
    first = other.revoked_at
    assert api_client.post(f"{TOKENS}{other.pk}/revoke/", **bearer(key)).status_code == 200
    other.refresh_from_db()
    assert other.revoked_at == first
    assert AuditRecord.objects.filter(action="api_token.revoke").count() == 1


def test_a_read_token_may_list_but_not_revoke(api_client, user):
    token, key = api_token_create(user=user, name="read", scope="read")
    other, _key = api_token_create(user=user, name="other", scope="read")
    assert api_client.get(TOKENS, **bearer(key)).status_code == 200
    assert api_client.post(f"{TOKENS}{other.pk}/revoke/", **bearer(key)).status_code == 403
    other.refresh_from_db()
    assert other.revoked_at is None


def test_list_query_count_does_not_grow(api_client, user, django_assert_num_queries):
    for number in range(5):
        api_token_create(user=user, name=f"token {number}", scope="read")
    api_client.force_authenticate(user)
    # the count and the page
    with django_assert_num_queries(2):
        response = api_client.get(TOKENS)
    assert response.json()["count"] == 5
    assert [row["name"] for row in response.json()["results"]] == [
        f"token {number}" for number in (4, 3, 2, 1, 0)
    ]


# --- two-factor authentication -----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["staff", "organisation admin"])
def test_mfa_rule_holds_for_the_session_and_not_for_bearer_tokens(client, settings, kind):
    settings.MFA_REQUIRED_FOR_PRIVILEGED = True
    user = StaffFactory() if kind == "staff" else MembershipFactory(role="admin").user
    token, key = api_token_create(user=user, name="enrolled", scope="write")
    client.force_login(user)
    for method, path in (("get", TOKENS), ("post", f"{TOKENS}{token.pk}/revoke/")):
        response = getattr(client, method)(path)
        assert response.status_code == 403
        assert response.json()["code"] == "mfa_required"
    token.refresh_from_db()
    assert token.revoked_at is None
    # a Bearer token (created after the verified log-in) is the credential, not the session
    assert client.get(TOKENS, **bearer(key)).status_code == 200
    response = client.post(TOKENS, {"name": "more", "scope": "read"}, **bearer(key))
    assert response.status_code == 201
    # once enrolled, the session works as well
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(user)
    assert client.get(TOKENS).status_code == 200
