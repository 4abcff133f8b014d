"""The person's rights under the GDPR: a copy of their data (Art. 15, 20) and erasure (Art. 17).

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
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from matchmaking.models import ContactRequest, Message, Opportunity
from matchmaking.services.contact_requests import contact_request_withdraw
from notifications.models import Delivery, Notification, Preference
from partners.models import Invitation, JoinRequest, Membership
from partners.permissions import forget_memberships
from projects.models import TeamMember
from spinportal.audit import audit
from spinportal.models import AuditRecord

EXPORT_FORMAT_VERSION = 1
ANONYMOUS_LABEL = "[deleted account]"
# Relations whose rows stay (anonymised through the tombstone) although declared CASCADE.
# The admin's change history stays too: it is the cluster office's record of what staff did.
KEPT_CASCADE_RELATIONS = {(ContactRequest, "sender"), (LogEntry, "user")}


# --- Export -----------------------------------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "hex") and not isinstance(value, bytes | str):  # UUID
        return str(value)
    return value


def _rows(objects: Iterable[models.Model], fields: list[str]) -> list[dict[str, Any]]:
    rows = []
    for obj in objects:
        row = {}
        for name in fields:
            value = obj
            for part in name.split("__"):
                value = getattr(value, part) if value is not None else None
            row[name] = _value(
                value.name if isinstance(value, models.fields.files.FieldFile) else value
            )
        rows.append(row)
    return rows


def user_data_export(*, user: User) -> dict[str, Any]:
    """Everything the portal stores about the person, as JSON-ready data.

    Never secrets: no password hash, no token hashes, no TOTP secret or recovery codes.
    """
    return {
        "format_version": EXPORT_FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "profile": _rows(
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
        "email_addresses": _rows(
            EmailAddress.objects.filter(user=user).order_by("email"),
            ["email", "verified", "primary"],
        ),
        "memberships": _rows(
            Membership.objects.filter(user=user).select_related("organisation"),
            ["organisation__name", "organisation__slug", "role", "created_at"],
        ),
        "project_team_memberships": _rows(
            TeamMember.objects.filter(user=user).select_related("project"),
            ["project__acronym", "role"],
        ),
        "join_requests": _rows(
            JoinRequest.objects.filter(user=user).select_related("organisation"),
            ["organisation__name", "status", "message", "created_at"],
        ),
        "opportunities_created": _rows(
            Opportunity.objects.filter(created_by=user).select_related("organisation"),
            [
                "public_id",
                "organisation__name",
                "kind",
                "title",
                "description",
                "status",
                "visibility",
                "created_at",
            ],
        ),
        "contact_requests_sent": _rows(
            ContactRequest.objects.filter(sender=user).select_related(
                "sender_organisation", "receiver_organisation", "opportunity"
            ),
            [
                "public_id",
                "sender_organisation__name",
                "receiver_organisation__name",
                "opportunity__title",
                "message",
                "status",
                "created_at",
            ],
        ),
        "messages_sent": _rows(
            Message.objects.filter(author=user).select_related("contact_request"),
            ["contact_request__public_id", "text", "created_at"],
        ),
        "notifications": _rows(
            Notification.objects.filter(recipient=user),
            ["event_type", "url", "context", "created_at", "read_at"],
        ),
        "emails_sent": _rows(
            Delivery.objects.filter(recipient=user),
            ["kind", "to_email", "event_type", "status", "created_at", "sent_at"],
        ),
        "notification_preferences": [
            {
                field.name: _value(getattr(preference, field.name))
                for field in Preference._meta.concrete_fields
                if field.name not in {"id", "user"}
            }
            for preference in Preference.objects.filter(user=user)
        ],
        "api_tokens": _rows(
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
        "two_factor_authenticators": _rows(
            Authenticator.objects.filter(user=user), ["type", "created_at", "last_used_at"]
        ),
        "actions_recorded": _rows(
            AuditRecord.objects.filter(actor=user), ["action", "target_label", "created_at"]
        ),
    }


# --- Deletion ---------------------------------------------------------------------------------


def organisations_blocking_deletion(*, user: User) -> list[str]:
    """Names of the organisations whose last administrator the user is."""
    admin_memberships = Membership.objects.filter(user=user, role=Membership.Role.ADMIN)
    sole = (
        admin_memberships.annotate(
            admins=Count(
                "organisation__memberships",
                filter=Q(organisation__memberships__role=Membership.Role.ADMIN),
            )
        )
        .filter(admins=1)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return [membership.organisation.display_name for membership in sole]


def _scrub(value: Any, identifiers: set[str]) -> Any:
    if isinstance(value, str):
        for identifier in identifiers:
            value = value.replace(identifier, ANONYMOUS_LABEL)
        return value
    if isinstance(value, dict):
        return {key: _scrub(item, identifiers) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrub(item, identifiers) for item in value]
    return value


@transaction.atomic
def account_delete(*, user: User) -> None:
    """The person deletes their own account: personal data removed, shared records anonymised.

    Refused (ValidationError, code "last_admin") while the person is the last administrator of
    an organisation: they hand it over first.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    # Lock the person's admin memberships so no one demotes the other admin meanwhile.
    list(Membership.objects.select_for_update().filter(user=user, role=Membership.Role.ADMIN))
    blocking = organisations_blocking_deletion(user=user)
    if blocking:
        raise ValidationError(
            _(
                "You are the last administrator of %(organisations)s. Make another member an "
                "administrator first, then delete your account."
            )
            % {"organisations": ", ".join(blocking)},
            code="last_admin",
        )

    addresses = set(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    addresses.add(user.email)
    identifiers = {
        text for text in {user.display_name, user.full_name, user.phone, *addresses} if text
    }

    for contact_request in ContactRequest.objects.filter(
        sender=user, status=ContactRequest.Status.OPEN
    ):
        contact_request_withdraw(actor=user, contact_request=contact_request)

    # Everything that only concerns the person.
    for relation in User._meta.related_objects:
        model = relation.related_model
        if relation.many_to_many or (model, relation.field.name) in KEPT_CASCADE_RELATIONS:
            continue
        if relation.on_delete is models.CASCADE:
            model._default_manager.filter(**{relation.field.name: user}).delete()
    Invitation.objects.filter(email__in=addresses).delete()
    user.groups.clear()
    user.user_permissions.clear()

    # What the person wrote to others stays, without their contact data.
    for message in Message.objects.filter(author=user):
        message.text = _scrub(message.text, identifiers)
        message.save(update_fields=["text"])
    for contact_request in ContactRequest.objects.filter(sender=user):
        contact_request.message = _scrub(contact_request.message, identifiers)
        contact_request.save(update_fields=["message"])

    # Other people's records that name the person.
    for notification in Notification.objects.filter(actor=user):
        notification.context = _scrub(notification.context, identifiers)
        notification.save(update_fields=["context"])
    for record in AuditRecord.objects.filter(
        Q(target_type=User._meta.label_lower, target_id=str(user.pk))
        | Q(actor=user)
        | Q(target_label__in=identifiers)
        | Q(*(Q(target_label__contains=text) for text in identifiers), _connector=Q.OR)
    ):
        record.target_label = _scrub(record.target_label, identifiers)
        record.data = _scrub(record.data, identifiers)
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
    forget_memberships(user)
    audit(actor=None, action="account.delete", target=user)
