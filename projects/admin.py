"""The cluster office's admin for projects: inlines for the consortium, team and work plan,
filters, CSV export, and audit rows for every consortium and role change made here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from projects.models import (
    Document,
    DocumentVersion,
    Milestone,
    NewsPost,
    Participation,
    ParticipationRequest,
    Project,
    TeamMember,
    WorkPackage,
)
from projects.selectors.projects import EXPORT_COLUMNS, project_export_rows
from spinportal.audit import audit
from spinportal.exports import csv_response

AUDITED_INLINES = {Participation: "participation", TeamMember: "team_member"}


def _audit_change(request, obj, *, change: bool, changed: list[str], prefix: str) -> None:
    audit(
        actor=request.user,
        action=f"{prefix}.{'changed' if change else 'added'}_in_admin",
        target=obj,
        project=obj.project.acronym,
        fields=sorted(changed),
        **({"role": obj.role} if hasattr(obj, "role") else {}),
    )


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organisation"]


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    autocomplete_fields = ["user"]


class WorkPackageInline(admin.TabularInline):
    model = WorkPackage
    extra = 0
    autocomplete_fields = ["lead_organisation"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0
    autocomplete_fields = ["responsible_organisation"]
    fields = ["kind", "title", "due_date", "work_package", "responsible_organisation", "status"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = [
        "acronym",
        "title_de",
        "stage",
        "funding_programme",
        "start_date",
        "end_date",
        "visibility",
    ]
    list_filter = ["stage", "funding_programme", "visibility", "is_demo"]
    search_fields = ["acronym", "title_de", "title_en", "funding_reference", "funding_programme"]
    prepopulated_fields = {"slug": ["acronym"]}
    autocomplete_fields = ["competences"]
    inlines = [ParticipationInline, TeamMemberInline, WorkPackageInline, MilestoneInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    actions = ["export_csv"]
    date_hierarchy = "start_date"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The admin's change view runs in one transaction, so the audit row commits with it.
        audit(
            actor=request.user,
            action="project.changed_in_admin" if change else "project.created_in_admin",
            target=obj,
            fields=sorted(form.changed_data),
        )

    def save_formset(self, request, form, formset, change):
        prefix = AUDITED_INLINES.get(formset.model)
        if prefix is None:
            super().save_formset(request, form, formset, change)
            return
        for deleted_form in formset.deleted_forms:
            instance = deleted_form.instance
            if instance.pk:  # audited before the row (and its id) is gone
                audit(
                    actor=request.user,
                    action=f"{prefix}.removed_in_admin",
                    target=instance,
                    project=form.instance.acronym,
                    role=instance.role,
                )
        formset.save()
        for instance in formset.new_objects:
            _audit_change(request, instance, change=False, changed=[], prefix=prefix)
        for instance, changed in formset.changed_objects:
            _audit_change(request, instance, change=True, changed=changed, prefix=prefix)

    @admin.action(description=_("Export the selected projects as CSV"))
    def export_csv(self, request, queryset):
        return csv_response(
            filename="projects.csv", header=EXPORT_COLUMNS, rows=project_export_rows(queryset)
        )


class AuditedAdmin(admin.ModelAdmin):
    """Participations and team members changed here leave the same audit rows as the pages."""

    audit_prefix = ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _audit_change(
            request, obj, change=change, changed=form.changed_data, prefix=self.audit_prefix
        )

    def delete_model(self, request, obj):
        audit(
            actor=request.user,
            action=f"{self.audit_prefix}.removed_in_admin",
            target=obj,
            project=obj.project.acronym,
            role=obj.role,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("project"):
            self.delete_model(request, obj)


@admin.register(Participation)
class ParticipationAdmin(AuditedAdmin):
    audit_prefix = "participation"
    list_display = ["project", "organisation", "role", "budget_share", "joined_on", "left_on"]
    list_filter = ["role", "project__stage", "project__funding_programme"]
    search_fields = ["project__acronym", "organisation__name", "organisation__short_name"]
    list_select_related = ["project", "organisation"]
    autocomplete_fields = ["project", "organisation"]


@admin.register(TeamMember)
class TeamMemberAdmin(AuditedAdmin):
    audit_prefix = "team_member"
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role", "project__stage"]
    search_fields = ["project__acronym", "user__full_name", "user__email"]
    list_select_related = ["project", "user"]
    autocomplete_fields = ["project", "user"]


@admin.register(ParticipationRequest)
class ParticipationRequestAdmin(admin.ModelAdmin):
    list_display = ["project", "organisation", "role", "status", "requested_by", "created_at"]
    list_filter = ["status", "role"]
    search_fields = ["project__acronym", "organisation__name", "requested_by__email"]
    list_select_related = ["project", "organisation", "requested_by"]
    autocomplete_fields = ["project", "organisation", "requested_by", "decided_by"]
    readonly_fields = ["created_at", "decided_at"]


@admin.register(WorkPackage)
class WorkPackageAdmin(admin.ModelAdmin):
    list_display = ["project", "number", "title", "lead_organisation", "start_month", "end_month"]
    list_filter = ["project__stage"]
    search_fields = ["project__acronym", "title"]
    list_select_related = ["project", "lead_organisation"]
    autocomplete_fields = ["project", "lead_organisation"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "kind", "due_date", "status", "responsible_organisation"]
    list_filter = ["kind", "status"]
    search_fields = ["project__acronym", "title"]
    list_select_related = ["project", "responsible_organisation"]
    autocomplete_fields = ["project", "work_package", "responsible_organisation"]
    date_hierarchy = "due_date"


@admin.register(NewsPost)
class NewsPostAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "published_at", "is_public", "author"]
    list_filter = ["is_public"]
    search_fields = ["project__acronym", "title", "text"]
    list_select_related = ["project", "author"]
    autocomplete_fields = ["project", "author"]
    date_hierarchy = "published_at"


class DocumentVersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ["number", "original_name", "content_type", "size", "sha256", "uploaded_by"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # files come in through the checked upload of the portal


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "is_public", "created_by", "updated_at"]
    list_filter = ["is_public"]
    search_fields = ["project__acronym", "title", "description"]
    list_select_related = ["project", "created_by"]
    autocomplete_fields = ["project", "created_by"]
    inlines = [DocumentVersionInline]


@admin.register(DocumentVersion)
class DocumentVersionAdmin(admin.ModelAdmin):
    list_display = ["document", "number", "original_name", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["document__title", "document__project__acronym", "original_name", "sha256"]
    list_select_related = ["document", "uploaded_by"]
    readonly_fields = [
        "document",
        "number",
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]

    def has_add_permission(self, request):
        return False
