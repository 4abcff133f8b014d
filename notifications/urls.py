from django.urls import path

from notifications import views
from notifications.views import webhooks as views_webhooks

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_centre, name="list"),
    path("notifications/unread/", views.unread_badge, name="unread_badge"),
    path("notifications/read-all/", views.mark_all_read, name="mark_all_read"),
    path("notifications/<int:pk>/read/", views.mark_read, name="mark_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("notifications/webhooks/", views_webhooks.webhook_list_page, name="webhooks"),
    path(
        "notifications/webhooks/new/",
        views_webhooks.webhook_create_page,
        name="webhook_create",
    ),
    path(
        "notifications/webhooks/<int:pk>/",
        views_webhooks.webhook_detail_page,
        name="webhook_detail",
    ),
    path(
        "notifications/webhooks/<int:pk>/edit/",
        views_webhooks.webhook_edit_page,
        name="webhook_edit",
    ),
    path(
        "notifications/webhooks/<int:pk>/delete/",
        views_webhooks.webhook_delete_page,
        name="webhook_delete",
    ),
    path(
        "notifications/webhooks/<int:pk>/rotate-secret/",
        views_webhooks.webhook_rotate_page,
        name="webhook_rotate",
    ),
    path(
        "notifications/webhooks/<int:pk>/ping/",
        views_webhooks.webhook_ping_page,
        name="webhook_ping",
    ),
]
