"""Forms for organisations: the profile (register and edit), moderation, the directory filter."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from partners.images import process_logo
from partners.models import Competence, Organisation, Sector
from partners.selectors.organisations import competence_choices
from partners.services.organisations import PROFILE_FIELDS


class ParentField(forms.CharField):
    """The parent organisation by its address in the portal (slug): a select of thousands of
    organisations would be unusable."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        slug = value.strip().rstrip("/").rsplit("/", 1)[-1]
        parent = Organisation.objects.filter(slug=slug, status=Organisation.Status.ACTIVE).first()
        if parent is None:
            raise ValidationError(
                _("No active organisation has the address “%(slug)s”."),
                code="invalid_choice",
                params={"slug": slug},
            )
        return parent

    def prepare_value(self, value):
        if isinstance(value, int):
            return Organisation.objects.filter(pk=value).values_list("slug", flat=True).first()
        if isinstance(value, Organisation):
            return value.slug
        return value


class OrganisationForm(forms.ModelForm):
    parent = ParentField(
        label=_("Parent organisation"),
        required=False,
        max_length=200,
        help_text=_(
            "For a department or research group: the parent's address in the portal, "
            "e.g. “uni-due” from /organisations/uni-due/."
        ),
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB and 4000 × 4000 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    confirm_similar = forms.BooleanField(
        label=_("Yes, this is a different organisation from the similar ones named above."),
        required=False,
    )

    class Meta:
        model = Organisation
        fields = [
            "name",
            "short_name",
            "kind",
            "sectors",
            "street",
            "postcode",
            "city",
            "country",
            "latitude",
            "longitude",
            "website",
            "email",
            "phone",
            "size_band",
            "description_de",
            "description_en",
            "competences",
            "keywords",
            "parent",
        ]
        widgets = {
            "sectors": forms.CheckboxSelectMultiple,
            "competences": forms.CheckboxSelectMultiple,
            "description_de": forms.Textarea(attrs={"rows": 6}),
            "description_en": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "description_de": _("Markdown: **bold**, *italic*, lists, links."),
            "country": _("Two-letter code, e.g. DE."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sectors"].queryset = Sector.objects.order_by("position", "name_de")
        self.fields["competences"].queryset = Competence.objects.all()
        self.fields["competences"].choices = competence_choices()
        if self.instance.pk:
            self.fields["parent"].initial = self.instance.parent

    def clean_logo(self):
        uploaded = self.cleaned_data.get("logo")
        if not uploaded:
            return None
        return process_logo(uploaded)

    def _post_clean(self):
        # The service validates the whole row (the model's rules plus duplicates); skip the
        # ModelForm's own instance validation so that errors are not reported twice.
        pass

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            **{field: data[field] for field in PROFILE_FIELDS},
            "sectors": data["sectors"],
            "competences": data["competences"],
            "logo": data["logo"],
            "confirm_similar": data["confirm_similar"],
        }

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)
        if "name" in error.message_dict:
            self.similar_warning = True


class OrganisationEditForm(OrganisationForm):
    remove_logo = forms.BooleanField(label=_("Remove the current logo"), required=False)

    def service_arguments(self) -> dict:
        return {**super().service_arguments(), "remove_logo": self.cleaned_data["remove_logo"]}


class RejectForm(forms.Form):
    rejection_reason = forms.CharField(
        label=_("Reason for the rejection"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("The organisation's administrators will see this text."),
    )


class DirectoryForm(forms.Form):
    """The directory's search and filters (GET). Invalid values are ignored, not errors."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    sector = forms.ChoiceField(label=_("Sector"), required=False)
    competence = forms.ChoiceField(label=_("Competence"), required=False)
    city = forms.ChoiceField(label=_("City"), required=False)
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("", _("Best match / name")),
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("city", _("City")),
            ("newest", _("Newest first")),
        ],
    )

    def __init__(self, *args, facets: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("kind", "sector", "competence", "city"):
            self.fields[name].choices = [("", _("All"))] + [
                (row["value"], f"{row['label']} ({row['count']})") for row in facets[name]
            ]
            # A value chosen before it dropped out of the facets stays selectable.
            chosen = self.data.get(name)
            if chosen and chosen not in {row["value"] for row in facets[name]}:
                self.fields[name].choices.append((chosen, f"{chosen} (0)"))
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs.update({"autocomplete": "off"})
