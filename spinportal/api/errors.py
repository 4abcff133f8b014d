"""One error format for the whole API.

    {"status": 400, "code": "invalid", "detail": "…", "errors": {"field": ["message", …]}}

`errors` names each failing field (nested fields joined with "."; "non_field_errors" for the rest).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponsePermanentRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def _flatten(detail, prefix="") -> dict[str, list[str]]:
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, name))
        return flat
    if isinstance(detail, list):
        if detail and all(not isinstance(item, dict | list) for item in detail):
            return {prefix or "non_field_errors": [str(item) for item in detail]}
        flat = {}
        for index, item in enumerate(detail):
            flat.update(_flatten(item, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "non_field_errors": [str(detail)]}


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None

    if isinstance(exc, exceptions.ValidationError):
        body = {
            "status": status.HTTP_400_BAD_REQUEST,
            "code": "invalid",
            "detail": _("The request contains invalid data."),
            "errors": _flatten(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        body = {"status": response.status_code, "code": code, "detail": str(detail)}
    return Response(body, status=response.status_code, headers=dict(response.headers))


def _is_endpoint(path: str) -> bool:
    try:
        return resolve(path).url_name != "api_not_found"
    except Resolver404:
        return False


@csrf_exempt  # it changes nothing; a session's POST gets the 404, not the CSRF page
def not_found(request, *args, **kwargs):
    """Every /api/ path that names no endpoint: a 404 in the error format, with DEBUG on or off.

    A GET without its trailing slash is redirected as CommonMiddleware would (this pattern
    matches every path, so the middleware no longer sees a 404 to redirect).
    """
    path = request.path_info
    if (
        settings.APPEND_SLASH
        and request.method in ("GET", "HEAD")
        and not path.endswith("/")
        and _is_endpoint(f"{path}/")
    ):
        return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return JsonResponse({"status": 404, "code": "not_found", "detail": _("Not found.")}, status=404)
