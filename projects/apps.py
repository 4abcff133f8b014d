from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Projects")

    def ready(self):
        from partners import hooks
        from projects.selectors.projects import project_participations_for_organisation

        def organisation_page_context(*, organisation, user) -> dict:
            return {
                "project_participations": project_participations_for_organisation(
                    organisation=organisation, user=user
                )
            }

        hooks.organisation_page_context.register(organisation_page_context)
