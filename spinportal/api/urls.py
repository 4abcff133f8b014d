"""The one API router. Apps register their viewsets here."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import MeView
from accounts.api import register as register_account_routes
from matchmaking.api import register_routes as register_matchmaking_routes
from notifications.api import register as register_notification_routes
from partners.api import register_routes as register_partner_routes
from projects.api import register_routes as register_project_routes

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
register_account_routes(router)
register_partner_routes(router)
register_project_routes(router)
register_matchmaking_routes(router)
register_notification_routes(router)

urlpatterns = [
    path("me/", MeView.as_view(), name="me"),
    path("", include(router.urls)),
]
