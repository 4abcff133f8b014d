"""API throttles: one bucket per token, per logged-in browser user, per anonymous client.

Each request falls into exactly one bucket, so a token's budget is not shared with its owner's
browser session or with the owner's other tokens. The counters live in the default cache, which
is Redis in production, so all gunicorn workers share them. A refused request gets 429 with
`Retry-After` (kept by spinportal.api.errors.exception_handler).
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from accounts.models import ApiToken


class SettingsRateMixin:
    """Reads the rate when the request comes, not when the class is imported (DRF's default),
    so a changed REST_FRAMEWORK setting applies at once."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


class TokenRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Requests authenticated with a personal API token, keyed by the token's id."""

    scope = "token"

    def get_cache_key(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class SessionUserRateThrottle(SettingsRateMixin, throttling.SimpleRateThrottle):
    """Logged-in browser sessions (no token), keyed by the user's id."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken) or not request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.user.pk}


class AnonRateThrottle(SettingsRateMixin, throttling.AnonRateThrottle):
    """Anonymous clients, keyed by address (X-Forwarded-For behind NUM_PROXIES proxies)."""

    scope = "anon"
