"""Writes on people and memberships: invitations, join requests, leaving, roles, profiles.

Every service takes the acting user first, checks the right to act (pages and the API call the
same predicates beforehand, this is the last line), writes in one transaction, leaves an audit
row and records its e-mail in the notification outbox (`notifications.services`, reached through
`spinportal.hooks`) within the same transaction; the outbox sends it after commit.
"""

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
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
from partners import permissions
from partners.models import Invitation, JoinRequest, Membership, Organisation
from partners.selectors.people import organisation_admin_users
from spinportal.audit import audit
from spinportal.hooks import email_to_address, email_to_address_cancel, notify

INVITATION_SALT = "partners.invitation"


# --- Invitation links -------------------------------------------------------------------------


class InvitationProblem:
    """Why an invitation link cannot be used (the codes the accept page explains)."""

    FORGED = "forged"
    REVOKED = "revoked"
    ACCEPTED = "accepted"
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
    if payload.get("sent_at") != invitation.sent_at.isoformat():
        return InvitationCheck(invitation, InvitationProblem.SUPERSEDED)
    if invitation_expires_at(invitation) <= timezone.now():
        return InvitationCheck(invitation, InvitationProblem.EXPIRED)
    return InvitationCheck(invitation)


def user_has_verified_address(user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def _member_with_address_exists(organisation: Organisation, email: str) -> bool:
    return Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists()


# --- Invitations ------------------------------------------------------------------------------


def _require_member_manager(actor: User, organisation: Organisation) -> None:
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators manage its members."))


@transaction.atomic
def invitation_create(
    *, actor: User, organisation: Organisation, email: str, role: str = Membership.Role.MEMBER
) -> Invitation:
    """An organisation admin (or staff) invites an e-mail address; the mail goes after commit."""
    _require_member_manager(actor, organisation)
    email = normalise_email(email)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if _member_with_address_exists(organisation, email):
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
    _require_member_manager(actor, invitation.organisation)
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
    _require_member_manager(actor, invitation.organisation)
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


# --- Join requests ----------------------------------------------------------------------------


@transaction.atomic
def join_request_create(
    *, user: User, organisation: Organisation, message: str = ""
) -> JoinRequest:
    """A partner asks to join an active organisation; its admins are told after commit."""
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("You are already a member of this organisation."))
    if not permissions.can_request_to_join(user, organisation):
        raise PermissionDenied(_("You cannot ask to join this organisation."))
    already_open = _("You have already asked to join. The administrators will answer soon.")
    if JoinRequest.objects.filter(
        user=user, organisation=organisation, status=JoinRequest.Status.OPEN
    ).exists():
        raise ValidationError(already_open)
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(
                user=user, organisation=organisation, message=message.strip()
            )
    except IntegrityError as error:
        raise ValidationError(already_open) from error
    audit(actor=user, action="join_request.create", target=join_request)
    _join_request_notify_admins(join_request)
    return join_request


def _decide(*, actor: User, join_request: JoinRequest, status: str) -> JoinRequest:
    _require_member_manager(actor, join_request.organisation)
    join_request = (
        JoinRequest.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=join_request.pk)
    )
    if join_request.status != JoinRequest.Status.OPEN:
        raise ValidationError(_("This request has already been answered."))
    join_request.status = status
    join_request.decided_by = actor
    join_request.decided_at = timezone.now()
    join_request.save(update_fields=["status", "decided_by", "decided_at"])
    return join_request


@transaction.atomic
def join_request_approve(*, actor: User, join_request: JoinRequest) -> Membership:
    """Approves the request: the requester becomes a member (role "member")."""
    join_request = _decide(
        actor=actor, join_request=join_request, status=JoinRequest.Status.APPROVED
    )
    membership, created = Membership.objects.get_or_create(
        user=join_request.user,
        organisation=join_request.organisation,
        defaults={"role": Membership.Role.MEMBER},
    )
    audit(actor=actor, action="join_request.approve", target=join_request)
    if created:
        audit(
            actor=actor,
            action="membership.create",
            target=membership,
            role=membership.role,
            via="join_request",
            join_request=join_request.pk,
        )
    _join_request_notify_answer(actor=actor, join_request=join_request)
    return membership


@transaction.atomic
def join_request_decline(*, actor: User, join_request: JoinRequest) -> JoinRequest:
    join_request = _decide(
        actor=actor, join_request=join_request, status=JoinRequest.Status.DECLINED
    )
    audit(actor=actor, action="join_request.decline", target=join_request)
    _join_request_notify_answer(actor=actor, join_request=join_request)
    return join_request


@transaction.atomic
def join_request_withdraw(*, user: User, join_request: JoinRequest) -> JoinRequest:
    if join_request.user_id != user.pk:
        raise PermissionDenied(_("Only the requester can withdraw a request."))
    join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
    if join_request.status != JoinRequest.Status.OPEN:
        raise ValidationError(_("This request has already been answered."))
    join_request.status = JoinRequest.Status.WITHDRAWN
    join_request.save(update_fields=["status"])
    audit(actor=user, action="join_request.withdraw", target=join_request)
    return join_request


# --- Memberships ------------------------------------------------------------------------------


def _lock(membership: Membership) -> tuple[Membership, list[int]]:
    """Locks the membership and all admin rows of its organisation (the last-admin race)."""
    admin_ids = list(
        Membership.objects.select_for_update()
        .filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    locked = (
        Membership.objects.select_for_update()
        .select_related("organisation", "user")
        .get(pk=membership.pk)
    )
    return locked, admin_ids


def _is_last_admin(membership: Membership, admin_ids: list[int]) -> bool:
    return membership.role == Membership.Role.ADMIN and admin_ids == [membership.pk]


@transaction.atomic
def membership_leave(*, user: User, membership: Membership) -> None:
    """The member leaves the organisation. The last admin cannot leave."""
    if not permissions.can_leave_organisation(user, membership):
        raise PermissionDenied(_("You can only leave your own memberships."))
    membership, admin_ids = _lock(membership)
    if _is_last_admin(membership, admin_ids):
        raise ValidationError(
            _(
                "You are the last administrator of %(organisation)s. Make another member an "
                "administrator first."
            )
            % {"organisation": membership.organisation.display_name},
            code="last_admin",
        )
    audit(actor=user, action="membership.leave", target=membership, role=membership.role)
    membership.delete()


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership) -> None:
    """An admin (or staff) removes a member. The last admin cannot be removed."""
    _require_member_manager(actor, membership.organisation)
    membership, admin_ids = _lock(membership)
    if _is_last_admin(membership, admin_ids):
        raise ValidationError(
            _("The last administrator cannot be removed. Appoint another administrator first."),
            code="last_admin",
        )
    audit(
        actor=actor,
        action="membership.remove",
        target=membership,
        role=membership.role,
        user=membership.user_id,
    )
    membership.delete()


@transaction.atomic
def membership_role_change(*, actor: User, membership: Membership, role: str) -> Membership:
    """Makes a member an admin or an admin a member. The last admin cannot be demoted."""
    _require_member_manager(actor, membership.organisation)
    if role not in Membership.Role.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    membership, admin_ids = _lock(membership)
    if membership.role == role:
        return membership
    if _is_last_admin(membership, admin_ids):
        message = _(
            "The last administrator cannot become a member. Appoint another administrator first."
        )
        raise ValidationError({"role": ValidationError(message, code="last_admin")})
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit(
        actor=actor,
        action="membership.role_change",
        target=membership,
        previous_role=previous,
        role=role,
    )
    return membership


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


# --- Notifications (written to the outbox in the service's transaction) ----------------------


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


def _join_request_notify_admins(join_request: JoinRequest) -> None:
    organisation = join_request.organisation
    admins = organisation_admin_users(organisation_id=organisation.pk)
    notify(
        event_type="join_request.received",
        recipients=admins,
        event_key=str(join_request.pk),
        actor=join_request.user,
        url=reverse("people:members", kwargs={"slug": organisation.slug}),
        context={
            "person": join_request.user.display_name,
            "email": join_request.user.email,
            "organisation": organisation.display_name,
            "message": join_request.message,
        },
        # the organisation's own integrations may hear of requests to join it
        organisation_ids=[organisation.pk],
    )


def _join_request_notify_answer(*, actor: User, join_request: JoinRequest) -> None:
    notify(
        event_type="join_request.answered",
        recipients=[join_request.user],
        event_key=str(join_request.pk),
        actor=actor,
        url=reverse("people:my_organisations"),
        context={
            "organisation": join_request.organisation.display_name,
            "approved": join_request.status == JoinRequest.Status.APPROVED,
        },
    )
