"""Admin for invitations and join requests (imported by partners/admin.py), and the CSV export
of people as an admin action (`export_people_csv`, for the user admin's `actions`).

Invitations and join requests are read-only records here: accepting, revoking and deciding go
through the services (on the members page), so that every change leaves an audit row and sends
its e-mail.
"""

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.admin import UserAdmin
from partners.models import Invitation, JoinRequest
from partners.selectors.people import person_export_rows, person_list
from spinportal.exports import csv_response

EXPORT_HEADER = [
    _("Id"),
    _("Name"),
    _("Title"),
    _("Position"),
    _("E-mail"),
    _("Phone"),
    _("Organisations"),
    _("Competences"),
    _("Expertise"),
]


def people_csv_response(people) -> HttpResponse:
    """A CSV download of `people` (a person_list queryset); contact data only where shared."""
    return csv_response(
        filename=f"people-{timezone.localdate():%Y-%m-%d}.csv",
        header=EXPORT_HEADER,
        rows=person_export_rows(people),
    )


@admin.action(description=_("Export selected people as CSV"))
def export_people_csv(modeladmin, request, queryset):
    people = person_list(visible_to=request.user).filter(pk__in=queryset.values("pk"))
    return people_csv_response(people)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "organisation", "role", "status", "invited_by", "sent_at"]
    list_filter = ["status", "role", "sent_at"]
    search_fields = ["email", "organisation__name", "invited_by__email"]
    list_select_related = ["organisation", "invited_by"]
    date_hierarchy = "sent_at"


@admin.register(JoinRequest)
class JoinRequestAdmin(ReadOnlyAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["user__email", "user__full_name", "organisation__name", "message"]
    list_select_related = ["user", "organisation", "decided_by"]
    date_hierarchy = "created_at"


# The user admin belongs to accounts, below partners in the layers; the export of people with
# their organisations is partners' to add.
UserAdmin.actions = [*UserAdmin.actions, export_people_csv]
