"""Who may see and change what in the partner directory. Used by pages and the API alike.

Anonymous visitors see active organisations' public profiles. Logged-in partners also see
people and the contact data each person chose to share. An organisation's admins (and staff)
edit it and manage its members. Pending and rejected organisations are visible only to their
own admins and to staff.
"""

from django.db.models import Q

from partners.models import Membership, Organisation


def is_partner(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_staff(user) -> bool:
    return bool(is_partner(user) and user.is_staff)


def membership_roles(user) -> dict[int, str]:
    """{organisation_id: role} of the user's memberships: one query, cached on the user."""
    if not is_partner(user):
        return {}
    cached = getattr(user, "_membership_roles", None)
    if cached is None:
        cached = dict(Membership.objects.filter(user=user).values_list("organisation_id", "role"))
        user._membership_roles = cached
    return cached


def admin_organisation_ids(user) -> set[int]:
    """Ids of the organisations this user administers."""
    return {
        org_id for org_id, role in membership_roles(user).items() if role == Membership.Role.ADMIN
    }


def is_privileged(user) -> bool:
    """Staff and organisation admins: those who must use two-factor authentication."""
    return bool(is_partner(user) and (user.is_staff or admin_organisation_ids(user)))


def member_organisation_ids(user) -> set[int]:
    return set(membership_roles(user))


def forget_memberships(user) -> None:
    """Drops the cached memberships after a service changed them."""
    for name in ("_membership_roles", "_admin_organisation_ids", "_member_organisation_ids"):
        if hasattr(user, name):
            delattr(user, name)


def visible_organisations_q(user) -> Q:
    """The filter behind `can_view_organisation`, for querysets."""
    if is_staff(user):
        return Q()
    visible = Q(status=Organisation.Status.ACTIVE)
    if is_partner(user):
        visible |= Q(pk__in=admin_organisation_ids(user))
    return visible


def can_view_organisation(user, organisation: Organisation) -> bool:
    if organisation.status == Organisation.Status.ACTIVE or is_staff(user):
        return True
    return organisation.pk in admin_organisation_ids(user)


def can_edit_organisation(user, organisation: Organisation) -> bool:
    return is_staff(user) or organisation.pk in admin_organisation_ids(user)


def can_manage_members(user, organisation: Organisation) -> bool:
    return can_edit_organisation(user, organisation)


def can_moderate_organisations(user) -> bool:
    return is_staff(user)


def can_view_people(user) -> bool:
    """People and their shared contact data are for logged-in partners only."""
    return is_partner(user)


def can_view_contact(user, person, field: str) -> bool:
    """`field` is "email" or "phone"; each person chooses what logged-in partners see."""
    if not is_partner(user):
        return False
    if user.pk == person.pk or is_staff(user):
        return True
    return bool(getattr(person, f"show_{field}", False))


def can_request_to_join(user, organisation: Organisation) -> bool:
    return (
        is_partner(user)
        and organisation.status == Organisation.Status.ACTIVE
        and organisation.pk not in member_organisation_ids(user)
    )


# --- People and memberships -----------------------------------------------------------------


def can_view_person(user, person) -> bool:
    """A person is visible to logged-in partners if they belong to a visible organisation."""
    if not can_view_people(user):
        return False
    if user.pk == person.pk or is_staff(user):
        return True
    return person.is_active and any(
        membership.organisation.status == Organisation.Status.ACTIVE
        for membership in person.memberships.all()
    )


def can_leave_organisation(user, membership: Membership) -> bool:
    """Only the member themself leaves; the last admin is refused by the service."""
    return is_partner(user) and membership.user_id == user.pk


def can_export_people(user) -> bool:
    return is_staff(user)
