from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from django.db.models import signals

        from partners.directory_cache import directory_changed
        from partners.models import Competence, Organisation, Sector

        # The directory's cached searches and facets (partners.directory_cache): every path
        # that writes, the admin included, invalidates them.
        for model in (Organisation, Sector, Competence):
            signals.post_save.connect(directory_changed, sender=model, weak=False)
            signals.post_delete.connect(directory_changed, sender=model, weak=False)
        for through in (Organisation.sectors.through, Organisation.competences.through):
            signals.m2m_changed.connect(directory_changed, sender=through, weak=False)
