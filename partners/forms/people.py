"""Forms for people and memberships. Services repeat the important checks (the API skips forms)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.emails import normalise_email
from accounts.models import User
from partners.images_people import MAX_BYTES, photo_validate_and_reencode
from partners.models import Competence, Invitation, JoinRequest, Membership, Organisation


class PeopleSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("Name, position, expertise or a competence, e.g. “electrolysis”."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    competence = forms.ModelChoiceField(
        label=_("Competence"),
        required=False,
        queryset=Competence.objects.order_by("name_de"),
        to_field_name="slug",
        empty_label=_("All competences"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        required=False,
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("name"),
        to_field_name="slug",
        empty_label=_("All organisations"),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if Membership.objects.filter(
            organisation=self.organisation, user__email__iexact=email
        ).exists():
            raise forms.ValidationError(_("A person with this e-mail address is already a member."))
        if Invitation.objects.filter(
            organisation=self.organisation, email__iexact=email, status=Invitation.Status.OPEN
        ).exists():
            raise forms.ValidationError(
                _("This address already has an open invitation. Resend it instead.")
            )
        return email


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the administrators"),
        required=False,
        max_length=JoinRequest._meta.get_field("message").max_length,
        help_text=_("Optional. Tell them who you are and what you do in the organisation."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ProfileForm(forms.ModelForm):
    photo_upload = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("Optional. PNG, JPEG or WebP, at most 2 MB."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )
    remove_photo = forms.BooleanField(label=_("Remove my photo"), required=False)

    class Meta:
        model = User
        fields = [
            "full_name",
            "title",
            "position",
            "expertise",
            "phone",
            "show_email",
            "show_phone",
            "language",
        ]
        widgets = {
            "expertise": forms.Textarea(attrs={"rows": 5}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
            "full_name": forms.TextInput(attrs={"autocomplete": "name"}),
        }
        help_texts = {
            "expertise": _("What you know and work on. Logged-in partners can search it."),
            "show_email": _("Logged-in partners see your e-mail address."),
            "show_phone": _("Logged-in partners see your phone number."),
        }

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter your name."))
        return name

    def clean_photo_upload(self):
        upload = self.cleaned_data.get("photo_upload")
        if not upload:
            return None
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The photo is larger than 2 MB."))
        try:
            return photo_validate_and_reencode(upload)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from error
