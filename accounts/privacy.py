"""The person's rights under the GDPR: a copy of their data (Art. 15, 20) and erasure (Art. 17).

Every app keeps its own part in its `privacy.py` (found by autodiscovery when the apps are
ready): what it exports, what blocks a deletion, and what it erases or anonymises. This module
holds the registry, the account's own data and the order of the steps.

Erasure keeps the user row as an anonymised tombstone (`deleted_at` set, no name, address,
profile, password or rights) instead of deleting it, because other people's records point at
it: conversations, opportunities of the organisation, audit records. Everything that only
concerns the person is deleted (every relation to the user declared with CASCADE: memberships,
team memberships, join requests, notifications, preferences, deliveries, blocks, API tokens,
e-mail addresses, authenticators), with one exception: contact requests they sent stay, because
they open conversations that belong to the receiving organisation as well.

Decision on their own messages and contact-request texts: the text stays, the author shows as
"Deleted account", and the person's name, e-mail addresses and phone number are replaced by
"[deleted account]" inside those texts. The other side received these words and needs them to
make sense of the conversation; what the person wrote beyond their own contact data (a
signature with another number, say) stays. Open contact requests are withdrawn first, so nobody
answers a person who is gone. Opportunities they created belong to the organisation and stay
unchanged.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken, User
from spinportal.audit import audit
from spinportal.models import AuditRecord

EXPORT_FORMAT_VERSION = 1
ANONYMOUS_LABEL = "[deleted account]"


def _nothing(*args) -> None:
    return None


@dataclass(frozen=True)
class PrivacyHook:
    """One app's part of the export and of the erasure.

    - `export(user)`: {section: rows} added to the person's copy of their data;
    - `deletion_blockers(user)`: reasons (translated sentences) that refuse the deletion now;
      it may lock rows, it runs inside the deletion's transaction;
    - `before_erasure(user)`: runs before the person's rows are deleted (withdraw what others
      would otherwise answer);
    - `erase(user, identifiers)`: after the person's rows are deleted: anonymise what stays,
      replacing `identifiers` (names, addresses, phone) with ANONYMOUS_LABEL;
    - `kept_relations`: (model, field) pairs declared CASCADE whose rows stay, anonymised
      through the tombstone, because they belong to others as well.
    """

    export: Callable[[User], dict[str, list]] = lambda user: {}
    deletion_blockers: Callable[[User], list[str]] = lambda user: []
    before_erasure: Callable[[User], None] = _nothing
    erase: Callable[[User, set[str]], None] = _nothing
    kept_relations: frozenset[tuple[type[models.Model], str]] = frozenset()


_hooks: list[PrivacyHook] = []


def register(hook: PrivacyHook) -> PrivacyHook:
    """Called by an app's privacy.py at import (autodiscovered in AccountsConfig.ready)."""
    _hooks.append(hook)
    return hook


# --- Export -----------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "hex") and not isinstance(value, bytes | str):  # UUID
        return str(value)
    return value


def rows(objects: Iterable[models.Model], fields: list[str]) -> list[dict[str, Any]]:
    """JSON-ready rows of `objects`, one entry per field name (`a__b` follows relations)."""
    result = []
    for obj in objects:
        row = {}
        for name in fields:
            value = obj
            for part in name.split("__"):
                value = getattr(value, part) if value is not None else None
            row[name] = _value(
                value.name if isinstance(value, models.fields.files.FieldFile) else value
            )
        result.append(row)
    return result


def model_rows(objects: Iterable[models.Model], *, exclude: set[str]) -> list[dict[str, Any]]:
    """Rows with every concrete field of the objects but those in `exclude`."""
    return [
        {
            field.name: _value(getattr(obj, field.name))
            for field in obj._meta.concrete_fields
            if field.name not in exclude
        }
        for obj in objects
    ]


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal stores about the person, as JSON-ready data.

    Never secrets: no password hash, no token hashes, no TOTP secret or recovery codes.
    """
    data = {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": rows(
            [user],
            [
                "id",
                "email",
                "full_name",
                "title",
                "position",
                "expertise",
                "phone",
                "photo",
                "show_email",
                "show_phone",
                "language",
                "is_staff",
                "date_joined",
                "last_login",
            ],
        )[0],
        "email_addresses": rows(
            EmailAddress.objects.filter(user=user).order_by("email"),
            ["email", "verified", "primary"],
        ),
        "api_tokens": rows(
            ApiToken.objects.filter(user=user),
            [
                "name",
                "scope",
                "key_prefix",
                "created_at",
                "expires_at",
                "last_used_at",
                "revoked_at",
            ],
        ),
        "two_factor_authenticators": rows(
            Authenticator.objects.filter(user=user), ["type", "created_at", "last_used_at"]
        ),
        "actions_recorded": rows(
            AuditRecord.objects.filter(actor=user), ["action", "target_label", "created_at"]
        ),
    }
    for hook in _hooks:
        data.update(hook.export(user))
    return data


# --- Deletion ---------------------------------------------------------------------------------


def deletion_blockers(*, user: User) -> list[str]:
    """Why the person cannot delete their account now (empty: they can)."""
    return [reason for hook in _hooks for reason in hook.deletion_blockers(user)]


def scrub(value: Any, identifiers: set[str]) -> Any:
    """`value` (text, or JSON-like data) with every identifier replaced by ANONYMOUS_LABEL."""
    if isinstance(value, str):
        for identifier in identifiers:
            value = value.replace(identifier, ANONYMOUS_LABEL)
        return value
    if isinstance(value, dict):
        return {key: scrub(item, identifiers) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, identifiers) for item in value]
    return value


@transaction.atomic
def account_delete(*, user: User) -> None:
    """The person deletes their own account: personal data removed, shared records anonymised.

    Refused (ValidationError, code "blocked") while an app says it cannot be done yet (the
    last administrator of an organisation hands it over first).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    blockers = deletion_blockers(user=user)
    if blockers:
        raise ValidationError(blockers, code="blocked")

    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    addresses.add(user.email)
    identifiers = {
        text for text in {user.display_name, user.full_name, user.phone, *addresses} if text
    }
    for hook in _hooks:
        hook.before_erasure(user)

    # Everything that only concerns the person.
    kept = {(LogEntry, "user")}  # the admin's history: the office's record of what staff did
    kept |= {relation for hook in _hooks for relation in hook.kept_relations}
    for relation in User._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or (model, relation.field.name) in kept:
            continue
        if relation.on_delete is models.CASCADE:
            model._default_manager.filter(**{relation.field.name: user}).delete()
    user.groups.clear()
    user.user_permissions.clear()
    for hook in _hooks:
        hook.erase(user, identifiers)

    # Other people's records that name the person.
    for record in AuditRecord.objects.filter(
        Q(target_type=User._meta.label_lower, target_id=str(user.pk))
        | Q(actor=user)
        | Q(target_label__in=identifiers)
        | Q(*(Q(target_label__contains=text) for text in identifiers), _connector=Q.OR)
    ):
        record.target_label = scrub(record.target_label, identifiers)
        record.data = scrub(record.data, identifiers)
        record.save(update_fields=["target_label", "data"])

    if user.photo:
        user.photo.delete(save=False)
    user.email = f"deleted-{user.pk}@deleted.invalid"
    user.full_name = user.title = user.position = user.expertise = user.phone = ""
    user.photo = ""
    user.show_email = user.show_phone = False
    user.is_active = user.is_staff = user.is_superuser = False
    user.last_login = None
    user.deleted_at = timezone.now()
    user.set_unusable_password()  # also ends every session: the session hash changes
    user.save()
    audit(actor=None, action="account.delete", target=user)
