"""Writes on accounts: API tokens."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from accounts.selectors import api_token_name_taken
from spinportal.audit import audit


def api_token_expires_at(expires_on: dt.date | None) -> dt.datetime | None:
    """A token with an expiry date works until the end of that day (local time)."""
    if expires_on is None:
        return None
    return timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))


def _name_taken() -> ValidationError:
    return ValidationError({"name": [_("You already have an active token with this name.")]})


@transaction.atomic
def api_token_create(
    *,
    user: User,
    name: str,
    scope: str,
    expires_at: dt.datetime | None = None,
    created_with: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Creates a token and returns it with its secret, which is never stored and shown once.

    `created_with` is the token that authenticated an API request asking for this one: the new
    token may not outlive it, so that an expiring token cannot prolong itself through others.
    """
    name = name.strip()
    if api_token_name_taken(user=user, name=name):
        raise _name_taken()
    limit = created_with.expires_at if created_with is not None else None
    if limit is not None and (expires_at is None or expires_at > limit):
        raise ValidationError(
            {
                "expires_on": [
                    _(
                        "A token created with an expiring token cannot outlive it: choose "
                        "%(date)s or earlier."
                    )
                    % {"date": timezone.localtime(limit).date().isoformat()}
                ]
            }
        )
    key = ApiToken.generate_key()
    try:
        with transaction.atomic():
            token = ApiToken.objects.create(
                user=user,
                name=name,
                scope=scope,
                expires_at=expires_at,
                key_prefix=key[: len(ApiToken.PREFIX) + 6],
                key_hash=ApiToken.hash_key(key),
            )
    except IntegrityError as error:  # a concurrent request took the name
        raise _name_taken() from error
    audit(
        actor=user,
        action="api_token.create",
        target=token,
        scope=scope,
        created_with=created_with.pk if created_with is not None else None,
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, token: ApiToken) -> ApiToken:
    """Revokes a token of the acting user. Revoking twice keeps the first time."""
    if token.user_id != user.pk:
        raise PermissionDenied("Users can only revoke their own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(actor=user, action="api_token.revoke", target=token)
    return token
