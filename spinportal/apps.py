from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpinPortalConfig(AppConfig):
    name = "spinportal"
    verbose_name = _("SPIN Portal")
