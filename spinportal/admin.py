from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from spinportal.models import AuditRecord

admin.site.site_header = _("SPIN Portal")
admin.site.site_title = _("SPIN Portal")
admin.site.index_title = _("Cluster office")


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_label"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_label", "actor__email", "action"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
