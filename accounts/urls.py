from django.urls import path

from accounts import views
from accounts.views import privacy as views_privacy

app_name = "accounts"
urlpatterns = [
    path("tokens/", views.api_tokens, name="api_tokens"),
    path("tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api_token_revoke"),
    path("privacy/", views_privacy.privacy, name="privacy"),
    path("privacy/export/", views_privacy.privacy_export, name="privacy_export"),
    path("privacy/delete/", views_privacy.account_delete_view, name="account_delete"),
]
