from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from notifications import (
            catalog,  # noqa: F401 - declares the event types
            services,
            tasks,  # noqa: F401 - registers the delivery tasks, which the relay finds by name
        )
        from spinportal import hooks

        # the outbox, for the apps below (partners) that record events through spinportal.hooks
        hooks.notify.register(services.notify)
        hooks.email_to_address.register(services.email_to_address)
        hooks.email_to_address_cancel.register(services.email_to_address_cancel)
