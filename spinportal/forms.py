"""Form rendering shared by every form in the portal (Bootstrap markup, accessible errors)."""

from django.forms import BoundField, widgets
from django.forms.renderers import TemplatesSetting


class PortalBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(
            widget, widgets.CheckboxInput | widgets.RadioSelect | widgets.CheckboxSelectMultiple
        ):
            css = "form-check-input"
        elif isinstance(widget, widgets.Select):
            css = "form-select"
        elif isinstance(widget, widgets.FileInput):
            css = "form-control"
        else:
            css = "form-control"
        existing = attrs.get("class") or widget.attrs.get("class", "")
        if css not in existing.split():
            attrs["class"] = f"{existing} {css}".strip()
        if self.errors and "is-invalid" not in attrs["class"]:
            attrs["class"] += " is-invalid"
        return attrs


class PortalFormRenderer(TemplatesSetting):
    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
    bound_field_class = PortalBoundField
