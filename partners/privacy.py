"""Partners' part of the person's data export and account deletion (accounts/privacy.py)."""

from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.privacy import PrivacyHook, register, rows
from partners.models import Invitation, JoinRequest, Membership
from partners.permissions import forget_memberships


def _export(user) -> dict[str, list]:
    return {
        "memberships": rows(
            Membership.objects.filter(user=user).select_related("organisation"),
            ["organisation__name", "organisation__slug", "role", "created_at"],
        ),
        "join_requests": rows(
            JoinRequest.objects.filter(user=user).select_related("organisation"),
            ["organisation__name", "status", "message", "created_at"],
        ),
    }


def organisations_blocking_deletion(*, user) -> list[str]:
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


def _deletion_blockers(user) -> list[str]:
    if transaction.get_connection().in_atomic_block:  # the deletion itself, not the page
        # Lock the person's admin memberships so no one demotes the other admin meanwhile.
        list(Membership.objects.select_for_update().filter(user=user, role=Membership.Role.ADMIN))
    blocking = organisations_blocking_deletion(user=user)
    if not blocking:
        return []
    return [
        _(
            "You are the last administrator of %(organisations)s. Make another member an "
            "administrator first, then delete your account."
        )
        % {"organisations": ", ".join(blocking)}
    ]


def _erase(user, identifiers: set[str]) -> None:
    Invitation.objects.filter(email__in=identifiers).delete()
    forget_memberships(user)


register(PrivacyHook(export=_export, deletion_blockers=_deletion_blockers, erase=_erase))
