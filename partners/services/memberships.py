"""Writes on memberships: leaving, removal, roles; and the checks the other people services
share. Every service takes the acting user first, checks the right to act (pages and the API
call the same predicates beforehand, this is the last line), writes in one transaction and
leaves an audit row; e-mails go to the notification outbox (`notifications.services`, reached
through `spinportal.hooks`) in the same transaction."""

from allauth.account.models import EmailAddress
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from partners import permissions
from partners.models import Membership, Organisation
from spinportal.audit import audit


def require_member_manager(actor: User, organisation: Organisation) -> None:
    if not permissions.can_manage_members(actor, organisation):
        raise PermissionDenied(_("Only the organisation's administrators manage its members."))


def user_has_verified_address(user: User, email: str) -> bool:
    return EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists()


def member_with_address_exists(organisation: Organisation, email: str) -> bool:
    return Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists()


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
    require_member_manager(actor, membership.organisation)
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
    require_member_manager(actor, membership.organisation)
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
