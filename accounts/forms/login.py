from allauth.account.forms import LoginForm as AllauthLoginForm

from accounts.emails import normalise_email


class LoginForm(AllauthLoginForm):
    """allauth's log-in form, looking the address up (and checking that it is verified) in its
    normal form, the form in which it is stored."""

    def clean_login(self) -> str:
        return normalise_email(super().clean_login())
