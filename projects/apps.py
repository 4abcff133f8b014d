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

        from django.db.models import signals

        from partners.models import Competence
        from projects.caches import PROJECT_LISTS
        from projects.models import Project

        for model in (Project, Competence):
            signals.post_save.connect(PROJECT_LISTS.changed, sender=model, weak=False)
            signals.post_delete.connect(PROJECT_LISTS.changed, sender=model, weak=False)
        signals.m2m_changed.connect(
            PROJECT_LISTS.changed, sender=Project.competences.through, weak=False
        )
