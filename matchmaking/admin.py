"""Admin lists for the cluster office: every matchmaking model, searchable. Match outcomes are
counted on the staff statistics page (matchmaking:statistics) and filterable here."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from matchmaking.models import (
    AbuseReport,
    Block,
    ContactRequest,
    Forwarding,
    Match,
    MatchFeedback,
    MatchingProfile,
    Message,
    Opportunity,
)


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "kind", "status", "visibility", "valid_until"]
    list_filter = ["kind", "status", "visibility", "language", "is_demo"]
    search_fields = ["title", "description", "organisation__name", "created_by__email"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation", "competences", "created_by"]
    readonly_fields = ["public_id", "published_at", "expiry_reminded_at", "created_at"]
    date_hierarchy = "created_at"


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "target_organisation", "target_opportunity", "score"]
    search_fields = ["opportunity__title", "target_organisation__name"]
    list_select_related = ["opportunity", "target_organisation", "target_opportunity"]
    raw_id_fields = ["opportunity", "target_opportunity", "target_organisation"]


class HasErrorFilter(admin.SimpleListFilter):
    title = _("embedding")
    parameter_name = "embedding"

    def lookups(self, request, model_admin):
        return [("error", _("failed")), ("missing", _("not yet embedded"))]

    def queryset(self, request, queryset):
        if self.value() == "error":
            return queryset.exclude(error="")
        if self.value() == "missing":
            return queryset.filter(embedding__isnull=True)
        return queryset


@admin.register(MatchingProfile)
class MatchingProfileAdmin(admin.ModelAdmin):
    """Staff see here which profiles could not be embedded, and why (the task retries)."""

    list_display = ["organisation", "opportunity", "is_active", "language", "error", "updated_at"]
    list_filter = [HasErrorFilter, "is_active", "kind", "language"]
    search_fields = ["organisation__name", "opportunity__title", "error"]
    list_select_related = ["organisation", "opportunity"]
    raw_id_fields = ["organisation", "opportunity", "embedding"]
    readonly_fields = [f.name for f in MatchingProfile._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MatchFeedback)
class MatchFeedbackAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "organisation", "outcome", "is_dismissed", "updated_at"]
    list_filter = ["outcome", "is_dismissed"]
    search_fields = ["opportunity__title", "organisation__name"]
    list_select_related = ["opportunity", "organisation"]
    raw_id_fields = ["opportunity", "organisation", "updated_by"]


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    raw_id_fields = ["author"]


@admin.register(ContactRequest)
class ContactRequestAdmin(admin.ModelAdmin):
    list_display = [
        "sender_organisation",
        "receiver_organisation",
        "sender",
        "status",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = [
        "sender__email",
        "sender_organisation__name",
        "receiver_organisation__name",
        "opportunity__title",
    ]
    list_select_related = ["sender", "sender_organisation", "receiver_organisation"]
    raw_id_fields = [
        "sender",
        "sender_organisation",
        "receiver_organisation",
        "opportunity",
        "answered_by",
    ]
    readonly_fields = ["public_id", "created_at"]
    inlines = [MessageInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["contact_request", "author", "created_at"]
    search_fields = ["text", "author__email"]
    list_select_related = [
        "contact_request__sender_organisation",
        "contact_request__receiver_organisation",
        "author",
    ]
    raw_id_fields = ["contact_request", "author"]


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["user", "blocked_organisation", "created_at"]
    search_fields = ["user__email", "blocked_organisation__name"]
    list_select_related = ["user", "blocked_organisation"]
    raw_id_fields = ["user", "blocked_organisation"]


@admin.register(AbuseReport)
class AbuseReportAdmin(admin.ModelAdmin):
    list_display = ["contact_request", "reporter", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["reason", "reporter__email"]
    list_select_related = [
        "contact_request__sender_organisation",
        "contact_request__receiver_organisation",
        "reporter",
    ]
    raw_id_fields = ["contact_request", "reporter"]


@admin.register(Forwarding)
class ForwardingAdmin(admin.ModelAdmin):
    list_display = ["opportunity", "organisation", "is_identity_revealed", "created_at"]
    list_filter = ["is_identity_revealed"]
    search_fields = ["opportunity__title", "organisation__name"]
    list_select_related = ["opportunity", "organisation"]
    raw_id_fields = ["opportunity", "organisation", "forwarded_by"]
