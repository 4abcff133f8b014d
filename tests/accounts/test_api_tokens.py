import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken
from accounts.services import api_token_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def bearer(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_page_requires_login(client):
    response = client.get(reverse("accounts:api_tokens"))
    assert response.status_code == 302
    assert response["Location"] == "/account/login/?next=/account/tokens/"


def test_create_token_shows_it_once_and_stores_only_a_hash(client, user):
    client.force_login(user)
    response = client.post(
        reverse("accounts:api_tokens"), {"name": "ERP sync", "scope": "read", "expires_on": ""}
    )
    assert response.status_code == 200
    key = response.context["new_key"]
    assert key.startswith("spin_")
    token = ApiToken.objects.get(user=user)
    assert (token.name, token.scope, token.expires_at) == ("ERP sync", "read", None)
    assert token.key_hash == ApiToken.hash_key(key)
    assert key not in token.key_hash
    assert token.key_prefix == key[:11]

    # the list shows the token afterwards, but never the secret again
    response = client.get(reverse("accounts:api_tokens"))
    assert response.context["new_key"] is None
    assert key not in response.content.decode()
    assert token.key_prefix in response.content.decode()


def test_create_token_with_bad_input_names_the_fields(client, user):
    client.force_login(user)
    api_token_create(user=user, name="ERP sync", scope="read")
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("accounts:api_tokens"),
        {"name": "ERP sync", "scope": "admin", "expires_on": yesterday},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scope", "expires_on"}
    assert ApiToken.objects.filter(user=user).count() == 1


def test_revoke_own_token(client, user):
    token, key = api_token_create(user=user, name="CI", scope="write")
    client.force_login(user)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(ME, **bearer(key)).status_code == 401


def test_revoking_another_users_token_answers_404_and_changes_nothing(client, user):
    token, key = api_token_create(user=UserFactory(), name="CI", scope="write")
    client.force_login(user)
    response = client.post(reverse("accounts:api_token_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_me_with_session_and_with_tokens(client, api_client, user):
    client.force_login(user)
    response = client.get(ME)
    assert response.status_code == 200
    assert response.json() == {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "title": "",
        "position": "",
        "language": "de",
        "is_staff": False,
        "token_scope": None,
    }
    _token, key = api_token_create(user=user, name="read", scope="read")
    response = api_client.get(ME, **bearer(key))
    assert response.status_code == 200
    assert response.json()["token_scope"] == "read"


def test_token_records_last_use(api_client, user):
    token, key = api_token_create(user=user, name="read", scope="read")
    assert token.last_used_at is None
    api_client.get(ME, **bearer(key))
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer spin_not-a-real-token", "Ungültiges Token."),
        ("Bearer", "Ungültiger Authorization-Header."),
    ],
)
def test_invalid_tokens_are_refused_with_401(api_client, header, detail):
    response = api_client.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json() == {"status": 401, "code": "authentication_failed", "detail": detail}


def test_expired_and_revoked_tokens_are_refused(api_client, user):
    expired, expired_key = api_token_create(
        user=user, name="old", scope="read", expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    revoked, revoked_key = api_token_create(user=user, name="gone", scope="read")
    ApiToken.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    assert api_client.get(ME, **bearer(expired_key)).json()["detail"] == (
        "Dieses Token ist abgelaufen."
    )
    response = api_client.get(ME, **bearer(revoked_key))
    assert response.status_code == 401
    assert response.json()["detail"] == "Dieses Token wurde widerrufen."


def test_read_token_cannot_write(api_client, user):
    _token, read_key = api_token_create(user=user, name="read", scope="read")
    _token, write_key = api_token_create(user=user, name="write", scope="write")
    assert api_client.post(ME, {}, **bearer(read_key)).status_code == 403
    assert api_client.post(ME, {}, **bearer(write_key)).status_code == 405


def test_anonymous_me_is_401_in_the_error_format(api_client):
    response = api_client.get(ME)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_create_api_token_command_prints_a_working_token(api_client, user):
    out = StringIO()
    call_command(
        "create_api_token",
        "--user",
        user.email.upper(),
        "--name",
        "deploy",
        "--scope",
        "write",
        stdout=out,
    )
    key = out.getvalue().strip()
    assert ApiToken.objects.get(user=user).scope == "write"
    response = api_client.get(ME, **bearer(key))
    assert response.status_code == 200
    assert response.json()["token_scope"] == "write"


def test_create_api_token_command_rejects_unknown_user(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user with e-mail nobody@example.org."):
        call_command("create_api_token", "--user", "nobody@example.org", "--name", "x")
