from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchmakingConfig(AppConfig):
    name = "matchmaking"
    verbose_name = _("Matchmaking")

    def ready(self):
        from matchmaking.scheduling import schedule_organisation_matching
        from partners import hooks

        hooks.organisation_changed.register(schedule_organisation_matching)
