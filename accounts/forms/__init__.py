"""The account forms. The log-in form is in `accounts.forms.login` and not imported here:
allauth.account.forms, which it extends, imports this package for `SignupForm` itself."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import ApiToken, validate_expiry_date
from accounts.selectors import api_token_name_taken


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user):
        user.full_name = self.cleaned_data["full_name"].strip()
        user.language = getattr(request, "LANGUAGE_CODE", "de")[:2]
        user.save(update_fields=["full_name", "language"])


class ApiTokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    scope = forms.ChoiceField(label=_("Scope"), choices=ApiToken.Scope.choices)
    expires_on = forms.DateField(
        label=_("Expires on"),
        required=False,
        help_text=_("Optional. The token stops working at the end of this day."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if self.user and api_token_name_taken(user=self.user, name=name):
            raise forms.ValidationError(_("You already have an active token with this name."))
        return name

    def clean_expires_on(self):
        expires_on = self.cleaned_data["expires_on"]
        validate_expiry_date(expires_on)
        return expires_on


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you who deletes the account."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."), code="wrong_password")
        return password
