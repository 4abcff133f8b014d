"""Invitations to an organisation: signed links, creation, resending, revoking, accepting,
and their e-mails (to addresses that may have no account yet)."""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.emails import normalise_email
from accounts.models import User
from partners.models import Invitation, JoinRequest, Membership, Organisation
from partners.services.memberships import (
    member_with_address_exists,
    require_member_manager,
    user_has_verified_address,
)
from spinportal.audit import audit
from spinportal.hooks import email_to_address, email_to_address_cancel

INVITATION_SALT = "partners.invitation"


# --- Invitation links -------------------------------------------------------------------------


class InvitationProblem:
    """Why an invitation link cannot be used (the codes the accept page explains)."""

    FORGED = "forged"
    REVOKED = "revoked"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    WRONG_ADDRESS = "wrong_address"
    ALREADY_MEMBER = "already_member"


@dataclass(frozen=True)
class InvitationCheck:
    invitation: Invitation | None
    problem: str | None = None


def invitation_token(invitation: Invitation) -> str:
    """The signed token in the invitation link.

    It carries the invitation id and the time it was (re)sent, so resending makes older links
    stop working. The signature itself is timestamped and expires after VALID_DAYS as well.
    """
    return signing.dumps(
        {"invitation": invitation.pk, "sent_at": invitation.sent_at.isoformat()},
        salt=INVITATION_SALT,
    )


def invitation_url(invitation: Invitation) -> str:
    path = reverse("people:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def invitation_expires_at(invitation: Invitation) -> dt.datetime:
    return invitation.sent_at + dt.timedelta(days=Invitation.VALID_DAYS)


def invitation_check(token: str) -> InvitationCheck:
    """Reads a token from a link: the invitation it names, or why it cannot be used."""
    max_age = dt.timedelta(days=Invitation.VALID_DAYS)
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        payload = signing.loads(token, salt=INVITATION_SALT)
        invitation = Invitation.objects.select_related("organisation").filter(
            pk=payload.get("invitation")
        )
        return InvitationCheck(invitation.first(), InvitationProblem.EXPIRED)
    except signing.BadSignature:
        return InvitationCheck(None, InvitationProblem.FORGED)
    if not isinstance(payload, dict) or not isinstance(payload.get("invitation"), int):
        return InvitationCheck(None, InvitationProblem.FORGED)
    invitation = (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(pk=payload["invitation"])
        .first()
    )
    if invitation is None:
        return InvitationCheck(None, InvitationProblem.FORGED)
    if invitation.status == Invitation.Status.REVOKED:
        return InvitationCheck(invitation, InvitationProblem.REVOKED)
    if invitation.status == Invitation.Status.ACCEPTED:
        return InvitationCheck(invitation, InvitationProblem.ACCEPTED)
    if invitation.status == Invitation.Status.DECLINED:
        return InvitationCheck(invitation, InvitationProblem.DECLINED)
    if payload.get("sent_at") != invitation.sent_at.isoformat():
        return InvitationCheck(invitation, InvitationProblem.SUPERSEDED)
    if invitation_expires_at(invitation) <= timezone.now():
        return InvitationCheck(invitation, InvitationProblem.EXPIRED)
    return InvitationCheck(invitation)


# --- Invitations ------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str = Membership.Role.MEMBER
) -> Invitation:
    """An organisation admin (or staff) invites an e-mail address; the mail goes after commit."""
    require_member_manager(actor, organisation)
    email = normalise_email(email)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if member_with_address_exists(organisation, email):
        raise ValidationError(
            {"email": _("A person with this e-mail address is already a member.")}
        )
    if Invitation.objects.filter(
        organisation=organisation, email__iexact=email, status=Invitation.Status.OPEN
    ).exists():
        raise ValidationError(
            {"email": _("This address already has an open invitation. Resend it instead.")}
        )
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                organisation=organisation,
                email=email,
                role=role,
                invited_by=actor,
                sent_at=timezone.now(),
            )
    except IntegrityError as error:  # a concurrent invitation to the same address won
        raise ValidationError(
            {"email": _("This address already has an open invitation. Resend it instead.")}
        ) from error
    audit(actor=actor, action="invitation.create", target=invitation, email=email, role=role)
    _invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation) -> Invitation:
    """Sends a new link valid for another VALID_DAYS days; the previous link stops working."""
    require_member_manager(actor, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.OPEN:
        raise ValidationError(_("Only open invitations can be resent."))
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    audit(actor=actor, action="invitation.resend", target=invitation)
    _invitation_email(invitation)
    return invitation


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require_member_manager(actor, invitation.organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != Invitation.Status.OPEN:
        raise ValidationError(_("Only open invitations can be revoked."))
    invitation.status = Invitation.Status.REVOKED
    invitation.save(update_fields=["status"])
    audit(actor=actor, action="invitation.revoke", target=invitation)
    # a link that no longer works must not go out if its mail is still waiting in the outbox
    email_to_address_cancel(event_type="invitation.received", event_key=f"{invitation.pk}:")
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, invitation: Invitation) -> Membership:
    """The invited person accepts and becomes a member with the invited role.

    The logged-in user must own the invited address as a *verified* e-mail address (their
    login address or another address confirmed under "E-mail addresses"). A forwarded link
    therefore cannot bring a different person into the organisation; the accept page shows
    whom the invitation was for and how to add that address.
    """
    invitation = (
        Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    )
    problem = None
    if invitation.status == Invitation.Status.REVOKED:
        problem = InvitationProblem.REVOKED
    elif invitation.status == Invitation.Status.ACCEPTED:
        problem = InvitationProblem.ACCEPTED
    elif invitation.status == Invitation.Status.DECLINED:
        problem = InvitationProblem.DECLINED
    elif invitation_expires_at(invitation) <= timezone.now():
        problem = InvitationProblem.EXPIRED
    elif not user_has_verified_address(user, invitation.email):
        problem = InvitationProblem.WRONG_ADDRESS
    elif Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        problem = InvitationProblem.ALREADY_MEMBER
    if problem:
        raise ValidationError(problem, code=problem)

    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_by = user
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_by", "accepted_at"])
    # An open request to join the same organisation is moot now.
    JoinRequest.objects.filter(
        user=user, organisation=invitation.organisation, status=JoinRequest.Status.OPEN
    ).update(status=JoinRequest.Status.WITHDRAWN)
    audit(actor=user, action="invitation.accept", target=invitation)
    audit(
        actor=user,
        action="membership.create",
        target=membership,
        role=membership.role,
        via="invitation",
        invitation=invitation.pk,
    )
    return membership


@transaction.atomic
def invitation_decline(*, user: User, invitation: Invitation) -> Invitation:
    """The invited person declines: the link stops working and the admins' list drops it.

    Like accepting, only for the owner of the invited address (verified). Declining twice is
    refused, as is declining an invitation that was revoked or accepted meanwhile.
    """
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not user_has_verified_address(user, invitation.email):
        raise PermissionDenied(_("This invitation is for another e-mail address"))
    if invitation.status != Invitation.Status.OPEN:
        raise ValidationError(_("Only open invitations can be declined."))
    invitation.status = Invitation.Status.DECLINED
    invitation.save(update_fields=["status"])
    audit(actor=user, action="invitation.decline", target=invitation)
    # the mail with the link must not go out after the invitee said no
    email_to_address_cancel(event_type="invitation.received", event_key=f"{invitation.pk}:")
    return invitation


# --- E-mail (written to the outbox in the service's transaction) -------------------------------


def _language_for_address(email: str) -> str:
    user = User.objects.filter(email__iexact=email).only("language").first()
    return user.language if user and user.language else settings.LANGUAGE_CODE


def _invitation_email(invitation: Invitation) -> None:
    """The invitation mail, to an address that may have no account yet (mandatory event).

    The event key carries the send time: a resent invitation is a new mail with the new link,
    and the mail with the superseded link is cancelled if it has not gone out yet.
    """
    language = _language_for_address(invitation.email)
    email_to_address_cancel(event_type="invitation.received", event_key=f"{invitation.pk}:")
    with translation.override(language):
        expires_at = date_format(
            timezone.localtime(invitation_expires_at(invitation)), "DATETIME_FORMAT"
        )
    inviter = invitation.invited_by
    email_to_address(
        event_type="invitation.received",
        email=invitation.email,
        event_key=f"{invitation.pk}:{invitation.sent_at:%Y%m%dT%H%M%S%f}",
        language=language,
        url=invitation_url(invitation),
        context={
            "organisation": invitation.organisation.name,
            "inviter": inviter.display_name if inviter else "",
            "valid_days": Invitation.VALID_DAYS,
            "expires_at": expires_at,
        },
    )
