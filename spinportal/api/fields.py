"""Choice fields documented as inline enums.

The portal's models share field names (kind, status, visibility, language, role) with different
choices; drf-spectacular would turn each into an enum component and warn about colliding
names. Wrapped in allOf, the enum stays inline in each schema. (ENUM_NAME_OVERRIDES in the
settings would be the alternative; one list of every app's enums in the settings.)
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def inline_enum(values) -> dict:
    values = list(values)
    return {
        "allOf": [{"type": "string", "enum": values}],
        "description": "One of: " + ", ".join(f"`{value}`" for value in values) + ".",
    }


def enum_field(choices, **kwargs) -> serializers.ChoiceField:
    values = [value for value, _label in choices]
    field_class = extend_schema_field(inline_enum(values))(
        type("InlineEnumChoiceField", (serializers.ChoiceField,), {})
    )
    return field_class(choices=choices, **kwargs)
