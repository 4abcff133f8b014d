from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Preference


class PreferencesForm(forms.Form):
    """One choice per event type; mandatory (security) events are shown but fixed."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for event_type, label, frequency, mandatory in rows:
            field = forms.ChoiceField(
                label=label,
                choices=Preference.Frequency.choices,
                initial=frequency,
                disabled=mandatory,
                help_text=_("Security-relevant: always sent immediately.") if mandatory else "",
            )
            self.fields[event_type] = field

    def changed_frequencies(self):
        for event_type, _label, frequency, mandatory in self.rows:
            value = self.cleaned_data.get(event_type)
            if not mandatory and value and value != frequency:
                yield event_type, value
