from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.views import admin_login
from matchmaking.views.home import home
from spinportal import health, views
from spinportal.api import errors as api_errors

# The admin has no log-in form of its own: it uses the portal's (rate limits, second factor).
admin.site.login = admin_login

handler403 = "spinportal.views.permission_denied"
handler404 = "spinportal.views.not_found"
handler500 = "spinportal.views.server_error"

urlpatterns = [
    path("", home, name="home"),
    path("impressum/", views.imprint, name="imprint"),
    path("datenschutz/", views.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("partners.urls.organisations")),
    path("", include("partners.urls.people")),
    path("", include("projects.urls.projects")),
    path("", include("projects.urls.workplan")),
    path("", include("matchmaking.urls")),
    path("", include("notifications.urls")),
    path("account/", include("accounts.urls")),
    path("account/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("api/v1/", include(("spinportal.api.urls", "api"), namespace="api")),
    # every other /api/ path: the API's JSON 404, not the 404 page
    re_path(r"^api(?:/|$)", api_errors.not_found, name="api_not_found"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
]

if settings.DEBUG:
    urlpatterns += [
        path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
    ]
