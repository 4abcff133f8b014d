"""Two-factor authentication is mandatory for staff and for organisation admins.

A privileged user without a TOTP authenticator is led to the activation page from every page
until they have one. What stays reachable: the MFA pages themselves (activation, recovery codes,
reauthentication), logging out, the language switch, static files and the health checks.

The requirement applies to every request the browser session authenticates, whatever other
headers it carries: API calls with the session get a 403 in the API's error format. The one way
around it is an API call with a Bearer token (the token is the credential, and a person can only
create one through the pages, after enrolment): a Bearer header is decided by the token alone,
never by the session (`accounts.authentication.carries_bearer_token`), so an invalid token gets
a 401 rather than the session user. Other schemes (Basic, Token, …) are not credentials here and
change nothing.

It lives in `partners` because "organisation admin" is a partner-directory rule; `accounts`
sits below `partners` and must not ask it.
"""

from functools import cached_property

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.authentication import carries_bearer_token
from partners.permissions import is_privileged

EXEMPT_URL_NAMES = [
    "account_logout",
    "account_reauthenticate",
    "set_language",
    "healthz",
    "readyz",
]
API_PREFIX = "/api/"


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required_message() -> str:
    return _(
        "Staff and organisation administrators must use two-factor authentication. "
        "Please set up an authenticator app to continue."
    )


class MfaRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def exempt_prefixes(self) -> tuple[str, ...]:
        mfa_root = reverse("mfa_index")  # /account/2fa/: activation, recovery codes, reauth
        return (mfa_root, settings.STATIC_URL, settings.MEDIA_URL)

    @cached_property
    def exempt_paths(self) -> frozenset[str]:
        return frozenset(reverse(name) for name in EXEMPT_URL_NAMES)

    def __call__(self, request):
        if self._must_enrol(request):
            return self._refuse(request)
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        if not settings.MFA_REQUIRED_FOR_PRIVILEGED:
            return False
        path = request.path_info
        if path in self.exempt_paths or path.startswith(self.exempt_prefixes):
            return False
        if path.startswith(API_PREFIX) and carries_bearer_token(request):
            # The token authenticates (or the API refuses with a 401); the session plays no part.
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return is_privileged(user) and not has_totp(user)

    def _refuse(self, request):
        if request.path_info.startswith(API_PREFIX):
            return JsonResponse(
                {"status": 403, "code": "mfa_required", "detail": mfa_required_message()},
                status=403,
            )
        if request.headers.get("HX-Request"):
            # A fragment must not be swapped for the activation page; htmx ignores a 403.
            return HttpResponse(mfa_required_message(), status=403, content_type="text/plain")
        messages.warning(request, mfa_required_message())
        return redirect("mfa_activate_totp")
