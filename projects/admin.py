from django.contrib import admin

from projects.models import Participation, Project


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    autocomplete_fields = ["organisation"]


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
    search_fields = ["acronym", "title_de", "title_en", "funding_reference"]
    prepopulated_fields = {"slug": ["acronym"]}
    autocomplete_fields = ["competences"]
    inlines = [ParticipationInline]
    readonly_fields = ["public_id", "created_at", "updated_at"]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["project", "organisation", "role", "budget_share", "joined_on", "left_on"]
    list_filter = ["role", "project"]
    search_fields = ["project__acronym", "organisation__name"]
    list_select_related = ["project", "organisation"]
    autocomplete_fields = ["project", "organisation"]
