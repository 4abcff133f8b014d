"""Who may see and do what in matchmaking. Used by the pages and the API alike.

Opportunities are for logged-in partners only. Decisions (documented in the report and here):

- A published opportunity with visibility "partners" is visible to every logged-in partner until
  its valid-until date has passed. Drafts, closed and expired ones are visible only to the
  owning organisation's members and to staff.
- A confidential opportunity (visibility "office") is visible to the owning organisation, to
  staff and to the organisations staff forwarded it to. Those see it without the requester's
  name until the requester agrees (Forwarding.is_identity_revealed).
- The owner (the person who created it), the owning organisation's admins and staff manage an
  opportunity: edit, publish, close, see its ranked matches, dismiss and track them. Other
  members of the owning organisation see it but do not manage it.
- A contact request is seen by its sender and by every member of the receiving organisation
  (who may answer it). Staff do not read other people's conversations in the portal; abuse
  reports reach them through the admin.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from matchmaking.models import ContactRequest, Forwarding, Opportunity
from partners.models import Organisation
from partners.permissions import (
    admin_organisation_ids,
    is_partner,
    is_staff,
    member_organisation_ids,
)


def active_member_organisation_ids(user) -> set[int]:
    """The active organisations the user belongs to (cached on the user object)."""
    if not is_partner(user):
        return set()
    cached = getattr(user, "_active_member_organisation_ids", None)
    if cached is None:
        cached = set(
            Organisation.objects.filter(
                pk__in=member_organisation_ids(user), status=Organisation.Status.ACTIVE
            ).values_list("pk", flat=True)
        )
        user._active_member_organisation_ids = cached
    return cached


# --- Opportunities ----------------------------------------------------------------------------


def can_create_opportunity(user) -> bool:
    """A partner who belongs to at least one active organisation."""
    return bool(active_member_organisation_ids(user))


def can_create_opportunity_for(user, organisation: Organisation) -> bool:
    return organisation.pk in active_member_organisation_ids(user)


def visible_opportunities_q(user) -> Q:
    """The filter behind `can_view_opportunity`, for querysets of Opportunity."""
    if not is_partner(user):
        return Q(pk__in=[])
    if is_staff(user):
        return Q()
    own = Q(organisation_id__in=member_organisation_ids(user))
    current = Q(status=Opportunity.Status.PUBLISHED, valid_until__gte=timezone.localdate())
    forwarded = Exists(
        Forwarding.objects.filter(
            opportunity_id=OuterRef("pk"), organisation_id__in=member_organisation_ids(user)
        )
    )
    return (
        own
        | (current & Q(visibility=Opportunity.Visibility.PARTNERS))
        | (current & Q(visibility=Opportunity.Visibility.OFFICE) & Q(forwarded))
    )


def can_view_opportunity(user, opportunity: Opportunity) -> bool:
    if not is_partner(user):
        return False
    if is_staff(user) or opportunity.organisation_id in member_organisation_ids(user):
        return True
    is_current = (
        opportunity.status == Opportunity.Status.PUBLISHED
        and opportunity.valid_until >= timezone.localdate()
    )
    if not is_current:
        return False
    if opportunity.visibility == Opportunity.Visibility.PARTNERS:
        return True
    return Forwarding.objects.filter(
        opportunity=opportunity, organisation_id__in=member_organisation_ids(user)
    ).exists()


def can_manage_opportunity(user, opportunity: Opportunity) -> bool:
    """Edit, publish, close, see the matches and record feedback on them."""
    if not is_partner(user):
        return False
    return (
        is_staff(user)
        or (opportunity.created_by_id is not None and opportunity.created_by_id == user.pk)
        or opportunity.organisation_id in admin_organisation_ids(user)
    )


def is_requester_hidden(user, opportunity: Opportunity) -> bool:
    """True where the user sees a confidential opportunity without the requester's name.

    Uses `is_identity_revealed_to_user` when the selector annotated it (lists), else a query.
    """
    if opportunity.visibility != Opportunity.Visibility.OFFICE:
        return False
    if is_staff(user) or opportunity.organisation_id in member_organisation_ids(user):
        return False
    revealed = getattr(opportunity, "is_identity_revealed_to_user", None)
    if revealed is None:
        revealed = Forwarding.objects.filter(
            opportunity=opportunity,
            organisation_id__in=member_organisation_ids(user),
            is_identity_revealed=True,
        ).exists()
    return not revealed


def can_forward_opportunity(user, opportunity: Opportunity) -> bool:
    return is_staff(user) and opportunity.visibility == Opportunity.Visibility.OFFICE


def can_reveal_identity(user, forwarding: Forwarding) -> bool:
    """The requester (who manages the opportunity) agrees to be named to a forwarded partner."""
    return can_manage_opportunity(user, forwarding.opportunity)


def can_track_match(user, opportunity: Opportunity, organisation) -> bool:
    """Outcomes are set by the partners: the opportunity's manager or the matched side."""
    return can_manage_opportunity(user, opportunity) or (
        organisation.pk in member_organisation_ids(user) and can_view_opportunity(user, opportunity)
    )


def can_view_statistics(user) -> bool:
    return is_staff(user)


# --- Contact requests and conversations -------------------------------------------------------


def contact_requests_q(user) -> Q:
    """Contact requests the user takes part in: sent by them, or to one of their organisations."""
    if not is_partner(user):
        return Q(pk__in=[])
    return Q(sender=user) | Q(receiver_organisation_id__in=member_organisation_ids(user))


def is_contact_request_sender(user, contact_request: ContactRequest) -> bool:
    return is_partner(user) and contact_request.sender_id == user.pk


def is_contact_request_receiver(user, contact_request: ContactRequest) -> bool:
    return contact_request.receiver_organisation_id in member_organisation_ids(user)


def can_view_contact_request(user, contact_request: ContactRequest) -> bool:
    return is_contact_request_sender(user, contact_request) or is_contact_request_receiver(
        user, contact_request
    )


def can_answer_contact_request(user, contact_request: ContactRequest) -> bool:
    """Any member of the receiving organisation accepts or declines an open request."""
    return (
        contact_request.status == ContactRequest.Status.OPEN
        and is_contact_request_receiver(user, contact_request)
        and not is_contact_request_sender(user, contact_request)
    )


def can_withdraw_contact_request(user, contact_request: ContactRequest) -> bool:
    return contact_request.status == ContactRequest.Status.OPEN and is_contact_request_sender(
        user, contact_request
    )


def can_view_contact_data(user, contact_request: ContactRequest) -> bool:
    """Personal e-mail and phone of the other side: only once the request is accepted, and then
    regardless of the people's show_email/show_phone choices (accepting means agreeing)."""
    return contact_request.status == ContactRequest.Status.ACCEPTED and can_view_contact_request(
        user, contact_request
    )


def can_write_message(user, contact_request: ContactRequest) -> bool:
    return contact_request.status == ContactRequest.Status.ACCEPTED and can_view_contact_request(
        user, contact_request
    )


def can_report_abuse(user, contact_request: ContactRequest) -> bool:
    return can_view_contact_request(user, contact_request)
