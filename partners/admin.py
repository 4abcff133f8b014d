from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Prefetch
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.forms.organisations import RejectForm
from partners.models import Competence, Membership, Organisation, PendingOrganisation, Sector
from partners.services.organisations import organisation_approve, organisation_reject
from spinportal.audit import audit
from spinportal.exports import csv_response


@admin.register(Competence)
class CompetenceAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "parent", "slug", "position"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name_de", "name_en", "synonyms", "slug"]
    list_select_related = ["parent"]
    prepopulated_fields = {"slug": ["name_en"]}


@admin.register(Sector)
class SectorAdmin(admin.ModelAdmin):
    list_display = ["name_de", "name_en", "slug", "position"]
    search_fields = ["name_de", "name_en"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class OrganisationAdminBase(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "status", "created_at"]
    list_filter = ["status", "kind", "sectors", "country", "is_demo"]
    search_fields = ["name", "short_name", "slug", "city", "keywords"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "competences"]
    filter_horizontal = ["sectors"]
    inlines = [MembershipInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]
    actions = ["approve_selected", "reject_selected", "export_csv"]
    date_hierarchy = "created_at"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The admin's change view runs in one transaction, so the audit row commits with it.
        audit(
            actor=request.user,
            action="organisation.changed_in_admin" if change else "organisation.created_in_admin",
            target=obj,
            fields=sorted(form.changed_data),
        )

    def delete_model(self, request, obj):
        audit(actor=request.user, action="organisation.deleted_in_admin", target=obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for organisation in queryset:
            audit(actor=request.user, action="organisation.deleted_in_admin", target=organisation)
        super().delete_queryset(request, queryset)

    @admin.action(description=_("Approve the selected organisations"))
    def approve_selected(self, request, queryset):
        approved = 0
        for organisation in queryset.exclude(status=Organisation.Status.ACTIVE):
            organisation_approve(actor=request.user, organisation=organisation)
            approved += 1
        self.message_user(
            request,
            ngettext(
                "%(count)d organisation approved.", "%(count)d organisations approved.", approved
            )
            % {"count": approved},
            messages.SUCCESS,
        )

    @admin.action(description=_("Reject the selected organisations (with a reason)"))
    def reject_selected(self, request, queryset):
        queryset = queryset.filter(status=Organisation.Status.PENDING)
        form = RejectForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["rejection_reason"]
            count = 0
            with transaction.atomic():
                for organisation in queryset:
                    organisation_reject(
                        actor=request.user, organisation=organisation, reason=reason
                    )
                    count += 1
            self.message_user(
                request,
                ngettext(
                    "%(count)d organisation rejected.", "%(count)d organisations rejected.", count
                )
                % {"count": count},
                messages.SUCCESS,
            )
            return None
        if not queryset:
            self.message_user(
                request, _("Only pending organisations can be rejected."), messages.WARNING
            )
            return None
        return TemplateResponse(
            request,
            "partners/organisations/admin_reject.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Reject organisations"),
                "organisations": queryset,
                "form": form,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Export the selected organisations as CSV"))
    def export_csv(self, request, queryset):
        organisations = queryset.prefetch_related(
            Prefetch("sectors", queryset=Sector.objects.only("id", "slug")),
            Prefetch("competences", queryset=Competence.objects.only("id", "slug")),
        ).order_by("name", "id")
        rows = (
            (
                str(organisation.public_id),
                organisation.name,
                organisation.short_name,
                organisation.slug,
                organisation.kind,
                organisation.status,
                organisation.street,
                organisation.postcode,
                organisation.city,
                organisation.country,
                organisation.website,
                organisation.email,
                organisation.phone,
                organisation.size_band,
                " ".join(s.slug for s in organisation.sectors.all()),
                " ".join(c.slug for c in organisation.competences.all()),
                organisation.keywords,
                organisation.created_at.isoformat(),
            )
            for organisation in organisations
        )
        return csv_response(filename="organisations.csv", header=CSV_COLUMNS, rows=rows)


CSV_COLUMNS = [
    "public_id",
    "name",
    "short_name",
    "slug",
    "kind",
    "status",
    "street",
    "postcode",
    "city",
    "country",
    "website",
    "email",
    "phone",
    "size_band",
    "sectors",
    "competences",
    "keywords",
    "created_at",
]


@admin.register(Organisation)
class OrganisationAdmin(OrganisationAdminBase):
    pass


@admin.register(PendingOrganisation)
class PendingOrganisationAdmin(OrganisationAdminBase):
    """The moderation queue: pending organisations, oldest first."""

    list_display = ["name", "kind", "city", "website", "created_at"]
    list_filter = ["kind"]
    actions = ["approve_selected", "reject_selected"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=Organisation.Status.PENDING)

    def has_add_permission(self, request):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


from partners import admin_people  # noqa: E402, F401 - registers invitation/join request admin
