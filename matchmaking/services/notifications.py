"""One function per matchmaking event. Services call them INSIDE their transaction: the
notification and its e-mail are written to the outbox together with the change (a rolled-back
write leaves no notification; a committed one is never lost). Each is idempotent: the event key
makes a second call add nothing."""

from django.urls import reverse

from accounts.models import User
from matchmaking.models import AbuseReport, ContactRequest, Forwarding, Message, Opportunity
from notifications.services import notify


def _members(organisation_id: int):
    return User.objects.filter(memberships__organisation_id=organisation_id, is_active=True)


def _contact_url(contact_request: ContactRequest) -> str:
    return reverse("matchmaking:contact_request_detail", args=[contact_request.public_id])


def _both(request: ContactRequest) -> list[int]:
    """Webhooks of both organisations in a contact request may hear of it."""
    return [request.sender_organisation_id, request.receiver_organisation_id]


def _load(contact_request_id: int) -> ContactRequest:
    return ContactRequest.objects.select_related(
        "sender", "sender_organisation", "receiver_organisation", "opportunity", "answered_by"
    ).get(pk=contact_request_id)


def opportunity_expiring(opportunity_id: int) -> None:
    """The owner is reminded to renew or close an opportunity that expires soon or expired."""
    opportunity = Opportunity.objects.select_related("created_by").get(pk=opportunity_id)
    notify(
        event_type="opportunity.expiring",
        recipients=[opportunity.created_by],
        event_key=f"{opportunity.pk}:{opportunity.valid_until.isoformat()}",
        url=reverse("matchmaking:opportunity_detail", args=[opportunity.public_id]),
        context={
            "opportunity": opportunity.title,
            "valid_until": opportunity.valid_until.strftime("%d.%m.%Y"),
        },
    )


def contact_request_sent(contact_request_id: int) -> None:
    """The receiving organisation's members learn of a new contact request."""
    request = _load(contact_request_id)
    notify(
        event_type="contact_request.received",
        recipients=_members(request.receiver_organisation_id),
        event_key=str(request.pk),
        actor=request.sender,
        url=_contact_url(request),
        organisation_ids=_both(request),
        context={
            "sender_organisation": request.sender_organisation.name,
            # a confidential opportunity's title is not revealed here
            "opportunity": request.opportunity.title if request.opportunity else "",
            "message": request.message[:1000],
        },
    )


def contact_request_reminder(contact_request_id: int) -> None:
    """The receiving organisation is reminded of a request unanswered for 7 days."""
    request = _load(contact_request_id)
    notify(
        event_type="contact_request.reminder",
        recipients=_members(request.receiver_organisation_id),
        event_key=str(request.pk),
        url=_contact_url(request),
        organisation_ids=_both(request),
        context={"sender_organisation": request.sender_organisation.name},
    )


def contact_request_accepted(contact_request_id: int) -> None:
    """The sender learns that the request was accepted (and can now see the contact data)."""
    request = _load(contact_request_id)
    notify(
        event_type="contact_request.accepted",
        recipients=[request.sender],
        event_key=str(request.pk),
        actor=request.answered_by,
        url=_contact_url(request),
        organisation_ids=_both(request),
        context={"receiver_organisation": request.receiver_organisation.name},
    )


def contact_request_declined(contact_request_id: int) -> None:
    """The sender learns that the request was declined (with the reason, if any)."""
    request = _load(contact_request_id)
    notify(
        event_type="contact_request.declined",
        recipients=[request.sender],
        event_key=str(request.pk),
        actor=request.answered_by,
        url=_contact_url(request),
        organisation_ids=_both(request),
        context={
            "receiver_organisation": request.receiver_organisation.name,
            "reason": request.decline_reason,
        },
    )


def contact_request_expired(contact_request_id: int) -> None:
    """The sender learns that the request expired unanswered after 30 days."""
    request = _load(contact_request_id)
    notify(
        event_type="contact_request.expired",
        recipients=[request.sender],
        event_key=str(request.pk),
        url=_contact_url(request),
        organisation_ids=_both(request),
        context={"receiver_organisation": request.receiver_organisation.name},
    )


def message_posted(message_id: int) -> None:
    """The other side of the conversation learns of a new message."""
    message = Message.objects.select_related("author", "contact_request").get(pk=message_id)
    request = _load(message.contact_request_id)
    author = message.author
    author_is_sender_side = author is not None and (
        author.pk == request.sender_id
        or author.memberships.filter(organisation_id=request.sender_organisation_id).exists()
    )
    if author_is_sender_side:
        recipients = (
            [request.answered_by]
            if request.answered_by
            else list(_members(request.receiver_organisation_id))
        )
        organisation = request.sender_organisation.name
    else:
        recipients = [request.sender]
        organisation = request.receiver_organisation.name
    notify(
        event_type="message.received",
        recipients=recipients,
        event_key=str(message.pk),
        actor=author,
        url=_contact_url(request),
        organisation_ids=_both(request),
        context={
            "sender": author.display_name if author else "",
            "organisation": organisation,
            "excerpt": message.text[:500],
        },
    )


def abuse_reported(abuse_report_id: int) -> None:
    """The cluster office learns of a new abuse report."""
    report = AbuseReport.objects.select_related("reporter", "contact_request").get(
        pk=abuse_report_id
    )
    notify(
        event_type="abuse.reported",
        recipients=User.objects.filter(is_staff=True, is_active=True),
        event_key=str(report.pk),
        actor=report.reporter,
        url=reverse("admin:matchmaking_abusereport_change", args=[report.pk]),
        context={"reason": report.reason[:500]},
    )


def opportunity_forwarded(forwarding_id: int) -> None:
    """The chosen organisation learns of a confidential request forwarded to it."""
    forwarding = Forwarding.objects.select_related("opportunity", "forwarded_by").get(
        pk=forwarding_id
    )
    notify(
        event_type="opportunity.forwarded",
        recipients=_members(forwarding.organisation_id),
        event_key=str(forwarding.pk),
        actor=forwarding.forwarded_by,
        url=reverse("matchmaking:opportunity_detail", args=[forwarding.opportunity.public_id]),
        context={"opportunity": forwarding.opportunity.title},
    )
