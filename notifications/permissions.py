"""Who may manage which webhooks. Pages and the API use the same predicates."""

from django.db.models import Q

from partners.permissions import admin_organisation_ids, can_edit_organisation, is_staff


def can_manage_webhooks(user, organisation) -> bool:
    """An organisation's admins (and staff) register and change its webhooks."""
    return can_edit_organisation(user, organisation)


def visible_webhooks_q(user) -> Q:
    """Webhooks a user may see: those of the organisations they administer (all for staff)."""
    if is_staff(user):
        return Q()
    return Q(organisation_id__in=admin_organisation_ids(user))


def can_create_webhooks(user) -> bool:
    return is_staff(user) or bool(admin_organisation_ids(user))
