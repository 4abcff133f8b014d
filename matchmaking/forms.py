"""Forms of the matchmaking pages. Field rules live in the services; forms parse and show."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from matchmaking.models import MatchFeedback, Opportunity, PartnerKind
from matchmaking.permissions import active_member_organisation_ids
from partners.models import Competence, Organisation
from partners.selectors.organisations import competence_choices, competence_tree
from projects.models import Project
from projects.permissions import visible_projects_q


class ServiceErrorsMixin:
    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in error.message_dict.items():
            target = field if field in self.fields else None
            for message in messages:
                self.add_error(target, message)


class OpportunityForm(ServiceErrorsMixin, forms.ModelForm):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), empty_label=None
    )
    partner_kinds = forms.MultipleChoiceField(
        label=_("Kinds of partner sought"),
        choices=PartnerKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: any kind of partner."),
    )

    class Meta:
        model = Opportunity
        fields = [
            "organisation",
            "kind",
            "title",
            "description",
            "language",
            "competences",
            "keywords",
            "partner_kinds",
            "project",
            "project_idea",
            "valid_until",
            "visibility",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "visibility": forms.RadioSelect,
            "competences": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 8}),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            "description": _("German or English. Markdown: **bold**, *italic*, lists, links."),
            "visibility": _(
                "Confidential requests are seen by the cluster office only; it forwards them "
                "to chosen partners without naming you until you agree."
            ),
            "project_idea": _("Or, without a project in the portal yet, the idea in a few words."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                pk__in=active_member_organisation_ids(user)
            ).order_by("name")
        # radio buttons need no "choose one" entry
        self.fields["kind"].choices = Opportunity.Kind.choices
        self.fields["competences"].queryset = Competence.objects.all()
        self.fields["competences"].choices = competence_choices()
        self.fields["project"].queryset = Project.objects.filter(visible_projects_q(user)).order_by(
            "acronym"
        )
        self.fields["project"].required = False
        self.fields["description"].required = True
        self.fields["title"].required = True
        if self.instance.pk:
            self.fields["partner_kinds"].initial = self.instance.partner_kinds

    def _post_clean(self):
        # The service validates the row; skip the ModelForm's validation (no double errors).
        pass

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            field: data[field]
            for field in (
                "kind",
                "title",
                "description",
                "language",
                "keywords",
                "partner_kinds",
                "project",
                "project_idea",
                "valid_until",
                "visibility",
            )
        }
        arguments["partner_kinds"] = list(arguments["partner_kinds"])
        arguments["competences"] = list(data["competences"])
        if "organisation" in self.fields:
            arguments["organisation"] = data["organisation"]
        return arguments


class OpportunityFilterForm(forms.Form):
    """The list's search and filters (GET). Invalid values are ignored by the selector."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Offers and requests"))]
    )
    competence = forms.ChoiceField(label=_("Competence"), required=False)
    status = forms.ChoiceField(
        label=_("Status (your own)"), required=False, choices=[("", _("Any status"))]
    )
    mine = forms.BooleanField(label=_("Only my organisations'"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices += Opportunity.Kind.choices
        self.fields["status"].choices += Opportunity.Status.choices
        self.fields["competence"].choices = [("", _("Any competence"))] + [
            (slug, label) for slug, label in competence_slug_choices()
        ]


def competence_slug_choices() -> list[tuple[str, str]]:
    """(slug, label) pairs in tree order, narrower concepts indented (one query)."""
    choices = []

    def walk(concepts, depth):
        for concept in concepts:
            choices.append((concept.slug, f"{'— ' * depth}{concept.name}"))
            walk(concept.tree_children, depth + 1)

    walk(competence_tree(), 0)
    return choices


class ContactRequestForm(ServiceErrorsMixin, forms.Form):
    sender_organisation = forms.ModelChoiceField(
        label=_("Writing for"), queryset=Organisation.objects.none(), empty_label=None
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Who you are and why you would like to talk. Your e-mail address and phone "
            "number are shared only once the request is accepted."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.filter(
            pk__in=active_member_organisation_ids(user)
        ).order_by("name")
        self.fields["sender_organisation"].queryset = organisations
        if len(active_member_organisation_ids(user)) < 2:
            self.fields["sender_organisation"].widget = forms.HiddenInput()
            self.fields["sender_organisation"].required = False


class DeclineForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sender sees this reason."),
    )


class MessageForm(ServiceErrorsMixin, forms.Form):
    text = forms.CharField(label=_("Your message"), widget=forms.Textarea(attrs={"rows": 4}))


class AbuseReportForm(ServiceErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("What is wrong?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the cluster office reads this."),
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=MatchFeedback.Outcome.choices)


class ForwardingForm(ServiceErrorsMixin, forms.Form):
    organisation = forms.SlugField(
        label=_("Organisation"),
        help_text=_("Its address in the portal, e.g. “uni-due” from /organisations/uni-due/."),
    )
    note = forms.CharField(
        label=_("Note for the organisation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_organisation(self):
        slug = self.cleaned_data["organisation"]
        organisation = Organisation.objects.filter(
            slug=slug, status=Organisation.Status.ACTIVE
        ).first()
        if organisation is None:
            raise ValidationError(_("No active organisation has this address."))
        return organisation
