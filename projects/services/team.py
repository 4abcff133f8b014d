"""Writes on a project's team: people and their roles (lead, member). Each checks the right
to act, runs in one transaction and leaves an audit row."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partners.models import Membership
from projects.models import Project, TeamMember
from projects.permissions import (
    can_manage_team,
    forget_project_roles,
)
from projects.services.consortium import lock_project
from spinportal.audit import audit

# --- Team -------------------------------------------------------------------------------------


def _require_team_manager(actor, project: Project) -> None:
    if not can_manage_team(actor, project):
        raise PermissionDenied(_("Only the project's leads manage its team."))


def _lead_count(project: Project, *, excluding: TeamMember | None = None) -> int:
    leads = TeamMember.objects.filter(project=project, role=TeamMember.Role.LEAD)
    if excluding is not None:
        leads = leads.exclude(pk=excluding.pk)
    return leads.count()


@transaction.atomic
def team_member_add(*, actor, project: Project, user, role: str) -> TeamMember:
    """Adds a person of a current partner organisation to the team with a project role."""
    _require_team_manager(actor, project)
    project = lock_project(project)
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": [_("Choose a valid project role.")]})
    in_consortium = Membership.objects.filter(
        user=user,
        user__is_active=True,
        organisation__participations__project=project,
        organisation__participations__left_on__isnull=True,
    ).exists()
    if not in_consortium:
        raise ValidationError(
            {"user": [_("Only people of the consortium's organisations can join the team.")]}
        )
    if TeamMember.objects.filter(project=project, user=user).exists():
        raise ValidationError({"user": [_("This person is in the team already.")]})
    try:
        with transaction.atomic():
            member = TeamMember.objects.create(project=project, user=user, role=role)
    except IntegrityError as error:
        raise ValidationError({"user": [_("This person is in the team already.")]}) from error
    forget_project_roles(user)
    audit(actor=actor, action="team_member.added", target=project, user=user.pk, role=role)
    return member


@transaction.atomic
def team_member_change_role(*, actor, member: TeamMember, role: str) -> TeamMember:
    _require_team_manager(actor, member.project)
    project = lock_project(member.project)
    if role not in TeamMember.Role.values:
        raise ValidationError({"role": [_("Choose a valid project role.")]})
    member = TeamMember.objects.select_related("user").get(pk=member.pk)
    previous = member.role
    if previous == role:
        return member
    if previous == TeamMember.Role.LEAD and _lead_count(project, excluding=member) == 0:
        raise ValidationError({"role": [_("A project keeps at least one project lead.")]})
    member.role = role
    member.save(update_fields=["role"])
    forget_project_roles(member.user)
    if member.user_id == actor.pk:
        forget_project_roles(actor)
    audit(
        actor=actor,
        action="team_member.role_changed",
        target=project,
        user=member.user_id,
        previous=previous,
        role=role,
    )
    return member


@transaction.atomic
def team_member_remove(*, actor, member: TeamMember) -> None:
    _require_team_manager(actor, member.project)
    project = lock_project(member.project)
    member = TeamMember.objects.select_related("user").get(pk=member.pk)
    if member.role == TeamMember.Role.LEAD and _lead_count(project, excluding=member) == 0:
        raise ValidationError({"role": [_("A project keeps at least one project lead.")]})
    audit(
        actor=actor,
        action="team_member.removed",
        target=project,
        user=member.user_id,
        role=member.role,
    )
    member.delete()
    forget_project_roles(member.user)
    if member.user_id == actor.pk:
        forget_project_roles(actor)
