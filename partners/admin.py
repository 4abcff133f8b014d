from django.contrib import admin

from partners.models import Competence, Membership, Organisation, Sector


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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "status", "created_at"]
    list_filter = ["status", "kind", "sectors", "country", "is_demo"]
    search_fields = ["name", "short_name", "city", "keywords"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "competences"]
    filter_horizontal = ["sectors"]
    inlines = [MembershipInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


from partners import admin_people  # noqa: E402, F401 - registers invitation/join request admin
