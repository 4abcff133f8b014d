"""Writes on a person's own profile."""

from django.db import transaction

from accounts.models import User
from spinportal.audit import audit

# --- Profile ----------------------------------------------------------------------------------

PROFILE_FIELDS = (
    "full_name",
    "title",
    "position",
    "expertise",
    "phone",
    "show_email",
    "show_phone",
    "language",
)


@transaction.atomic
def profile_update(*, user: User, data: dict, photo=None, remove_photo: bool = False) -> User:
    """Updates the user's own profile. `photo` is an already validated, re-encoded file."""
    changed = [field for field in PROFILE_FIELDS if field in data]
    for field in changed:
        setattr(user, field, data[field])
    old_photo = user.photo.name if user.photo else ""
    if photo is not None:
        user.photo.save(photo.name, photo, save=False)
        changed.append("photo")
    elif remove_photo and old_photo:
        user.photo = ""
        changed.append("photo")
    user.save(update_fields=changed)
    if "photo" in changed and old_photo:
        storage = user.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    audit(actor=user, action="profile.update", target=user, fields=changed)
    return user
