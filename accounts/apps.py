from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from accounts import schema  # noqa: F401 - registers the OpenAPI auth extension

        # Each app's part of the data export and the account deletion (accounts/privacy.py).
        autodiscover_modules("privacy")
