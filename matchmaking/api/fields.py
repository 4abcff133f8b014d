"""Choice fields documented as inline enums: they live in spinportal/api/fields.py, for every
app's API; imported here under their old name."""

from spinportal.api.fields import enum_field, inline_enum

__all__ = ["enum_field", "inline_enum"]
