"""API throttles: one bucket per token, per logged-in browser user, per anonymous client.

Each request falls into exactly one bucket, so a token's budget is not shared with its owner's
browser session or with the owner's other tokens. The counters live in the default cache, which
is Redis in production, so all gunicorn workers share them. A refused request gets 429 with
`Retry-After` (kept by spinportal.api.errors.exception_handler).
"""

from rest_framework import throttling

from accounts.models import ApiToken


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Requests authenticated with a personal API token, keyed by the token's id."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class SessionUserRateThrottle(throttling.SimpleRateThrottle):
    """Logged-in browser sessions (no token), keyed by the user's id."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(throttling.AnonRateThrottle):
    """Anonymous clients, keyed by address (X-Forwarded-For behind NUM_PROXIES proxies)."""

    scope = "anon"
