"""allauth's hook for every address a visitor types: `normalise_email` first.

`clean_email` is called by the sign-up, add-e-mail (change) and password-reset forms before
their uniqueness check or lookup. The log-in form has no such hook; it is
`accounts.forms.login.LoginForm`.
"""

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.emails import normalise_email


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email: str) -> str:
        email = normalise_email(super().clean_email(email))
        local_part = email.rpartition("@")[0]
        if not local_part.isascii():
            # Left after folding: letters such as "ı" (dotless i) that the validator lets pass
            # for an "i"; no mail server here takes them, and they would look like an "i".
            raise forms.ValidationError(_("Enter a valid email address."), code="invalid")
        return email
