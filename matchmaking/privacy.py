"""Matchmaking's part of the person's data export and account deletion (accounts/privacy.py).

Contact requests the person sent stay (they open conversations that belong to the receiving
organisation as well): open ones are withdrawn first, so nobody answers a person who is gone,
and the texts they wrote lose the person's name, addresses and phone number. Opportunities they
created belong to the organisation and stay unchanged."""

from accounts.privacy import PrivacyHook, register, rows, scrub
from matchmaking.models import ContactRequest, Message, Opportunity
from matchmaking.services.contact_requests import contact_request_withdraw


def _export(user) -> dict[str, list]:
    return {
        "opportunities_created": rows(
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
        "contact_requests_sent": rows(
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
        "messages_sent": rows(
            Message.objects.filter(author=user).select_related("contact_request"),
            ["contact_request__public_id", "text", "created_at"],
        ),
    }


def _withdraw_open_requests(user) -> None:
    for contact_request in ContactRequest.objects.filter(
        sender=user, status=ContactRequest.Status.OPEN
    ):
        contact_request_withdraw(actor=user, contact_request=contact_request)


def _erase(user, identifiers: set[str]) -> None:
    for message in Message.objects.filter(author=user):
        message.text = scrub(message.text, identifiers)
        message.save(update_fields=["text"])
    for contact_request in ContactRequest.objects.filter(sender=user):
        contact_request.message = scrub(contact_request.message, identifiers)
        contact_request.save(update_fields=["message"])


register(
    PrivacyHook(
        export=_export,
        before_erasure=_withdraw_open_requests,
        erase=_erase,
        kept_relations=frozenset({(ContactRequest, "sender")}),
    )
)
