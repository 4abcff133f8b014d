"""The one way a service changes fields of a row (after HackSoft's `model_update`)."""

from collections.abc import Callable

from django.db import models

from spinportal.audit import audit


def assign(instance: models.Model, data: dict) -> list[str]:
    """Sets every field of `data` on `instance` and returns the names of those whose value
    changed, sorted. For services with more to do between setting and saving."""
    changed = sorted(name for name, value in data.items() if getattr(instance, name) != value)
    for name, value in data.items():
        setattr(instance, name, value)
    return changed


def model_update(
    *,
    actor,
    instance: models.Model,
    data: dict,
    action: str,
    validate: Callable[[models.Model], None],
) -> list[str]:
    """Sets the fields of `data`, validates the row (`validate` raises ValidationError), saves
    only the changed fields (and `auto_now` ones) and leaves one audit row `action` naming
    them. Nothing is written when nothing changed. Returns the changed field names."""
    changed = assign(instance, data)
    if not changed:
        return changed
    validate(instance)
    automatic = [
        field.name
        for field in instance._meta.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in changed
    ]
    instance.save(update_fields=[*changed, *automatic])
    audit(actor=actor, action=action, target=instance, fields=changed)
    return changed
