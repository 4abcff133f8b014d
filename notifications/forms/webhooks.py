from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import validate_webhook_url
from notifications.webhooks import subscribable_events


class WebhookForm(forms.Form):
    """Create (with the organisation) and edit (with the active switch) a webhook."""

    organisation = forms.ModelChoiceField(queryset=None, label=_("Organisation"))
    url = forms.URLField(
        label=_("Target URL"),
        max_length=500,
        assume_scheme="https",
        validators=[validate_webhook_url],
        help_text=_("https:// (http:// only to localhost for development)."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"), widget=forms.CheckboxSelectMultiple, choices=()
    )
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def __init__(self, *args, organisations=None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = subscribable_events()
        if editing:
            del self.fields["organisation"]
        else:
            del self.fields["is_active"]
            self.fields["organisation"].queryset = organisations


def _local_datetime_input():
    # the format the browser's datetime-local input expects
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class WebhookReplayForm(forms.Form):
    """A time range whose events are sent again; the service checks the range."""

    since = forms.DateTimeField(label=_("Created from"), widget=_local_datetime_input())
    until = forms.DateTimeField(label=_("Created until"), widget=_local_datetime_input())
