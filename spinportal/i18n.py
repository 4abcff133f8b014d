"""Helpers for bilingual content fields (`<name>_de` and `<name>_en`)."""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """The value in the active language, falling back to German, the cluster's language."""
    language = (get_language() or "de")[:2]
    value = getattr(obj, f"{field}_{language}", "") if language != "de" else ""
    return value or getattr(obj, f"{field}_de", "")
