"""`Authorization: Bearer <token>` for personal API tokens.

A request whose Authorization header names the Bearer scheme is decided by the token alone:
`BearerTokenAuthentication` either returns the token's user or refuses with a 401, and never
falls through to the browser session. The two-factor requirement
(`partners.middleware.MfaRequiredMiddleware`) relies on that to exempt exactly these requests.
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken

# Writing last_used_at on every request would turn each read into a write; minute precision
# is all the token page shows.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


KEYWORD = "Bearer"


def carries_bearer_token(request) -> bool:
    """Whether the Authorization header names the Bearer scheme, valid token or not.

    Takes a Django or a DRF request; the same parsing as `BearerTokenAuthentication`.
    """
    header = authentication.get_authorization_header(request).split()
    return bool(header) and header[0].lower() == KEYWORD.lower().encode()


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = KEYWORD

    def authenticate(self, request):
        if not carries_bearer_token(request):
            return None
        header = authentication.get_authorization_header(request).split()
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid Authorization header."))
        try:
            key = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        token = (
            ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(key)).first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
