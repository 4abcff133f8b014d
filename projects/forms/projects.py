"""Forms for projects: the project (create and edit), consortium, team, requests, the list."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.images import process_logo
from partners.models import Competence, Organisation
from partners.permissions import admin_organisation_ids, is_staff
from partners.selectors.organisations import competence_choices
from projects.models import Participation, Project, TeamMember
from projects.services.projects import PROJECT_FIELDS

MONEY_HELP = _("In euros, without thousands separators.")


class ServiceErrorsMixin:
    """Shows a service's ValidationError at the fields it names."""

    def add_service_errors(self, error: ValidationError) -> None:
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)

    def _post_clean(self):
        # The service validates the whole change (the model's rules and the consortium's);
        # skip the ModelForm's own instance validation so that errors are not reported twice.
        pass


def _date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _money_widget():
    return forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})


class ProjectForm(ServiceErrorsMixin, forms.ModelForm):
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB and 4000 × 4000 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    class Meta:
        model = Project
        fields = [
            "acronym",
            "title_de",
            "title_en",
            "summary_de",
            "summary_en",
            "description",
            "stage",
            "start_date",
            "end_date",
            "funding_programme",
            "funding_reference",
            "total_budget",
            "funding_amount",
            "competences",
            "website",
            "visibility",
        ]
        localized_fields = ["total_budget", "funding_amount"]
        widgets = {
            "summary_de": forms.Textarea(attrs={"rows": 3}),
            "summary_en": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 8}),
            "start_date": _date_widget(),
            "end_date": _date_widget(),
            "total_budget": _money_widget(),
            "funding_amount": _money_widget(),
            "competences": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "description": _("Markdown: **bold**, *italic*, lists, links."),
            "total_budget": MONEY_HELP,
            "funding_amount": MONEY_HELP,
            "visibility": _(
                "Public: everyone sees the summary, consortium, timeline and public news and "
                "documents. Consortium only: nobody outside the consortium sees the project."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competences"].queryset = Competence.objects.all()
        self.fields["competences"].choices = competence_choices()

    def clean_logo(self):
        uploaded = self.cleaned_data.get("logo")
        if not uploaded:
            return None
        return process_logo(uploaded)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **{field: data[field] for field in PROJECT_FIELDS},
            "competences": data["competences"],
            "logo": data["logo"],
        }


class ProjectCreateForm(ProjectForm):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinating organisation"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_(
            "One of your organisations that coordinates the project. Required for a funded "
            "and running project; other partners are added afterwards."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(status=Organisation.Status.ACTIVE)
        if not is_staff(user):
            organisations = organisations.filter(pk__in=admin_organisation_ids(user))
        self.fields["coordinator"].queryset = organisations.only("id", "name").order_by("name")

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "coordinator": self.cleaned_data["coordinator"]}


class ProjectEditForm(ProjectForm):
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "remove_logo": self.cleaned_data["remove_logo"]}


class OrganisationField(forms.CharField):
    """An active organisation by its address in the portal (slug) or its exact name: a select
    of thousands of organisations would be unusable."""

    def clean(self, value):
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        slug = value.rstrip("/").rsplit("/", 1)[-1]
        organisation = (
            Organisation.objects.filter(status=Organisation.Status.ACTIVE).filter(slug=slug).first()
            or Organisation.objects.filter(status=Organisation.Status.ACTIVE, name__iexact=value)
            .order_by("pk")
            .first()
        )
        if organisation is None:
            raise ValidationError(
                _("No active organisation has the address or name “%(value)s”."),
                code="invalid_choice",
                params={"value": value},
            )
        return organisation


class ParticipationEditForm(ServiceErrorsMixin, forms.ModelForm):
    class Meta:
        model = Participation
        fields = ["role", "budget_share", "joined_on", "left_on"]
        localized_fields = ["budget_share"]
        widgets = {
            "budget_share": forms.TextInput(attrs={"inputmode": "decimal"}),
            "joined_on": _date_widget(),
            "left_on": _date_widget(),
        }
        help_texts = {"left_on": _("Set when the partner leaves the project.")}

    def service_arguments(self) -> dict:
        return {field: self.cleaned_data[field] for field in self.Meta.fields}


class ParticipationForm(ParticipationEditForm):
    organisation = OrganisationField(
        label=_("Organisation"),
        max_length=200,
        help_text=_(
            "Its address in the portal, e.g. “fh-dortmund” from /organisations/fh-dortmund/, "
            "or its exact name."
        ),
    )

    class Meta(ParticipationEditForm.Meta):
        fields = ["organisation", "role", "budget_share", "joined_on", "left_on"]


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        help_text=_("People of the consortium's organisations who are not in the team yet."),
    )
    role = forms.ChoiceField(label=_("Project role"), choices=TeamMember.Role.choices)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = candidates
        self.fields["user"].label_from_instance = lambda user: f"{user.full_name} ({user.email})"

    add_service_errors = ServiceErrorsMixin.add_service_errors


class TeamRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Project role"), choices=TeamMember.Role.choices)


class ParticipationRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=None)
    role = forms.ChoiceField(
        label=_("Requested role"),
        choices=Participation.Role.choices,
        initial=Participation.Role.PARTNER,
    )
    message = forms.CharField(
        label=_("Message to the project lead"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations

    add_service_errors = ServiceErrorsMixin.add_service_errors


class ProjectListForm(forms.Form):
    """The list's search and filters (GET). Invalid values are ignored, not errors."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All")), *Project.Stage.choices]
    )
    competence = forms.ChoiceField(label=_("Competence"), required=False)
    programme = forms.ChoiceField(label=_("Funding programme"), required=False)
    organisation = forms.CharField(
        label=_("Partner organisation"),
        required=False,
        max_length=200,
        help_text=_("The organisation's address in the portal, e.g. “fh-dortmund”."),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Acronym (A–Z)")),
            ("-acronym", _("Acronym (Z–A)")),
            ("start", _("Latest start first")),
            ("end", _("Ending soonest")),
            ("newest", _("Newest first")),
        ],
    )

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("competence", "programme"):
            self.fields[name].choices = [("", _("All")), *choices[name]]
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"autocomplete": "off"})
