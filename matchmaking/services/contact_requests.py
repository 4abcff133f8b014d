"""Writes on contact requests and their conversations, blocks and abuse reports.

Spam limits: at most ContactRequest.MAX_OPEN_PER_USER open outgoing requests per user (checked
under a lock on the sender's row, so that parallel requests cannot overshoot) and one open
request per pair of organisations and opportunity (a unique constraint backs the check).
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matchmaking.models import AbuseReport, Block, ContactRequest, Message, Opportunity
from matchmaking.permissions import (
    active_member_organisation_ids,
    can_answer_contact_request,
    can_report_abuse,
    can_view_opportunity,
    can_withdraw_contact_request,
    can_write_message,
    is_requester_hidden,
)
from matchmaking.services import notifications
from matchmaking.services.opportunities import match_outcome_advance
from partners.models import Membership, Organisation
from partners.permissions import is_partner, member_organisation_ids
from spinportal.audit import audit

MESSAGE_MAX_LENGTH = 5000
REASON_MAX_LENGTH = 2000


def _clean_text(value: str, *, field: str, max_length: int, empty_message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [empty_message]})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: [
                    _("At most %(max)s characters are allowed (this text has %(length)s).")
                    % {"max": f"{max_length:,}", "length": f"{len(text):,}"}
                ]
            }
        )
    return text


def _feedback_organisation(contact_request: ContactRequest) -> Organisation | None:
    """The side of the pair that is not the opportunity's organisation (MatchFeedback's key)."""
    opportunity = contact_request.opportunity
    if opportunity is None:
        return None
    if opportunity.organisation_id == contact_request.sender_organisation_id:
        return contact_request.receiver_organisation
    return contact_request.sender_organisation


def _advance(contact_request: ContactRequest, *, actor, outcome: str) -> None:
    organisation = _feedback_organisation(contact_request)
    if organisation is not None:
        match_outcome_advance(
            actor=actor,
            opportunity=contact_request.opportunity,
            organisation=organisation,
            outcome=outcome,
        )


def default_sender_organisation(user, *, opportunity: Opportunity | None = None):
    """The organisation a request goes out for when the user has no choice to make."""
    ids = active_member_organisation_ids(user)
    if opportunity is not None and opportunity.organisation_id in ids:
        return opportunity.organisation
    if len(ids) == 1:
        return Organisation.objects.get(pk=next(iter(ids)))
    return None


@transaction.atomic
def contact_request_create(
    *,
    actor,
    receiver_organisation: Organisation,
    message: str,
    sender_organisation: Organisation | None = None,
    opportunity: Opportunity | None = None,
) -> ContactRequest:
    """Sends a contact request from one of the actor's active organisations to another
    organisation, optionally about an opportunity of either side. Nothing is saved on refusal.

    Refused: requests to oneself or one's own organisation, to inactive organisations, about
    opportunities the actor may not see (“No such opportunity”, as if missing), from a blocked
    organisation, duplicates of an open request and more than 20 open requests.
    """
    if not is_partner(actor):
        raise PermissionDenied(_("Log in to contact partners."))
    if sender_organisation is None:
        sender_organisation = default_sender_organisation(actor, opportunity=opportunity)
    if sender_organisation is None:
        raise ValidationError(
            {"sender_organisation": [_("Choose the organisation you are writing for.")]}
        )
    if sender_organisation.pk not in active_member_organisation_ids(actor):
        raise ValidationError(
            {
                "sender_organisation": [
                    _("You can only write for an active organisation you belong to.")
                ]
            }
        )
    if receiver_organisation.status != Organisation.Status.ACTIVE:
        raise ValidationError({"receiver_organisation": [_("No such organisation.")]})
    if receiver_organisation.pk in member_organisation_ids(actor):
        raise ValidationError(
            {
                "receiver_organisation": [
                    _("You cannot send a contact request to your own organisation.")
                ]
            }
        )
    if opportunity is not None:
        if not can_view_opportunity(actor, opportunity) or is_requester_hidden(actor, opportunity):
            raise ValidationError({"opportunity": [_("No such opportunity.")]})
        if opportunity.organisation_id not in (sender_organisation.pk, receiver_organisation.pk):
            raise ValidationError(
                {"opportunity": [_("The opportunity belongs to neither of the two organisations.")]}
            )
    message = _clean_text(
        message,
        field="message",
        max_length=MESSAGE_MAX_LENGTH,
        empty_message=_("Write a short message about why you would like to get in touch."),
    )
    receiver_member_ids = Membership.objects.filter(organisation=receiver_organisation).values_list(
        "user_id", flat=True
    )
    if Block.objects.filter(
        user_id__in=receiver_member_ids, blocked_organisation=sender_organisation
    ).exists():
        raise ValidationError(
            {
                "receiver_organisation": [
                    _("This organisation does not accept contact requests from you.")
                ]
            }
        )

    # The lock on the sender's row serialises their parallel requests for the count below.
    get_user_model().objects.select_for_update().only("pk").get(pk=actor.pk)
    open_count = ContactRequest.objects.filter(
        sender=actor, status=ContactRequest.Status.OPEN
    ).count()
    if open_count >= ContactRequest.MAX_OPEN_PER_USER:
        raise ValidationError(
            {
                "non_field_errors": [
                    _(
                        "You have %(count)s open contact requests, the most allowed. Wait for "
                        "answers or withdraw one before sending another."
                    )
                    % {"count": open_count}
                ]
            }
        )
    duplicate = _("An open contact request between your organisations about this already exists.")
    if ContactRequest.objects.filter(
        sender_organisation=sender_organisation,
        receiver_organisation=receiver_organisation,
        opportunity=opportunity,
        status=ContactRequest.Status.OPEN,
    ).exists():
        raise ValidationError({"non_field_errors": [duplicate]})
    try:
        with transaction.atomic():
            contact_request = ContactRequest.objects.create(
                sender=actor,
                sender_organisation=sender_organisation,
                receiver_organisation=receiver_organisation,
                opportunity=opportunity,
                message=message,
            )
    except IntegrityError:
        raise ValidationError({"non_field_errors": [duplicate]}) from None
    _advance(contact_request, actor=actor, outcome="contacted")
    audit(actor=actor, action="contact_request.sent", target=contact_request)
    notifications.contact_request_sent(contact_request.pk)
    return contact_request


def _locked(contact_request: ContactRequest) -> ContactRequest:
    locked = ContactRequest.objects.select_for_update().get(pk=contact_request.pk)
    # Keep the related rows already loaded by the selector.
    for field in ("sender", "sender_organisation", "receiver_organisation", "opportunity"):
        if field in contact_request._state.fields_cache:
            setattr(locked, field, getattr(contact_request, field))
    return locked


def _require_open(contact_request: ContactRequest) -> None:
    if contact_request.status != ContactRequest.Status.OPEN:
        raise ValidationError(
            {
                "status": [
                    _("This contact request is no longer open (%(status)s).")
                    % {"status": contact_request.get_status_display()}
                ]
            }
        )


@transaction.atomic
def contact_request_accept(*, actor, contact_request: ContactRequest) -> ContactRequest:
    """A member of the receiving organisation accepts: both sides now see each other's
    contact data and continue in the conversation."""
    contact_request = _locked(contact_request)
    _require_open(contact_request)
    if not can_answer_contact_request(actor, contact_request):
        raise PermissionDenied(_("Only the receiving organisation answers this request."))
    contact_request.status = ContactRequest.Status.ACCEPTED
    contact_request.answered_by = actor
    contact_request.answered_at = timezone.now()
    contact_request.save(update_fields=["status", "answered_by", "answered_at"])
    _advance(contact_request, actor=actor, outcome="conversation")
    audit(actor=actor, action="contact_request.accepted", target=contact_request)
    notifications.contact_request_accepted(contact_request.pk)
    return contact_request


@transaction.atomic
def contact_request_decline(
    *, actor, contact_request: ContactRequest, reason: str = ""
) -> ContactRequest:
    """A member of the receiving organisation declines, optionally with a reason."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": [_("The reason may have at most 2,000 characters.")]})
    contact_request = _locked(contact_request)
    _require_open(contact_request)
    if not can_answer_contact_request(actor, contact_request):
        raise PermissionDenied(_("Only the receiving organisation answers this request."))
    contact_request.status = ContactRequest.Status.DECLINED
    contact_request.decline_reason = reason
    contact_request.answered_by = actor
    contact_request.answered_at = timezone.now()
    contact_request.save(update_fields=["status", "decline_reason", "answered_by", "answered_at"])
    audit(actor=actor, action="contact_request.declined", target=contact_request)
    notifications.contact_request_declined(contact_request.pk)
    return contact_request


@transaction.atomic
def contact_request_withdraw(*, actor, contact_request: ContactRequest) -> ContactRequest:
    """The sender takes back an open request (it no longer counts against the limit)."""
    contact_request = _locked(contact_request)
    _require_open(contact_request)
    if not can_withdraw_contact_request(actor, contact_request):
        raise PermissionDenied(_("Only the sender withdraws a contact request."))
    contact_request.status = ContactRequest.Status.WITHDRAWN
    contact_request.save(update_fields=["status"])
    audit(actor=actor, action="contact_request.withdrawn", target=contact_request)
    return contact_request


@transaction.atomic
def contact_request_remind(*, contact_request_id: int, now: dt.datetime | None = None) -> bool:
    """For the periodic task: marks an open request unanswered for 7 days as reminded, once."""
    now = now or timezone.now()
    updated = ContactRequest.objects.filter(
        pk=contact_request_id,
        status=ContactRequest.Status.OPEN,
        reminded_at__isnull=True,
        created_at__lte=now - dt.timedelta(days=ContactRequest.REMIND_AFTER_DAYS),
    ).update(reminded_at=now)
    if updated:
        notifications.contact_request_reminder(contact_request_id)
    return bool(updated)


@transaction.atomic
def contact_request_expire(*, contact_request_id: int, now: dt.datetime | None = None) -> bool:
    """For the periodic task: an open request unanswered for 30 days expires, once."""
    now = now or timezone.now()
    contact_request = (
        ContactRequest.objects.select_for_update()
        .filter(
            pk=contact_request_id,
            status=ContactRequest.Status.OPEN,
            created_at__lte=now - dt.timedelta(days=ContactRequest.EXPIRE_AFTER_DAYS),
        )
        .first()
    )
    if contact_request is None:
        return False
    contact_request.status = ContactRequest.Status.EXPIRED
    contact_request.save(update_fields=["status"])
    audit(actor=None, action="contact_request.expired", target=contact_request)
    notifications.contact_request_expired(contact_request_id)
    return True


@transaction.atomic
def message_create(*, actor, contact_request: ContactRequest, text: str) -> Message:
    """Adds a message to the conversation of an accepted request (either side may write)."""
    if not can_write_message(actor, contact_request):
        if contact_request.status != ContactRequest.Status.ACCEPTED:
            raise ValidationError(
                {"text": [_("The conversation opens once the contact request is accepted.")]}
            )
        raise PermissionDenied(_("You are not part of this conversation."))
    text = _clean_text(
        text, field="text", max_length=MESSAGE_MAX_LENGTH, empty_message=_("Write a message.")
    )
    message = Message.objects.create(contact_request=contact_request, author=actor, text=text)
    audit(actor=actor, action="message.posted", target=contact_request)
    notifications.message_posted(message.pk)
    return message


@transaction.atomic
def block_create(*, actor, organisation: Organisation) -> Block:
    """The actor no longer receives (nor sees) contact requests from the organisation."""
    if not is_partner(actor):
        raise PermissionDenied(_("Log in to block organisations."))
    if organisation.pk in member_organisation_ids(actor):
        raise ValidationError({"organisation": [_("You cannot block your own organisation.")]})
    block, created = Block.objects.get_or_create(user=actor, blocked_organisation=organisation)
    if created:
        audit(actor=actor, action="organisation.blocked", target=organisation)
    return block


@transaction.atomic
def block_delete(*, actor, block: Block) -> None:
    if block.user_id != actor.pk:
        raise PermissionDenied
    audit(actor=actor, action="organisation.unblocked", target=block.blocked_organisation)
    block.delete()


@transaction.atomic
def abuse_report_create(*, actor, contact_request: ContactRequest, reason: str) -> AbuseReport:
    """Either side reports a request or conversation to the cluster office."""
    if not can_report_abuse(actor, contact_request):
        raise PermissionDenied
    reason = _clean_text(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        empty_message=_("Tell the cluster office what is wrong."),
    )
    report = AbuseReport.objects.create(
        reporter=actor, contact_request=contact_request, reason=reason
    )
    audit(actor=actor, action="contact_request.reported", target=contact_request)
    notifications.abuse_reported(report.pk)
    return report
