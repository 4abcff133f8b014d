"""One function per event that will notify people (a later issue adds e-mails and in-portal
notifications). Services call them through `transaction.on_commit`, so a rolled-back write
never notifies. Each takes the row's id and must stay idempotent."""


def opportunity_expiring(opportunity_id: int) -> None:
    """The owner is reminded to renew or close an opportunity that expires soon or expired."""


def contact_request_sent(contact_request_id: int) -> None:
    """The receiving organisation's members learn of a new contact request."""


def contact_request_reminder(contact_request_id: int) -> None:
    """The receiving organisation is reminded of a request unanswered for 7 days."""


def contact_request_accepted(contact_request_id: int) -> None:
    """The sender learns that the request was accepted (and can now see the contact data)."""


def contact_request_declined(contact_request_id: int) -> None:
    """The sender learns that the request was declined (with the reason, if any)."""


def contact_request_expired(contact_request_id: int) -> None:
    """The sender learns that the request expired unanswered after 30 days."""


def message_posted(message_id: int) -> None:
    """The other side of the conversation learns of a new message."""


def abuse_reported(abuse_report_id: int) -> None:
    """The cluster office learns of a new abuse report."""


def opportunity_forwarded(forwarding_id: int) -> None:
    """The chosen organisation learns of a confidential request forwarded to it."""
