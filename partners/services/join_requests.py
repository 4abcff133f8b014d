"""Requests to join an organisation: asking, approving, declining, withdrawing, and the
admins' and the person's notifications."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from partners import permissions
from partners.models import JoinRequest, Membership, Organisation
from partners.selectors.people import organisation_admin_users
from partners.services.memberships import require_member_manager
from spinportal.audit import audit
from spinportal.hooks import notify

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
    require_member_manager(actor, join_request.organisation)
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


# --- Notifications (written to the outbox in the service's transaction) ----------------------


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
