import logging
import time
import unicodedata

from django.conf import settings
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

logger = logging.getLogger("spinportal.request")


class RequestLogMiddleware:
    """One log line per request: method, path, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed_ms
        )
        return response


def _has_control_character(text: str) -> bool:
    return any(unicodedata.category(character) == "Cc" for character in text)


class ControlCharacterMiddleware:
    """Refuses control characters (NUL, tab, escape, …) in the path and the query string.

    Nothing the portal links to or offers to type contains them, PostgreSQL refuses NUL in every
    text comparison (a 500 deep in a search or a filter), and the others match nothing. One check
    here instead of one in every search, filter, page number and lookup:

    - in the path: 404, since no object can be named so;
    - in a query parameter (its name or a value): 400, in the API's error format naming the
      parameter for /api/, the 400 page naming it for the pages.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_control_character(request.path_info):
            if request.path_info.startswith("/api/"):
                # the API's error format, also with DEBUG on (where Http404 renders a page)
                return JsonResponse(
                    {"status": 404, "code": "not_found", "detail": _("Not found.")}, status=404
                )
            raise Http404
        for name, values in request.GET.lists():
            if _has_control_character(name) or any(map(_has_control_character, values)):
                return self._refuse(request, name)
        return self.get_response(request)

    def _refuse(self, request, name: str):
        message = _("Control characters are not allowed.")
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "status": 400,
                    "code": "invalid",
                    "detail": _("The request contains invalid data."),
                    "errors": {name: [message]},
                },
                status=400,
            )
        printable = "".join("\ufffd" if _has_control_character(c) else c for c in name)
        return render(request, "400.html", {"parameter": printable}, status=400)


class PermissionsPolicyMiddleware:
    """A `Permissions-Policy` header on every response, pages and API alike.

    The portal uses no camera, microphone, location, payment, USB or other device feature, so
    they are all switched off, for embedded content too; a page injected into it cannot ask for
    them. The policy is `settings.PERMISSIONS_POLICY` (feature -> allowed origins, empty for
    none), so a page that comes to need one states it there.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(origins)})"
            for feature, origins in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
