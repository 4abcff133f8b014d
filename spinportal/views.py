from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def imprint(request):
    return render(request, "pages/imprint.html")


def privacy(request):
    return render(request, "pages/privacy.html")


def _wants_json(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse(
            {"status": 404, "code": "not_found", "detail": _("Not found.")}, status=404
        )
    return render(request, "404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(
            {"status": 500, "code": "server_error", "detail": _("Internal server error.")},
            status=500,
        )
    return render(request, "500.html", status=500)


def permission_denied(request, exception=None):
    if _wants_json(request):
        return JsonResponse(
            {"status": 403, "code": "permission_denied", "detail": _("Permission denied.")},
            status=403,
        )
    return render(request, "403.html", status=403)
